"""``doctor`` for a tenant with an articles block, on stand-in hooks: each GetConnector the block needs (the
flow's own ``connector_field_count``), a shop tax per VAT group and the shop's active languages give one
line each; without the block none is checked."""

from __future__ import annotations

from typing import Any

import pytest

from lightspeed_afas.afas import lookups
from lightspeed_afas.cli import doctor
from lightspeed_afas.config import load_tenant
from lightspeed_afas.hooks.errors import AfasAuthError, LightspeedAuthError

ARTICLE_CONNECTORS = {
    lookups.ARTICLE_CONNECTOR: lookups.ARTICLE_FIELDS,
    lookups.ARTICLE_BASIC_CONNECTOR: lookups.ARTICLE_BASIC_FIELDS,
    lookups.SALES_PRICE_CONNECTOR: lookups.SALES_PRICE_FIELDS,
    lookups.BARCODE_CONNECTOR: lookups.BARCODE_FIELDS,
}
TAXES = [
    {"id": 1, "rate": 0.21, "isDefault": True, "title": "21%"},
    {"id": 2, "rate": 0.09, "isDefault": False, "title": "9%"},
    {"id": 3, "rate": 0, "isDefault": False, "title": "0%"},
]
LANGUAGES = [
    {"code": "nl", "isActive": True},
    {"code": "en", "isActive": True},
    {"code": "de", "isActive": False},
]


class FakeLightspeed:
    language = "nl"

    def __init__(self, conn_id: str, shop_error: Exception | None = None, taxes: Any = None) -> None:
        self.conn_id, self.shop_error = conn_id, shop_error
        self.taxes = TAXES if taxes is None else taxes
        self.calls: list[str] = []

    def get_shop(self) -> dict[str, Any]:
        if self.shop_error:
            raise self.shop_error
        return {"title": "Acme"}

    def list_taxes(self) -> list[dict[str, Any]]:
        self.calls.append("taxes")
        return self.taxes

    def call_json(self, method: str, path: str, params: Any = None, **kw: Any) -> dict[str, Any]:
        assert (method, path, kw.get("endpoint")) == ("GET", "languages", "languages")
        self.calls.append("languages")
        return {"languages": LANGUAGES}


class FakeAfas:
    def __init__(self, conn_id: str, refused: tuple[str, ...] = (), without: tuple[str, ...] = ()) -> None:
        self.conn_id, self.refused, self.without = conn_id, refused, without
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
        if connector in self.refused:
            raise AfasAuthError("AFAS answered 403 to metainfo/get/{id}", 403)
        if connector in ARTICLE_CONNECTORS:
            ids = [f for f in ARTICLE_CONNECTORS[connector].values() if f not in self.without]
            return {"fields": [{"id": f} for f in ids + ["Extra"]]}
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


def articles(**block: Any) -> dict[str, Any]:
    return {
        "stock": None,
        "customers": None,
        "credit_notes": None,
        "webhooks": None,
        "articles": {"schedule": "0 * * * *", **block},
    }


def test_an_articles_tenant_gets_its_connectors_taxes_and_languages_checked(include, hooks):
    include.tenant("acme", articles())
    found = lines("acme")
    assert found[1:3] == [
        "ok   articles.vat_groups: every VAT group has a shop tax: HOOG 21 % → tax 1, LAAG 9 % → tax 2, "
        "GEEN 0 % → tax 3",
        "ok   articles.languages: nl (articles.languages is []: the connection's language) active in the shop "
        "(active: en, nl)",
    ], "right after the shop"
    assert (
        "ok   articles GetConnector Profit_Article: 10 field(s), with ItemCode, Description, ExtraDescription, "
        "Blocked, VATGroup, ItemTypeCode, StockDimId1, StockDimId2, ModifiedDate" in found
    )
    assert (
        "ok   articles GetConnector Profit_Article_Basic: 4 field(s), with BasicSalesPrice, ItemCode" in found
    )
    assert any(x.startswith("ok   articles GetConnector Profit_Barcode_per_Item: 7 field(s)") for x in found)
    assert lookups.SALES_PRICE_CONNECTOR not in hooks["afas_hook"].described
    assert (
        found[-1].startswith("note not checked (it would write to the shop)")
        and "--flow articles" in found[-1]
    )
    assert "create products" not in found[-1]
    assert not [x for x in found if x.startswith("FAIL")]


def test_the_block_decides_which_connectors_and_checks(include, hooks):
    include.tenant(
        "acme",
        articles(
            fields=["title", "price"],
            prices={"source": "price_list", "debtor": "10001"},
            languages=["nl", "en"],
            create_missing=True,
        ),
    )
    found = lines("acme")
    described = hooks["afas_hook"].described
    assert lookups.SALES_PRICE_CONNECTOR in described and lookups.ARTICLE_BASIC_CONNECTOR not in described
    assert lookups.BARCODE_CONNECTOR not in described, "no ean: no barcodes"
    assert hooks["ls"].calls == ["languages"], "no tax: the shop's taxes are not read"
    assert "ok   articles.languages: nl, en active in the shop (active: en, nl)" in found
    assert "ok   articles GetConnector Profit_SalesPrice: 7 field(s), with Nettoprijs, Item" in found
    assert "or create products (POST)" in found[-1]
    assert not [x for x in found if x.startswith("FAIL")]


def test_each_problem_is_one_line_with_what_to_fix(include, hooks):
    include.tenant("acme", articles(vat_groups={"HOOG": 21, "LAAG": 9, "SUPER": 6}, languages=["nl", "de"]))
    hooks["afas"] = {"refused": (lookups.BARCODE_CONNECTOR,), "without": ("BasicSalesPrice",)}
    fail = [x for x in lines("acme") if x.startswith("FAIL")]
    assert fail[0] == (
        "FAIL articles.vat_groups: no tax in the shop has the rate of VAT group(s) SUPER (6 %) (the shop's "
        "taxes.json has 0 %, 9 %, 21 %); add the tax in the shop, or set articles.vat_groups to the shop's rates"
    )
    assert fail[1] == (
        "FAIL articles.languages: language(s) de not active in the shop (active: en, nl); activate it in the "
        "shop, or set articles.languages to active shop languages"
    )
    assert fail[2] == (
        "FAIL articles GetConnector Profit_Article_Basic: GetConnector Profit_Article_Basic has no field "
        "articles.prices = 'BasicSalesPrice'; its fields are Extra, ItemCode, VATgroup."
    )
    assert fail[3].startswith(
        "FAIL articles GetConnector Profit_Barcode_per_Item: AFAS does not offer the GetConnector "
        "Profit_Barcode_per_Item to this token"
    )
    assert len(fail) == 4 and not [x for x in fail if "ArticlesConfigError" in x]


def test_a_shop_that_does_not_answer_skips_the_shop_checks(include, hooks):
    include.tenant("acme", articles())
    hooks["lightspeed"] = {"shop_error": LightspeedAuthError("401: wrong key", 401)}
    found = lines("acme")
    assert "FAIL Lightspeed connection lightspeed_demo: 401: wrong key" in found
    assert not [x for x in found if x.startswith(("ok   articles.", "FAIL articles."))]
    assert hooks["ls"].calls == []


def test_without_an_articles_block_nothing_of_articles_is_checked(include, hooks):
    include.tenant("acme", {"stock": None, "articles": None})
    found = lines("acme")
    assert not [x for x in found if "articles" in x.lower()]
    assert hooks["ls"].calls == [] and lookups.ARTICLE_CONNECTOR not in hooks["afas_hook"].described
