"""Step 1, read_afas_stock: validate the stock GetConnector and read every row of it, as few pages as
AFAS's limits allow, summed per item code.

AFAS's sizing advice is ``columns × rows < 150,000`` per page, so the page size follows the connector's
field count (``metainfo``), at most 25,000 rows a page: the standard ``Profit_Stock_per_Warehouse`` has five
fields, so 25,000 rows a page — 8,000 items in one call. With a warehouse field and ``warehouses``, AFAS filters them (an
OR filter) so the other warehouses' rows are never sent. The connector check is kept a day between runs
(``flows.afas_connectors.ConnectorChecks``): most runs make one AFAS call.

The read also decides whether the run is idle (``flows.idle``): AFAS's stock, what unbooked orders hold
and the settings are what the last clean run planned from, so plan_stock and push_stock would write
nothing. Then ``StockRead.unchanged`` holds that run's counts and the run ends here.
"""

from __future__ import annotations

import logging
from datetime import datetime

from lightspeed_afas.domain import retry_policy
from lightspeed_afas.domain.stock import sum_stock
from lightspeed_afas.flows import idle
from lightspeed_afas.flows.afas_connectors import ConnectorChecks, connector_field_count
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.stock.push_step import HALTED
from lightspeed_afas.flows.stock.results import StockRead
from lightspeed_afas.flows.stock.settings import FLOW, StockConfigError, StockRequest, StockSyncSettings
from lightspeed_afas.flows.stock.variant_map import full_comparison_due
from lightspeed_afas.hooks.afas_filters import Condition, Filter, Op
from lightspeed_afas.ledger import Ledger

log = logging.getLogger(__name__)

PAGE_CELLS = 150_000  # AFAS: columns × rows per page below this
MAX_TAKE = 25_000


def read_afas_stock(
    settings: StockSyncSettings,
    request: StockRequest,
    ledger: Ledger,
    hooks: Hooks,
    now: datetime | None = None,
) -> StockRead:
    """Open the run's ledger row, check the connector, read and sum the stock; decide whether the run
    has anything to push."""
    now = now or retry_policy.utc_now()
    run_pk = ledger.start_flow_run(settings.tenant, FLOW, request.run_id, request.mode)
    checks = ConnectorChecks(ledger, settings.tenant, FLOW, hooks, now, settings.full_comparison_every)
    field_count = check_connector(settings, hooks, checks)
    take = max(100, min(MAX_TAKE, PAGE_CELLS // max(1, field_count) - 1))
    order_by = [settings.item_field] + ([settings.warehouse_field] if settings.warehouse_field else [])
    with checks.reading(settings.connector, lambda: check_connector(settings, hooks)):
        rows = hooks.afas.get_rows(settings.connector, order_by, warehouse_filter(settings), take=take)
    stock = sum_stock(
        rows, settings.item_field, settings.quantity_field, settings.warehouse_field, settings.warehouses
    )
    log.info(
        "AFAS %s: %d rows, %d items with a quantity, %d items without a usable one, %d rows without an "
        "item code (pages of %d rows).",
        settings.connector,
        stock.rows,
        len(stock.quantities),
        len(stock.bad_items),
        stock.rows_without_code,
        take,
    )
    read = StockRead(
        run_pk=run_pk,
        quantities=stock.quantities,
        bad_items=stock.bad_items,
        rows=stock.rows,
        rows_without_code=stock.rows_without_code,
        read_at=now.isoformat(),
    )
    decide_idle(settings, request, ledger, read, now)
    return read


def decide_idle(
    settings: StockSyncSettings, request: StockRequest, ledger: Ledger, read: StockRead, now: datetime
) -> None:
    """Set ``read.fingerprint``, and ``read.unchanged`` when the run has nothing to push (``flows.idle``);
    a run that plans forgets the last clean plan first."""
    unbooked = ledger.unbooked_quantities(settings.tenant) if settings.subtract_unbooked else {}
    read.fingerprint = idle.fingerprint(
        repr(settings), {k: str(q) for k, q in read.quantities.items()}, read.bad_items, unbooked
    )
    state = ledger.flow_state(settings.tenant, FLOW)
    if idle.may_be_idle(request) and not state.get(HALTED) and not full_comparison_due(settings, state, now):
        read.unchanged = idle.unchanged_plan(ledger, settings.tenant, FLOW, read.fingerprint, now)
    if read.unchanged is None:
        idle.forget(ledger, settings.tenant, FLOW)


def check_connector(settings: StockSyncSettings, hooks: Hooks, checks: ConnectorChecks | None = None) -> int:
    """The connector's field count (kept between runs by ``checks``); ``StockConfigError`` naming what
    is missing."""
    wanted = {"stock.fields.item_code": settings.item_field, "stock.fields.quantity": settings.quantity_field}
    if settings.warehouse_field:
        wanted["stock.fields.warehouse"] = settings.warehouse_field
    instead = "set stock.connector to the one you use"
    try:
        if checks is not None:
            return checks.field_count(settings.connector, wanted, instead, StockConfigError)
        return connector_field_count(hooks, settings.connector, wanted, instead, StockConfigError)
    except StockConfigError as exc:
        if "has no field" not in str(exc):
            raise
        raise StockConfigError(f"{exc} Set stock.fields to the connector's field ids.") from None


def warehouse_filter(settings: StockSyncSettings) -> Filter:
    """An OR filter on the chosen warehouses (none: every row)."""
    if not settings.warehouse_field or not settings.warehouses:
        return ()
    return [[Condition(settings.warehouse_field, Op.EQ, w)] for w in settings.warehouses]
