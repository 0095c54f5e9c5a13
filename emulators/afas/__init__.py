"""A stateful, strict emulator of the AFAS Profit REST API. See ``app`` for the routes and admin API."""

from emulators.afas.app import DEMO_TOKEN_DATA, AfasConfig, create_app
from emulators.afas.catalogue import iso_to_afas

__all__ = ["DEMO_TOKEN_DATA", "AfasConfig", "create_app", "iso_to_afas"]
