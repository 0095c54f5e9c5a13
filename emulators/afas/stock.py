"""Stock per item code and warehouse, the stock GetConnectors (rows in ``stock_rows``) and what sales
orders do to it (erp-extras §2.1, §2.2, §3 items 22–23; AFAS's spec ``Magazijn.json``).

State, per item code and warehouse: ``physical``, ``reserved`` (by open sales orders), ``on_order``
(purchase orders; only the admin API sets it), ``modified`` (emulator time of the last change) and ``raw``
(field id → value written verbatim over the rendered row, for hostile data: ``null``, ``"abc"``, ``-3``,
``"12.5"``, ``false``). Quantities are decimals, in the item's basic unit (units are not converted).

Stock kinds — this emulator's reading of AFAS's concepts (FbItemArticle ``StCh``), not documented by AFAS:
  free     = physical − reserved
  economic = physical − reserved + on_order

GetConnectors:
- ``Profit_Stock_per_Warehouse`` (summary "Stock (virtual) by item"): despite its id one row per item,
  summed over all warehouses, with exactly the spec's fields — ``Basisartikeltype_code`` "A" (this
  emulator's choice), ``Item_code``, ``In_stock`` (the kind ``standard_stock_kind`` says), ``Unit`` (the
  catalogue article's first unit, else "STK"), ``Stock_level_code`` ``null`` (what it holds is unknown;
  set it per row through ``raw``). No warehouse, dimension codes or change date.
- ``Profit_Warehouses``: one row per catalogue warehouse; the catalogue knows only the codes, so
  ``Description`` is "Magazijn <code>", ``UnitIdFin`` the lowest administration, ``Blocked`` false, the
  address fields ``null`` and both dates the emulator's base time (this emulator's filling).
- The custom stock connector (the project's contract, §2.2; id ``stock_connector``): one row per item and
  warehouse — ``ItemCode``, ``StockDimCode1``/``StockDimCode2`` (``null``: no dimensions here),
  ``Warehouse``, ``UnitId``, ``StockPhysical``, ``StockFree``, ``StockEconomic`` and ``ModifiedDate``. Like
  the direct-invoice connector it is in ``/metainfo``, needs its App Connector's permission and takes the
  usual filters, sorting and paging (``query``).
- ``Profit_Stock`` (asked for by one integrator, not in the 6.6.9 specs) does not exist here: it is
  refused like any unknown connector — with no field list there is nothing to emulate faithfully.

Rules (AfasConfig fields of the same name; ``POST /_admin/stock_rules`` changes them at run time, a reset
restores the configured ones):
- ``standard_stock_kind`` "economic" | "free" | "physical", default "economic" (the spec calls the
  connector virtual stock): which kind ``In_stock`` is (§3 item 22).
- ``stock_connector`` default "LightspeedAfas_Stock"; ``stock_connector_has_modified_date`` default false
  (only a data collection with an audit date has one); ``stock_connector_kinds`` default all three (which
  of StockPhysical/StockFree/StockEconomic the connector has); ``stock_connector_field_ids`` default {}
  (contract name → the environment's field id) — §3 item 23.
- ``sales_orders_reserve`` default true: an open sales order's item lines (``VaIt`` "2") reserve their
  ``QuUn`` in the line's ``War``, else the header's, else the catalogue's ``default_warehouse``; a PUT or a
  lines POST replaces the reservation, a DELETE releases it. Marking an order delivered or invoiced (admin
  API) releases it and lowers ``physical`` instead; back to open undoes that. A direct invoice lowers
  ``physical`` at once (it delivers). A line whose item has no stock row creates one with physical 0.
- ``seeded_stock`` (config only) 40: physical stock of every catalogue article (type "2") in the default
  warehouse at start and on reset.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from emulators.afas.stock_rows import StockRules, raw_field_ids

if TYPE_CHECKING:
    from emulators.afas.config import AfasConfig
    from emulators.afas.state import AfasState, SalesOrder

Key = tuple[str, str]  # (item code, warehouse)
QUANTITIES = ("physical", "reserved", "on_order")
MAX_GENERATE = 1_000_000


@dataclass
class StockEntry:
    modified: datetime
    quantities: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(QUANTITIES, Decimal(0)))
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def physical(self) -> Decimal:
        return self.quantities["physical"]

    @property
    def free(self) -> Decimal:
        return self.quantities["physical"] - self.quantities["reserved"]

    @property
    def economic(self) -> Decimal:
        return self.free + self.quantities["on_order"]

    def as_dict(self) -> dict[str, float]:
        return {**{k: float(v) for k, v in self.quantities.items()}, "free": float(self.free),
                "economic": float(self.economic)}  # fmt: skip


@dataclass
class StockBook:
    rules: StockRules = field(default_factory=StockRules)
    items: dict[str, dict[str, StockEntry]] = field(default_factory=dict)  # item → warehouse → entry
    folded: dict[str, str] = field(default_factory=dict)  # casefolded item code → its code here
    # order number → ("reserved" | "physical", {(item, warehouse): quantity}) — what the order did
    effects: dict[str, tuple[str, dict[Key, Decimal]]] = field(default_factory=dict)


def configure(state: AfasState, config: AfasConfig) -> None:
    """Fresh stock with the configured rules and the seeded stock; ``ValueError`` on a bad config."""
    state.stock = StockBook(rules=StockRules.from_config(config))
    warehouse = _warehouse(state, state.catalogue.default_warehouse)
    if warehouse is None or not config.seeded_stock:
        return
    for code, item in state.catalogue.items.items():
        if item.get("type") == "2":
            _entry(state, code, warehouse).quantities["physical"] = Decimal(config.seeded_stock)


def _warehouse(state: AfasState, code: Any) -> str | None:
    """The catalogue's spelling of a warehouse code (codes compare case-insensitively), or None."""
    wanted = str(code).casefold()
    return next((w for w in state.catalogue.warehouses if w.casefold() == wanted), None)


