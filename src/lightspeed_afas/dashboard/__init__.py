"""The operator's view: the "Lightspeed → AFAS" page in the Airflow UI (a FastAPI app in the API server)."""

from lightspeed_afas.dashboard.app import URL_PREFIX, create_app

__all__ = ["URL_PREFIX", "create_app"]
