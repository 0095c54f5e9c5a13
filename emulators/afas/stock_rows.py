"""The stock rules and the rows of the stock GetConnectors (``Profit_Stock_per_Warehouse``,
``Profit_Warehouses`` and the custom stock connector); what they mean is in ``stock``'s docstring."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from emulators.afas.config import AMSTERDAM, STOCK_CONNECTOR, AfasConfig
from emulators.afas.validate import schema

if TYPE_CHECKING:
    from emulators.afas.state import AfasState
    from emulators.afas.stock import StockEntry

STANDARD = "Profit_Stock_per_Warehouse"
WAREHOUSES = "Profit_Warehouses"
KINDS = ("physical", "free", "economic")
KIND_FIELDS = {"physical": "StockPhysical", "free": "StockFree", "economic": "StockEconomic"}
# The project's own contract (erp-extras §2.2): contract name → field spec, in row order.
CONTRACT_FIELDS: dict[str, dict[str, Any]] = {
    "ItemCode": {"type": "string", "label": "Itemcode"},
    "StockDimCode1": {"type": "string", "label": "Artikeldimensiecode 1"},
    "StockDimCode2": {"type": "string", "label": "Artikeldimensiecode 2"},
    "Warehouse": {"type": "string", "label": "Magazijn"},
    "UnitId": {"type": "string", "label": "Eenheid"},
    "StockPhysical": {"type": "number", "label": "Fysieke voorraad"},
    "StockFree": {"type": "number", "label": "Vrije voorraad"},
    "StockEconomic": {"type": "number", "label": "Economische voorraad"},
    "ModifiedDate": {"type": "string", "format": "date-time", "label": "Gewijzigd op"},
}
STOCK_DESCRIPTION = "Voorraad per artikel en magazijn (Lightspeed-koppeling)"
_FIELD_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}")  # no dots: AFAS warns they break filters


@dataclass(frozen=True)
class StockRules:
    """The [U] rules of ``stock`` (defaults: the strictest plausible reading)."""

    stock_connector: str = STOCK_CONNECTOR
    standard_stock_kind: str = "economic"
    stock_connector_has_modified_date: bool = False
    stock_connector_kinds: tuple[str, ...] = KINDS
    stock_connector_field_ids: dict[str, str] = field(default_factory=dict)
    sales_orders_reserve: bool = True

    @classmethod
    def from_config(cls, config: AfasConfig) -> StockRules:
        names = [f for f in cls.__dataclass_fields__]
        return cls().updated({n: getattr(config, n) for n in names}, config.direct_invoice_connector)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["stock_connector_kinds"] = list(self.stock_connector_kinds)
        return out

    def updated(self, changes: dict[str, Any], direct_invoice_connector: str) -> StockRules:
        """These rules with ``changes`` applied; ``ValueError`` on an unknown rule or a bad value."""
        unknown = set(changes) - set(self.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown stock rules: {sorted(unknown)}")
        values = {**asdict(self), **changes}
        connector = values["stock_connector"]
        if not isinstance(connector, str) or not _FIELD_ID.fullmatch(connector):
            raise ValueError("stock_connector must be a connector id (letters, digits, _)")
        if connector in schema()["get"] or connector == direct_invoice_connector:
            raise ValueError(f"stock_connector {connector!r} is already another GetConnector")
        if values["standard_stock_kind"] not in KINDS:
            raise ValueError(f"standard_stock_kind must be one of {list(KINDS)}")
        for name in ("stock_connector_has_modified_date", "sales_orders_reserve"):
            if not isinstance(values[name], bool):
                raise ValueError(f"{name} must be true or false")
        values["stock_connector_kinds"] = _kinds(values["stock_connector_kinds"])
        values["stock_connector_field_ids"] = _field_ids(values["stock_connector_field_ids"])
        return replace(self, **values)

    def custom_fields(self) -> dict[str, dict[str, Any]]:
        """Field id → spec of the custom stock connector, in row order."""
        return {self.field_id(name): spec for name, spec in CONTRACT_FIELDS.items() if self.has_field(name)}

    def has_field(self, name: str) -> bool:
        if name == "ModifiedDate":
            return self.stock_connector_has_modified_date
        kind = next((k for k, f in KIND_FIELDS.items() if f == name), None)
        return kind is None or kind in self.stock_connector_kinds

    def field_id(self, name: str) -> str:
        return self.stock_connector_field_ids.get(name, name)


def _kinds(value: Any) -> tuple[str, ...]:
    ok = isinstance(value, list | tuple) and value and all(isinstance(k, str) for k in value)
    if not ok or not set(value) <= set(KINDS) or len(set(value)) != len(value):
        raise ValueError(f"stock_connector_kinds must be a non-empty list from {list(KINDS)}")
    return tuple(k for k in KINDS if k in value)


def _field_ids(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not set(value) <= set(CONTRACT_FIELDS):
        raise ValueError(f"stock_connector_field_ids maps names from {list(CONTRACT_FIELDS)} to field ids")
    if not all(isinstance(v, str) and _FIELD_ID.fullmatch(v) for v in value.values()):
        raise ValueError("a field id is letters, digits and _ (no dots)")
    ids = [value.get(name, name) for name in CONTRACT_FIELDS]
    if len(set(ids)) != len(ids):
        raise ValueError("stock_connector_field_ids would give two fields the same id")
    return dict(value)


def raw_field_ids(rules: StockRules) -> set[str]:
    """The field ids a stock row's ``raw`` override may set."""
    return set(schema()["get"][STANDARD]["fields"]) | {rules.field_id(name) for name in CONTRACT_FIELDS}


