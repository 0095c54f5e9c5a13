"""Credits on FbSales and FbDirectInvoice over HTTP: AFAS's own "Creditregel" examples under every
``credit_marking``, negative unit prices, mixed lines, a credit's totals to the cent (VAT per line, both
``negative_rounding`` choices), credits found by ``RfCs`` in the GetConnectors, their stock effect
(``credit_stock``), ``Fref``'s length, and the credit rules through the config and the admin API."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from emulators.afas import AfasConfig, create_app
from tests.support.afas_fixtures import AfasClient, order_lines, order_row, running_afas, state_order

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO.parent / "shared" / "reference" / "afas-openapi" / "verkoop_en_orders.json"
INVOICES = "Lightspeed_DirectInvoices"
DEFAULT_RULES = {
    "credit_marking": "negative_lines",
    "credit_unit_price": "positive_only",
    "mixed_lines": "accept",
    "credit_stock": "book_back",
    "negative_rounding": "half_away_from_zero",
}
# AFAS's "Creditregel" examples (AFASSoftware/OASContent @ 64278d2, OpenApiSpecs/profit/en/Verkoop en
# Orders.json, POST /connectors/{FbSales,FbDirectInvoice}, examples["Creditregel"]), verbatim; used when
# the spec is not next to the repository — test_the_copies_are_afas_s_own checks them where it is.
CREDITREGEL = {
    "FbSales": {
        "FbSales": {
            "Element": {
                "Fields": {"DbId": "10001", "RfCs": "Creditregel"},
                "Objects": {
                    "FbSalesLines": {
                        "Element": {"Fields": {"VaIt": "2", "ItCd": "1000", "BiUn": "stk", "QuUn": "-10"}}
                    }
                },
            }
        }
    },
    "FbDirectInvoice": {
        "FbDirectInvoice": {
            "Element": {
                "Fields": {"OrDa": "2013-06-01", "DbId": "10178", "RfCs": "creditregel", "War": "01"},
                "Objects": {
                    "FbDirectInvoiceLines": {
                        "Element": [
                            {
                                "Fields": {
                                    "VaIt": "2",
                                    "ItCd": "1000",
                                    "BiUn": "stk",
                                    "QuUn": "-5",
                                    "Upri": "25",
                                }
                            },
                            {
                                "Fields": {
                                    "VaIt": "2",
                                    "ItCd": "1203",
                                    "BiUn": "stk",
                                    "QuUn": "-2",
                                    "Upri": "30",
                                }
                            },
                        ]
                    }
                },
            }
        }
    },
}
CONNECTORS = ("FbSales", "FbDirectInvoice")
CROR = "'Creditorder' (CrOr)"
QUUN = "'Aantal eenheden' (QuUn)"


def spec_example(connector: str) -> dict[str, Any]:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    body = spec["paths"][f"/connectors/{connector}"]["post"]["requestBody"]
    return body["content"]["application/json"]["examples"]["Creditregel"]["value"]


def creditregel(connector: str) -> dict[str, Any]:
    """AFAS's own "Creditregel" example of ``connector``: from the OpenAPI spec when it is there."""
    return spec_example(connector) if SPEC.exists() else copy.deepcopy(CREDITREGEL[connector])


