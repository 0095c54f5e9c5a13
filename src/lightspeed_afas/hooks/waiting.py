"""Where a wait happens: in the worker, in the triggerer, or nowhere (the step gives up as before).

A wait the server names — a spent Lightspeed window until its reset, a 429's ``Retry-After``, AFAS's
``retry_after`` in maintenance — is slept in the worker when it is short, and otherwise handed to Airflow's
triggerer (``MustWaitError``; ``orchestration.deferrable`` defers the task and runs the step again when the
moment comes), so a waiting task holds no worker slot. The line and the caps are here, and only here:

- ``IN_WORKER_SECONDS`` (20 s): up to this, sleeping costs less than deferring. A round trip through the
  triggerer costs a new task process (imports, the DAG file, the tenant file, the ledger: 0.7–4 s on the
  2-core test machine) and about 1.5 s from the moment to the resumed task's start (the triggerer's
  event, the scheduler queueing the task), and the slot is busy for part of that anyway; a 5-minute
  window that resets in 8 s is cheaper to sleep out.
- ``MAX_DEFER_SECONDS``: the longest single wait that is deferred; a longer one gives up as before
  (Lightspeed: the run ends ``partial`` and the next run goes on from the watermark; AFAS:
  ``AfasUnavailableError``, the task fails and Airflow retries it). Lightspeed 300 s covers a 5-minute
  window; a spent hour or day ends the run as before rather than hold it (and the tenant's next runs) for
  an hour. AFAS 900 s covers a maintenance window that announces its end within a quarter of an hour.
- ``DEFERRED_PER_TASK_SECONDS`` (1 h): the most one task waits in the triggerer in all, over every
  deferral; then the next long wait gives up as above, so no task keeps coming back for ever.

Per connection, the extra ``in_worker_wait_seconds`` moves the line, and ``max_wait_seconds`` — as before
"the longest a call waits before the step gives up" — caps every wait when it is set, deferred ones too.
Unset, it is the longest wait *slept* where the task cannot defer (Lightspeed 300 s, AFAS 120 s: outside
Airflow — the CLI, the tests and benchmarks — or in a step past the point where a re-run would repeat
something), and deferred waits take ``MAX_DEFER_SECONDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

IN_WORKER_SECONDS = 20.0
MAX_DEFER_SECONDS = {"lightspeed": 300.0, "afas": 900.0}
DEFERRED_PER_TASK_SECONDS = 3600.0

SLEEP, DEFER, GIVE_UP = "sleep", "defer", "give up"


@dataclass(frozen=True)
class WaitRule:
    """How one hook treats a wait of some seconds (see the module).

    ``budget``: the seconds of deferral the task has left, or None when it cannot defer (then waits are
    slept up to ``max_in_worker``, exactly as before deferral existed)."""

    in_worker: float = IN_WORKER_SECONDS
    max_in_worker: float = 300.0
    max_deferred: float = 300.0
    budget: float | None = None

    def choose(self, seconds: float) -> str:
        """``SLEEP``, ``DEFER`` or ``GIVE_UP`` for a wait of ``seconds``."""
        if self.budget is None:
            return SLEEP if seconds <= self.max_in_worker else GIVE_UP
        if seconds <= min(self.in_worker, self.max_in_worker):
            return SLEEP
        if self.in_worker < seconds <= min(self.max_deferred, self.budget):
            return DEFER
        return GIVE_UP

    def cap(self) -> float:
        """The longest wait that does not give up."""
        if self.budget is None:
            return self.max_in_worker
        return max(min(self.in_worker, self.max_in_worker), min(self.max_deferred, self.budget))
