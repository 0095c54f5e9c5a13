"""docker-compose.yaml, Dockerfile and .env.example checked without a Docker engine.

The file must parse, have every service of Airflow's official Airflow 3 topology with its command and a
health check, share the settings that must agree, mount folders that exist, build our image, and its
`emulators` profile must start both emulators with credentials its demo connections carry.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
import yaml

from tests.support.sinks import free_port
from tests.system import compose
from tests.system.compose import (
    AIRFLOW_COMMANDS,
    EMULATOR_SERVICES,
    LONG_RUNNING,
    MUST_MATCH,
    OFFICIAL_SERVICES,
    RECEIVER,
    RECEIVER_COMMAND,
    REPO,
)

AIRFLOW_SERVICES = (*LONG_RUNNING, "airflow-init", "demo-setup", RECEIVER)
SECRETS = ("AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY", "POSTGRES_PASSWORD")
PASSWORDS = ("AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_WEBHOOKS_PASSWORD")
IMAGE_HOME = "/opt/airflow"


def example_variables() -> dict[str, str]:
    """.env.example with its empty secrets filled, as a user's .env would be."""
    variables = compose.env_example()
    for name, value in list(variables.items()):
        if not value:
            variables[name] = f"{name.lower()}0123"
    return variables


@pytest.fixture(scope="module")
def spec() -> dict:
    return compose.load(example_variables())


def services(spec: dict) -> dict:
    return spec["services"]


def env_of(spec: dict, name: str) -> dict[str, str]:
    return compose.environment(spec["services"][name])


# -- structure ----------------------------------------------------------------------------------------