def example_lines(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The line Fields of an example (its ``Element`` is an object or a list)."""
    connector = next(iter(body))
    element = body[connector]["Element"]["Objects"][f"{connector}Lines"]["Element"]
    return [e["Fields"] for e in (element if isinstance(element, list) else [element])]


def with_header(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body[next(iter(body))]["Element"]["Fields"].update(fields)
    return body


def sent_positive(body: dict[str, Any]) -> dict[str, Any]:
    """The example as "cror_flips" wants it: CrOr true, the quantities positive."""
    for fields in example_lines(body):
        fields["QuUn"] = fields["QuUn"].lstrip("-")
    return with_header(body, CrOr=True)


def document(connector: str, reference: str, lines: list[dict[str, Any]], debtor: str = "10001", **header):
    fields = {"DbId": debtor, "OrDa": "2026-11-20", "RfCs": reference, "Unit": 1, "InVa": False, **header}
    return {
        connector: {
            "Element": {
                "Fields": fields,
                "Objects": [{f"{connector}Lines": {"Element": [{"Fields": dict(f)} for f in lines]}}],
            }
        }
    }


def line(
    item: str, quantity: str, price: str, vat: str = "1", kind: str = "2", **more: str
) -> dict[str, str]:
    unit = "*****" if kind == "6" else "STK"
    return {"VaIt": kind, "ItCd": item, "BiUn": unit, "QuUn": quantity, "Upri": price, "VaRc": vat, **more}


def money(value: Any) -> Decimal:
    return Decimal(str(value))


def figures(row: dict[str, Any], *names: str) -> tuple[Decimal, ...]:
    return tuple(money(row[n]) for n in names)


def rules(client: AfasClient, **changes: str) -> dict[str, str]:
    return client.admin("POST", "credit_rules", changes)["rules"]


def stored(client: AfasClient, connector: str, number: str) -> dict[str, Any]:
    kind = "orders" if connector == "FbSales" else "invoices"
    return next(o for o in client.admin("GET", "state")[kind] if o["OrNu"] == number)


def invoice_row(client: AfasClient, reference: str) -> dict[str, Any]:
    (row,) = client.rows(
        INVOICES,
        filterfieldids="CustomerReference",
        filtervalues=reference,
        operatortypes="1",
        orderbyfieldids="InvoiceNumber",
    )
    return row


def held(client: AfasClient, item: str, warehouse: str = "HOOFD") -> dict[str, float] | None:
    return client.admin("GET", "stock")["items"].get(item, {}).get(warehouse)


@pytest.fixture
def env(client):
    """The catalogue items and debtors AFAS's credit examples refer to (item 1203 is 9 %)."""
    client.admin(
        "PUT",
        "catalogue",
        {
            "items": {
                "1000": {"type": "2", "units": ["STK"], "price": "12.50", "vat_code": "1"},
                "1203": {"type": "2", "units": ["STK"], "price": "30.00", "vat_code": "2"},
            }
        },
    )
    client.admin("POST", "debtors", {"debtors": [{"debtor_id": d} for d in ("10001", "10178")]})
    return client


def test_the_copies_are_afas_s_own():
    if not SPEC.exists():
        pytest.skip(f"AFAS's OpenAPI spec is not at {SPEC}; the check runs where it is")
    for connector in CONNECTORS:
        assert spec_example(connector) == CREDITREGEL[connector]
        assert all(f["QuUn"].startswith("-") for f in example_lines(CREDITREGEL[connector]))
        assert "CrOr" not in CREDITREGEL[connector][connector]["Element"]["Fields"]


# --- credit_marking: the official examples under each choice -------------------------------------------


@pytest.mark.parametrize("connector", CONNECTORS)
@pytest.mark.parametrize("cror", [None, True, False])
def test_negative_lines_accepts_the_examples_with_or_without_cror(env, connector, cror):
    body = creditregel(connector) if cror is None else with_header(creditregel(connector), CrOr=cror)
    number = env.created(connector, body)["OrNu"]
    document_ = stored(env, connector, number)
    assert document_["credit"] is True and document_["rounding"] == "half_away_from_zero"
    assert [ln["QuUn"] for ln in document_["lines"]] == [f["QuUn"] for f in example_lines(body)]
    assert document_["fields"].get("CrOr") is cror


@pytest.mark.parametrize("connector", CONNECTORS)
def test_cror_required_refuses_the_examples_until_they_carry_cror(env, connector):
    rules(env, credit_marking="cror_required")
    names = "regel 1 (1000)" if connector == "FbSales" else "regels 1 (1000) en 2 (1203)"
    what = "Verkooporder" if connector == "FbSales" else "Directe factuur"
    for body in (creditregel(connector), with_header(creditregel(connector), CrOr=False)):
        assert env.refusal(env.post(connector, body)) == (
            f"{what} bevat creditregels ({names}), maar {CROR} staat niet aan; "
            f"een credit moet met {CROR} = true worden aangeleverd."
        )
    number = env.created(connector, with_header(creditregel(connector), CrOr=True))["OrNu"]
    assert stored(env, connector, number)["fields"]["CrOr"] is True
    positive = sent_positive(creditregel(connector))
    assert env.refusal(env.post(connector, positive)) == (
        f"{CROR} staat aan, maar de {what.lower()} bevat geen creditregels (regels met een negatief {QUUN})."
    )


def test_cror_required_leaves_ordinary_orders_alone(env):
    rules(env, credit_marking="cror_required")
    for cror in (None, False):
        header = {} if cror is None else {"CrOr": cror}
        env.created("FbSales", document("FbSales", f"ORD-{cror}", [line("ART-1001", "2", "8.95")], **header))
    discount = [line("ART-1001", "2", "8.95"), line("KORTING", "1", "-2.00", kind="6")]
    env.created("FbSales", document("FbSales", "ORD-KORTING", discount))


@pytest.mark.parametrize("connector", CONNECTORS)
def test_cror_flips_wants_positive_lines_with_cror_and_books_them_negative(env, connector):
    rules(env, credit_marking="cror_flips")
    many = connector == "FbDirectInvoice"
    names = "regels 1 (1000) en 2 (1203)" if many else "regel 1 (1000)"
    assert env.refusal(env.post(connector, creditregel(connector))) == (
        f"{names[0].upper()}{names[1:]} {'zijn creditregels' if many else 'is een creditregel'} zonder "
        f"{CROR}; boek een credit met {CROR} = true en positieve aantallen."
    )
    assert env.refusal(env.post(connector, with_header(creditregel(connector), CrOr=True))) == (
        f"Bij {CROR} = true worden de aantallen positief aangeleverd; {names} "
        f"{'hebben' if many else 'heeft'} een negatief {QUUN}."
    )
    body = sent_positive(creditregel(connector))
    number = env.created(connector, body)["OrNu"]
    document_ = stored(env, connector, number)
    assert [ln["QuUn"] for ln in document_["lines"]] == [f"-{f['QuUn']}" for f in example_lines(body)]
    assert document_["fields"]["CrOr"] is True and document_["credit"] is True
    if many:
        assert figures(invoice_row(env, "creditregel"), "Gross", "VAT", "TotalAmount") == (
            Decimal("-185.00"),
            Decimal("-31.65"),
            Decimal("-216.65"),
        )
    else:
        assert money(order_row(env, "Creditregel")["TotalAmount"]) == Decimal("-151.25")
    # an ordinary order (no CrOr, positive lines) is untouched by the rule
    env.created("FbSales", document("FbSales", "ORD", [line("ART-1001", "2", "8.95")], CrOr=False))
    assert money(order_row(env, "ORD")["TotalAmount"]) == Decimal("21.66")


def test_cror_flips_on_put(env):
    rules(env, credit_marking="cror_flips")
    body = document("FbSales", "CR-PUT", [line("ART-1001", "2", "8.95")], CrOr=True)
    number = env.created("FbSales", body)["OrNu"]
    (first,) = (ln["GuLi"] for ln in state_order(env, number)["lines"])

    def put(*lines: dict[str, Any], **header: Any) -> requests.Response:
        element = {"Fields": {"OrNu": number, **header}}
        if lines:
            element["Objects"] = [{"FbSalesLines": {"Element": [{"Fields": f} for f in lines]}}]
        return env.put("FbSales", {"FbSales": {"Element": element}})

    assert put({"GuLi": first, "QuUn": "3"}, line("ART-2001", "1", "12.50")).status_code == 201
    assert [ln["QuUn"] for ln in state_order(env, number)["lines"]] == ["-3", "-1"]
    assert put(Re="alleen de kop").status_code == 201  # stored lines keep their booked quantities
    assert [ln["QuUn"] for ln in state_order(env, number)["lines"]] == ["-3", "-1"]
    assert env.refusal(put({"GuLi": first, "QuUn": "-4"})) == (
        f"Bij {CROR} = true worden de aantallen positief aangeleverd; regel 1 (ART-1001) heeft een negatief {QUUN}."
    )
    for cror in (False, ""):
        assert env.refusal(put(CrOr=cror)) == (
            f"Het veld {CROR} kan bij het wijzigen van een verkooporder niet worden aangepast."
        )
    assert [ln["QuUn"] for ln in state_order(env, number)["lines"]] == ["-3", "-1"]


def test_the_lines_url_and_put_follow_cror_required(env):
    rules(env, credit_marking="cror_required")
    number = env.created("FbSales", document("FbSales", "ORD", [line("ART-1001", "2", "8.95")]))["OrNu"]
    credit = {"FbSales": {"Element": {"Fields": {"OrNu": number}, "Objects": [
        {"FbSalesLines": {"Element": [{"Fields": line("ART-2001", "-1", "12.50")}]}}
    ]}}}  # fmt: skip
    message = env.refusal(env.post("FbSales/FbSalesLines", credit))
    assert message.startswith("Verkooporder bevat creditregels (regel 2 (ART-2001)), maar")
    credit["FbSales"]["Element"]["Fields"]["CrOr"] = True
    assert env.put("FbSales", credit).status_code == 201
    assert money(order_row(env, "ORD")["TotalAmount"]) == Decimal("21.66") - Decimal("15.13")


# --- credits in the GetConnectors ---------------------------------------------------------------------


def test_a_sales_credit_is_found_by_rfcs_with_its_debtor_and_negative_figures(env):
    number = env.created("FbSales", creditregel("FbSales"))["OrNu"]
    row = order_row(env, "Creditregel")  # the connector's own look-up: CustomerReference = RfCs
    assert (row["OrderNumber"], row["DebtorId"], row["Status"], row["Ordersoort"]) == (
        number,
        "10001",
        "Open",
        "Verkooporder",
    )
    # 10 × 12.50 (the price list, excl. VAT) at 21 %
    assert figures(row, "Gross", "Discount", "VAT", "TotalAmount", "InvoiceTotal", "Quantity") == (
        Decimal("-125.00"),
        Decimal("0"),
        Decimal("-26.25"),
        Decimal("-151.25"),
        Decimal("-151.25"),
        Decimal("-10"),
    )
    (credit_line,) = order_lines(env, number)
    assert (credit_line["CustomerReference"], credit_line["DebtorId"], credit_line["ItemCodeId"]) == (
        "Creditregel",
        "10001",
        "1000",
    )
    assert figures(credit_line, "PiecePerUnit", "PricePerUnit", "AmtRowDiscount", "PriceNet", "AmtTotal") == (
        Decimal("-10"),
        Decimal("12.50"),
        Decimal("0"),
        Decimal("12.50"),
        Decimal("-125.00"),
    )
    assert env.rows(INVOICES, orderbyfieldids="InvoiceNumber") == []


def test_a_direct_invoice_credit_is_found_by_rfcs_in_the_invoice_connector(env):
    keys = env.created("FbDirectInvoice", creditregel("FbDirectInvoice"))
    assert keys == {"OrNu": "70000001", "Liln": "80000001"}
    row = invoice_row(env, "creditregel")
    assert {k: row[k] for k in ("InvoiceNumber", "OrderNumber", "DebtorId", "InvoiceDate", "Status")} == {
        "InvoiceNumber": "80000001",
        "OrderNumber": "70000001",
        "DebtorId": "10178",
        "InvoiceDate": "2013-06-01T00:00:00Z",
        "Status": "Gefactureerd",
    }
    # 5 × 25 at 21 % (26.25) and 2 × 30 at 9 % (5.40)
    assert figures(row, "Gross", "VAT", "TotalAmount", "InvoiceTotal") == (
        Decimal("-185.00"),
        Decimal("-31.65"),
        Decimal("-216.65"),
        Decimal("-216.65"),
    )
    assert env.rows("Profit_Salesorders", orderbyfieldids="OrderNumber") == []


# --- totals to the cent -------------------------------------------------------------------------------

THREE_LINES = [
    line("ART-2001", "3", "12.50", vat="1"),  # 37.50, VAT 7.875
    line("ART-1003", "1", "0.50", vat="2"),  # 0.50 at 9 %, VAT 0.045
    line("VERZEND", "1", "2.50", vat="1", kind="6"),  # 2.50, VAT 0.525
]


def negated(lines: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{**f, "QuUn": f"-{f['QuUn']}"} for f in lines]


@pytest.mark.parametrize("connector", CONNECTORS)
def test_a_credit_is_the_exact_mirror_of_its_order_with_vat_per_line(env, connector):
    env.created(connector, document(connector, "ORDER", THREE_LINES))
    env.created(connector, document(connector, "CREDIT", negated(THREE_LINES)))
    rows = (order_row(env, "ORDER"), order_row(env, "CREDIT")) if connector == "FbSales" else (
        invoice_row(env, "ORDER"), invoice_row(env, "CREDIT")
    )  # fmt: skip
    order, credit = (figures(r, "Gross", "VAT", "TotalAmount") for r in rows)
    assert order == (Decimal("40.50"), Decimal("8.46"), Decimal("48.96"))  # 7.88 + 0.05 + 0.53
    assert credit == (Decimal("-40.50"), Decimal("-8.46"), Decimal("-48.96"))


def test_a_credit_with_prices_incl_vat(env):
    lines = [
        line("ART-1001", "-2", "8.95", vat="2"),  # -17.90, excl. -16.42
        line("VERZEND", "-1", "4.95", vat="1", kind="6"),  # -4.95, excl. -4.09
        line("ART-2001", "-3", "12.50", vat="1"),  # -37.50, excl. -30.99
    ]
    env.created("FbSales", document("FbSales", "INCL", lines, InVa=True))
    assert figures(order_row(env, "INCL"), "Gross", "VAT", "TotalAmount") == (
        Decimal("-51.50"),
        Decimal("-8.85"),
        Decimal("-60.35"),
    )


DISCOUNTED = [
    line("ART-2001", "-3", "10.00", PRDc="10"),  # -30.00, discount -3.00, VAT -5.67
    line("ART-2002", "-2", "15.00", ARDc="2.50"),  # -30.00, discount -2.50 (the line's sign), VAT -5.775
    line("ART-1003", "-1", "0.50", vat="2"),  # VAT -0.045
]


@pytest.mark.parametrize(
    ("rounding", "vat", "total"),
    [("half_away_from_zero", "-11.50", "-66.50"), ("half_up", "-11.48", "-66.48")],
)
def test_line_discounts_and_the_rounding_of_negative_half_cents(env, rounding, vat, total):
    rules(env, negative_rounding=rounding)
    number = env.created("FbSales", document("FbSales", "DISC", DISCOUNTED))["OrNu"]
    assert [figures(r, "AmtRowDiscount", "AmtTotal", "PriceNet") for r in order_lines(env, number)] == [
        (Decimal("-3.00"), Decimal("-27.00"), Decimal("9.00")),
        (Decimal("-2.50"), Decimal("-27.50"), Decimal("13.75")),
        (Decimal("0"), Decimal("-0.50"), Decimal("0.50")),
    ]
    assert figures(order_row(env, "DISC"), "Gross", "Discount", "VAT", "TotalAmount") == (
        Decimal("-55.00"),
        Decimal("-5.50"),
        Decimal(vat),
        Decimal(total),
    )
    assert state_order(env, number)["rounding"] == rounding
    # positive amounts round the same under both choices
    env.created("FbSales", document("FbSales", "POS", THREE_LINES))
    assert money(order_row(env, "POS")["VAT"]) == Decimal("8.46")


def test_a_booked_credit_keeps_the_rounding_it_was_booked_with(env):
    rules(env, negative_rounding="half_up")
    env.created("FbSales", document("FbSales", "CREDIT", negated(THREE_LINES)))
    rules(env, negative_rounding="half_away_from_zero")
    assert money(order_row(env, "CREDIT")["VAT"]) == Decimal("-8.43")  # -7.87 - 0.04 - 0.52


# --- mixed lines ---------------------------------------------------------------------------------------

EXCHANGE = [
    line("ART-1001", "-1", "8.95"),
    line("ART-2001", "1", "12.50"),
    line("VERZEND", "1", "4.95", kind="6"),
]


@pytest.mark.parametrize("connector", CONNECTORS)
def test_mixed_lines_accepted(env, connector):
    number = env.created(connector, document(connector, "MIX", EXCHANGE))["OrNu"]
    assert stored(env, connector, number)["credit"] is True
    assert money(stored(env, connector, number)["totals"]["Gross"]) == Decimal("8.50")


@pytest.mark.parametrize("connector", CONNECTORS)
def test_mixed_lines_refused_names_the_lines(env, connector):
    rules(env, mixed_lines="refuse")
    assert env.refusal(env.post(connector, document(connector, "MIX", EXCHANGE))) == (
        "Alle regels van een credit moeten hetzelfde teken hebben: regels 2 (ART-2001) en 3 (VERZEND) zijn "
        "positief, regel 1 (ART-1001) is negatief."
    )
    assert env.refusal(env.post(connector, document(connector, "MIX", EXCHANGE[:2]))) == (
        "Alle regels van een credit moeten hetzelfde teken hebben: regel 2 (ART-2001) is positief, "
        "regel 1 (ART-1001) is negatief."
    )
    # all negative (a free line counts for neither sign), and an order with a discount line, are fine
    credit = [
        line("ART-1001", "-1", "8.95"),
        line("ART-2001", "-1", "0"),
        line("VERZEND", "-1", "4.95", kind="6"),
    ]
    env.created(connector, document(connector, "CREDIT", credit))
    discount = [line("ART-1001", "2", "8.95"), line("KORTING", "1", "-2.00", kind="6")]
    env.created(connector, document(connector, "ORDER", discount))
    assert (
        env.admin("GET", "state")["invoices" if connector == "FbDirectInvoice" else "orders"][-1]["credit"]
        is False
    )


def test_mixed_lines_refused_on_put_too(env):
    rules(env, mixed_lines="refuse")
    number = env.created("FbSales", document("FbSales", "CR", [line("ART-1001", "-1", "8.95")]))["OrNu"]
    body = {"FbSales": {"Element": {"Fields": {"OrNu": number}, "Objects": [
        {"FbSalesLines": {"Element": [{"Fields": line("ART-2001", "1", "12.50")}]}}
    ]}}}  # fmt: skip
    assert "regel 2 (ART-2001) is positief, regel 1 (ART-1001) is negatief" in env.refusal(
        env.put("FbSales", body)
    )
    assert len(state_order(env, number)["lines"]) == 1


# --- negative unit prices -------------------------------------------------------------------------------


@pytest.mark.parametrize("connector", CONNECTORS)
def test_a_negative_unit_price_is_refused_under_positive_only(env, connector):
    body = document(connector, "NEG", [line("ART-2001", "1", "12.50"), line("ART-1001", "1", "-8.95")])
    assert env.refusal(env.post(connector, body)) == (
        "De waarde -8.95 bij 'Prijs per eenheid' (Upri) op regel 2 (ART-1001) mag niet negatief zijn; "
        f"boek een credit met een negatief {QUUN}."
    )
    rules(env, credit_marking="cror_flips")
    assert env.refusal(env.post(connector, body)).endswith(
        f"boek een credit met {CROR} en een positief aantal."
    )
    # a cost line's negative price is a discount, not a credit
    number = env.created(connector, document(connector, "DISC", [line("KORTING", "1", "-2.00", kind="6")]))[
        "OrNu"
    ]
    assert stored(env, connector, number)["credit"] is False


@pytest.mark.parametrize("connector", CONNECTORS)
def test_a_negative_unit_price_is_a_credit_line_under_any(env, connector):
    rules(env, credit_unit_price="any")
    number = env.created(connector, document(connector, "NEG", [line("ART-1001", "2", "-8.95")]))["OrNu"]
    assert stored(env, connector, number)["credit"] is True
    row = order_row(env, "NEG") if connector == "FbSales" else invoice_row(env, "NEG")
    assert figures(row, "Gross", "VAT", "TotalAmount") == (
        Decimal("-17.90"),
        Decimal("-3.76"),
        Decimal("-21.66"),
    )
    if connector == "FbSales":
        (credit_line,) = order_lines(env, number)
        assert figures(credit_line, "PiecePerUnit", "PricePerUnit", "AmtTotal") == (
            Decimal("2"),
            Decimal("-8.95"),
            Decimal("-17.90"),
        )
    # as a credit line it needs CrOr under cror_required and may not mix under refuse
    rules(env, credit_marking="cror_required")
    assert "bevat creditregels (regel 1 (ART-1001))" in env.refusal(
        env.post(connector, document(connector, "NEG2", [line("ART-1001", "2", "-8.95")]))
    )
    env.created(connector, document(connector, "NEG2", [line("ART-1001", "2", "-8.95")], CrOr=True))
    rules(env, credit_marking="negative_lines", mixed_lines="refuse")
    mixed = document(connector, "NEG3", [line("ART-1001", "2", "-8.95"), line("ART-2001", "1", "12.50")])
    assert "regel 2 (ART-2001) is positief, regel 1 (ART-1001) is negatief" in env.refusal(
        env.post(connector, mixed)
    )


# --- stock ---------------------------------------------------------------------------------------------


def test_a_direct_invoice_credit_books_stock_back(env):
    env.created("FbDirectInvoice", creditregel("FbDirectInvoice"))  # War "01"
    assert held(env, "1000", "01")["physical"] == 5 and held(env, "1203", "01")["physical"] == 2
    env.created("FbDirectInvoice", document("FbDirectInvoice", "CR", [line("ART-1001", "-3", "8.95")]))
    assert held(env, "ART-1001")["physical"] == 43


def test_a_sales_credit_reserves_nothing_and_books_stock_back_when_delivered(env):
    number = env.created("FbSales", document("FbSales", "CR", EXCHANGE))["OrNu"]
    assert held(env, "ART-1001")["reserved"] == 0 and held(env, "ART-2001")["reserved"] == 1
    env.admin("POST", f"orders/{number}/state", {"state": "delivered"})
    assert (held(env, "ART-1001")["physical"], held(env, "ART-2001")["physical"]) == (41, 39)
    env.admin("POST", f"orders/{number}/state", {"state": "open"})
    assert (held(env, "ART-1001")["physical"], held(env, "ART-2001")["physical"]) == (40, 40)


def test_credit_stock_none_leaves_stock_alone(env):
    rules(env, credit_stock="none")
    env.created("FbDirectInvoice", creditregel("FbDirectInvoice"))
    assert held(env, "1000", "01") is None and held(env, "1203", "01") is None
    env.created("FbDirectInvoice", document("FbDirectInvoice", "MIX", EXCHANGE))
    assert (held(env, "ART-1001")["physical"], held(env, "ART-2001")["physical"]) == (40, 39)
    number = env.created("FbSales", document("FbSales", "CR", [line("ART-1001", "-3", "8.95")]))["OrNu"]
    env.admin("POST", f"orders/{number}/state", {"state": "invoiced"})
    assert held(env, "ART-1001") == {"physical": 40, "reserved": 0, "on_order": 0, "free": 40, "economic": 40}


def test_cror_flips_credits_book_stock_back_too(env):
    rules(env, credit_marking="cror_flips")
    env.created(
        "FbDirectInvoice", document("FbDirectInvoice", "CR", [line("ART-1001", "3", "8.95")], CrOr=True)
    )
    assert held(env, "ART-1001")["physical"] == 43


# --- Fref ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("connector", CONNECTORS)
def test_fref_is_stored_and_checked_to_32_characters(env, connector):
    too_long = with_header(creditregel(connector), Fref="F" * 33)
    assert env.refusal(env.post(connector, too_long)) == (
        "De waarde bij 'Factuurreferentie' (Fref) is te lang: 33 tekens, maximaal 32."
    )
    number = env.created(connector, with_header(creditregel(connector), Fref="INV-" + "9" * 28))["OrNu"]
    assert stored(env, connector, number)["fields"]["Fref"] == "INV-" + "9" * 28


# --- the rules: config, admin API, reset ---------------------------------------------------------------


def test_credit_rules_through_the_admin_api_and_back_to_the_configuration_on_reset(env):
    assert env.admin("GET", "credit_rules")["rules"] == DEFAULT_RULES
    changed = rules(env, credit_marking="cror_required", mixed_lines="refuse")
    assert changed == {**DEFAULT_RULES, "credit_marking": "cror_required", "mixed_lines": "refuse"}
    assert env.admin("GET", "state")["credit_rules"] == changed
    env.admin("POST", "reset")
    assert env.admin("GET", "credit_rules")["rules"] == DEFAULT_RULES


@pytest.mark.parametrize(
    "change",
    [
        {"credit_marking": "cror"},
        {"credit_unit_price": "negative"},
        {"mixed_lines": True},
        {"credit_stock": "book"},
        {"negative_rounding": "half_even"},
        {"credit_journal": "VK"},
    ],
)
def test_bad_credit_rules_are_a_400(client, change):
    response = requests.post(f"{client.url}/_admin/credit_rules", json=change, timeout=10)
    assert response.status_code == 400 and response.json()["error"].startswith("invalid credit rules:")
    assert client.admin("GET", "credit_rules")["rules"] == DEFAULT_RULES


def test_configured_credit_rules_apply_from_the_start_and_after_a_reset():
    config = AfasConfig(credit_marking="cror_required", credit_stock="none", negative_rounding="half_up")
    with running_afas(config) as server:
        client = AfasClient(server.url)
        try:
            expected = {**DEFAULT_RULES, "credit_marking": "cror_required", "credit_stock": "none",
                        "negative_rounding": "half_up"}  # fmt: skip
            assert client.admin("GET", "credit_rules")["rules"] == expected
            rules(client, credit_marking="negative_lines")
            client.admin("POST", "reset")
            assert client.admin("GET", "credit_rules")["rules"] == expected
            debtor = client.admin("POST", "debtors", {"debtors": [{}]})["debtors"][0]["DbId"]
            credit = document("FbSales", "CR", [line("ART-1001", "-1", "8.95")], debtor=debtor)
            assert "staat niet aan" in client.refusal(client.post("FbSales", credit))
        finally:
            client.close()
    with pytest.raises(ValueError, match="credit_marking"):
        create_app(AfasConfig(credit_marking="derived"))
