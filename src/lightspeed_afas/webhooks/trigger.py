"""From accepted webhooks to runs: at most one waiting run per tenant.

The receiver answers at once and hands the tenant to ``RunTrigger.request``; a worker thread asks
Airflow for a run. Ten webhooks in a second make one run: the tenant is pending once, and a run that is
still queued (it has not started reading yet) is joined rather than another one started. A webhook while
a run is going starts exactly one follow-up: it queues behind the running one (``max_active_runs=1``),
and every later webhook joins it. ``debounce_seconds`` also joins webhooks that arrive before Airflow
lists the run just triggered.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from lightspeed_afas.config.dag_ids import flow_dag_id
from lightspeed_afas.webhooks.airflow_api import AirflowApi, AirflowApiError

log = logging.getLogger(__name__)

CONF = {"source": "webhook"}  # a webhook run reads from the watermark up to now (run_request)


@dataclass
class Decision:
    tenant: str
    outcome: str  # triggered, joined, failed
    run_id: str | None
    reason: str | None = None


class RunTrigger:
    """Per tenant at most one waiting run; ``on_decision`` hears what became of each request."""

    def __init__(
        self,
        api: AirflowApi,
        on_decision: Callable[[Decision], None] | None = None,
        debounce_seconds: Callable[[str], float] = lambda tenant: 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.on_decision = on_decision or (lambda d: None)
        self.debounce_seconds = debounce_seconds
        self.clock = clock
        self._pending: set[str] = set()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._last: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def start(self) -> None:
        self._worker = threading.Thread(target=self._work, name="webhook-trigger", daemon=True)
        self._worker.start()

    def stop(self, timeout: float = 10) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout)
            self._worker = None

    def request(self, tenant: str) -> bool:
        """Ask for a run of the tenant's orders DAG; False when one was already asked for (joined)."""
        with self._lock:
            if tenant in self._pending:
                return False
            self._pending.add(tenant)
        self._queue.put(tenant)
        return True

    def drain(self, timeout: float = 30) -> None:
        """Wait until every request so far is decided (tests, and a clean shutdown)."""
        deadline = self.clock() + timeout
        while self.clock() < deadline:
            with self._lock:
                if not self._pending and self._queue.empty():
                    return
            time.sleep(0.01)
        raise TimeoutError("webhook requests still pending")

    def _work(self) -> None:
        while True:
            tenant = self._queue.get()
            if tenant is None:
                return
            try:
                decision = self.decide(tenant)
            finally:
                with self._lock:
                    self._pending.discard(tenant)
            self.on_decision(decision)

    def decide(self, tenant: str) -> Decision:
        """Join a waiting run of the tenant's orders DAG, or trigger one."""
        dag_id = flow_dag_id(tenant)
        now = self.clock()
        last = self._last.get(tenant)
        if last is not None and now - last[0] < self.debounce_seconds(tenant):
            return Decision(tenant, "joined", last[1], "a run was triggered moments ago")
        try:
            waiting = self.api.waiting_run(dag_id)
            if waiting is not None:
                return Decision(tenant, "joined", waiting, "a run is queued and has not started")
            run_id = self.api.trigger(dag_id, dict(CONF))
        except AirflowApiError as exc:
            log.error("Webhook for tenant %s: no run started: %s", tenant, exc)
            return Decision(tenant, "failed", None, str(exc))
        self._last[tenant] = (now, run_id)
        return Decision(tenant, "triggered", run_id)
