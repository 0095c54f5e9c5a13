"""What a DAG run is asked to do, from its type, data interval and trigger params.

Modes:

- ``scheduled``: a scheduled run, or a manual run without params. Window = the run's data interval (a manual
  run without a data interval, which Airflow 3 allows, gets the last complete schedule interval ending at
  the run's start). The pipeline extracts from its own watermark up to the window end, so missed windows
  are covered.
- ``backfill``: a run created by ``airflow backfill create``; window = its data interval, exactly.
- ``range``: a manual run with ``since`` (and optionally ``until``, default: the run's start).
- ``orders``: a manual run with ``order_numbers``: exactly these orders, whatever their dates (at most
  ``MAX_ORDER_NUMBERS`` different ones; repeats are dropped).
- a run the webhook receiver triggered (conf ``{"source": "webhook"}``) is ``scheduled``: from the
  watermark up to the moment the run starts (not the end of the last interval), so the order whose
  webhook rang is in its window.

``dry_run`` (any mode) transforms and shows the AFAS payloads without writing. Times come back as aware UTC.
A naive ``since``/``until`` (the trigger form may send one) is read in the tenant's time zone.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from croniter import croniter

from lightspeed_afas.flows.request import RunMode, RunRequest

if TYPE_CHECKING:
    from lightspeed_afas.flows.articles.settings import ArticleRequest
    from lightspeed_afas.flows.stock.settings import StockRequest
from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure

# The most order numbers one run re-syncs (the dashboard's re-sync too). Each costs Lightspeed calls
# from the key's daily budget; larger re-syncs go by date range (since/until).
MAX_ORDER_NUMBERS = 500

T = TypeVar("T", bound=Hashable)


class InvalidRunParamsError(ExpectedTaskFailure):
    """The trigger params contradict each other; retrying cannot help, so the task fails at once."""


def _utc(value: datetime) -> datetime:
    # pendulum DateTime → plain aware datetime in UTC (same instant).
    return datetime.fromtimestamp(value.timestamp(), UTC)


def _parse_time(name: str, value: Any, zone: ZoneInfo) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidRunParamsError(
                f"{name} {value!r} is not a date-time like 2026-11-01T00:00:00+01:00"
            ) from None
    else:
        raise InvalidRunParamsError(f"{name} must be a date-time text, got {type(value).__name__}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return _utc(parsed)


def first_occurrences(items: Iterable[T]) -> list[T]:
    """``items`` without repeats, in the order they first appear (one hash look-up per item)."""
    return list(dict.fromkeys(items))


def _order_numbers(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise InvalidRunParamsError("order_numbers must be a list of order numbers")
    numbers = first_occurrences(text for text in (str(item).strip() for item in value) if text)
    if len(numbers) > MAX_ORDER_NUMBERS:
        raise InvalidRunParamsError(
            f"order_numbers holds {len(numbers):,} different order numbers; one run re-syncs at most "
            f"{MAX_ORDER_NUMBERS} (each costs Lightspeed calls from the API key's daily budget). Trigger "
            "several runs of at most that many, or re-sync the period with since/until instead."
        )
    return tuple(numbers)


def last_complete_interval(schedule: str, timezone: str, moment: datetime) -> tuple[datetime, datetime]:
    """The last whole schedule interval ending at or before ``moment`` (cron read in ``timezone``)."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    end = croniter(schedule, local).get_prev(datetime)
    if croniter.match(schedule, local) and local.second == 0 and local.microsecond == 0:
        end = local
    start = croniter(schedule, end).get_prev(datetime)
    return _utc(start), _utc(end)


