"""AFAS's refusals: an HTTP status with ``{"externalMessage", "errorNumber", "profitLogReference"}``
(reference §5). The error numbers are the ones AFAS documents; Profit uses them generically."""

from __future__ import annotations

FK_ERROR = -2147220469  # "De ingevulde waarde bij '…' bestaat niet."
GENERIC_ERROR = -2147180999  # "Er is een onverwachte fout opgetreden."
NOT_AUTHORISED = -2147180996  # "… niet ondersteund … of de gebruiker is niet geautoriseerd."

UNEXPECTED = "Er is een onverwachte fout opgetreden."
UPDATE_NOT_ALLOWED = (
    "General message: Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd."
)
GET_NOT_ALLOWED = "GetConnector niet ondersteund voor deze app of de gebruiker is niet geautoriseerd."


class ProfitError(Exception):
    """A refusal with AFAS's error body; HTTP 500 unless said otherwise."""

    def __init__(self, message: str, error_number: int = GENERIC_ERROR, status: int = 500) -> None:
        super().__init__(message)
        self.message = message
        self.error_number = error_number
        self.status = status


def unexpected() -> ProfitError:
    return ProfitError(UNEXPECTED, GENERIC_ERROR)


def does_not_exist(label: str) -> ProfitError:
    """AFAS's foreign-key refusal, verbatim in form (reference §5, §7.22)."""
    return ProfitError(f"De ingevulde waarde bij '{label}' bestaat niet.", FK_ERROR)


def unknown_connector_field(field_id: str) -> ProfitError:
    return ProfitError(f"Connector-veld '{field_id}' niet gevonden", GENERIC_ERROR)
