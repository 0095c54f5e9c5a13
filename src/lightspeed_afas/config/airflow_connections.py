"""Airflow connections for processes outside a task (the CLI, the API server), found as tasks find them.

Inside a task the Task SDK asks Airflow's API server, which reads the secrets backends and the
connections stored in the metadata DB (``airflow connections add``, the UI). Outside a task the SDK's
lookup reads only ``AIRFLOW_CONN_*`` and the configured secrets backends, so a connection stored in the
metadata DB looks undefined there. The core ``Connection`` lookup reads all of them, in Airflow's order.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

H = TypeVar("H")


def connection_outside_tasks(conn_id: str) -> Any:
    """The Airflow connection ``conn_id`` from the secrets backends, ``AIRFLOW_CONN_*`` or the metadata DB.

    Raises Airflow's ``AirflowNotFoundException`` when none of them defines it.
    """
    from airflow.models.connection import Connection

    return Connection.get_connection_from_secrets(conn_id)


class OutsideTaskConnections:
    """Mixin for a hook used outside a task: its connection comes from ``connection_outside_tasks``."""

    @classmethod
    def get_connection(cls, conn_id: str) -> Any:
        return connection_outside_tasks(conn_id)


@functools.cache
def outside_task(hook_class: type[H]) -> type[H]:
    """``hook_class`` for a process outside a task: ``outside_task(LightspeedEcomHook)(conn_id)``.

    The hook works unchanged except that it finds its connection with ``connection_outside_tasks``.
    """
    return type(f"OutsideTask{hook_class.__name__}", (OutsideTaskConnections, hook_class), {})
