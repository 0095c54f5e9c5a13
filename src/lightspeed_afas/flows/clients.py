"""The two hooks a step of a flow talks through; the task opens and closes them."""

from __future__ import annotations

from dataclasses import dataclass

from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook


@dataclass
class Hooks:
    lightspeed: LightspeedEcomHook
    afas: AfasProfitHook
