"""The four steps of a tenant's run. Each takes the previous step's output and returns a JSON-safe dict.

Airflow wiring lives in ``lightspeed_afas.orchestration.entry``; these functions only need settings, a
ledger and the two hooks, so tests can drive them directly too.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lightspeed_afas.afas.reasons import with_sent_values
from lightspeed_afas.domain.booking import BookingError, build_document
from lightspeed_afas.domain.relations import RelationError, new_relation, relation_key
from lightspeed_afas.domain.webshop_order import WebshopOrder
from lightspeed_afas.flows.orders import afas_side
from lightspeed_afas.flows.orders.afas_side import AfasOrder
from lightspeed_afas.flows.orders.extract import (
    BOOKED,
    Extracted,
    find_by_numbers,
    retry_candidates,
    scan_window,
    select_and_fetch,
)
from lightspeed_afas.flows.orders.run_report import text_table
from lightspeed_afas.flows.orders.settings import SyncSettings
from lightspeed_afas.flows.request import RunRequest
from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.detail import for_order
from lightspeed_afas.hooks.errors import (
    AfasAmbiguousWriteError,
    AfasValidationError,
    LightspeedBudgetExhaustedError,
    without_values,
)
from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook
from lightspeed_afas.ledger import Ledger, OrderOutcome

log = logging.getLogger(__name__)

LEASE_TTL = timedelta(minutes=30)
DRY_RUN_DEBTOR = "(new)"  # stands in for the debtor number a dry run did not create


class LeaseHeldError(RuntimeError):
    """Another run of this tenant is writing to AFAS right now; this task retries later."""


@dataclass
class Hooks:
    lightspeed: LightspeedEcomHook
    afas: AfasProfitHook


# -- extract_orders ---------------------------------------------------------------------------------


def effective_window(
    settings: SyncSettings, request: RunRequest, watermark: datetime | None
) -> tuple[datetime, datetime]:
    """The window actually scanned: overlapped, and for scheduled runs continued from the watermark."""
    now = datetime.now(UTC)
    end = min(request.window_end or now, now)
    if request.mode == "scheduled":
        # The first run reaches back to the tenant's start date; later ones continue from the watermark,
        # so a run after downtime covers every missed window.
        start = watermark or settings.start_date
        if request.window_start is not None and watermark is not None:
            start = min(start, request.window_start)
        return start - settings.overlap, end
    start = request.window_start or settings.start_date
    return start - settings.overlap if request.mode == "backfill" else start, end


def extract_orders(
    settings: SyncSettings, request: RunRequest, ledger: Ledger, hooks: Hooks
) -> dict[str, Any]:
    result = Extracted()
    run_pk = ledger.start_run(
        settings.tenant, request.run_id, request.mode, request.window_start, request.window_end
    )
    window: tuple[datetime, datetime] | None = None
    now = settings.clock()
    try:
        if request.mode == "orders":
            candidates = find_by_numbers(hooks.lightspeed, list(request.order_numbers), result)
        else:
            window = effective_window(settings, request, ledger.watermark(settings.tenant))
            log.info(
                "Reading orders changed from %s to %s (UTC).", window[0].isoformat(), window[1].isoformat()
            )
            candidates = scan_window(hooks.lightspeed, window[0], window[1], result)
        result.count("seen", len(candidates))
        for state in (
            retry_candidates(ledger, settings.tenant, set(candidates), now)
            if request.mode != "orders"
            else []
        ):
            candidates[state.order_id] = {"id": state.order_id, "number": state.order_number}
            result.count("retrying")
        select_and_fetch(
            hooks.lightspeed,
            ledger,
            settings.tenant,
            candidates,
            settings.eligibility,
            forced=request.mode == "orders",
            result=result,
            now=now,
        )
    except LightspeedBudgetExhaustedError as exc:
        result.complete = False
        result.stopped_because = str(exc)
    if not result.complete:
        log.warning("Extraction stopped early: %s", result.stopped_because)
    log.info(
        "extract_orders: %s",
        ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items())) or "nothing in the window",
    )
    return {
        "run_pk": run_pk,
        "window": [w.isoformat() for w in window] if window else None,
        "complete": result.complete,
        "stopped_because": result.stopped_because,
        "to_book": result.to_book,
        "outcomes": [o.__dict__ for o in result.outcomes],
        "counts": result.counts,
        "requested": result.requested,
    }


# -- resolve_relations ------------------------------------------------------------------------------


def resolve_relations(
    settings: SyncSettings, request: RunRequest, ledger: Ledger, hooks: Hooks, extracted: dict[str, Any]
) -> dict[str, Any]:
    """Find the AFAS order of each webshop order and the debtor of each new one; create missing debtors."""
    orders = [WebshopOrder.from_json(item["order"]) for item in extracted["to_book"]]
    verifying = {
        str(o.id) for o, item in zip(orders, extracted["to_book"], strict=True) if item["intent"] == "verify"
    }
    if not orders:
        return {"afas_orders": {}, "debtors": {}, "failures": {}, "settled": {}, "relations_created": 0}
    take_lease(ledger, settings.tenant, request.run_id)
    # This run may have waited for the lease while an overlapping run booked the same orders: what the
    # ledger now holds at this very version is settled, not sent again.
    settled = _settled_meanwhile(ledger, settings.tenant, orders, request.mode == "orders")
    orders = [o for o in orders if str(o.id) not in settled]
    found = afas_side.find_orders_by_reference(hooks.afas, settings.lookups, [o.number for o in orders])
    failures: dict[str, dict[str, Any]] = {}
    afas_orders: dict[str, dict[str, Any]] = {}
    to_update: list[AfasOrder] = []
    needs_debtor: list[WebshopOrder] = []
    for order in orders:
        matches = found.get(order.number, [])
        if len(matches) > 1:
            numbers = ", ".join(m.order_number for m in matches)
            failures[str(order.id)] = {
                "reason": f"AFAS holds {len(matches)} orders with reference {order.number} ({numbers}); remove the extra ones"
            }
        elif matches:
            afas_orders[str(order.id)] = matches[0].as_dict()
            if str(order.id) not in verifying:  # nothing is sent for those: no line GUIDs needed
                to_update.append(matches[0])
        elif order.status != "cancelled":
            try:  # an order that cannot be booked gets no relation created for it
                build_document(order, DRY_RUN_DEBTOR, settings.rules)
            except BookingError as exc:
                failures[str(order.id)] = {"reason": str(exc)}
                continue
            needs_debtor.append(order)
    if settings.rules.document == "sales_order":
        afas_side.attach_line_guids(hooks.afas, settings.lookups, to_update)
        afas_orders = {
            k: next((o.as_dict() for o in to_update if o.order_number == v["order_number"]), v)
            for k, v in afas_orders.items()
        }
    debtors, created = _resolve_debtors(settings, hooks, needs_debtor, failures, request.dry_run)
    log.info(
        "resolve_relations: %d orders already in AFAS, %d need a debtor (%d relations created), %d failed%s",
        len(afas_orders),
        len(needs_debtor),
        created,
        len(failures),
        f", {len(settled)} booked by an overlapping run meanwhile" if settled else "",
    )
    return {
        "afas_orders": afas_orders,
        "debtors": debtors,
        "failures": failures,
        "settled": settled,
        "relations_created": created,
    }


def _settled_meanwhile(
    ledger: Ledger, tenant: str, orders: list[WebshopOrder], forced: bool
) -> dict[str, dict[str, Any]]:
    if forced:  # a re-sync of named orders books them whatever the ledger says
        return {}
    states = ledger.order_states(tenant, [o.id for o in orders])
    settled: dict[str, dict[str, Any]] = {}
    for order in orders:
        state = states.get(order.id)
        if state and state.status in BOOKED and state.updated_at == order.updated_at_raw:
            settled[str(order.id)] = {
                "reason": "booked by an overlapping run while this one waited",
                "afas_order_number": state.afas_order_number,
                "debtor_id": state.debtor_id,
            }
    return settled


def _resolve_debtors(
    settings: SyncSettings,
    hooks: Hooks,
    orders: list[WebshopOrder],
    failures: dict[str, dict[str, Any]],
    dry_run: bool = False,
) -> tuple[dict[str, str], int]:
    debtors: dict[str, str] = {}
    by_email: dict[str, list[WebshopOrder]] = {}
    for order in orders:
        if order.is_guest and settings.guest_debtor:
            debtors[str(order.id)] = settings.guest_debtor
            continue
        try:
            by_email.setdefault(relation_key(order), []).append(order)
        except RelationError as exc:
            failures[str(order.id)] = {"reason": str(exc)}
    found, problems = afas_side.find_debtors_by_email(
        hooks.afas, settings.lookups, by_email, settings.duplicate_debtors
    )
    created = 0
    for email, group in sorted(by_email.items()):
        if email in problems:
            for order in group:
                failures[str(order.id)] = {"reason": problems[email]}
            continue
        debtor = found.get(email)
        if debtor is None:
            first = min(group, key=lambda o: o.created_at)  # the first order's details make the relation
            try:
                relation = new_relation(first, settings.countries, settings.relation_defaults)
                if dry_run:
                    log.info("DRY RUN would create %s: %s", relation.connector, relation.insert_payload())
                    for order in group:
                        debtors[str(order.id)] = DRY_RUN_DEBTOR
                    continue
                with for_order(first.number):
                    debtor = afas_side.create_relation(
                        hooks.afas, settings.lookups, email, relation, settings.duplicate_debtors
                    )
                created += 1
            except RelationError as exc:
                for order in group:
                    failures[str(order.id)] = {"reason": f"sales relation: {exc}"}
                continue
        for order in group:
            debtors[str(order.id)] = debtor
    return debtors, created


# -- transform --------------------------------------------------------------------------------------


def transform(
    settings: SyncSettings, request: RunRequest, extracted: dict[str, Any], resolved: dict[str, Any]
) -> dict[str, Any]:
    """One operation per order: insert, update, delete or skip, with its exact AFAS payload."""
    operations: list[dict[str, Any]] = []
    for item in extracted["to_book"]:
        order = WebshopOrder.from_json(item["order"])
        key = str(order.id)
        base = {
            "order_id": order.id,
            "number": order.number,
            "updated_at": order.updated_at_raw,
            "hash": item["hash"],
        }
        if key in resolved["failures"]:
            operations.append({**base, "op": "fail", **resolved["failures"][key]})
            continue
        if key in resolved.get("settled", {}):
            operations.append({**base, "op": "settled", **resolved["settled"][key]})
            continue
        existing = resolved["afas_orders"].get(key)
        if existing is not None and item["intent"] == "verify":
            operations.append({**base, **_verified(existing)})
            continue
        operations.append({**base, **_operation(settings, order, existing, resolved["debtors"].get(key))})
    counts: dict[str, int] = {}
    for op in operations:
        counts[op["op"]] = counts.get(op["op"], 0) + 1
    log.info("transform: %s", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to book")
    if request.dry_run:
        for op in operations:
            log.info(
                "DRY RUN %s %s %s: %s",
                op["op"],
                op["number"],
                op.get("connector", ""),
                op.get("payload") or op.get("reason"),
            )
    return {"operations": operations}


def _verified(existing: dict[str, Any]) -> dict[str, Any]:
    """A re-sync of an order booked at this very content, and AFAS still holds it: nothing to send."""
    return {
        "op": "unchanged",
        "reason": f"already booked as AFAS order {existing['order_number']}, unchanged since; nothing sent",
        "afas_order_number": existing["order_number"],
        "debtor_id": existing["debtor_id"],
    }


def _operation(
    settings: SyncSettings, order: WebshopOrder, existing: dict[str, Any] | None, debtor: str | None
) -> dict[str, Any]:
    rules = settings.rules
    if existing is not None:
        afas = {"afas_order_number": existing["order_number"], "debtor_id": existing["debtor_id"]}
        if order.status == "cancelled":
            if settings.cancelled_orders == "delete_if_open" and not _processed(settings, existing):
                return {"op": "delete", "connector": rules.connector, **afas}
            why = (
                "AFAS already processed it"
                if settings.cancelled_orders == "delete_if_open"
                else "policy is ignore"
            )
            return {"op": "skip", "reason": f"cancelled in the webshop; left in AFAS ({why})", **afas}
        if rules.document == "direct_invoice":
            return {"op": "skip", "reason": "already invoiced in AFAS (direct invoices are final)", **afas}
        if _processed(settings, existing):
            return {
                "op": "skip",
                "reason": f"AFAS already processed it (status {existing['status']!r}); AFAS is leading",
                **afas,
            }
        try:
            document = build_document(order, existing["debtor_id"] or "", rules)
        except BookingError as exc:
            return {"op": "fail", "reason": str(exc), **afas}
        return {
            "op": "update",
            "connector": rules.connector,
            "payload": document.update_payload(existing["order_number"], existing["line_guids"]),
            **afas,
        }
    if order.status == "cancelled":
        return {"op": "skip", "reason": "cancelled in the webshop and not in AFAS"}
    if debtor is None:
        return {"op": "fail", "reason": "no debtor was resolved for the order"}
    try:
        document = build_document(order, debtor, rules)
    except BookingError as exc:
        return {"op": "fail", "reason": str(exc), "debtor_id": debtor}
    return {
        "op": "insert",
        "connector": rules.connector,
        "payload": document.insert_payload(),
        "debtor_id": debtor,
    }


def _processed(settings: SyncSettings, existing: dict[str, Any]) -> bool:
    status = (existing.get("status") or "").strip().lower()
    return status in {s.lower() for s in settings.processed_statuses}


# -- load_to_afas -----------------------------------------------------------------------------------


def load_to_afas(
    settings: SyncSettings,
    request: RunRequest,
    ledger: Ledger,
    hooks: Hooks,
    extracted: dict[str, Any],
    transformed: dict[str, Any],
) -> list[OrderOutcome]:
    """Write every operation, record each outcome as it lands; returns the outcomes as stored.

    A dry run writes nothing, to AFAS or to the ledger's order state, and returns extract's outcomes
    unrecorded."""
    decided = [OrderOutcome(**o) for o in extracted["outcomes"]]
    operations = transformed["operations"]
    if request.dry_run:
        log_dry_run(operations, decided)
        return decided
    stored = ledger.record(
        settings.tenant, request.run_id, decided, settings.max_attempts, at=settings.clock()
    )
    if any(op["op"] in ("insert", "update", "delete") for op in operations):
        take_lease(ledger, settings.tenant, request.run_id)
        _recheck_inserts(settings, hooks, operations)

    def run(op: dict[str, Any]) -> OrderOutcome:
        with for_order(op["number"]):
            outcome = _apply(settings, hooks, op)
        return ledger.record(
            settings.tenant, request.run_id, [outcome], settings.max_attempts, at=settings.clock()
        )[0]

    with ThreadPoolExecutor(max_workers=max(1, settings.max_parallel_calls)) as pool:
        stored += list(pool.map(run, operations))
    return stored


DRY_RUN_WHERE = (
    "The exact AFAS payloads are in this run's log of the task transform (lines 'DRY RUN insert|update|"
    "delete <order> <connector>: <payload>'); relations it would create are in the log of the task "
    "resolve_relations ('DRY RUN would create'). Run it without dry_run to book."
)


def log_dry_run(operations: list[dict[str, Any]], decided: list[OrderOutcome]) -> None:
    """Say that this was a dry run, what a real run would do, and where its payloads are."""
    counts: dict[str, int] = {}
    for op in operations:
        counts[op["op"]] = counts.get(op["op"], 0) + 1
    rows: list[tuple[str, ...]] = [("order", "would", "connector", "AFAS order", "reason")]
    rows += [
        (
            op["number"],
            op["op"],
            op.get("connector") or "-",
            op.get("afas_order_number") or "-",
            (op.get("reason") or "")[:80],
        )
        for op in operations
    ]
    rows += [(o.order_number, o.action, "-", "-", (o.reason or "")[:80]) for o in decided]
    table = text_table(rows[0], rows[1:])
    log.info(
        "DRY RUN: nothing was written to AFAS or the ledger. A real run would do: %s.\n%s\n%s",
        ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing (no order needs booking)",
        DRY_RUN_WHERE,
        table if len(rows) > 1 else "(no orders in this run)",
    )


def _recheck_inserts(settings: SyncSettings, hooks: Hooks, operations: list[dict[str, Any]]) -> None:
    """Look the inserts up by reference once more under the lease: a retried task or an overlapping run
    may have booked them since resolve_relations looked."""
    inserts = [op for op in operations if op["op"] == "insert"]
    if not inserts:
        return
    found = afas_side.find_orders_by_reference(hooks.afas, settings.lookups, [op["number"] for op in inserts])
    for op in inserts:
        matches = found.get(op["number"])
        if matches:
            op.update(op="exists", afas_order_number=matches[0].order_number, debtor_id=matches[0].debtor_id)


def _apply(settings: SyncSettings, hooks: Hooks, op: dict[str, Any]) -> OrderOutcome:
    def outcome(action: str, **kw: Any) -> OrderOutcome:
        values = {
            "payload_hash": op["hash"],
            "afas_order_number": op.get("afas_order_number"),
            "debtor_id": op.get("debtor_id"),
            "reason": op.get("reason"),
        }
        values.update(kw)
        return OrderOutcome(op["order_id"], op["number"], op["updated_at"], action, **values)

    kind = op["op"]
    if kind == "fail":
        return outcome("failed")
    if kind == "skip":
        return outcome("skipped")
    if kind in ("settled", "unchanged"):
        return outcome("unchanged")
    if kind == "exists":
        return outcome("created", reason="already in AFAS (found by reference before inserting)")
    try:
        if kind == "insert":
            keys = hooks.afas.insert(op["connector"], op["payload"])
            return outcome("created", afas_order_number=str(keys.get("OrNu") or "") or None)
        if kind == "update":
            hooks.afas.update(op["connector"], op["payload"])
            return outcome("updated")
        if kind == "delete":
            hooks.afas.delete(op["connector"], "OrNu", op["afas_order_number"])
            return outcome("deleted", reason="cancelled in the webshop; deleted the open AFAS order")
    except AfasValidationError as exc:
        return outcome(
            "failed",
            reason=f"AFAS: {with_sent_values(without_values(exc.external_message), op.get('payload'))}",
            profit_log_reference=exc.profit_log_reference,
        )
    except AfasAmbiguousWriteError:
        return _after_ambiguous_write(settings, hooks, op, outcome)
    raise ValueError(f"unknown operation {kind!r}")


def _after_ambiguous_write(
    settings: SyncSettings, hooks: Hooks, op: dict[str, Any], outcome: Any
) -> OrderOutcome:
    """No answer came: look the order up by reference before anything else; never write again blindly."""
    found = afas_side.find_orders_by_reference(hooks.afas, settings.lookups, [op["number"]]).get(
        op["number"], []
    )
    if op["op"] == "insert" and found:
        return outcome(
            "created",
            afas_order_number=found[0].order_number,
            reason="write got no answer; found by reference",
        )
    return outcome(
        "failed",
        reason=f"AFAS gave no answer to the {op['op']} and it could not be confirmed; the next run looks it up again",
    )


def take_lease(ledger: Ledger, tenant: str, run_id: str) -> None:
    holder = ledger.acquire_lease(tenant, run_id, LEASE_TTL)
    if holder is not None:
        raise LeaseHeldError(
            f"Run {holder} of tenant {tenant} is writing to AFAS; this task waits for it (it retries)."
        )
