"""API clients: ``LightspeedEcomHook`` and ``AfasProfitHook``, their errors and call statistics."""

from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.errors import (
    AfasAmbiguousWriteError,
    AfasAuthError,
    AfasBadResponseError,
    AfasError,
    AfasUnavailableError,
    AfasValidationError,
    ConnectorError,
    LightspeedAuthError,
    LightspeedBadResponseError,
    LightspeedBudgetExhaustedError,
    LightspeedError,
    LightspeedNotFoundError,
    MustWaitError,
)
from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook
from lightspeed_afas.hooks.metrics import CallStats

__all__ = [
    "AfasAmbiguousWriteError",
    "AfasAuthError",
    "AfasBadResponseError",
    "AfasError",
    "AfasProfitHook",
    "AfasUnavailableError",
    "AfasValidationError",
    "CallStats",
    "ConnectorError",
    "LightspeedAuthError",
    "LightspeedBadResponseError",
    "LightspeedBudgetExhaustedError",
    "LightspeedEcomHook",
    "LightspeedError",
    "LightspeedNotFoundError",
    "MustWaitError",
]
