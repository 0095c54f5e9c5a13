"""``doctor`` for a tenant with a customers or credit_notes block, on stand-in hooks: the look-up GetConnector
each flow reads (the flows' own ``connector_field_count``), the cost items credits are booked on, and one row
of ``customers.json`` / ``invoices.json`` give one line each; without the blocks none is checked.
(tests/e2e/test_doctor_records.py runs the same checks against the emulators.)"""

from __future__ import annotations

from typing import Any

import pytest

from lightspeed_afas.afas import lookups
from lightspeed_afas.cli import doctor
from lightspeed_afas.config import load_tenant
from lightspeed_afas.hooks.errors import AfasAuthError, LightspeedAuthError

OTHER_FLOWS_OFF = {
    "stock": None,
    "articles": None,
    "webhooks": None,
}  # the demo tenant's: their own doctor tests
FIELDS = {
    lookups.DEBTOR_CONNECTOR: ["DebtorId", "Email", "CreateDate", "Name"],
    lookups.ORDER_CONNECTOR: ["OrderNumber", "CustomerReference", "DebtorId", "Status"],
    lookups.DIRECT_INVOICE_CONNECTOR: [
        "InvoiceNumber",
        "OrderNumber",
        "CustomerReference",
        "DebtorId",
        "Status",
    ],
}


class FakeLightspeed:
    language = "nl"

    def __init__(
        self, conn_id: str, shop_error: Exception | None = None, refuse: str = "", empty: str = ""
    ) -> None:
        self.conn_id, self.shop_error, self.refuse, self.empty = conn_id, shop_error, refuse, empty
        self.calls: list[tuple[str, Any, str]] = []

    def get_shop(self) -> dict[str, Any]:
        if self.shop_error:
            raise self.shop_error
        return {"title": "Acme"}

    def call_json(self, method: str, path: str, params: Any = None, **kw: Any) -> dict[str, Any]:
        assert method == "GET"
        self.calls.append((path, params, kw["endpoint"]))
        if path == self.refuse:
            raise LightspeedAuthError(
                "Lightspeed refused connection 'lightspeed_demo' (403: Forbidden).", 403
            )
        return {path: [] if path == self.empty else [{"id": 1}]}


class FakeAfas:
    def __init__(self, conn_id: str, refused: tuple[str, ...] = (), without: tuple[str, ...] = ()) -> None:
        self.conn_id, self.refused, self.without = conn_id, refused, without
        self.described: list[str] = []

    def metainfo(self) -> dict[str, Any]:
        gets = [
            *FIELDS,
            lookups.LINES_CONNECTOR,
            lookups.ADMINISTRATIONS_CONNECTOR,
            lookups.JOURNALS_CONNECTOR,
        ]
        updates = [lookups.SALES_ORDER_CONNECTOR, lookups.DIRECT_INVOICE_WRITER, *lookups.RELATION_CONNECTORS]
        return {
            "info": {"envid": "O1", "appName": "test"},
            "getConnectors": [{"id": c} for c in gets],
            "updateConnectors": [{"id": c} for c in updates],
        }

    def metainfo_get(self, connector: str) -> dict[str, Any]:
        self.described.append(connector)
        if connector in self.refused:
            raise AfasAuthError("AFAS answered 403 to metainfo/get/{id}", 403)
        return {"fields": [{"id": f} for f in FIELDS[connector] if f"{connector}.{f}" not in self.without]}

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


def blocks(**changes: Any) -> dict[str, Any]:
    return {**OTHER_FLOWS_OFF, "customers": {"include": "new"}, "credit_notes": {}, **changes}


def test_both_flows_get_their_connector_their_shop_list_and_the_cost_items_checked(include, hooks):
    include.tenant("acme", blocks())
    found = lines("acme")
    assert found[1:3] == [
        "ok   Lightspeed customers of lightspeed_demo: customers.json answers: the key reads customers (the "
        "shop has some)",
        "ok   Lightspeed invoices of lightspeed_demo: invoices.json answers: the key reads invoices and credit "
        "notes (the shop has some)",
    ], "right after the shop"
    assert hooks["ls"].calls == [
        ("customers", [("limit", "1")], "customers"),
        ("invoices", [("limit", "1")], "invoices"),
    ]
    assert "ok   customers GetConnector Profit_Debtor: 4 field(s), with Email, DebtorId" in found
    assert (
        "ok   credit_notes GetConnector Profit_Salesorders: 4 field(s), with CustomerReference, OrderNumber, "
        "DebtorId" in found
    )
    assert (
        "ok   credit_notes cost items: refunds are booked on afas.items: shipping VERZEND, payment costs "
        "BETAALKOST, discount KORTING (AFAS checks the codes at the first credit)" in found
    )
    assert found[-2] == (
        "note not checked (it would write to AFAS): that AFAS accepts the sales relations the customers flow "
        "books; a dry run (trigger lightspeed_afas_acme__customers with dry_run) shows them, the first run's "
        "records show the rest (python -m lightspeed_afas log acme --flow customers)"
    )
    assert found[-1].startswith(
        "note not checked (it would write to AFAS): that AFAS accepts the credits (credit_marking "
        "negative_lines) the credit_notes flow books"
    ) and found[-1].endswith("(python -m lightspeed_afas log acme --flow credit_notes)")
    assert not [x for x in found if x.startswith("FAIL")]


