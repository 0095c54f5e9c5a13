"""Webhook latency on the standalone set-up: from an order placed in the Lightspeed emulator to its sales
order in the AFAS emulator, over orders placed at random moments, and where the seconds go.

Runs against a running ``make demo`` (Airflow standalone on SQLite, LocalExecutor, both emulators, the
receiver on 127.0.0.1:8090 with the demo shop's webhooks installed):

    make demo && python -m bench.bench_webhook_latency [--orders 30] [--gap 3 15] [--seed 1]

Per order: placed → the receiver answered its ``created`` webhook (``lsafas_webhook.at``) → the run it
triggered or joined was created (``queued_at``) → that run started (``start_date``) → its
``load_to_afas`` task ended → the order was seen in AFAS (polled every 0.2 s). Polling without webhooks
is computed, not waited for: an order placed at t is read by the first scheduled run whose interval ends
after t (the next quarter-hour), which then takes as long as the measured runs did.

``--celery`` measures the same on the compose topology instead, which it starts itself (the system tests'
deployment, tests/system/deployment.py: PostgreSQL, Redis, api-server, scheduler, dag-processor,
triggerer, one Celery worker and the compose file's webhook receiver, on this machine without Docker):

    python -m bench.bench_webhook_latency --celery [--orders 30]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / ".demo"


@dataclass
class Target:
    """Where the orders go and where their runs are seen."""

    lightspeed: str
    afas: str
    airflow: str
    tenant: str
    token: Callable[[], str]
    ledger: Any  # lightspeed_afas.ledger.Ledger

    @property
    def dag_id(self) -> str:
        return f"lightspeed_afas_{self.tenant}"


@contextlib.contextmanager
def demo_target() -> Iterator[Target]:
    """The running ``make demo``."""
    from lightspeed_afas.ledger import Ledger

    airflow = "http://127.0.0.1:8080"
    ledger = Ledger(f"sqlite:///{DEMO / 'airflow' / 'lightspeed_afas_ledger.db'}")
    yield Target(
        "http://127.0.0.1:8081", "http://127.0.0.1:8082", airflow, "demo", lambda: demo_token(airflow), ledger
    )


@contextlib.contextmanager
def celery_target() -> Iterator[Target]:
    """The compose topology started here, one tenant with the receiver, its webhooks installed, the DAG
    unpaused and its first scheduled run done."""
    from lightspeed_afas.ledger import Ledger
    from tests.system.compose import RECEIVER
    from tests.system.deployment import Plan, running_deployment, wait_until_settled

    tenant = "latency"
    with tempfile.TemporaryDirectory(prefix="lsafas-bench-celery-") as tmp:
        with running_deployment(Path(tmp), Plan(tenants=(tenant,), orders_per_shop=1, receiver=True)) as dep:
            dag_id = f"lightspeed_afas_{tenant}"
            dep.wait("the DAG", lambda: dep.api.get(f"/dags/{dag_id}"), 120)
            env = dep.service_env(RECEIVER)
            done = subprocess.run(
                [sys.executable, "-m", "lightspeed_afas", "webhooks", "install", tenant],
                env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            if done.returncode:
                raise SystemExit(f"webhooks install failed:\n{done.stdout}{done.stderr}")
            dep.api.request("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
            first = dep.wait("the first scheduled run", lambda: dep.api.dag_runs(dag_id), 120)
            wait_until_settled(dep, dag_id, first[0]["dag_run_id"])
            password = dep.variables["AIRFLOW_ADMIN_PASSWORD"]
            api_url = dep.site.api_url
            ledger = Ledger(dep.ledger.url.render_as_string(hide_password=False))
            yield Target(
                dep.shops[tenant].url, dep.erps[tenant].url, api_url, tenant,
                lambda: login(api_url, "admin", password), ledger,
            )  # fmt: skip


def call(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(
        urllib.request.Request(url, data=data, method=method, headers=headers), timeout=30
    ) as r:
        return json.load(r)


def login(airflow: str, username: str, password: str) -> str:
    return str(
        call(f"{airflow}/auth/token", "POST", {"username": username, "password": password})["access_token"]
    )


def demo_token(airflow: str) -> str:
    passwords = json.loads((DEMO / "airflow" / "simple_auth_manager_passwords.json.generated").read_text())
    return login(airflow, "admin", passwords["admin"])


def moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


class Watcher(threading.Thread):
    """Polls the AFAS emulator and notes when each awaited order number shows up."""

    def __init__(self, afas: str) -> None:
        super().__init__(daemon=True)
        self.afas = afas
        self.awaited: dict[str, float] = {}
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            with self.lock:
                if not set(self.awaited) - set(self.seen):
                    continue
            refs = {o["fields"].get("RfCs") for o in call(f"{self.afas}/_admin/state")["orders"]}
            now = time.time()
            with self.lock:
                for number in set(self.awaited) - set(self.seen):
                    if number in refs:
                        self.seen[number] = now


def place(lightspeed: str, index: int) -> tuple[str, int, float]:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    spec = {
        "email": f"latency{index}@example.nl", "lastname": f"Latency{index}", "createdAt": now, "updatedAt": now,
        "lines": [{"articleCode": "ART-1001", "productTitle": "Koffiebonen 1 kg", "quantityOrdered": 1,
                   "basePriceIncl": "12.95", "taxRate": "0.09"}],
    }  # fmt: skip
    placed = time.time()
    (made,) = call(f"{lightspeed}/_admin/orders", "POST", {"orders": [spec]})["orders"]
    return str(made["number"]), int(made["id"]), placed


def run_info(target: Target, token: str, run_id: str) -> dict[str, Any]:
    base = f"{target.airflow}/api/v2/dags/{target.dag_id}/dagRuns/{run_id}"
    run = call(base, token=token)
    tasks = call(f"{base}/taskInstances", token=token)["task_instances"]
    by_task = {t["task_id"]: t for t in tasks}
    return {
        "queued": moment(run.get("queued_at")),
        "start": moment(run.get("start_date")),
        "extract_start": moment((by_task.get("extract_orders") or {}).get("start_date")),
        "load_end": moment((by_task.get("load_to_afas") or {}).get("end_date")),
        "end": moment(run.get("end_date")),
    }


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def measure(target: Target, orders: int, gap: tuple[float, float], seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    watcher = Watcher(target.afas)
    watcher.start()
    placed: dict[str, tuple[int, float]] = {}
    for index in range(orders):
        time.sleep(rng.uniform(*gap))
        number, order_id, at = place(target.lightspeed, index)
        placed[number] = (order_id, at)
        with watcher.lock:
            watcher.awaited[number] = at
        print(f"  placed {number} ({index + 1}/{orders})", flush=True)
    deadline = time.time() + 300
    while time.time() < deadline:
        with watcher.lock:
            if set(placed) <= set(watcher.seen):
                break
        time.sleep(0.5)
    watcher.stop.set()
    rows = target.ledger.webhooks(target.tenant, since=datetime.now(UTC) - timedelta(hours=2), limit=100_000)
    return breakdown(target, placed, watcher.seen, rows)


def breakdown(
    target: Target, placed: dict[str, tuple[int, float]], seen: dict[str, float], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    token = target.token()
    runs = [r for r in rows if r["action"] == "run" and r["run_id"]]
    received = {r["item_id"]: r["at"].timestamp() for r in rows if r["action"] == "created" and r["item_id"]}
    infos = {r["run_id"]: run_info(target, token, r["run_id"]) for r in runs}
    parts: dict[str, list[float]] = {
        k: [] for k in ("total", "receiver", "to_run", "pickup", "start_up", "run")
    }
    durations = [(i["end"] - i["start"]).total_seconds() for i in infos.values() if i["end"] and i["start"]]
    for number, (order_id, at) in placed.items():
        if number not in seen:
            continue
        parts["total"].append(seen[number] - at)
        got = received.get(order_id)
        if got is None:
            continue
        parts["receiver"].append(got - at)
        after = [
            i for i in infos.values() if i["queued"] and i["start"] and i["start"].timestamp() >= got - 1
        ]
        if not after:
            continue
        run = min(after, key=lambda i: i["start"])
        parts["to_run"].append(max(0.0, run["queued"].timestamp() - got))
        parts["pickup"].append(run["start"].timestamp() - run["queued"].timestamp())
        if run["extract_start"]:
            parts["start_up"].append(run["extract_start"].timestamp() - run["start"].timestamp())
        if run["load_end"] and run["extract_start"]:
            parts["run"].append(run["load_end"].timestamp() - run["extract_start"].timestamp())
    polling = polling_latency(placed, statistics.median(durations) if durations else 0.0)
    return {
        "orders": len(placed),
        "booked": len(seen),
        "runs": len(infos),
        "parts": parts,
        "polling": polling,
    }


def polling_latency(placed: dict[str, tuple[int, float]], run_seconds: float) -> list[float]:
    """Without webhooks: the next quarter-hour's run reads the order, and takes ``run_seconds``."""
    out = []
    for _, at in placed.values():
        moment_ = datetime.fromtimestamp(at, UTC)
        boundary = moment_.replace(minute=(moment_.minute // 15) * 15, second=0, microsecond=0) + timedelta(
            minutes=15
        )
        out.append((boundary - moment_).total_seconds() + run_seconds)
    return out


def report(result: dict[str, Any]) -> str:
    names = {
        "total": "placed → in AFAS (webhooks)",
        "receiver": "  placed → webhook answered by the receiver",
        "to_run": "  webhook → run created (queued)",
        "pickup": "  run queued → run started (scheduler)",
        "start_up": "  run started → extract_orders started (task start-up)",
        "run": "  extract_orders start → load_to_afas end (the four tasks, API calls)",
    }
    lines = [f"{'figure':<72} {'p50':>7} {'p95':>7} {'max':>7}  n"]
    for key, label in names.items():
        values = result["parts"][key]
        if values:
            p50, p95, top = percentiles(values)
            lines.append(f"{label:<72} {p50:>6.1f}s {p95:>6.1f}s {top:>6.1f}s  {len(values)}")
    p50, p95, top = percentiles(result["polling"])
    lines.append(
        f"{'placed → in AFAS, polling every 15 minutes (computed)':<72} {p50:>6.1f}s {p95:>6.1f}s {top:>6.1f}s  {len(result['polling'])}"
    )
    lines.append(
        f"orders {result['orders']}, booked {result['booked']}, runs the receiver triggered {result['runs']}"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=30)
    parser.add_argument("--gap", type=float, nargs=2, default=(3.0, 15.0), metavar=("MIN", "MAX"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--celery", action="store_true", help="start the compose topology and measure there")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    name = "webhook_latency_celery.txt" if args.celery else "webhook_latency.txt"
    args.out = args.out or REPO / "bench" / "results" / name
    with celery_target() if args.celery else demo_target() as target:
        result = measure(target, args.orders, tuple(args.gap), args.seed)
    text = ("Celery topology" if args.celery else "standalone (make demo)") + "\n" + report(result)
    print(text)
    args.out.write_text(text + "\nraw: " + json.dumps(result, default=str) + "\n", encoding="utf-8")
    return 0 if result["booked"] == result["orders"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
