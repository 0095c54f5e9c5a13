"""`make compose-test`'s driver: docker-compose.yaml brought up for real, checked, and taken down.

scripts/compose_test.sh runs it once the images are built and a Docker engine answers. It

1. makes a throwaway project directory (the generated .env; copies of dags/, plugins/, the mapping rules
   and the demo tenant file; two generated tenant files, `alpha` and `bravo`) — your .env and tenant
   files are never read, nothing of the checkout is written — and a compose project name of its own;
2. starts the emulators (docker-compose.yaml's two, docker/compose.tenants.yaml's four), teaches the
   three AFAS emulators every product of the shops (so the demo shop's ART-9001 books too), then
   `up -d` the whole file with the `emulators` profile and docker/compose.standins.yaml (postgres and
   redis on the local stand-in images), and waits until every service is healthy and the two one-shot
   services exited 0;
3. through the stack's REST API (published on a free 127.0.0.1 port): unpauses `alpha` and `bravo`
   (demo-setup unpaused the demo), waits for their runs, and checks through the emulators'
   /_admin/state that every shop's orders (cancelled ones excepted) are in its AFAS environment exactly
   once, booked by tasks that ran on the Celery worker's container;
4. runs a backfill of `alpha` over the interval of its latest order (POST /api/v2/backfills), checks
   its runs succeeded and that AFAS got no second copy;
5. `down -v --remove-orphans`, then checks that no container, volume or network of the project is left
   and removes the project directory. Pass or fail: the logs of every service are kept in
   test-artifacts/compose-test/, and a failure prints the logs of the service that failed.

Everything it talks to is a container of its own project, through ports published on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from emulators.demo_catalogue import PRODUCTS, tenant_file  # noqa: E402

ARTIFACTS = REPO / "test-artifacts" / "compose-test"
TENANTS_FILE = REPO / "docker" / "compose.tenants.yaml"
STANDINS_FILE = REPO / "docker" / "compose.standins.yaml"
EXTRA_TENANTS = ("alpha", "bravo")
ONE_SHOT = ("airflow-init", "demo-setup")
EMULATORS = {  # tenant → (Lightspeed service, AFAS service, port variables in .env)
    "demo": ("lightspeed-emulator", "afas-emulator", "DEMO_LIGHTSPEED_PORT", "DEMO_AFAS_PORT"),
    **{
        tenant: (
            f"lightspeed-{tenant}",
            f"afas-{tenant}",
            f"{tenant.upper()}_LIGHTSPEED_PORT",
            f"{tenant.upper()}_AFAS_PORT",
        )
        for tenant in EXTRA_TENANTS
    },
}
# Seconds are counted from scripts/compose_test.sh's start when it passes it (one clock in the transcript).
STARTED = time.monotonic() - (time.time() - float(os.environ.get("LSAFAS_COMPOSE_TEST_T0", time.time())))


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class Failure(Exception):
    """A check failed; ``service`` names the compose service whose logs explain it, if one does."""

    def __init__(self, message: str, services: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.services = services


def say(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} [{time.monotonic() - STARTED:5.0f}s] {message}", flush=True)


@contextlib.contextmanager
def step(name: str, timings: dict[str, float]) -> Iterator[None]:
    say(f"== {name}")
    began = time.monotonic()
    yield
    timings[name] = round(time.monotonic() - began, 1)
    say(f"   {name}: {timings[name]} s")


def wait_for(what: str, probe: Callable[[], Any], timeout: float, every: float = 2.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = probe()
        except Failure:
            raise
        except (requests.RequestException, ValueError, KeyError) as exc:
            last, result = exc, None
        if result:
            return result
        time.sleep(every)
    raise Failure(
        f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last})" if last else "")
    )


# -- ports and the project directory ----------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """Free 127.0.0.1 ports below the kernel's ephemeral range (an outgoing connection cannot take one
    between this check and docker-proxy's bind)."""
    chosen: list[int] = []
    rng = secrets.SystemRandom()
    while len(chosen) < count:
        port = rng.randrange(20000, 32000)
        if port in chosen:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        chosen.append(port)
    return chosen


