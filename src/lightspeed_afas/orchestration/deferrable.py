"""The operator of every step: a ``PythonOperator`` whose long waits happen in the triggerer, not in a
worker slot.

A hook that must wait longer than ``hooks.waiting.IN_WORKER_SECONDS`` for something the server names (a
spent Lightspeed window, a 429's ``Retry-After``, AFAS maintenance) raises ``MustWaitError`` — only under
this operator (``orchestration.step_checkpoint``) and only where running the step again repeats nothing.
The operator then stores the step's checkpoint (its Lightspeed answers so far, its call statistics, how
long it has deferred) as the task's XCom ``deferred_step`` and defers with a ``DateTimeTrigger`` at the
moment the wait ends: the task process exits, its worker slot (and pool slot) is free, and the triggerer
holds one small coroutine. At that moment the scheduler queues the same task instance again (the same
try: its XComs are kept) and the worker calls ``resume_step``, which runs the step callable once more
inside the checkpoint — the Lightspeed hook replays the answers the step had, so it continues where it
stopped and asks the shop only what it had not asked.

A step that never waits long behaves exactly as under a plain ``PythonOperator``. A trigger that does not
fire within the wait plus ``TRIGGER_TIMEOUT_MARGIN`` (a triggerer that is down) fails the task as a
failed try, and Airflow retries it from the start.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator

from lightspeed_afas.orchestration.step_checkpoint import CHECKPOINT_KEY, StepCheckpoint, deferrable_step

RESUME = "resume_step"
TRIGGER_TIMEOUT_MARGIN = timedelta(minutes=10)


class StepOperator(PythonOperator):
    """One step's task: its ``python_callable`` runs the step; a long wait defers the task (see the module)."""

    def execute(self, context: Any) -> Any:
        return self._run_step(context, StepCheckpoint())

    def resume_step(self, context: Any, event: Any = None, **_: Any) -> Any:
        """The trigger fired: run the step again from the checkpoint the deferral stored."""
        ti = context["ti"]
        stored = ti.xcom_pull(task_ids=ti.task_id, key=CHECKPOINT_KEY)
        if not stored:
            self.log.warning("Resumed without the checkpoint of the deferral: the step starts afresh.")
            return self._run_step(context, StepCheckpoint())
        checkpoint = StepCheckpoint.from_xcom(stored)
        answers = (checkpoint.replay or {}).get("count", 0)
        self.log.info(
            "Resumed after %d deferral(s), %.0f s in the triggerer in all; the step runs again from its "
            "start, %s",
            checkpoint.deferrals,
            checkpoint.deferred_s,
            f"with the {answers} Lightspeed answer(s) it had (replayed, not asked again)."
            if answers
            else "and had asked nothing it would repeat.",
        )
        return self._run_step(context, checkpoint)

    def _run_step(self, context: Any, checkpoint: StepCheckpoint) -> Any:
        from lightspeed_afas.hooks.errors import MustWaitError

        op_kwargs = self.op_kwargs  # PythonOperator.execute replaces them with the context's: a resume
        with deferrable_step(checkpoint) as step:  # in the same process starts from the DAG's own
            try:
                return super().execute(context)
            except MustWaitError as wait:
                api, seconds, until, reason = wait.api, wait.seconds, wait.until, wait.reason
                after = step.next_checkpoint(api, seconds)
            finally:
                self.op_kwargs = op_kwargs
        context["ti"].xcom_push(key=CHECKPOINT_KEY, value=after.to_xcom())
        self.log.info(
            "%s. Waiting %.0f s in the triggerer (deferral %d of this task): the worker slot is free "
            "until %s UTC, then the step goes on where it stopped.",
            reason,
            seconds,
            after.deferrals,
            f"{until:%H:%M:%S}",
        )
        from airflow.providers.standard.triggers.temporal import DateTimeTrigger

        self.defer(
            trigger=DateTimeTrigger(moment=until),
            method_name=RESUME,
            timeout=timedelta(seconds=seconds) + TRIGGER_TIMEOUT_MARGIN,
        )
