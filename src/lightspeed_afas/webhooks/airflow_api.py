"""The two calls the receiver makes to Airflow's REST API: is a run of the DAG waiting, and start one.

The receiver holds the Airflow credentials (``LIGHTSPEED_AFAS_AIRFLOW_URL``, ``…_USERNAME``, ``…_PASSWORD``);
the outside world only reaches the receiver. A token is fetched from ``/auth/token`` and renewed when
Airflow answers 401.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

import requests

TIMEOUT = (5, 20)


class AirflowApiError(RuntimeError):
    """Airflow's API refused or did not answer; the message says what to check."""


@dataclass
class AirflowApi:
    url: str
    username: str
    password: str
    session: requests.Session = field(default_factory=requests.Session)
    _token: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_env(cls) -> AirflowApi:
        url = os.environ.get("LIGHTSPEED_AFAS_AIRFLOW_URL", "http://127.0.0.1:8080")
        return cls(
            url.rstrip("/"),
            os.environ.get("LIGHTSPEED_AFAS_AIRFLOW_USERNAME", "admin"),
            os.environ.get("LIGHTSPEED_AFAS_AIRFLOW_PASSWORD", ""),
        )

    def waiting_run(self, dag_id: str) -> str | None:
        """The id of a queued run of ``dag_id`` (it has not started, so it will read what just came)."""
        body = self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"state": "queued", "limit": 1})
        runs = body.get("dag_runs") or []
        return str(runs[0]["dag_run_id"]) if runs else None

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> str:
        """Start a run of ``dag_id``; returns its run id (it queues behind a running one)."""
        body = self._call("POST", f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
        return str(body["dag_run_id"])

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._bearer(renew=attempt == 2)}"}
            try:
                answer = self.session.request(
                    method, self.url + path, headers=headers, timeout=TIMEOUT, **kwargs
                )
            except requests.RequestException as exc:
                raise AirflowApiError(
                    f"Airflow's API at {self.url} did not answer {method} {path}: {exc}"
                ) from exc
            if answer.status_code == 401 and attempt == 1:
                continue
            if answer.status_code >= 300:
                raise AirflowApiError(
                    f"Airflow's API answered {method} {path} with {answer.status_code}: {answer.text[:300]}"
                )
            return answer.json()
        raise AirflowApiError(f"Airflow's API refused the receiver's credentials ({self.username})")

    def _bearer(self, renew: bool) -> str:
        with self._lock:
            if self._token is None or renew:
                try:
                    answer = self.session.post(
                        f"{self.url}/auth/token",
                        json={"username": self.username, "password": self.password},
                        timeout=TIMEOUT,
                    )
                except requests.RequestException as exc:
                    raise AirflowApiError(
                        f"Airflow's API at {self.url} did not answer /auth/token: {exc}"
                    ) from exc
                if answer.status_code >= 300:
                    raise AirflowApiError(
                        f"Airflow refused the receiver's login ({self.username}): {answer.status_code}; set "
                        "LIGHTSPEED_AFAS_AIRFLOW_USERNAME and LIGHTSPEED_AFAS_AIRFLOW_PASSWORD"
                    )
                self._token = str(answer.json()["access_token"])
            return self._token
