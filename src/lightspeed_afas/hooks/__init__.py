"""API clients: ``LightspeedEcomHook`` and ``AfasProfitHook``, their errors and call statistics."""

from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.errors import (
    AfasAmbiguousWriteError,
    AfasAuthError,
    AfasError,
    AfasUnavailableError,
    AfasValidationError,
    ConnectorError,
    LightspeedAuthError,
    LightspeedBudgetExhaustedError,
    LightspeedError,
    LightspeedNotFoundError,
)
from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook
from lightspeed_afas.hooks.metrics import CallStats

__all__ = [
    "AfasAmbiguousWriteError",
    "AfasAuthError",
    "AfasError",
    "AfasProfitHook",
    "AfasUnavailableError",
    "AfasValidationError",
    "CallStats",
    "ConnectorError",
    "LightspeedAuthError",
    "LightspeedBudgetExhaustedError",
    "LightspeedEcomHook",
    "LightspeedError",
    "LightspeedNotFoundError",
]
