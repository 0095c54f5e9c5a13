"""The webhook receiver: its checks and answers, and how bursts become one run."""

from __future__ import annotations

import json
import threading

import pytest
from starlette.testclient import TestClient

from lightspeed_afas.domain.webhook_signature import address_token, signature, signature_problem
from lightspeed_afas.webhooks.airflow_api import AirflowApiError
from lightspeed_afas.webhooks.receiver import TenantHooks, create_receiver, decision_recorder
from lightspeed_afas.webhooks.trigger import RunTrigger

SECRET = "d3m0s3cr3t0000000000000000000001"
HOOKS = TenantHooks("acme", SECRET, ("created", "updated", "paid"), "required", "md5_body_secret", 10_000)


class FakeAirflow:
    """Queued runs by DAG id; ``running`` makes a triggered run wait (queued) like max_active_runs=1."""

    def __init__(self) -> None:
        self.queued: dict[str, list[str]] = {}
        self.triggered: list[str] = []
        self.fail = False
        self.lock = threading.Lock()

    def waiting_run(self, dag_id: str) -> str | None:
        with self.lock:
            runs = self.queued.get(dag_id) or []
            return runs[0] if runs else None

    def trigger(self, dag_id: str, conf: dict) -> str:
        if self.fail:
            raise AirflowApiError("Airflow's API did not answer")
        with self.lock:
            run_id = f"manual__{len(self.triggered) + 1}"
            self.triggered.append(run_id)
            self.queued.setdefault(dag_id, []).append(run_id)
            return run_id

    def start_runs(self, dag_id: str) -> None:
        with self.lock:
            self.queued[dag_id] = []


@pytest.fixture
def receiver():
    airflow, rows = FakeAirflow(), []

    def record(tenant, status, outcome, **values):
        rows.append({"tenant": tenant, "status": status, "outcome": outcome, **values})

    trigger = RunTrigger(airflow, decision_recorder(record), debounce_seconds=lambda t: 0.0)
    app = create_receiver(lambda t: HOOKS if t == "acme" else None, trigger, record)
    with TestClient(app) as client:
        yield client, airflow, rows, trigger


def post(client, body, *, tenant="acme", token=None, sign=True, headers=None, action=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    if sign:
        sent["X-Signature"] = signature(raw, SECRET)
    url = f"/lightspeed/{tenant}/{token or address_token(SECRET, tenant)}" + (
        f"?action={action}" if action else ""
    )
    return client.post(url, content=raw, headers=sent)


ORDER = {
    "order": {"id": 123, "createdAt": "2026-12-01T10:00:00+01:00", "updatedAt": "2026-12-01T10:00:00+01:00"}
}


def test_a_signed_order_webhook_is_answered_202_and_starts_one_run(receiver):
    client, airflow, rows, trigger = receiver
    answer = post(client, ORDER)
    assert answer.status_code == 202 and answer.json() == {"outcome": "queued"}
    trigger.drain()
    assert airflow.triggered == ["manual__1"]
    assert [(r["outcome"], r.get("action"), r.get("item_id")) for r in rows] == [
        ("queued", "created", 123),
        ("triggered", "run", None),
    ]


@pytest.mark.parametrize(
    ("kwargs", "status", "reason"),
    [
        ({"tenant": "nobody"}, 404, "no such webhook address"),
        ({"token": "0" * 40}, 404, "no such webhook address"),
        ({"sign": False}, 401, "no X-Signature header"),
        ({"headers": {"X-Signature": "0" * 32}, "sign": False}, 401, "does not match"),
        ({"action": "refunded"}, 400, "unknown action"),
    ],
)
def test_unknown_unsigned_forged_and_malformed_webhooks_are_refused_and_start_nothing(
    receiver, kwargs, status, reason
):
    client, airflow, rows, trigger = receiver
    answer = post(client, ORDER, **kwargs)
    assert answer.status_code == status and reason in answer.json()["reason"]
    trigger.drain()
    assert airflow.triggered == [] and rows[-1]["outcome"] == "refused"


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'{"order": {"id": "12"}}', b'{"order": {}}', b'{"id": true}']
)
def test_a_body_without_an_order_id_is_a_400(receiver, body):
    client, airflow, _, trigger = receiver
    assert post(client, body).status_code == 400
    trigger.drain()
    assert airflow.triggered == []


def test_an_oversized_body_is_refused_unread(receiver):
    client, airflow, rows, _ = receiver
    answer = post(client, b"{" + b" " * 20_000 + b"}")
    assert answer.status_code == 413 and rows[-1]["outcome"] == "refused"


def test_an_action_the_tenant_does_not_want_is_ignored_with_200(receiver):
    client, airflow, rows, trigger = receiver
    hooks = TenantHooks("acme", SECRET, ("created",), "required", "md5_body_secret", 10_000)
    trigger2 = RunTrigger(airflow)
    app = create_receiver(lambda t: hooks, trigger2, lambda *a, **k: rows.append(k))
    with TestClient(app) as other:
        answer = post(other, ORDER, action="paid")
    assert answer.status_code == 200 and answer.json()["outcome"] == "ignored" and airflow.triggered == []


def test_ten_webhooks_at_once_make_one_run_and_one_during_a_run_makes_one_follow_up(receiver):
    client, airflow, rows, trigger = receiver
    for _ in range(10):
        assert post(client, ORDER).status_code == 202
    trigger.drain()
    assert airflow.triggered == ["manual__1"], "the queued run is joined"
    airflow.start_runs("lightspeed_afas_acme")  # it starts: a webhook now needs a run after it
    for _ in range(5):
        post(client, {"order": {"id": 124}}, action="updated")
    trigger.drain()
    assert airflow.triggered == ["manual__1", "manual__2"], "exactly one follow-up"
    outcomes = [r["outcome"] for r in rows if r.get("action") != "run"]
    assert set(outcomes) <= {"queued", "joined"} and len(outcomes) == 15


def test_airflow_down_records_the_failure_and_the_next_webhook_tries_again(receiver):
    client, airflow, rows, trigger = receiver
    airflow.fail = True
    post(client, ORDER)
    trigger.drain()
    assert rows[-1]["outcome"] == "failed" and "did not answer" in rows[-1]["reason"]
    airflow.fail = False
    post(client, ORDER)
    trigger.drain()
    assert airflow.triggered == ["manual__1"]


@pytest.mark.parametrize(
    ("rule", "header", "problem"),
    [
        ("optional", None, None),
        ("off", "garbage", None),
        ("required", "GARBAGE", "does not match"),
    ],
)
def test_signature_rules(rule, header, problem):
    found = signature_problem(b"{}", header, SECRET, rule, "md5_body_secret")
    assert (found is None) if problem is None else (problem in found)


def test_the_signature_is_case_insensitive_hex_of_body_then_secret_or_the_other_order():
    body = b'{"order": {"id": 1}}'
    import hashlib

    assert signature(body, SECRET) == hashlib.md5(body + SECRET.encode()).hexdigest()
    assert signature(body, SECRET, "md5_secret_body") == hashlib.md5(SECRET.encode() + body).hexdigest()
    assert (
        signature_problem(body, signature(body, SECRET).upper(), SECRET, "required", "md5_body_secret")
        is None
    )
