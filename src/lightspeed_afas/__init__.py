"""Lightspeed eCom → AFAS Profit order sync for Apache Airflow 3.

``get_provider_info`` is read by Airflow's ProvidersManager (entry point ``apache_airflow_provider``):
``conn-fields`` and ``ui-field-behaviour`` give the two connection types their own form in the Airflow
UI without importing the hooks (Airflow 3.3 reads them from here).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

LIGHTSPEED_CONNECTION: dict[str, Any] = {
    "connection-type": "lightspeed_ecom",
    "hook-class-name": "lightspeed_afas.hooks.lightspeed.LightspeedEcomHook",
    "hook-name": "Lightspeed eCom",
    "ui-field-behaviour": {
        "hidden-fields": ["schema", "port", "extra"],
        "relabeling": {"host": "API base URL", "login": "API key", "password": "API secret"},
        "placeholders": {
            "host": "https://api.webshopapp.com",
            "login": "32-character API key",
            "password": "32-character API secret",
        },
    },
    "conn-fields": {
        "language": {
            "label": "Language",
            "description": "Two-letter language that is active on the shop (nl, en, de, fr …).",
            "schema": {"type": "string", "default": "nl", "minLength": 2, "maxLength": 2},
        },
        "filter_timezone": {
            "label": "Filter time zone",
            "description": "How the shop reads naive updated_at filter times.",
            "schema": {"type": ["string", "null"], "default": "Europe/Amsterdam"},
        },
    },
}

AFAS_CONNECTION: dict[str, Any] = {
    "connection-type": "afas_profit",
    "hook-class-name": "lightspeed_afas.hooks.afas.AfasProfitHook",
    "hook-name": "AFAS Profit",
    "ui-field-behaviour": {
        "hidden-fields": ["schema", "port", "login", "extra"],
        "relabeling": {"host": "Environment URL", "password": "Token"},
        "placeholders": {
            "host": "https://12345.rest.afas.online/ProfitRestServices",
            "password": "<token><version>1</version><data>…</data></token> or only the data part",
        },
    },
    "conn-fields": {
        "integration_id": {
            "label": "IntegrationId",
            "description": "Partner integration id, sent as the IntegrationId header (optional).",
            "schema": {"type": ["string", "null"]},
        },
        "max_parallel_calls": {
            "label": "Max parallel calls",
            "description": "AFAS calls in flight per environment from one task (1–8).",
            "schema": {"type": ["integer", "null"], "default": 4, "minimum": 1, "maximum": 8},
        },
    },
}


def get_provider_info() -> dict[str, Any]:
    """Provider metadata: the package and its two connection types."""
    return {
        "package-name": "lightspeed-afas",
        "name": "Lightspeed eCom to AFAS Profit",
        "description": "Books Lightspeed eCom webshop orders into AFAS Profit.",
        "versions": [__version__],
        "connection-types": [LIGHTSPEED_CONNECTION, AFAS_CONNECTION],
    }
