"""A stateful, strict emulator of the Lightspeed eCom (C-Series) REST API. Routes in ``app``, the admin
API in ``admin``, amounts in ``money``, the API's quirks in ``serialize``."""

from emulators.lightspeed.app import create_app
from emulators.lightspeed.config import DEMO_API_KEY, DEMO_API_SECRET, LightspeedConfig
from emulators.lightspeed.emulator import LightspeedEmulator

__all__ = ["DEMO_API_KEY", "DEMO_API_SECRET", "LightspeedConfig", "LightspeedEmulator", "create_app"]
