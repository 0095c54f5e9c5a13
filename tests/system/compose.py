"""docker-compose.yaml read the way Docker Compose reads it — anchors, merge keys, ``${…}`` interpolation —
for tests that have no Docker engine."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yaml"
ENV_EXAMPLE = REPO / ".env.example"

# The services of Airflow's official Airflow 3 compose file (CeleryExecutor) and the command each runs.
AIRFLOW_COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-worker": "celery worker",
    "airflow-triggerer": "triggerer",
}
LONG_RUNNING = tuple(AIRFLOW_COMMANDS)
OFFICIAL_SERVICES = ("postgres", "redis", *LONG_RUNNING, "airflow-init")
EMULATOR_SERVICES = ("lightspeed-emulator", "afas-emulator")
# Ours, beside the official ones: Lightspeed's webhooks in, DAG runs out through the REST API.
RECEIVER = "webhook-receiver"
RECEIVER_COMMAND = "python -m lightspeed_afas webhooks serve --host 0.0.0.0 --port 8090"

# Settings that every Airflow container must share, or tasks fail (token signature, log fetching,
# connection decryption, which broker/DB/API they talk to).
MUST_MATCH = (
    "AIRFLOW__CORE__EXECUTOR",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CORE__XCOM_BACKEND",
    "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH",
    "LIGHTSPEED_AFAS_INCLUDE_DIR",
    "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER",
)


class MissingVariableError(ValueError):
    """A ``${NAME:?message}`` whose variable is unset (Compose refuses to start)."""


_REFERENCE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|-|:\?|\?)(?P<arg>.*))?", re.S)


def interpolate_text(text: str, variables: Mapping[str, str]) -> str:
    """Compose's interpolation: ``$$``, ``$NAME``, ``${NAME}``, ``${NAME:-default}``, ``${NAME-default}``,
    ``${NAME:?error}``, ``${NAME?error}``."""

    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        if match.group("named"):
            return variables.get(match.group("named"), "")
        parts = _BRACED.fullmatch(match.group("braced"))
        if parts is None:
            raise ValueError(f"invalid interpolation {match.group(0)!r}")
        name, op, arg = parts.group("name"), parts.group("op"), parts.group("arg")
        value = variables.get(name)
        if op is None:
            return value or ""
        if op == ":-":
            return value if value else interpolate_text(arg, variables)
        if op == "-":
            return value if value is not None else interpolate_text(arg, variables)
        if (op == ":?" and not value) or (op == "?" and value is None):
            raise MissingVariableError(f"{name}: {arg}")
        return value or ""

    return _REFERENCE.sub(substitute, text)


def interpolate(node: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate_text(node, variables)
    if isinstance(node, dict):
        return {key: interpolate(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, variables) for value in node]
    return node


def variable_references(node: Any) -> list[tuple[str, str | None]]:
    """Every ``${NAME…}`` / ``$NAME`` in the file as (name, operator), ``$$`` excluded."""
    found: list[tuple[str, str | None]] = []
    if isinstance(node, str):
        for match in _REFERENCE.finditer(node):
            if match.group("named"):
                found.append((match.group("named"), None))
            elif match.group("braced") is not None:
                parts = _BRACED.fullmatch(match.group("braced"))
                assert parts is not None, match.group(0)
                found.append((parts.group("name"), parts.group("op")))
    elif isinstance(node, dict):
        for value in node.values():
            found.extend(variable_references(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(variable_references(value))
    return found


def load_raw() -> dict[str, Any]:
    """The file as YAML (anchors and ``<<`` merges resolved), before interpolation."""
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def env_example() -> dict[str, str]:
    """The KEY=VALUE lines of .env.example (comments and commented-out examples skipped)."""
    out: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        out[key.strip()] = value.strip()
    return out


def load(variables: Mapping[str, str]) -> dict[str, Any]:
    """The file interpolated with ``variables`` (what ``docker compose config`` would show)."""
    return interpolate(load_raw(), variables)


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's ``environment`` as a dict (Compose accepts a mapping or a list of KEY=VALUE)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def command_text(service: Mapping[str, Any]) -> str:
    command = service.get("command", "")
    return command if isinstance(command, str) else " ".join(str(part) for part in command)