def emulator_options(service: dict[str, Any]) -> dict[str, str]:
    command = service["command"]
    return dict(zip(command[3::2], command[4::2], strict=True))


def make_project(work: Path, image: str) -> dict[str, str]:
    """The throwaway project directory; returns the .env it wrote."""
    work.chmod(0o755)  # the containers' airflow user (uid 50000) reads the bind mounts
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "dags", work / "dags", ignore=ignore)

    # include/ without your tenant files: the mapping rules and the demo tenant (+ the two below).
    def without_tenants(folder: str, names: list[str]) -> set[str]:
        skip = set(ignore(folder, names))
        return skip | ({"tenants"} if Path(folder) == REPO / "include" else set())

    shutil.copytree(REPO / "include", work / "include", ignore=without_tenants)
    (work / "include" / "tenants").mkdir()
    shutil.copyfile(REPO / "include" / "tenants" / "demo.yaml", work / "include" / "tenants" / "demo.yaml")
    if (REPO / "plugins").is_dir():
        shutil.copytree(REPO / "plugins", work / "plugins", ignore=ignore)
    else:
        (work / "plugins").mkdir()

    tenants = yaml.safe_load(TENANTS_FILE.read_text(encoding="utf-8"))["services"]
    ports = dict(
        zip(
            [
                "AIRFLOW_API_PORT",
                "WEBHOOKS_PORT",
                *(name for emu in EMULATORS.values() for name in emu[2:]),
            ],
            free_ports(2 + 2 * len(EMULATORS)),
            strict=True,
        )
    )
    env = {
        "AIRFLOW_UID": "50000",
        "AIRFLOW_IMAGE_NAME": image,
        "AIRFLOW_FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "AIRFLOW_JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW_API_SECRET_KEY": secrets.token_hex(32),
        "POSTGRES_PASSWORD": secrets.token_hex(24),
        "AIRFLOW_ADMIN_PASSWORD": secrets.token_hex(16),
        "AIRFLOW_WEBHOOKS_PASSWORD": secrets.token_hex(16),
        "AIRFLOW_WORKER_CONCURRENCY": "8",
        "AIRFLOW_API_BIND": "127.0.0.1",
        "WEBHOOKS_BIND": "127.0.0.1",
        **{name: str(port) for name, port in ports.items()},
    }
    for tenant in EXTRA_TENANTS:
        shop_service, erp_service = EMULATORS[tenant][:2]
        shop = emulator_options(tenants[shop_service])
        erp = emulator_options(tenants[erp_service])
        content = tenant_file(tenant, f"Compose-test {tenant}", f"lightspeed_{tenant}", f"afas_{tenant}")
        (work / "include" / "tenants" / f"{tenant}.yaml").write_text(
            yaml.safe_dump(content), encoding="utf-8"
        )
        # The tenant's connections as a user's .env gives them (README "Adding a tenant with its connections").
        env[f"AIRFLOW_CONN_LIGHTSPEED_{tenant.upper()}"] = json.dumps(
            {
                "conn_type": "lightspeed_ecom",
                "host": f"http://{shop_service}:{shop['--port']}",
                "login": shop["--api-key"],
                "password": shop["--api-secret"],
                "extra": {"language": "nl"},
            }
        )
        env[f"AIRFLOW_CONN_AFAS_{tenant.upper()}"] = json.dumps(
            {
                "conn_type": "afas_profit",
                "host": f"http://{erp_service}:{erp['--port']}/ProfitRestServices",
                "password": erp["--token-data"],
                "extra": {"integration_id": "12345_678900"},
            }
        )
    lines = ["# Written by scripts/compose_test.py for one run of make compose-test; removed with it."]
    lines += [f"{key}='{value}'" if value.startswith("{") else f"{key}={value}" for key, value in env.items()]
    (work / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (work / ".env").chmod(0o600)
    return env


# -- Docker Compose ----------------------------------------------------------------------------------------


class Compose:
    def __init__(self, command: list[str], project: str, work: Path) -> None:
        self.project = project
        self.base = [
            *command,
            "--project-name",
            project,
            "--project-directory",
            str(work),
            "--env-file",
            str(work / ".env"),
            "-f",
            str(REPO / "docker-compose.yaml"),
            "-f",
            str(STANDINS_FILE),
            "-f",
            str(TENANTS_FILE),
            "--profile",
            "emulators",
        ]

    def run(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
        if check and done.returncode != 0:
            raise Failure(
                f"docker compose {' '.join(args)} exited {done.returncode}:\n{(done.stdout + done.stderr)[-4000:]}"
            )
        return done

    def services(self) -> list[str]:
        return self.run("config", "--services").stdout.split()

    def states(self) -> dict[str, dict[str, Any]]:
        out = self.run("ps", "--all", "--format", "json").stdout.strip()
        if not out:
            return {}
        rows = json.loads(out) if out.startswith("[") else [json.loads(line) for line in out.splitlines()]
        return {row["Service"]: row for row in rows}

    def logs(self, *services: str, tail: str = "all") -> str:
        out = self.run("logs", "--no-color", "--timestamps", "--tail", tail, *services, check=False).stdout
        return ANSI.sub("", out)


def wait_until_up(compose: Compose, services: list[str], timeout: float) -> dict[str, dict[str, Any]]:
    """Every service with a health check healthy, the one-shot ones exited 0; a one-shot service that
    failed, one that stopped, or one that keeps restarting (a crash under ``restart: always``) ends the
    wait at once."""
    restarts: Counter[str] = Counter()

    def settled() -> dict[str, dict[str, Any]] | None:
        states = compose.states()
        pending = []
        for name in services:
            row = states.get(name)
            if row is None:
                pending.append(name)
                continue
            if name in ONE_SHOT:
                if row["State"] == "exited":
                    if int(row.get("ExitCode", 1)) != 0:
                        raise Failure(f"{name} exited {row['ExitCode']}", (name,))
                else:
                    pending.append(name)
            elif row["State"] in ("exited", "dead"):
                raise Failure(f"{name} stopped ({row.get('Status')})", (name,))
            elif row["State"] == "restarting":
                restarts[name] += 1
                if restarts[name] >= 3:
                    raise Failure(f"{name} keeps restarting ({row.get('Status')})", (name,))
                pending.append(name)
            elif row.get("Health") != "healthy":
                pending.append(name)
        return None if pending else states

    try:
        return wait_for(f"{', '.join(services)} to be up", settled, timeout, every=3)
    except Failure as failure:
        if failure.services:
            raise
        states = compose.states()
        stuck = tuple(
            name
            for name in services
            if name not in states
            or (name in ONE_SHOT and states[name]["State"] != "exited")
            or (name not in ONE_SHOT and states[name].get("Health") != "healthy")
        )
        raise Failure(f"{failure}; not there: {', '.join(stuck)}", stuck) from None


# -- Airflow's REST API ------------------------------------------------------------------------------------


class Api:
    def __init__(self, base: str, password: str) -> None:
        self.base = base
        self.session = requests.Session()
        answer = requests.post(
            f"{base}/auth/token", json={"username": "admin", "password": password}, timeout=30
        )
        answer.raise_for_status()
        self.session.headers["Authorization"] = "Bearer " + answer.json()["access_token"]

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.session.request(method, f"{self.base}/api/v2{path}", timeout=60, **kwargs)
        if answer.status_code >= 400:
            raise Failure(
                f"{method} {path}: {answer.status_code} {answer.text[:1000]}", ("airflow-apiserver",)
            )
        return answer.json()

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.get(f"/dags/{dag_id}/dagRuns", limit=100)["dag_runs"]

    def failed_run(self, dag_id: str, run: dict[str, Any]) -> Failure:
        lines = [f"{dag_id} {run['dag_run_id']} {run['state']}:"]
        for ti in self.get(f"/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances")["task_instances"]:
            lines.append(f"  {ti['task_id']}: {ti['state']} on {ti.get('hostname')}")
            if ti["state"] == "failed":
                log = self.session.get(
                    f"{self.base}/api/v2/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances/"
                    f"{ti['task_id']}/logs/{ti['try_number']}",
                    params={"full_content": "true"},
                    headers={"Accept": "text/plain"},
                    timeout=60,
                )
                lines.append(log.text[-4000:])
        return Failure("\n".join(lines), ("airflow-worker", "airflow-scheduler"))


def settled_runs(api: Api, dag_id: str, run_type: str | None = None) -> list[dict[str, Any]] | None:
    runs = [r for r in api.runs(dag_id) if run_type is None or r["run_type"] == run_type]
    for run in runs:
        if run["state"] == "failed":
            raise api.failed_run(dag_id, run)
    return runs if runs and all(r["state"] == "success" for r in runs) else None


def admin_state(port: str) -> dict[str, Any]:
    answer = requests.get(f"http://127.0.0.1:{port}/_admin/state", timeout=30)
    answer.raise_for_status()
    return answer.json()


def booked_orders(env: dict[str, str], tenant: str) -> Counter[str]:
    return Counter(o["fields"]["RfCs"] for o in admin_state(env[EMULATORS[tenant][3]])["orders"])


# -- the run -----------------------------------------------------------------------------------------------


def check_stack(compose: Compose, env: dict[str, str], timings: dict[str, float]) -> dict[str, Any]:
    services = compose.services()
    emulators = [name for emu in EMULATORS.values() for name in emu[:2]]
    with step("emulators up (6 containers: a shop and an AFAS environment per tenant)", timings):
        compose.run("up", "--detach", "--no-build", *emulators)
        wait_until_up(compose, emulators, 120)
        catalogue = {"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}}
        for tenant in EMULATORS:
            port = env[EMULATORS[tenant][3]]
            requests.put(
                f"http://127.0.0.1:{port}/_admin/catalogue", json=catalogue, timeout=30
            ).raise_for_status()
        say(f"   the three AFAS emulators know all {len(PRODUCTS)} products (ART-9001 too)")

    with step(f"up -d: all {len(services)} services, then every one healthy or done", timings):
        compose.run("up", "--detach", "--no-build", timeout=900)
        states = wait_until_up(compose, services, 480)
        for name in services:
            row = states[name]
            status = f"exited {row['ExitCode']}" if name in ONE_SHOT else row.get("Health")
            say(f"   {name:24} {status}")

    base = f"http://127.0.0.1:{env['AIRFLOW_API_PORT']}"
    health = requests.get(f"{base}/api/v2/monitor/health", timeout=30).json()
    unhealthy = {k: v for k, v in health.items() if isinstance(v, dict) and v.get("status") != "healthy"}
    if unhealthy:
        raise Failure(f"the api-server reports {unhealthy}", ("airflow-apiserver",))
    say(f"   {base}/api/v2/monitor/health: " + ", ".join(f"{k} {v['status']}" for k, v in health.items()))
    receiver = requests.get(f"http://127.0.0.1:{env['WEBHOOKS_PORT']}/health", timeout=30)
    if receiver.status_code != 200:
        raise Failure(
            f"webhook-receiver /health: {receiver.status_code} {receiver.text[:300]}", ("webhook-receiver",)
        )
    say(f"   http://127.0.0.1:{env['WEBHOOKS_PORT']}/health (webhook-receiver): {receiver.status_code}")
    api = Api(base, env["AIRFLOW_ADMIN_PASSWORD"])

    dag_ids = {tenant: f"lightspeed_afas_{tenant}" for tenant in EMULATORS}
    with step("three tenants booked through the stack", timings):

        def dags_loaded() -> bool:
            listed = {d["dag_id"]: d for d in api.get("/dags", limit=200)["dags"]}
            return set(dag_ids.values()) <= set(listed)

        wait_for("the dag-processor to load the three tenant DAGs", dags_loaded, 180)
        errors = api.get("/importErrors")["import_errors"]
        if errors:
            raise Failure(f"import errors: {errors}", ("airflow-dag-processor",))
        pools = {p["name"] for p in api.get("/pools", limit=100)["pools"]}
        missing = {f"afas_{t}" for t in EMULATORS} - pools
        if missing:
            raise Failure(f"airflow-init made no pools {missing} (it has {pools})", ("airflow-init",))
        if api.get(f"/dags/{dag_ids['demo']}")["is_paused"]:
            raise Failure("demo-setup did not unpause lightspeed_afas_demo", ("demo-setup",))
        for tenant in EXTRA_TENANTS:
            api.request("PATCH", f"/dags/{dag_ids[tenant]}", json={"is_paused": False})
        say("   DAGs loaded, pools afas_demo/afas_alpha/afas_bravo there; alpha and bravo unpaused")
        runs = {
            tenant: wait_for(
                f"the runs of {dag_id} to succeed", lambda d=dag_id: settled_runs(api, d), 420, 3
            )
            for tenant, dag_id in dag_ids.items()
        }
        worker = compose.run("ps", "--quiet", "airflow-worker").stdout.split()[0]
        worker_host = subprocess.run(
            ["docker", "inspect", "--format", "{{.Config.Hostname}}", worker],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        booked: dict[str, Counter[str]] = {}
        for tenant, dag_id in dag_ids.items():
            shop = admin_state(env[EMULATORS[tenant][2]])["orders"]
            expected = {o["number"] for o in shop if o["status"] != "cancelled"}
            booked[tenant] = booked_orders(env, tenant)
            if not expected or set(booked[tenant]) != expected:
                raise Failure(
                    f"{tenant}: AFAS has {sorted(booked[tenant])}, the shop's bookable orders are {sorted(expected)}"
                )
            if max(booked[tenant].values()) != 1:
                raise Failure(f"{tenant}: booked twice: {[n for n, c in booked[tenant].items() if c > 1]}")
            hosts = Counter()
            for run in runs[tenant]:
                for ti in api.get(f"/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances")[
                    "task_instances"
                ]:
                    hosts[ti["hostname"]] += 1
            if set(hosts) != {worker_host}:
                raise Failure(f"{dag_id}: tasks ran on {dict(hosts)}, not on the worker {worker_host}")
            say(
                f"   {tenant:6} {len(runs[tenant])} run(s) success; all {len(expected)} bookable orders of "
                f"{len(shop)} ({len(shop) - len(expected)} cancelled) in AFAS, each once; "
                f"{sum(hosts.values())} task instances, all on the Celery worker ({worker_host})"
            )

    tenant, dag_id = "alpha", dag_ids["alpha"]
    with step(f"backfill of {tenant} over the interval of its latest order", timings):
        shop = admin_state(env[EMULATORS[tenant][2]])["orders"]
        latest = max(datetime.fromisoformat(o["updatedAt"]) for o in shop).astimezone(UTC)
        start = latest.replace(minute=latest.minute // 15 * 15, second=0, microsecond=0)
        end = start + timedelta(minutes=15)
        body = {
            "dag_id": dag_id,
            "from_date": start.isoformat(),
            "to_date": end.isoformat(),
            "max_active_runs": 2,
        }
        backfill = api.request("POST", "/backfills", json=body)
        say(f"   backfill {backfill['id']}: {body['from_date']} → {body['to_date']}")

        def backfill_done() -> dict[str, Any] | None:
            settled_runs(api, dag_id, "backfill")  # a failed backfill run ends the wait
            state = api.get(f"/backfills/{backfill['id']}")
            return state if state["completed_at"] else None

        wait_for("the backfill to complete", backfill_done, 300, 3)
        backfill_runs = settled_runs(api, dag_id, "backfill")
        if not backfill_runs:
            raise Failure(f"backfill {backfill['id']} completed without successful runs")
        for run in backfill_runs:
            say(
                f"   {run['dag_run_id']}: {run['data_interval_start']} → {run['data_interval_end']} {run['state']}"
            )
        if booked_orders(env, tenant) != booked[tenant]:
            raise Failure(f"{tenant}: the backfill changed AFAS's orders: {booked_orders(env, tenant)}")
        say(f"   AFAS still holds each of {tenant}'s {len(booked[tenant])} orders once")
    return {"booked": {t: sum(c.values()) for t, c in booked.items()}, "backfill_runs": len(backfill_runs)}


def suspects(compose: Compose) -> tuple[str, ...]:
    """The services whose logs explain a failure nothing named: failed, restarting or not healthy."""
    try:
        states = compose.states()
    except Failure:
        return ()
    return tuple(
        name
        for name, row in states.items()
        if (row["State"] == "exited" and int(row.get("ExitCode", 0)) != 0)
        or row["State"] in ("restarting", "dead")
        or row.get("Health") in ("unhealthy", "starting")
    )


def leftovers(project: str) -> dict[str, list[str]]:
    label = f"label=com.docker.compose.project={project}"
    found = {}
    for kind, command in (
        ("containers", ["docker", "ps", "--all", "--quiet", "--filter", label]),
        ("volumes", ["docker", "volume", "ls", "--quiet", "--filter", label]),
        ("networks", ["docker", "network", "ls", "--quiet", "--filter", label]),
    ):
        found[kind] = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compose", required=True, help="the Compose v2 command, e.g. 'docker compose'")
    parser.add_argument("--image", required=True, help="our image, built with the stand-in base")
    args = parser.parse_args()

    project = f"lsafas-compose-test-{secrets.token_hex(3)}"
    work = Path(tempfile.mkdtemp(prefix=f"{project}-"))
    timings: dict[str, float] = {}
    compose = Compose(shlex.split(args.compose), project, work)
    failed: Failure | None = None
    summary: dict[str, Any] = {}
    try:
        env = make_project(work, args.image)
        say(f"project {project} in {work} (generated .env; API on 127.0.0.1:{env['AIRFLOW_API_PORT']})")
        compose.run("config", "--quiet")
        summary = check_stack(compose, env, timings)
    except Failure as exc:
        failed = exc
    except Exception as exc:
        failed = Failure(f"{type(exc).__name__}: {exc}")
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        if (work / ".env").exists():
            (ARTIFACTS / "compose.log").write_text(compose.logs(), encoding="utf-8")
            if failed is not None:
                print(f"\nFAILED: {failed}\n", file=sys.stderr, flush=True)
                print(compose.run("ps", "--all", check=False).stdout, file=sys.stderr)
                for service in failed.services or suspects(compose):
                    print(f"---- logs of {service} (last 150 lines) ----", file=sys.stderr)
                    print(compose.logs(service, tail="150"), file=sys.stderr, flush=True)
                print(f"(all logs: {ARTIFACTS / 'compose.log'})", file=sys.stderr)
            with step("down -v --remove-orphans", timings):
                compose.run(
                    "down", "--volumes", "--remove-orphans", "--timeout", "30", timeout=300, check=False
                )
        shutil.rmtree(work, ignore_errors=True)
    left = leftovers(project)
    if any(left.values()) or work.exists():
        print(
            f"FAILED: left behind: {left}, project directory {work} exists: {work.exists()}", file=sys.stderr
        )
        return 1
    say(f"   nothing left of {project}: no container, volume or network; {work} removed")
    if failed is not None:
        return 1
    say(
        "compose-test passed: "
        + ", ".join(f"{t} {n} orders" for t, n in summary["booked"].items())
        + f", {summary['backfill_runs']} backfill run(s); "
        + "; ".join(f"{name} {seconds} s" for name, seconds in timings.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
