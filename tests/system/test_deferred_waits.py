"""Waiting frees the worker, on the real Celery topology with a real triggerer: more tenants of one API key
in backlog than the worker has slots; all finish, the worker's slots are free while they wait, and the
triggerer shows the deferred tasks.

Four tenants (``kilo``, ``lima``, ``mike``, ``november``) each have a shop of their own with orders of their
own, and the four shops share ONE API key: one rate limiter, as Lightspeed counts a key. The worker has 2
slots. The key's 5-minute window is spent when their runs start (the emulated clock runs 7.5×: a window
lasts 40 s), so each extract_orders gets a 429 with a ``Retry-After`` of about 40 s at its first call and
defers; after the reset the window holds 12 calls, fewer than the four backlogs need (5 each), so some
tasks find it spent again and defer once more (one mid-extraction, in the runs so far: it resumed with the
answers it had replayed). While
the four wait, a fifth tenant on a key of its own (``oscar``) runs its whole DAG in the worker's slots.

Checked through the metadata DB (sampled every half second while the runs go) and the logs: every one of
the four extract_orders was ``deferred`` and the triggerer took their triggers (``trigger.triggerer_id``)
and ran each (its trigger log beside the task's log); none of the four ran while all four waited; oscar's
tasks ran while at least as many of the four waited as the worker has slots (so a waiting task holds no
slot); at most 2 task instances ran at once; each resumed task kept its first try; every run succeeded,
every order of every shop is in its AFAS environment exactly once, and no shop answered any request (a
page, an order) twice. The figures go to test-artifacts/system/deferred_waits.txt.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from emulators.afas import AfasConfig
from emulators.afas import create_app as create_afas
from emulators.demo_catalogue import PRODUCTS
from emulators.lightspeed import DEMO_API_KEY, DEMO_API_SECRET, LightspeedConfig
from emulators.lightspeed import create_app as create_lightspeed
from emulators.server import serve_in_thread
from tests.support.answer_log import AnswerLog
from tests.system.deployment import ARTIFACTS, Endpoint, Plan, afas_state, running_deployment, shop_orders

pytestmark = pytest.mark.system

ONE_KEY = ("kilo", "lima", "mike", "november")
OTHER = "oscar"
SLOTS = 2
ORDERS = 4  # per shop: one list page and 4 orders = 5 calls per backlog
CLOCK_SCALE = 7.5  # a 5-minute window lasts 40 s
WINDOW_BUDGET = 12  # calls per window on the shared key, after the spent one


@dataclass
class Samples:
    """What the metadata DB said, every half second: task instance states and the triggers."""

    rows: list[tuple[float, dict[tuple[str, str, str], tuple[str, int]], int, int]] = field(
        default_factory=list
    )
    stop: threading.Event = field(default_factory=threading.Event)

    def watch(self, metadata: sa.Engine, started: float) -> None:
        query = sa.text("SELECT dag_id, run_id, task_id, state, try_number FROM task_instance")
        triggers = sa.text("SELECT count(*), count(triggerer_id) FROM trigger")
        while not self.stop.is_set():
            with metadata.connect() as conn:
                tis = {(r.dag_id, r.run_id, r.task_id): (r.state, r.try_number) for r in conn.execute(query)}
                count, taken = conn.execute(triggers).one()
            self.rows.append((time.monotonic() - started, tis, int(count), int(taken)))
            self.stop.wait(0.5)


def shared_key_shops(stack: contextlib.ExitStack) -> tuple[dict[str, Any], dict[str, AnswerLog]]:
    """Four shops with orders of their own behind one API key (one limiter), and oscar's on its own key."""
    servers: dict[str, Any] = {}
    logs: dict[str, AnswerLog] = {}
    limiter = None
    for index, tenant in enumerate((*ONE_KEY, OTHER)):
        own = tenant == OTHER
        config = LightspeedConfig(
            api_key="oscar-key" if own else DEMO_API_KEY,
            api_secret="oscar-secret" if own else DEMO_API_SECRET,
            seed=f"deferred-{index}",
            orders=ORDERS,
            clock_scale=1.0 if own else CLOCK_SCALE,
            rate_limits=(300, 3000, 12000) if own else (WINDOW_BUDGET, 3000, 12000),
        )
        app = create_lightspeed(config)
        if not own:
            limiter = limiter or app.state.emulator.limiter
            app.state.emulator.limiter = limiter  # the key's one count, whichever shop is asked
        logs[tenant] = AnswerLog(app)
        servers[tenant] = stack.enter_context(serve_in_thread(logs[tenant]))
    return servers, logs