def test_the_tenant_file_decides_which_connector_and_fields(include, hooks):
    include.tenant(
        "acme",
        blocks(customers={}, credit_notes={"credit_marking": "cror_positive_lines"})
        | {"afas.document": "direct_invoice", "afas.duplicate_debtors": "most_recent"},
    )
    hooks["lightspeed"] = {"empty": "invoices"}
    found = lines("acme")
    assert "ok   customers GetConnector Profit_Debtor: 4 field(s), with Email, DebtorId, CreateDate" in found
    assert (
        "ok   credit_notes GetConnector Lightspeed_DirectInvoices: 5 field(s), with CustomerReference, "
        "OrderNumber, DebtorId" in found
    )
    assert lookups.ORDER_CONNECTOR not in hooks["afas_hook"].described
    assert any(
        x.endswith("invoices.json answers: the key reads invoices and credit notes (the shop has none yet)")
        for x in found
    )
    assert "credit_marking cror_positive_lines" in found[-1]
    assert not [x for x in found if x.startswith("FAIL")]


def test_each_problem_is_one_line_with_what_to_fix(include, hooks):
    include.tenant(
        "acme", blocks(**{"afas.duplicate_debtors": "most_recent"}), drop=("afas.items.payment_fee",)
    )
    hooks["afas"] = {"without": ("Profit_Salesorders.DebtorId", "Profit_Debtor.CreateDate")}
    hooks["lightspeed"] = {"refuse": "customers"}
    found = lines("acme")
    fail = [x for x in found if x.startswith("FAIL") and ("customers" in x or "credit_notes" in x)]
    assert fail == [
        "FAIL Lightspeed customers of lightspeed_demo: Lightspeed refused connection 'lightspeed_demo' (403: "
        "Forbidden). The flow reads customers.json: the key must be allowed to read customers.",
        "FAIL customers GetConnector Profit_Debtor: GetConnector Profit_Debtor has no field the creation date "
        "(afas.duplicate_debtors: most_recent) = 'CreateDate'; its fields are DebtorId, Email, Name.",
        "FAIL credit_notes GetConnector Profit_Salesorders: GetConnector Profit_Salesorders has no field the "
        "order's debtor (fixed) = 'DebtorId'; its fields are CustomerReference, OrderNumber, Status.",
    ]
    assert (
        "note credit_notes cost items: refunded shipping is booked on item VERZEND; a credit note that refunds "
        "payment costs fails while afas.items.payment_fee is not set (as an order with payment costs does)"
    ) in found
    assert any(x.startswith("ok   Lightspeed invoices of lightspeed_demo") for x in found)


def test_a_look_up_connector_not_offered_and_a_renamed_field(include, hooks):
    include.tenant("acme", blocks(**{"afas.lookups.order.reference_field": "Referentie"}))
    hooks["afas"] = {"refused": (lookups.DEBTOR_CONNECTOR,)}
    fail = [x for x in lines("acme") if x.startswith("FAIL") and "GetConnector" in x]
    assert fail[0].startswith(
        "FAIL customers GetConnector Profit_Debtor: AFAS does not offer the GetConnector Profit_Debtor to this "
        "token"
    ) and fail[0].endswith("or set afas.lookups.debtor.connector to the one you use.")
    assert fail[1] == (
        "FAIL credit_notes GetConnector Profit_Salesorders: GetConnector Profit_Salesorders has no field "
        "afas.lookups.order.reference_field = 'Referentie'; its fields are CustomerReference, DebtorId, "
        "OrderNumber, Status."
    )
    assert len(fail) == 2


def test_a_shop_that_does_not_answer_skips_the_shop_lists(include, hooks):
    include.tenant("acme", blocks())
    hooks["lightspeed"] = {"shop_error": LightspeedAuthError("401: wrong key", 401)}
    found = lines("acme")
    assert "FAIL Lightspeed connection lightspeed_demo: 401: wrong key" in found
    assert hooks["ls"].calls == []
    assert not [
        x
        for x in found
        if x.split(":")[0].endswith(("customers of lightspeed_demo", "invoices of lightspeed_demo"))
    ]
    assert "ok   customers GetConnector Profit_Debtor: 4 field(s), with Email, DebtorId" in found, (
        "AFAS still is"
    )


def test_without_the_blocks_nothing_of_those_flows_is_checked(include, hooks):
    include.tenant("acme", {**OTHER_FLOWS_OFF, "customers": None, "credit_notes": None})
    found = lines("acme")
    assert not [x for x in found if "customers" in x or "credit_notes" in x or "invoices" in x]
    assert hooks["ls"].calls == []
    include.tenant("acme", blocks(credit_notes=None))
    found = lines("acme")
    assert [x for x in found if "credit_notes" in x or "invoices" in x] == []
    assert [path for path, _, _ in hooks["ls"].calls] == ["customers"]