def test_every_service_of_the_official_topology_is_there(spec):
    missing = [name for name in OFFICIAL_SERVICES if name not in services(spec)]
    assert not missing, f"docker-compose.yaml lacks {missing}"
    for name in AIRFLOW_SERVICES:
        assert compose.environment(services(spec)[name])["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_long_running_airflow_services_run_their_airflow_command(spec):
    for name, command in AIRFLOW_COMMANDS.items():
        assert compose.command_text(services(spec)[name]) == command, name
        assert "entrypoint" not in services(spec)[name], f"{name} must keep the image's entrypoint"
        assert services(spec)[name].get("restart") == "always", name


def test_airflow_init_migrates_creates_the_ledger_and_the_pools(spec):
    init = services(spec)["airflow-init"]
    assert init["entrypoint"] == "/bin/bash" and init["command"][0] == "-c"
    script = init["command"][1]
    assert script.startswith("set -euo pipefail")
    steps = [
        "airflow db migrate",
        "Ledger(url)",
        "python -m lightspeed_afas validate",
        "python -m lightspeed_afas pools --format json",
        "airflow pools import",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
    ]
    positions = [script.find(step) for step in steps]
    assert -1 not in positions, dict(zip(steps, positions, strict=True))
    assert positions == sorted(positions), "airflow-init runs its steps in this order"
    # Its Python parts are valid Python (the system test runs the whole script).
    for block in re.findall(r"<<'PY'\n(.*?)\nPY\n", script, re.S):
        compile(block, "airflow-init", "exec")


def test_every_long_running_service_has_a_health_check_that_fits_the_service(spec):
    from airflow.configuration import conf

    for name in ("postgres", "redis", *LONG_RUNNING, *EMULATOR_SERVICES, RECEIVER):
        check = services(spec)[name].get("healthcheck") or {}
        test = check.get("test")
        assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
        assert check.get("interval") and check.get("retries"), name
    text = {
        name: " ".join(service["healthcheck"]["test"][1:])
        for name, service in services(spec).items()
        if "healthcheck" in service
    }
    assert "/api/v2/monitor/health" in text["airflow-apiserver"]
    assert urlsplit(text["airflow-apiserver"].split()[-1]).port == 8080
    health_port = conf.getint("scheduler", "scheduler_health_check_server_port")
    assert f"localhost:{health_port}/health" in text["airflow-scheduler"]
    assert env_of(spec, "airflow-scheduler")["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"
    assert "--job-type DagProcessorJob" in text["airflow-dag-processor"]
    assert "--job-type TriggererJob" in text["airflow-triggerer"]
    assert text[RECEIVER] == "curl --fail http://localhost:8090/health"
    # The Celery app the worker's ping names is the one the CeleryExecutor uses.
    app_path = re.search(r"--app (\S+)", text["airflow-worker"]).group(1)
    module, _, attribute = app_path.rpartition(".")
    from importlib import import_module

    assert hasattr(import_module(module), attribute), app_path
    assert "celery@$${HOSTNAME}" in json.dumps(
        compose.load_raw()["services"]["airflow-worker"]["healthcheck"]
    )


def test_start_order_waits_for_healthy_dependencies(spec):
    for name in (*LONG_RUNNING, "airflow-init", "demo-setup", RECEIVER):
        depends = services(spec)[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        if name != "airflow-init":
            assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
    assert (
        services(spec)["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"
    )
    assert services(spec)["airflow-worker"]["environment"]["DUMB_INIT_SETSID"] == "0"
    # The receiver asks the api-server for runs: it starts once that answers.
    assert services(spec)[RECEIVER]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"


# -- settings that must agree ---------------------------------------------------------------------------


def test_settings_that_must_agree_are_identical_in_every_airflow_container(spec):
    reference = env_of(spec, "airflow-apiserver")
    for name in AIRFLOW_SERVICES:
        env = env_of(spec, name)
        for key in MUST_MATCH:
            assert env.get(key), f"{name} lacks {key}"
            assert env[key] == reference[key], f"{key} differs between {name} and airflow-apiserver"
    # They come from one place (the x-airflow-common anchor), not from copies that could drift apart.
    common = compose.environment(compose.load(example_variables())["x-airflow-common"])
    assert {key: common[key] for key in MUST_MATCH} == {key: reference[key] for key in MUST_MATCH}


def test_secrets_are_required_from_env_and_never_defaulted():
    raw = compose.load_raw()
    references = compose.variable_references(raw)
    for secret in (*SECRETS, *PASSWORDS):
        operators = {op for name, op in references if name == secret}
        assert operators == {":?"}, f"{secret} must be required (${{{secret}:?…}}), found {operators}"
        variables = example_variables()
        del variables[secret]
        with pytest.raises(compose.MissingVariableError, match=secret):
            compose.load(variables)
    env = env_of(compose.load(example_variables()), "airflow-worker")
    assert env["AIRFLOW__CORE__FERNET_KEY"] == example_variables()["AIRFLOW_FERNET_KEY"]
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == example_variables()["AIRFLOW_JWT_SECRET"]
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in json.dumps(raw), "no pip installs at container start"


def test_every_variable_without_a_default_is_in_env_example():
    documented = compose.env_example()
    for name, op in compose.variable_references(compose.load_raw()):
        if op not in (":-", "-"):
            assert name in documented, f"${{{name}}} is used without a default but not in .env.example"
    for secret in SECRETS:
        assert documented[secret] == "", f".env.example must not ship a value for {secret}"


def test_addresses_point_at_the_services_that_serve_them(spec):
    env = env_of(spec, "airflow-worker")
    postgres = compose.environment(services(spec)["postgres"])
    db = sa.engine.make_url(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert db.drivername == "postgresql+psycopg2"
    assert (db.host, db.port or 5432) == ("postgres", 5432)
    assert (db.username, db.password, db.database) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
    )
    backend = env["AIRFLOW__CELERY__RESULT_BACKEND"]
    assert backend.startswith("db+")
    result_db = sa.engine.make_url(backend.removeprefix("db+"))
    assert (result_db.host, result_db.database, result_db.username) == (db.host, db.database, db.username)
    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port or 6379) == ("redis", "redis", 6379)
    assert "6379" in [str(port) for port in services(spec)["redis"]["expose"]]
    api = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert (api.hostname, api.path) == ("airflow-apiserver", "/execution/")
    published = [str(port).rsplit(":", 1)[-1] for port in services(spec)["airflow-apiserver"]["ports"]]
    assert str(api.port) in published, "the execution API URL must use the api-server's container port"
    ledger = json.loads(env["AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER"])
    assert ledger["conn_type"] == "postgres"
    assert (ledger["host"], ledger["port"], ledger["login"], ledger["password"]) == (
        "postgres",
        5432,
        db.username,
        db.password,
    )
    assert ledger["schema"] != db.database, "the ledger is a database of its own"


# -- mounts ---------------------------------------------------------------------------------------------


def mounts(service: dict) -> list[dict]:
    out = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
            kind = "bind" if source.startswith((".", "/")) else "volume"
            out.append({"type": kind, "source": source, "target": target})
        else:
            out.append(volume)
    return out


def test_mounts_exist_and_match_the_paths_airflow_is_told(spec):
    declared_volumes = set(spec.get("volumes") or {})
    for name in (*LONG_RUNNING, "airflow-init", RECEIVER):
        by_target = {m["target"]: m for m in mounts(services(spec)[name])}
        for mount in by_target.values():
            if mount["type"] == "bind":
                source = (REPO / mount["source"]).resolve()
                creates = (mount.get("bind") or {}).get("create_host_path", False)
                assert source.is_dir() or creates, f"{name}: bind source {mount['source']} does not exist"
                assert source.is_relative_to(REPO), mount
            else:
                assert mount["source"] in declared_volumes, f"{name}: volume {mount['source']} undeclared"
        assert {
            "/opt/airflow/dags",
            "/opt/airflow/include",
            "/opt/airflow/plugins",
            "/opt/airflow/logs",
        } <= set(by_target)
        env = env_of(spec, name)
        assert by_target[env["LIGHTSPEED_AFAS_INCLUDE_DIR"]]["source"] == "./include"
        xcom = urlsplit(env["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH"])
        assert xcom.scheme == "file" and xcom.path in by_target, "XCom files must be on a mounted volume"
        assert by_target[xcom.path]["type"] == "volume", "every container must see the same XCom volume"
        passwords = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
        assert str(passwords.parent) in by_target
    assert (REPO / "include" / "mappings").is_dir() and (REPO / "dags").is_dir()


# -- image ----------------------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, args = line.partition(" ")
            out.append((instruction.upper(), args.strip()))
    return out


def pinned(package: str) -> str:
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{package}=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError(f"{package} is not pinned in requirements.txt")


def test_image_is_built_from_our_dockerfile_on_the_pinned_airflow(spec):
    for name in (*AIRFLOW_SERVICES, *EMULATOR_SERVICES):
        service = services(spec)[name]
        assert service["build"] == {"context": ".", "dockerfile": "Dockerfile"}, name
        assert service["image"] == services(spec)["airflow-apiserver"]["image"], name
    steps = dockerfile()
    args = dict(arg.split("=", 1) for kind, arg in steps if kind == "ARG" and "=" in arg)
    base = args["AIRFLOW_IMAGE"]
    assert [arg for kind, arg in steps if kind == "FROM"] == ["${AIRFLOW_IMAGE}"]
    repository, tag = base.split(":")
    assert repository == "apache/airflow"
    assert tag == f"{pinned('apache-airflow')}-python{sys.version_info.major}.{sys.version_info.minor}"
    runs = " ".join(arg for kind, arg in steps if kind == "RUN")
    assert "pip install --no-cache-dir -r /tmp/requirements-image.txt" in runs
    assert "pip install --no-cache-dir --no-deps ." in runs
    assert not [kind for kind, _ in steps if kind in ("ENTRYPOINT", "CMD")], "keep the image's entrypoint"


def dockerignore_allows(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; ``!`` re-includes."""
    import fnmatch

    allowed = True
    for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(p, pattern) for p in prefixes) or (
            pattern.startswith("**/") and any(fnmatch.fnmatch(part, pattern[3:]) for part in parts)
        ):
            allowed = negate
    return allowed


def test_build_context_holds_what_the_dockerfile_copies_and_never_the_secrets():
    for kind, args in dockerfile():
        if kind != "COPY":
            continue
        sources = [part for part in shlex.split(args) if not part.startswith("--")][:-1]
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
            assert dockerignore_allows(source), f"COPY {source}: excluded by .dockerignore"
    for secret_or_noise in (".env", ".venv/bin/python", ".git/config", "tests/conftest.py", "logs/x.log"):
        assert not dockerignore_allows(secret_or_noise), f"{secret_or_noise} would be in the build context"
    assert dockerignore_allows("src/lightspeed_afas/__init__.py")
    assert not dockerignore_allows("src/lightspeed_afas/__pycache__/x.pyc")


# -- the emulators profile ------------------------------------------------------------------------------


def demo_connections(spec: dict) -> dict:
    from airflow.secrets.local_filesystem import load_connections_dict

    script = services(spec)["demo-setup"]["command"][1]
    text = re.search(r"<<'JSON'\n(.*?)\nJSON\n", script, re.S).group(1)
    return load_connections_dict_from_text(load_connections_dict, text)


def load_connections_dict_from_text(loader, text: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        handle.write(text)
    try:
        return loader(handle.name)  # what `airflow connections import` parses
    finally:
        os.unlink(handle.name)


@contextlib.contextmanager
def emulator_as_in_compose(service: dict) -> Iterator[tuple[str, dict[str, str]]]:
    """Run the service's command here, on a free loopback port instead of 0.0.0.0:<container port>."""
    argv = list(service["command"])
    options = dict(zip(argv[3::2], argv[4::2], strict=True))
    port = free_port()
    argv[argv.index("--host") + 1] = "127.0.0.1"
    argv[argv.index("--port") + 1] = str(port)
    assert argv[0] == "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    output = tempfile.TemporaryFile()
    # working_dir in the image is where the Dockerfile copies emulators/: here, the repository.
    proc = subprocess.Popen(
        [sys.executable, *argv[1:]],
        cwd=REPO,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/_admin/calls", timeout=2).raise_for_status()
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    raise AssertionError(f"{argv} did not start: {output.read().decode()[-2000:]}") from None
                time.sleep(0.2)
        yield base, {**options, "container_port": service["command"][argv.index("--port") + 1]}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=5)
        output.close()


def test_the_emulators_profile_runs_both_emulators_and_the_demo_tenant_can_log_in(spec):
    lightspeed, afas = (services(spec)[name] for name in EMULATOR_SERVICES)
    for service, module in ((lightspeed, "emulators.lightspeed"), (afas, "emulators.afas")):
        assert service["profiles"] == ["emulators"]
        assert service["command"][:3] == ["python", "-m", module]
        workdirs = [arg for kind, arg in dockerfile() if kind == "WORKDIR"]
        assert service["working_dir"] in workdirs, "emulators/ is copied into the image there"
    assert services(spec)["demo-setup"]["profiles"] == ["emulators"]
    for name in OFFICIAL_SERVICES:
        assert "profiles" not in services(spec)[name], f"{name} must start without a profile"

    conns = demo_connections(spec)
    tenant = yaml.safe_load((REPO / "include" / "tenants" / "demo.yaml").read_text(encoding="utf-8"))
    assert set(conns) == {tenant["lightspeed"]["conn_id"], tenant["afas"]["conn_id"]}
    shop = conns[tenant["lightspeed"]["conn_id"]]
    erp = conns[tenant["afas"]["conn_id"]]
    assert (shop.conn_type, erp.conn_type) == ("lightspeed_ecom", "afas_profit")
    assert shop.extra_dejson == {"language": "nl"}

    with emulator_as_in_compose(lightspeed) as (base, options):
        assert urlsplit(shop.host).hostname == "lightspeed-emulator"
        assert str(urlsplit(shop.host).port) == options["container_port"]
        local = base + urlsplit(shop.host).path
        answer = requests.get(f"{local}/nl/shop.json", auth=(shop.login, shop.password), timeout=10)
        assert answer.status_code == 200, answer.text
        wrong = requests.get(f"{local}/nl/shop.json", auth=(shop.login, "wrong"), timeout=10)
        assert wrong.status_code == 401

    with emulator_as_in_compose(afas) as (base, options):
        assert urlsplit(erp.host).hostname == "afas-emulator"
        assert str(urlsplit(erp.host).port) == options["container_port"]
        token = f"<token><version>1</version><data>{erp.password}</data></token>"
        header = {"Authorization": "AfasToken " + base64.b64encode(token.encode()).decode()}
        answer = requests.get(f"{base}{urlsplit(erp.host).path}/metainfo", headers=header, timeout=10)
        assert answer.status_code == 200, answer.text


# -- exposure: what the defaults open -------------------------------------------------------------------


def published(service: dict) -> list[tuple[str, str, str]]:
    """(host address, host port, container port) of each ``ports`` entry; no address means all of them."""
    out = []
    for entry in service.get("ports", []):
        parts = str(entry).split(":")
        address, host_port, container_port = (["0.0.0.0", *parts] if len(parts) == 2 else parts)[-3:]
        out.append((address, host_port, container_port))
    return out


def test_every_published_port_is_on_loopback_unless_asked_otherwise():
    for variables in (example_variables(), {**example_variables(), "AIRFLOW_API_BIND": ""}):
        spec = compose.load(variables)
        for name, service in services(spec).items():
            for address, _, _ in published(service):
                assert address == "127.0.0.1", f"{name} publishes on {address}: bind it to 127.0.0.1"
    spec = compose.load({**example_variables(), "AIRFLOW_API_BIND": "0.0.0.0", "AIRFLOW_API_PORT": "8443"})
    assert published(services(spec)["airflow-apiserver"]) == [("0.0.0.0", "8443", "8080")]
    assert compose.env_example()["AIRFLOW_API_BIND"] == "127.0.0.1"
    assert compose.env_example()["WEBHOOKS_BIND"] == "127.0.0.1"
    spec = compose.load({**example_variables(), "WEBHOOKS_BIND": "0.0.0.0", "WEBHOOKS_PORT": "9443"})
    assert published(services(spec)[RECEIVER]) == [("0.0.0.0", "9443", "8090")]
    # Without the variable at all (an old .env): still loopback.
    spec = compose.load({k: v for k, v in example_variables().items() if k != "AIRFLOW_API_BIND"})
    assert published(services(spec)["airflow-apiserver"]) == [("127.0.0.1", "8080", "8080")]


def test_the_connection_test_button_stays_off_as_airflow_ships_it(spec):
    from airflow.configuration import conf

    assert conf.get_default_value("core", "test_connection") == "Disabled"
    for name, service in services(spec).items():
        value = compose.environment(service).get("AIRFLOW__CORE__TEST_CONNECTION", "Disabled")
        assert value == "Disabled", f"{name} enables [core] test_connection"


def effective_environment(service: dict, dotenv: dict[str, str]) -> dict[str, str]:
    """What a container gets: its env_file (.env) overridden by its ``environment`` (Compose's order)."""
    files = service.get("env_file") or []
    from_files = dotenv if any((f["path"] if isinstance(f, dict) else f) == ".env" for f in files) else {}
    return {**from_files, **compose.environment(service)}


def test_the_admin_password_reaches_airflow_init_only():
    dotenv = {**example_variables(), "AIRFLOW_ADMIN_PASSWORD": "admin-pw-7f3a9c1e"}
    spec = compose.load(dotenv)
    for name, service in services(spec).items():
        env = effective_environment(service, dotenv)
        holders = sorted(key for key, value in env.items() if "admin-pw-7f3a9c1e" in value)
        if name == "airflow-init":
            assert holders == ["AIRFLOW_ADMIN_PASSWORD"], holders
        else:
            assert holders == [], f"{name} gets the admin password in {holders}"
    init = services(spec)["airflow-init"]["command"][1]
    assert 'os.environ["AIRFLOW_ADMIN_PASSWORD"]' in init, "airflow-init writes the password file from it"


def test_the_receiver_has_a_login_of_its_own_that_may_only_trigger_runs():
    dotenv = {**example_variables(), "AIRFLOW_WEBHOOKS_PASSWORD": "hooks-pw-2b8e4d17"}
    spec = compose.load(dotenv)
    receiver = services(spec)[RECEIVER]
    assert compose.command_text(receiver) == RECEIVER_COMMAND
    assert receiver.get("restart") == "always"
    env = compose.environment(receiver)
    assert urlsplit(env["LIGHTSPEED_AFAS_AIRFLOW_URL"]).hostname == "airflow-apiserver"
    assert env["LIGHTSPEED_AFAS_AIRFLOW_USERNAME"] == "webhooks"
    # SimpleAuthManager's role `user` may trigger DAG runs; it is not an admin or op.
    users = dict(pair.split(":") for pair in env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(","))
    assert users == {"admin": "admin", "webhooks": "user"}
    for name, service in services(spec).items():
        holders = sorted(
            k for k, v in effective_environment(service, dotenv).items() if "hooks-pw-2b8e4d17" in v
        )
        expected = {
            "airflow-init": ["AIRFLOW_WEBHOOKS_PASSWORD"],
            RECEIVER: ["LIGHTSPEED_AFAS_AIRFLOW_PASSWORD"],
        }.get(name, [])
        assert holders == expected, f"{name} gets the webhooks password in {holders}"
    init = services(spec)["airflow-init"]["command"][1]
    assert '"webhooks": os.environ["AIRFLOW_WEBHOOKS_PASSWORD"]' in init
    # It publishes its own port only: neither the UI nor the API is reachable through it.
    assert [container for _, _, container in published(receiver)] == ["8090"]


def test_readme_running_it_for_real_says_what_the_compose_file_does():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running it for real", 1)[1].split("\n## ", 1)[0]
    for fact in (
        "http://127.0.0.1:8080",
        "AIRFLOW_API_BIND",
        "AIRFLOW_AUTH_MANAGER",
        "FabAuthManager",
        "AIRFLOW__CORE__TEST_CONNECTION",
        "--proxy-headers",
        "AIRFLOW__API__BASE_URL",
    ):
        assert fact in section, f"README 'Running it for real' does not mention {fact}"
    raw = json.dumps(compose.load_raw())
    assert "AIRFLOW_AUTH_MANAGER:-airflow.api_fastapi.auth.managers.simple" in raw


# -- make compose-test: the stand-in images and the compose files only it uses -------------------------

DOCKER = REPO / "docker"


def test_the_standins_override_swaps_the_two_registry_images_and_nothing_else():
    """docker/compose.standins.yaml runs postgres and redis on images built from Debian packages; their
    commands, environment, volumes and health checks stay docker-compose.yaml's."""
    override = yaml.safe_load((DOCKER / "compose.standins.yaml").read_text(encoding="utf-8"))
    assert set(override) == {"services"}
    assert set(override["services"]) == {"postgres", "redis"}
    for name, service in override["services"].items():
        assert set(service) == {"image"}, f"the override changes {set(service) - {'image'}} of {name}"
        assert service["image"].startswith("lightspeed-afas-standin/"), name
    build = (DOCKER / "build_images.sh").read_text(encoding="utf-8")
    assert f"POSTGRES_IMAGE={override['services']['postgres']['image']}\n" in build
    assert f"REDIS_IMAGE={override['services']['redis']['image']}\n" in build


def test_the_test_tenants_file_only_adds_emulators_on_loopback():
    """docker/compose.tenants.yaml adds a shop and an AFAS environment per extra tenant, with the
    emulators profile, and changes no service of docker-compose.yaml."""
    raw = yaml.safe_load((DOCKER / "compose.tenants.yaml").read_text(encoding="utf-8"))
    ports = {name: "20000" for name, op in compose.variable_references(raw) if op == ":?"}
    assert ports and all(name.endswith("_PORT") for name in ports), "only the ports are required"
    extra = compose.interpolate(raw, ports)["services"]
    spec = compose.load(example_variables())
    assert extra and not set(extra) & set(services(spec)), "it may add services, never change one"
    for name, service in extra.items():
        assert service["profiles"] == ["emulators"], name
        assert service["image"] == services(spec)["lightspeed-emulator"]["image"], name
        assert service["working_dir"] == services(spec)["lightspeed-emulator"]["working_dir"], name
        module = "emulators.lightspeed" if name.startswith("lightspeed-") else "emulators.afas"
        assert service["command"][:3] == ["python", "-m", module], name
        port = service["command"][service["command"].index("--port") + 1]
        assert published(service) == [("127.0.0.1", "20000", port)], name
        assert f"localhost:{port}/" in " ".join(service["healthcheck"]["test"]), name


def test_the_standin_entrypoint_runs_every_airflow_subcommand_through_airflow():
    """The stand-in base's /entrypoint sends an Airflow subcommand to `airflow` and executes anything
    else, as docker-compose.yaml's `command: api-server` / `command: celery worker` need."""
    import argparse

    from airflow.cli import cli_parser

    script = (DOCKER / "airflow-base" / "entrypoint").read_text(encoding="utf-8")
    listed = set(re.search(r"AIRFLOW_SUBCOMMANDS=\((.*?)\)", script, re.S).group(1).split())
    for command in AIRFLOW_COMMANDS.values():
        assert command.split()[0] in listed, command
    parser = cli_parser.get_parser()
    [subcommands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert listed == set(subcommands.choices), (
        "docker/airflow-base/entrypoint lists `airflow --help`'s commands"
    )
    base = (DOCKER / "airflow-base" / "Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["/usr/bin/dumb-init", "--", "/entrypoint"]' in base
    assert "--uid 50000 --gid 0" in base and "AIRFLOW_HOME=/opt/airflow" in base


def test_the_standin_root_pins_its_debian_packages_and_has_what_the_health_checks_call():
    pins = dict(
        line.split("=", 1)
        for line in (DOCKER / "debian-packages.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert all(version for version in pins.values()), pins
    # python3.11 (the image's Python), dumb-init (the entrypoints), curl (the Airflow and emulator health
    # checks), postgresql-15 (pg_isready), redis-tools (redis-cli ping).
    assert {
        "python3.11",
        "python3.11-venv",
        "dumb-init",
        "curl",
        "postgresql-15",
        "redis-server",
        "redis-tools",
    } <= set(pins)
    assert "PATH=/usr/lib/postgresql/15/bin:" in (DOCKER / "postgres" / "Dockerfile").read_text(
        encoding="utf-8"
    )


def test_the_compose_test_keeps_its_build_artefacts_out_of_our_build_context():
    """The debootstrap root and the wheelhouse (under .cache/compose-test/) and docker/ never reach our
    image's build context, and git ignores the artefacts."""
    for path in (
        ".cache/compose-test/rootfs/etc/passwd",
        ".cache/compose-test/wheelhouse/redis-6.4.0-py3-none-any.whl",
        "docker/compose.standins.yaml",
        "test-artifacts/compose-test/compose.log",
    ):
        assert not dockerignore_allows(path), f"{path} would be in the build context"
    ignored = subprocess.run(
        ["git", "check-ignore", ".cache/compose-test/rootfs", "test-artifacts/compose-test/compose.log"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert ignored == [".cache/compose-test/rootfs", "test-artifacts/compose-test/compose.log"]


def test_demo_setup_unpauses_the_demo_dag_only_once_it_exists(spec):
    """`airflow dags unpause` exits 0 when the DAG is not in the database yet, so demo-setup waits for
    `airflow dags details` to find it first (make compose-test caught the demo DAG left paused)."""
    script = services(spec)["demo-setup"]["command"][1]
    loop = script[script.index("for _ in") :]
    assert loop.index("airflow dags details lightspeed_afas_demo") < loop.index("airflow dags unpause")
    assert "if airflow dags unpause" not in script
