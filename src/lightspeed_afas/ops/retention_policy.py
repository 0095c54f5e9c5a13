"""The retention limits and the policy read from Airflow's configuration (section ``[lightspeed_afas]``).

A value outside its limits is clamped to the limit, with a note for the task log: nothing inside a
retention period is ever deleted, whatever the configuration says. ``ops.retention`` applies the policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

SECTION = "lightspeed_afas"


@dataclass(frozen=True)
class Limit:
    key: str
    default: int
    floor: int
    ceiling: int | None
    unit: str


LIMITS = {
    "basic_log_retention_days": Limit("basic_log_retention_days", 400, 365, None, "days"),
    "detail_log_days": Limit("detail_log_days", 14, 1, 14, "days"),
    "task_log_retention_days": Limit("task_log_retention_days", 14, 1, None, "days"),
    "staged_data_retention_hours": Limit("staged_data_retention_hours", 24, 6, None, "hours"),
}


class RetentionConfigError(ValueError):
    """A retention setting that is not a whole number."""


@dataclass(frozen=True)
class RetentionPolicy:
    basic_log_days: int = 400
    task_log_days: int = 14
    staged_hours: int = 24
    detail_days_by_tenant: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what was clamped, for the task log

    def detail_days(self, tenant: str) -> int:
        return clamp(LIMITS["detail_log_days"], self.detail_days_by_tenant.get(tenant, 14))[0]


def clamp(limit: Limit, value: int) -> tuple[int, str | None]:
    """The value within the limit's floor and ceiling, and a note when it had to move."""
    if value < limit.floor:
        return limit.floor, (
            f"{limit.key} = {value} is below its floor; using {limit.floor} {limit.unit} "
            "(nothing inside that period is deleted)"
        )
    if limit.ceiling is not None and value > limit.ceiling:
        return (
            limit.ceiling,
            f"{limit.key} = {value} is above its ceiling; using {limit.ceiling} {limit.unit}",
        )
    return value, None


def setting(key: str, get: Callable[[str, str], str | None]) -> tuple[int, str | None]:
    """One setting read through ``get(section, key)`` (None when unset), clamped to its limits."""
    limit = LIMITS[key]
    raw = get(SECTION, key)
    if raw is None or str(raw).strip() == "":
        return limit.default, None
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise RetentionConfigError(
            f"[{SECTION}] {key} = {raw!r} is not a whole number of {limit.unit} "
            f"(environment: AIRFLOW__{SECTION.upper()}__{key.upper()})"
        ) from None
    return clamp(limit, value)


def airflow_setting(section: str, key: str) -> str | None:
    from airflow.sdk.configuration import conf

    return conf.get(section, key, fallback=None)


def policy(
    detail_days_by_tenant: dict[str, int], get: Callable[[str, str], str | None] = airflow_setting
) -> RetentionPolicy:
    """The retention policy from Airflow's configuration and the tenants' ``detail_log_days``."""
    notes: list[str] = []
    values: dict[str, int] = {}
    for key in ("basic_log_retention_days", "task_log_retention_days", "staged_data_retention_hours"):
        values[key], note = setting(key, get)
        if note:
            notes.append(note)
    detail: dict[str, int] = {}
    for tenant, days in detail_days_by_tenant.items():
        detail[tenant], note = clamp(LIMITS["detail_log_days"], days)
        if note:
            notes.append(f"tenant {tenant}: {note}")
    return RetentionPolicy(
        basic_log_days=values["basic_log_retention_days"],
        task_log_days=values["task_log_retention_days"],
        staged_hours=values["staged_data_retention_hours"],
        detail_days_by_tenant=detail,
        notes=tuple(notes),
    )
