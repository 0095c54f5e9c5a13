"""Helpers for the Lightspeed emulator's contract tests (the server fixtures ``lightspeed`` and
``lightspeed_factory`` live in this folder's conftest)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests

from emulators.lightspeed import DEMO_API_KEY, DEMO_API_SECRET
from emulators.server import RunningServer

LS_AUTH = (DEMO_API_KEY, DEMO_API_SECRET)
AMS = ZoneInfo("Europe/Amsterdam")


def get(server: RunningServer, path: str, auth: Any = LS_AUTH, **params: Any) -> requests.Response:
    return requests.get(f"{server.url}{path}", auth=auth, params=params, timeout=10)


def admin(server: RunningServer, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, f"{server.url}/_admin{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def all_orders(server: RunningServer) -> list[dict[str, Any]]:
    """Every order as the single-order endpoint renders it (lines embedded), oldest id first."""
    return admin(server, "GET", "/state")["orders"]


def filter_value(timestamp: str, zone: Any = AMS) -> str:
    """An API timestamp as a naive filter value in ``zone``."""
    return datetime.fromisoformat(timestamp).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def ids(response: requests.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [o["id"] for o in response.json()["orders"]]
