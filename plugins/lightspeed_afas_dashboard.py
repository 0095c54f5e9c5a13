"""Registers the "Lightspeed → AFAS" page: a FastAPI app in the API server and its entry in the UI's nav.

The app lives in ``lightspeed_afas.dashboard``; this file only registers it.
"""

from airflow.plugins_manager import AirflowPlugin

from lightspeed_afas.dashboard import URL_PREFIX, create_app

NAME = "Lightspeed → AFAS"


class LightspeedAfasDashboardPlugin(AirflowPlugin):
    name = "lightspeed_afas_dashboard"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": NAME}]
    # url_route: the UI shows the page inside its own frame at /plugin/lightspeed-afas.
    external_views = [
        {
            "name": NAME,
            "href": f"{URL_PREFIX}/",
            "icon": f"{URL_PREFIX}/icon.svg",
            "destination": "nav",
            "url_route": "lightspeed-afas",
            "nav_top_level": True,
        }
    ]