def _item_code(state: AfasState, code: str) -> str:
    known = state.stock.folded.get(code.casefold())
    if known is not None:
        return known
    folded = code.casefold()
    return next((c for c in state.catalogue.items if c.casefold() == folded), code)


def _entry(state: AfasState, code: str, warehouse: str) -> StockEntry:
    book, code = state.stock, _item_code(state, code)
    by_warehouse = book.items.get(code)
    if by_warehouse is None:
        by_warehouse = book.items[code] = {}
        book.folded[code.casefold()] = code
    entry = by_warehouse.get(warehouse)
    if entry is None:
        entry = by_warehouse[warehouse] = StockEntry(state.now())
    return entry


def quantity(value: Any, name: str) -> Decimal:
    """An admin quantity: a number or a numeric string (decimals allowed); ``ValueError`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{name} must be a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number")
    return number


def _parse_row(state: AfasState, spec: Any) -> tuple[str, str, dict[str, Any]]:
    if not isinstance(spec, dict):
        raise ValueError("a stock row is an object")
    unknown = set(spec) - {"item", "warehouse", *QUANTITIES, "raw"}
    if unknown:
        raise ValueError(f"unknown stock row fields: {sorted(unknown)}")
    item = spec.get("item")
    if not isinstance(item, str) or not item.strip():
        raise ValueError("item must be an item code")
    warehouse = _warehouse(state, spec.get("warehouse", state.catalogue.default_warehouse))
    if warehouse is None:
        raise ValueError(f"unknown warehouse {spec.get('warehouse')!r}: not in the catalogue")
    values: dict[str, Any] = {k: quantity(spec[k], k) for k in QUANTITIES if k in spec}
    if "raw" in spec:
        raw, allowed = spec["raw"], raw_field_ids(state.stock.rules)
        if not isinstance(raw, dict) or not set(raw) <= allowed:
            raise ValueError(f"raw maps field ids from {sorted(allowed)} to values")
        values["raw"] = dict(raw)
    return item, warehouse, values


def _generated(state: AfasState, count: Any, seed: Any, warehouses: Any) -> list[tuple[str, str, dict]]:
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_GENERATE:
        raise ValueError(f"generate must be a whole number from 0 to {MAX_GENERATE}")
    if not isinstance(warehouses, list) or not warehouses:
        raise ValueError("warehouses must be a non-empty list of warehouse codes")
    codes = [_warehouse(state, w) for w in warehouses]
    if None in codes:
        raise ValueError(f"unknown warehouse in {warehouses}: not in the catalogue")
    rng = random.Random(f"afas-stock:{seed}")
    out = []
    for i in range(1, count + 1):
        for warehouse in codes:
            physical = Decimal(rng.randint(0, 250))
            if rng.random() < 0.1:
                physical += Decimal(rng.randint(1, 99)) / 100
            reserved = Decimal(rng.randint(1, 5)) if rng.random() < 0.2 else Decimal(0)
            on_order = Decimal(rng.randint(1, 50)) if rng.random() < 0.15 else Decimal(0)
            values = {"physical": physical, "reserved": reserved, "on_order": on_order}
            out.append((f"GEN-{i:06d}", str(warehouse), values))
    return out


def admin_upsert(state: AfasState, body: dict[str, Any]) -> int:
    """``POST /_admin/stock``: the rows and/or generated rows, all checked before any is written."""
    if not set(body) <= {"rows", "generate", "seed", "warehouses"}:
        raise ValueError(f"unknown keys: {sorted(set(body) - {'rows', 'generate', 'seed', 'warehouses'})}")
    if not isinstance(body.get("rows", []), list):
        raise ValueError("rows must be a list")
    writes = [_parse_row(state, spec) for spec in body.get("rows", [])]
    if "generate" in body:
        default = [state.catalogue.default_warehouse]
        writes += _generated(state, body["generate"], body.get("seed", ""), body.get("warehouses", default))
    now = state.now()
    for item, warehouse, values in writes:
        entry = _entry(state, item, warehouse)
        entry.quantities.update({k: v for k, v in values.items() if k in QUANTITIES})
        entry.raw = values.get("raw", entry.raw)
        entry.modified = now
    return len(writes)


def admin_delete(state: AfasState, item: str) -> bool:
    """Forget every warehouse's stock of ``item``, and the orders' effects on it."""
    book = state.stock
    code = book.folded.pop(item.casefold(), None)
    if code is None:
        return False
    del book.items[code]
    for _, quantities in book.effects.values():
        for key in [k for k in quantities if k[0] == code]:
            del quantities[key]
    return True


def admin_view(state: AfasState) -> dict[str, Any]:
    items = {
        code: {w: e.as_dict() for w, e in sorted(by_warehouse.items())}
        for code, by_warehouse in sorted(state.stock.items.items())
    }
    return {"items": items, "rules": state.stock.rules.as_dict()}


def set_rules(state: AfasState, changes: dict[str, Any], direct_invoice_connector: str) -> dict[str, Any]:
    state.stock.rules = state.stock.rules.updated(changes, direct_invoice_connector)
    return state.stock.rules.as_dict()


def _order_effect(state: AfasState, order: SalesOrder) -> tuple[str, dict[Key, Decimal]] | None:
    """What ``order`` does to stock in its current state: reserve, take physical, or nothing."""
    if order.connector == "FbDirectInvoice" or order.state != "open":
        kind = "physical"
    elif state.stock.rules.sales_orders_reserve:
        kind = "reserved"
    else:
        return None
    quantities: dict[Key, Decimal] = {}
    for line in order.lines:
        f = line.fields
        if str(f.get("VaIt")) != "2" or f.get("ItCd") is None:
            continue
        code = _item_code(state, str(f["ItCd"]))
        warehouse = f.get("War") or order.fields.get("War") or state.catalogue.default_warehouse
        key = (code, _warehouse(state, warehouse) or str(warehouse))
        quantities[key] = quantities.get(key, Decimal(0)) + Decimal(str(f.get("QuUn") or 0))
    return kind, quantities


def _apply(state: AfasState, effect: tuple[str, dict[Key, Decimal]], sign: int) -> None:
    kind, quantities = effect
    direction = sign if kind == "reserved" else -sign  # reserving adds, delivering takes away
    now = state.now()
    for (code, warehouse), amount in quantities.items():
        if amount:
            entry = _entry(state, code, warehouse)
            entry.quantities[kind] += direction * amount
            entry.modified = now


def sync_order(state: AfasState, order: SalesOrder | None, number: str) -> None:
    """Bring stock in line with order ``number`` (None: deleted): undo what it did, do what it does now."""
    book = state.stock
    previous = book.effects.pop(number, None)
    if previous is not None:
        _apply(state, previous, -1)
    effect = _order_effect(state, order) if order is not None else None
    if effect is not None:
        _apply(state, effect, 1)
        book.effects[number] = effect
