"""A stateful, strict emulator of the Lightspeed eCom (C-Series) REST API. See ``app`` for the routes."""

from emulators.lightspeed.app import DEMO_API_KEY, DEMO_API_SECRET, LightspeedConfig, create_app

__all__ = ["DEMO_API_KEY", "DEMO_API_SECRET", "LightspeedConfig", "create_app"]