def afas_environments(stack: contextlib.ExitStack) -> dict[str, Any]:
    catalogue = {"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}}
    erps = {}
    for tenant in (*ONE_KEY, OTHER):
        erps[tenant] = stack.enter_context(serve_in_thread(create_afas(AfasConfig())))
        requests.put(f"{erps[tenant].url}/_admin/catalogue", json=catalogue, timeout=10).raise_for_status()
    return erps


@pytest.mark.timeout(420)
def test_tenants_of_one_key_wait_in_the_triggerer_and_leave_the_worker_free(tmp_path):
    with contextlib.ExitStack() as stack:
        shops, logs = shared_key_shops(stack)
        erps = afas_environments(stack)

        def endpoints(tenant: str) -> tuple[Endpoint, Endpoint]:
            login, password = (
                ("oscar-key", "oscar-secret") if tenant == OTHER else (DEMO_API_KEY, DEMO_API_SECRET)
            )
            return Endpoint(shops[tenant].url, login, password), Endpoint(erps[tenant].url)

        plan = Plan(tenants=(*ONE_KEY, OTHER), worker_concurrency=SLOTS, endpoints=endpoints)
        with running_deployment(tmp_path, plan) as dep:
            figures = run_and_check(dep, logs)
            write_figures(dep, figures)


def run_and_check(dep: Any, logs: dict[str, AnswerLog]) -> dict[str, Any]:
    api = dep.api
    dag_ids = {tenant: f"lightspeed_afas_{tenant}" for tenant in (*ONE_KEY, OTHER)}

    def loaded() -> bool:
        listed = {d["dag_id"] for d in api.get("/dags", tags="lightspeed-afas", limit=100)["dags"]}
        return set(dag_ids.values()) <= listed

    dep.wait("the dag-processor to load the tenant DAGs", loaded, 120)
    requests.post(f"{dep.shops[ONE_KEY[0]].url}/_admin/faults", json={"exhaust": "5min"}, timeout=10)
    started = time.monotonic()
    samples = Samples()
    watcher = threading.Thread(target=samples.watch, args=(dep.metadata, started), daemon=True)
    watcher.start()
    try:
        for tenant in ONE_KEY:  # unpaused: the scheduler starts the latest interval's run at once
            api.request("PATCH", f"/dags/{dag_ids[tenant]}", json={"is_paused": False})
        dep.wait("the four extract_orders to be deferred", lambda: _deferred(samples, dag_ids) == 4, 90, 0.5)
        api.request("PATCH", f"/dags/{dag_ids[OTHER]}", json={"is_paused": False})
        runs = {tenant: _settled(dep, dag_id) for tenant, dag_id in dag_ids.items()}
    finally:
        samples.stop.set()
        watcher.join(timeout=10)
    took = time.monotonic() - started
    figures = check_waiting(samples, dag_ids, runs)
    figures["seconds from the spent window to the last run's success"] = round(took, 1)
    check_books(dep, logs, figures)
    figures.update(check_logs(dep, dag_ids))
    return figures


def _deferred(samples: Samples, dag_ids: dict[str, str]) -> int:
    if not samples.rows:
        return 0
    _, tis, _, _ = samples.rows[-1]
    ours = {dag_ids[t] for t in ONE_KEY}
    return sum(1 for (dag, _, task), (state, _) in tis.items() if dag in ours and state == "deferred")


def _settled(dep: Any, dag_id: str) -> list[dict[str, Any]]:
    def done() -> list[dict[str, Any]] | None:
        runs = dep.api.dag_runs(dag_id)
        for run in runs:
            if run["state"] == "failed":
                raise dep.failed_run(dag_id, run)
        return runs if runs and all(r["state"] == "success" for r in runs) else None

    return dep.wait(f"the runs of {dag_id} to succeed", done, 240, every=2)


def check_waiting(samples: Samples, dag_ids: dict[str, str], runs: dict[str, list]) -> dict[str, Any]:
    """The evidence from the samples (see the module), and the figures."""
    ours, other = {dag_ids[t] for t in ONE_KEY}, dag_ids[OTHER]
    most_running, deferrals, deferred_tis, last = 0, 0, set(), {}
    all_four_deferred: list[float] = []  # the moments all four waited at once
    other_ran: list[float] = []  # the moments one of oscar's tasks was running
    other_running_meanwhile = ours_running_meanwhile = 0
    busy_beyond_slots = 0  # most (running + deferred of the four): above SLOTS, deferred ones hold no slot
    most_triggers = most_taken = 0
    for moment, tis, triggers, taken in samples.rows:
        states = {key: state for key, (state, _) in tis.items()}
        running = [key for key, state in states.items() if state == "running"]
        most_running = max(most_running, len(running))
        deferred = {key for key, state in states.items() if key[0] in ours and state == "deferred"}
        deferrals += sum(1 for key in deferred if last.get(key) != "deferred")
        deferred_tis |= deferred
        if any(key[0] == other for key in running):
            other_ran.append(moment)
            if len(deferred) >= SLOTS:  # with the slots all taken by waiting tasks, oscar could not run
                busy_beyond_slots = max(busy_beyond_slots, len(running) + len(deferred))
        if len({key[0] for key in deferred}) == 4:
            all_four_deferred.append(moment)
            other_running_meanwhile += sum(1 for key in running if key[0] == other)
            ours_running_meanwhile += sum(1 for key in running if key[0] in ours)
        most_triggers, most_taken = max(most_triggers, triggers), max(most_taken, taken)
        last = states
    final = samples.rows[-1][1]
    assert {key[2] for key in deferred_tis} == {"extract_orders"}
    assert {key[0] for key in deferred_tis} == ours, "every tenant of the key waited in the triggerer"
    assert all(final[key][1] == 1 for key in deferred_tis), "a resumed task keeps its first try"
    assert most_running <= SLOTS
    assert most_taken >= 4, "the triggerer took the four triggers"
    assert all_four_deferred and other_ran and ours_running_meanwhile == 0
    # Oscar's tasks ran while at least as many of the four waited as the worker has slots: a waiting task
    # holds no slot. (In the runs so far, oscar's whole DAG ran while all four waited: the figure below.)
    assert busy_beyond_slots > SLOTS, "the worker's slots served oscar while the four waited"
    return {
        "task instances deferred (distinct)": len(deferred_tis),
        "deferrals (times a task instance went to deferred)": deferrals,
        "most triggers at once (taken by the triggerer)": f"{most_triggers} ({most_taken})",
        "most task instances running at once": f"{most_running} of {SLOTS} worker slots",
        "most task instances running + deferred at once, oscar's running": busy_beyond_slots,
        "seconds all four were deferred at once": round(all_four_deferred[-1] - all_four_deferred[0], 1),
        "samples with all four deferred: oscar's tasks running / the four's running": (
            f"{other_running_meanwhile} / {ours_running_meanwhile} (of {len(all_four_deferred)} samples)"
        ),
        "oscar's tasks running (s after the spent window)": f"{other_ran[0]:.1f} to {other_ran[-1]:.1f}",
        "runs": {tenant: [r["dag_run_id"] for r in tenant_runs] for tenant, tenant_runs in runs.items()},
    }


def check_books(dep: Any, logs: dict[str, AnswerLog], figures: dict[str, Any]) -> None:
    """Every order of every shop is in its AFAS environment once; no shop answered a request twice."""
    booked = {}
    for tenant in (*ONE_KEY, OTHER):
        expected = {o["number"] for o in shop_orders(dep.shops[tenant]) if o["status"] != "cancelled"}
        in_afas = Counter(o["fields"]["RfCs"] for o in afas_state(dep.erps[tenant])["orders"])
        assert expected and set(in_afas) == expected and set(in_afas.values()) == {1}, (tenant, in_afas)
        assert logs[tenant].fetched_twice() == [], tenant
        booked[tenant] = len(in_afas)
    with dep.ledger.connect() as conn:
        outcomes = Counter(conn.execute(sa.text("SELECT outcome FROM lsafas_sync_run")).scalars())
    assert set(outcomes) == {"success"}, outcomes
    shared = Counter(key[3] for tenant in ONE_KEY for key in logs[tenant].answers.elements())
    figures["orders booked per tenant (each once)"] = booked
    figures["answers of the shared key's shops by status"] = dict(shared)


def check_logs(dep: Any, dag_ids: dict[str, str]) -> dict[str, Any]:
    """The triggerer ran a trigger for each of the four extract_orders (its log of each trigger, written
    beside the task's log), and what the tasks said when they deferred and resumed."""
    logs = dep.site.home / "logs"
    started = {
        path.parent.parent.parent.name.removeprefix("dag_id=lightspeed_afas_")
        for path in logs.rglob("*.log.trigger.*.log")
        if "DateTimeTrigger" in path.read_text(encoding="utf-8", errors="replace")
        and path.parent.name == "task_id=extract_orders"
    }
    assert started == set(ONE_KEY), started
    text = "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in logs.rglob("attempt=*.log") if p.is_file()
    )
    triggerer = dep.processes.components["airflow-triggerer"].log.read_text(
        encoding="utf-8", errors="replace"
    )
    running = [int(n) for n in re.findall(r"(\d+) triggers currently running", triggerer)]
    return {
        "tenants whose extract_orders the triggerer ran a trigger for": sorted(started),
        "resumes (with Lightspeed answers replayed)": (
            f"{text.count('Resumed after')} ({text.count('(replayed, not asked again)')})"
        ),
        "triggerer's own count, 'N triggers currently running' (every 60 s)": running,
    }


def write_figures(dep: Any, figures: dict[str, Any]) -> None:
    lines = [f"{key}: {value}" for key, value in figures.items()]
    lines.append("seconds since start: " + ", ".join(f"{k} {v}" for k, v in dep.timings.items()))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "deferred_waits.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines))