def resolve_run_window(context: Mapping[str, Any], tenant: Any) -> RunRequest:
    """The RunRequest for this task's run; InvalidRunParamsError for contradictory params.

    ``tenant`` is a ``TenantConfig`` (or anything with ``.config`` holding one): its schedule and time zone
    decide the interval of a manual run without a data interval.
    """
    config = getattr(tenant, "config", tenant)
    zone = ZoneInfo(config.timezone)
    params = context.get("params") or {}
    dag_run = context.get("dag_run")
    run_id = str(context.get("run_id") or getattr(dag_run, "run_id", "") or "")
    run_type = str(
        getattr(getattr(dag_run, "run_type", None), "value", getattr(dag_run, "run_type", "")) or ""
    )

    since = _parse_time("since", params.get("since"), zone)
    until = _parse_time("until", params.get("until"), zone)
    numbers = _order_numbers(params.get("order_numbers"))
    dry_run = bool(params.get("dry_run", False))

    if until is not None and since is None:
        raise InvalidRunParamsError("until without since: give since as well (until alone is not a range)")
    if numbers and since is not None:
        raise InvalidRunParamsError("order_numbers and since exclude each other: give one or the other")
    if numbers:
        return RunRequest(run_id, RunMode.ORDERS, None, None, numbers, dry_run)

    run_start = _run_start(context, dag_run)
    if since is None and _from_webhook(context, dag_run):
        # The receiver's run: from the watermark up to this moment, so the order that rang is in it.
        return RunRequest(run_id, RunMode.SCHEDULED, None, run_start, (), dry_run)
    if since is not None:
        end = until if until is not None else run_start
        if since >= end:
            raise InvalidRunParamsError(
                f"since ({since.isoformat()}) must be before until ({end.isoformat()})"
            )
        return RunRequest(run_id, RunMode.RANGE, since, end, (), dry_run)

    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    mode = RunMode.BACKFILL if run_type == "backfill" else RunMode.SCHEDULED
    if start is not None and end is not None and start < end:
        return RunRequest(run_id, mode, _utc(start), _utc(end), (), dry_run)
    # A manual (or asset-triggered) run without a data interval: the last complete interval.
    window_start, window_end = last_complete_interval(config.schedule, config.timezone, run_start)
    return RunRequest(run_id, mode, window_start, window_end, (), dry_run)


def _from_webhook(context: Mapping[str, Any], dag_run: Any) -> bool:
    conf = getattr(dag_run, "conf", None) or {}
    params = context.get("params") or {}
    return (conf.get("source") if isinstance(conf, dict) else None) == "webhook" or params.get(
        "source"
    ) == "webhook"


def _run_start(context: Mapping[str, Any], dag_run: Any) -> datetime:
    for value in (
        getattr(dag_run, "run_after", None),
        getattr(dag_run, "start_date", None),
        context.get("ts"),
    ):
        if isinstance(value, datetime):
            return _utc(value)
        if isinstance(value, str) and value:
            return _utc(datetime.fromisoformat(value))
    raise InvalidRunParamsError("the run has no start time to take a window from")


def resolve_run_request(context: Mapping[str, Any], tenant: Any = None) -> RunRequest:
    """``resolve_run_window`` for a task context; the tenant is found from the DAG id when not given."""
    if tenant is None:
        from lightspeed_afas.config import load_tenant
        from lightspeed_afas.config.dag_ids import tenant_of_dag

        dag_id = str(
            getattr(context.get("dag"), "dag_id", "") or getattr(context.get("dag_run"), "dag_id", "")
        )
        tenant_id = tenant_of_dag(dag_id)
        if tenant_id is None:
            raise ValueError(f"{dag_id!r} is not a tenant DAG (lightspeed_afas_<tenant>)")
        tenant = load_tenant(tenant_id)
    return resolve_run_window(context, tenant)


def stock_request(context: Mapping[str, Any]) -> StockRequest:
    """The stock flow's request: run id, mode, and the manual trigger's dry_run / full_comparison."""
    from lightspeed_afas.flows.stock.settings import StockRequest

    params = context.get("params") or {}
    dag_run = context.get("dag_run")
    run_id = str(context.get("run_id") or getattr(dag_run, "run_id", "") or "")
    run_type = str(
        getattr(getattr(dag_run, "run_type", None), "value", getattr(dag_run, "run_type", "")) or ""
    )
    mode = {"scheduled": "scheduled", "backfill": "backfill"}.get(run_type, "manual")
    return StockRequest(
        run_id,
        mode,
        dry_run=bool(params.get("dry_run", False)),
        full_comparison=bool(params.get("full_comparison", False)),
        resume=bool(params.get("resume", False)),
    )


def article_request(context: Mapping[str, Any]) -> ArticleRequest:
    """The articles flow's request: run id, mode, and the manual trigger's dry_run / full_comparison."""
    from lightspeed_afas.flows.articles.settings import ArticleRequest

    stock = stock_request(context)
    return ArticleRequest(
        stock.run_id, stock.mode, dry_run=stock.dry_run, full_comparison=stock.full_comparison
    )


def record_request(context: Mapping[str, Any], tenant: Any, schedule: str) -> RunRequest:
    """The request of a customers or credit-notes run: its window from the data interval or the
    trigger's since/until (``resolve_run_window``, the block's ``schedule``), and dry_run."""
    from types import SimpleNamespace

    config = getattr(tenant, "config", tenant)
    params = context.get("params") or {}
    if params.get("order_numbers"):
        raise InvalidRunParamsError(
            "order_numbers is a parameter of the orders DAG; this flow re-reads a period with since/until"
        )
    return resolve_run_window(context, SimpleNamespace(schedule=schedule, timezone=config.timezone))
