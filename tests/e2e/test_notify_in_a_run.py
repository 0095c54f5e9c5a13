"""The notifier as the DAG wires it: a real tenant DAG run (``dag.test()``) against both emulators whose
load leaves failed orders sends one e-mail and one webhook message; the next run, with the same orders
still failing (known failures: the run does not fail), sends nothing."""

from __future__ import annotations

from datetime import timedelta

from tests.support.sinks import smtp_sink, webhook_receiver


def test_a_run_with_new_failures_notifies_once(sync_env, monkeypatch):
    with smtp_sink() as sink, webhook_receiver() as hook:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_OPS", sink.conn_json())
        monkeypatch.setenv("AIRFLOW_CONN_HOOK_OPS", hook.conn_json())
        sync_env.tenant(
            notifications={
                "email": ["ops@example.nl"],
                "smtp_conn_id": "smtp_ops",
                "webhook_conn_id": "hook_ops",
            }
        )
        first = sync_env.run()
        failed = sorted(h["order_number"] for h in sync_env.ledger.history("shop", action="failed"))
        assert first.state == "failed" and failed  # the shop sells items AFAS does not know
        assert len(sink.messages) == 1 and len(hook.bodies) == 1
        n = len(failed)
        assert (
            sink.messages[0]["Subject"] == f"[Lightspeed → AFAS] shop: {n} failed order{'s' if n > 1 else ''}"
        )
        text = hook.bodies[0]["text"]
        assert f"Open now: {n} failed, 0 quarantined." in text
        assert f"- {failed[0]} (failed): " in text or "… and" in text
        assert "bestaat niet" in text and "Dashboard: " in text and f"Run: {first.run_id}" in text

        sync_env.clock.advance(timedelta(minutes=15))  # their retry backoff has passed
        second = sync_env.run()
        assert second.state == "success"  # the same orders were retried and failed again: not a new problem
        assert len(sync_env.ledger.history("shop", action="failed")) == 2 * n
        assert len(sink.messages) == 1 and len(hook.bodies) == 1
