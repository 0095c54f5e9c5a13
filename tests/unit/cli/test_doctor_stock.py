"""``doctor`` for a tenant with a stock block, on stand-in hooks: the stock GetConnector (the flow's own
``check_connector``) and ``variants/count`` each give one line; without the block neither is checked.
(tests/e2e/test_doctor.py runs the same checks against the emulators.)"""

from __future__ import annotations

from typing import Any

import pytest

from lightspeed_afas.afas import lookups
from lightspeed_afas.cli import doctor
from lightspeed_afas.config import load_tenant
from lightspeed_afas.hooks.errors import AfasAuthError, LightspeedAuthError

STOCK_FIELDS = ["Item_code", "In_stock", "Unit", "Warehouse_code"]
NO_ARTICLES = {
    "articles": None,
    "customers": None,
    "credit_notes": None,
    "webhooks": None,
}  # the demo tenant's other flows: their own tests


class FakeLightspeed:
    language = "nl"

    def __init__(self, conn_id: str, shop_error: Exception | None = None, count: Any = 1001) -> None:
        self.conn_id, self.shop_error, self.count = conn_id, shop_error, count
        self.count_calls = 0

    def get_shop(self) -> dict[str, Any]:
        if self.shop_error:
            raise self.shop_error
        return {"title": "Acme"}

    def count_variants(self) -> int:
        self.count_calls += 1
        if isinstance(self.count, Exception):
            raise self.count
        return self.count


class FakeAfas:
    def __init__(self, conn_id: str, offered: bool = True) -> None:
        self.conn_id, self.offered = conn_id, offered
        self.described: list[str] = []

    def metainfo(self) -> dict[str, Any]:
        gets = [lookups.DEBTOR_CONNECTOR, lookups.ORDER_CONNECTOR, lookups.LINES_CONNECTOR]
        gets += [lookups.ADMINISTRATIONS_CONNECTOR, lookups.JOURNALS_CONNECTOR]
        updates = [lookups.SALES_ORDER_CONNECTOR, *lookups.RELATION_CONNECTORS]
        return {
            "info": {"envid": "O1", "appName": "test"},
            "getConnectors": [{"id": c} for c in gets],
            "updateConnectors": [{"id": c} for c in updates],
        }

    def metainfo_get(self, connector: str) -> dict[str, Any]:
        self.described.append(connector)
        if connector == "Profit_Stock_per_Warehouse":
            if not self.offered:
                raise AfasAuthError("AFAS answered 403 to metainfo/get/{id}", 403)
            return {"fields": [{"id": f} for f in STOCK_FIELDS]}
        fields = [lookups.DEBTOR_EMAIL_FIELD, lookups.DEBTOR_ID_FIELD, lookups.ORDER_REFERENCE_FIELD]
        fields += [lookups.ORDER_NUMBER_FIELD, lookups.ORDER_STATUS_FIELD]
        return {"fields": [{"id": f} for f in fields]}

    def get_rows(self, connector: str, order_by: Any, *args: Any, **kw: Any) -> list[dict[str, Any]]:
        if connector == lookups.ADMINISTRATIONS_CONNECTOR:
            return [{lookups.ADMINISTRATION_ID_FIELD: 1, lookups.ADMINISTRATION_NAME_FIELD: "Demo BV"}]
        return [{lookups.JOURNAL_UNIT_FIELD: 1, lookups.JOURNAL_ID_FIELD: "VK"}]


@pytest.fixture
def hooks(monkeypatch) -> dict[str, Any]:
    """The doctor's hooks, replaced by the stand-ins in ``made`` (options under ``lightspeed``/``afas``)."""
    made: dict[str, Any] = {"lightspeed": {}, "afas": {}}

    def outside_task(hook_class: type) -> Any:
        if hook_class.__name__ == "LightspeedEcomHook":
            return lambda conn_id: made.setdefault("ls", FakeLightspeed(conn_id, **made["lightspeed"]))
        return lambda conn_id: made.setdefault("afas_hook", FakeAfas(conn_id, **made["afas"]))

    monkeypatch.setattr("lightspeed_afas.config.airflow_connections.outside_task", outside_task)
    return made


def lines(tenant_id: str) -> list[str]:
    return [f"{status} {line}" for status, line in doctor.diagnose(load_tenant(tenant_id))]


def test_a_stock_tenant_gets_the_connector_and_the_variants_checked(include, hooks):
    include.tenant(
        "acme", {"stock": {"fields": {"warehouse": "Warehouse_code"}, "warehouses": ["01"]}, **NO_ARTICLES}
    )
    found = lines("acme")
    assert (
        "ok   Lightspeed variants of lightspeed_demo: variants/count answers 1,001 variant(s); a full "
        "comparison reads them in 5 call(s)" in found
    )
    assert (
        "ok   stock GetConnector Profit_Stock_per_Warehouse: 4 field(s), with item Item_code, quantity "
        "In_stock, warehouse Warehouse_code" in found
    )
    assert found.index(next(x for x in found if "variants/count" in x)) == 1, "right after the shop"
    assert (
        found[-1].startswith("note not checked (it would write to the shop)") and "--flow stock" in found[-1]
    )
    assert not [x for x in found if x.startswith("FAIL")]


def test_a_missing_field_and_a_connector_not_offered_are_one_line_each(include, hooks):
    include.tenant("acme", {"stock": {"fields": {"quantity": "Vrij"}}, **NO_ARTICLES})
    fail = [x for x in lines("acme") if x.startswith("FAIL")]
    assert fail == [
        "FAIL stock GetConnector Profit_Stock_per_Warehouse: GetConnector Profit_Stock_per_Warehouse has no "
        "field stock.fields.quantity = 'Vrij'; its fields are In_stock, Item_code, Unit, Warehouse_code. "
        "Set stock.fields to the connector's field ids."
    ]
    hooks.clear()
    hooks.update({"lightspeed": {}, "afas": {"offered": False}})
    include.tenant("acme", {"stock": {}, **NO_ARTICLES})
    fail = [x for x in lines("acme") if x.startswith("FAIL")]
    assert len(fail) == 1 and fail[0].startswith(
        "FAIL stock GetConnector Profit_Stock_per_Warehouse: AFAS does not offer the GetConnector "
        "Profit_Stock_per_Warehouse to this token"
    )
    assert "StockConfigError" not in fail[0] and "App Connector" in fail[0]


def test_variants_the_key_may_not_read_fail_and_a_shop_that_does_not_answer_skips_them(include, hooks):
    include.tenant("acme", {"stock": {}, **NO_ARTICLES})
    hooks["lightspeed"] = {"count": LightspeedAuthError("403 on variants/count: the key lacks products", 403)}
    found = lines("acme")
    assert (
        "FAIL Lightspeed variants of lightspeed_demo: 403 on variants/count: the key lacks products" in found
    )

    hooks.clear()
    hooks.update({"lightspeed": {"shop_error": LightspeedAuthError("401: wrong key", 401)}, "afas": {}})
    found = lines("acme")
    assert "FAIL Lightspeed connection lightspeed_demo: 401: wrong key" in found
    assert not [x for x in found if "variants" in x and x.startswith(("ok", "FAIL"))]
    assert hooks["ls"].count_calls == 0


def test_without_a_stock_block_nothing_of_stock_is_checked(include, hooks):
    include.tenant("acme", {"stock": None, **NO_ARTICLES})
    found = lines("acme")
    assert not [x for x in found if "stock" in x.lower() or "variants" in x]
    assert hooks["ls"].count_calls == 0 and "Profit_Stock_per_Warehouse" not in hooks["afas_hook"].described