def _number(value: Decimal) -> float:
    return float(value)


def _time(entry: StockEntry) -> str:
    return entry.modified.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M:%SZ")


def _units(state: AfasState) -> dict[str, str]:
    """Folded article code → its first unit."""
    return {
        code.casefold(): item["units"][0]
        for code, item in state.catalogue.items.items()
        if item.get("type") == "2" and item.get("units")
    }


def _with_raw(row: dict[str, Any], raws: list[dict[str, Any]]) -> dict[str, Any]:
    for raw in raws:
        row.update({k: v for k, v in raw.items() if k in row})
    return row


def standard_rows(state: AfasState) -> list[dict[str, Any]]:
    """One row per item, summed over its warehouses."""
    kind, units, rows = state.stock.rules.standard_stock_kind, _units(state), []
    for code, by_warehouse in state.stock.items.items():
        entries = [by_warehouse[w] for w in sorted(by_warehouse)]
        row = {
            "Basisartikeltype_code": "A",
            "Item_code": code,
            "In_stock": _number(sum((getattr(e, kind) for e in entries), Decimal(0))),
            "Unit": units.get(code.casefold(), "STK"),
            "Stock_level_code": None,
        }
        rows.append(_with_raw(row, [e.raw for e in entries]))
    return rows


def custom_rows(state: AfasState) -> list[dict[str, Any]]:
    """One row per item and warehouse, with the fields and ids the rules give."""
    rules, units, rows = state.stock.rules, _units(state), []
    names = [name for name in CONTRACT_FIELDS if rules.has_field(name)]
    for code, by_warehouse in state.stock.items.items():
        for warehouse, entry in by_warehouse.items():
            values = {
                "ItemCode": code,
                "StockDimCode1": None,
                "StockDimCode2": None,
                "Warehouse": warehouse,
                "UnitId": units.get(code.casefold(), "STK"),
                "StockPhysical": _number(entry.physical),
                "StockFree": _number(entry.free),
                "StockEconomic": _number(entry.economic),
                "ModifiedDate": _time(entry),
            }
            rows.append(_with_raw({rules.field_id(n): values[n] for n in names}, [entry.raw]))
    return rows


def warehouse_rows(state: AfasState) -> list[dict[str, Any]]:
    """The catalogue's warehouses; it knows only their codes, the rest is this emulator's filling."""
    unit = min(state.catalogue.administrations, default=None)
    created = state.base_time.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M:%SZ")
    empty = ("Barcode", "BasicContactCode", "Name", "AdressLine1", "AdressLine2", "AdressLine3", "CountryId")
    return [
        {
            "Warehouse": code,
            "Description": f"Magazijn {code}",
            "UnitIdFin": unit,
            "Blocked": False,
            **dict.fromkeys(empty),
            "CreateDate": created,
            "ModifiedDate": created,
        }
        for code in sorted(state.catalogue.warehouses)
    ]


def stock_fields(connector: str, state: AfasState) -> dict[str, dict[str, Any]] | None:
    """Fields of the custom stock connector, or None when ``connector`` is not it."""
    rules = state.stock.rules
    return rules.custom_fields() if connector == rules.stock_connector else None


def stock_rows(connector: str, state: AfasState) -> list[dict[str, Any]] | None:
    """Rows of a stock GetConnector, or None when ``connector`` is none of them."""
    if connector == STANDARD:
        return standard_rows(state)
    if connector == WAREHOUSES:
        return warehouse_rows(state)
    if connector == state.stock.rules.stock_connector:
        return custom_rows(state)
    return None
