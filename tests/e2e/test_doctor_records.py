"""``python -m lightspeed_afas doctor`` for a tenant with customers and credit_notes blocks, against the
emulators: the look-up GetConnector each flow reads and its fields, the cost items, and one row of
``customers.json`` / ``invoices.json``; and what it says when something is not right."""

from __future__ import annotations

from lightspeed_afas.cli.main import main


def doctor(env, capsys) -> tuple[int, list[str]]:
    """The exit code and the doctor's own lines (not Airflow's log lines on stdout)."""
    code = main(["doctor", "shop"])
    lines = capsys.readouterr().out.splitlines()
    return code, [x for x in lines if x.startswith(("ok   ", "FAIL ", "note ", "shop: "))]


def test_doctor_checks_both_record_flows(sync_env, capsys):
    sync_env.tenant(customers={"include": "new"}, credit_notes={})
    first = sync_env.shop_admin("GET", "/state")["orders"][0]["id"]
    sync_env.shop_admin("POST", f"/orders/{first}/invoice", {})  # the shop has an invoice
    sync_env.reset_calls()
    code, out = doctor(sync_env, capsys)
    assert code == 0, "\n".join(out)
    assert out[1:3] == [
        "ok   Lightspeed customers of ls_shop: customers.json answers: the key reads customers (the shop has "
        "some)",
        "ok   Lightspeed invoices of ls_shop: invoices.json answers: the key reads invoices and credit notes "
        "(the shop has some)",
    ]
    assert "ok   customers GetConnector Profit_Debtor: 21 field(s), with Email, DebtorId" in out
    assert (
        "ok   credit_notes GetConnector Profit_Salesorders: 13 field(s), with CustomerReference, OrderNumber, "
        "DebtorId" in out
    )
    assert (
        "ok   credit_notes cost items: refunds are booked on afas.items: shipping VERZEND, payment costs "
        "BETAALKOST, discount KORTING (AFAS checks the codes at the first credit)" in out
    )
    assert sum(1 for x in out if x.startswith("note not checked (it would write to AFAS)")) == 2
    assert out[-1] == "shop: all checks passed"
    lightspeed, _ = sync_env.calls()
    assert lightspeed["calls"] == {
        "GET /{lang}/shop.json": 1,
        "GET /{lang}/customers.json": 1,
        "GET /{lang}/invoices.json": 1,
    }, "one call per list, one row each"


def test_a_direct_invoice_tenant_is_checked_on_its_own_look_up(sync_env, capsys):
    sync_env.tenant(
        customers={}, credit_notes={}, afas={"document": "direct_invoice", "duplicate_debtors": "most_recent"}
    )
    code, out = doctor(sync_env, capsys)
    assert code == 0, "\n".join(out)
    assert "ok   customers GetConnector Profit_Debtor: 21 field(s), with Email, DebtorId, CreateDate" in out
    assert (
        "ok   credit_notes GetConnector Lightspeed_DirectInvoices: 11 field(s), with CustomerReference, "
        "OrderNumber, DebtorId" in out
    )
    assert (
        "ok   Lightspeed invoices of ls_shop: invoices.json answers: the key reads invoices and credit notes "
        "(the shop has none yet)" in out
    )


def test_doctor_names_what_the_record_flows_lack(sync_env, capsys):
    sync_env.tenant(
        customers={},
        credit_notes={},
        afas={
            "document": "direct_invoice",
            "lookups": {"debtor": {"email_field": "Mail"}, "direct_invoice": {"connector": "Geen_Facturen"}},
            "items": {"discount": "KORTING", "shipping": "VERZEND"},  # no payment_fee
        },
    )
    code, out = doctor(sync_env, capsys)
    assert code == 1
    customers = next(x for x in out if x.startswith("FAIL customers GetConnector"))
    assert customers.startswith(
        "FAIL customers GetConnector Profit_Debtor: GetConnector Profit_Debtor has no field "
        "afas.lookups.debtor.email_field = 'Mail'; its fields are AdressLine1, "
    )
    credit = next(x for x in out if x.startswith("FAIL credit_notes GetConnector"))
    assert credit.startswith(
        "FAIL credit_notes GetConnector Geen_Facturen: AFAS does not offer the GetConnector Geen_Facturen to "
        "this token"
    ) and credit.endswith("or set afas.lookups.direct_invoice.connector to the one you use.")
    assert (
        "note credit_notes cost items: refunded shipping is booked on item VERZEND; a credit note that refunds "
        "payment costs fails while afas.items.payment_fee is not set (as an order with payment costs does)"
    ) in out
    assert (
        "FAIL look-up Profit_Debtor: field(s) Mail do not exist; set afas.lookups in the tenant file" in out
    )
    assert out[-1].startswith("shop: ") and "problem(s) to fix" in out[-1]


def test_without_the_blocks_the_doctor_reads_neither_list(sync_env, capsys):
    sync_env.reset_calls()
    code, out = doctor(sync_env, capsys)
    assert code == 0
    assert not [x for x in out if "customers" in x or "credit_notes" in x or "invoices" in x]
    lightspeed, _ = sync_env.calls()
    assert lightspeed["calls"] == {"GET /{lang}/shop.json": 1}
