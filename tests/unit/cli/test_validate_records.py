"""``validate`` lists a tenant's customers and credit_notes blocks (what the flows will do), or says they
are off."""

from __future__ import annotations

from lightspeed_afas.cli.main import main


def _tenant(out: str, tenant: str) -> str:
    start = out.index(f"{tenant} (include/tenants/{tenant}.yaml)")
    end = out.find("\n", out.find("credit_notes:", start))
    return out[start:end]


def test_validate_describes_both_record_blocks(include, capsys):
    include.tenant(
        "shop_b",
        {
            "customers": {
                "include": "new_and_changed",
                "confirmed_only": True,
                "new_relation": {"currency": "EUR"},
            },
            "credit_notes": {
                "schedule": "5 * * * *",
                "credit_marking": "negative_lines_with_cror",
                "invoice_reference": "original_invoice",
                "remark_template": "Credit {number}",
                "overlap_minutes": 30,
            },
            "afas.document": "direct_invoice",
        },
    )
    include.tenant("shop_c", {"customers": None, "credit_notes": None})
    include.tenant("shop_d", {"customers": {}, "credit_notes": {}})
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    shop_b = _tenant(out, "shop_b")
    assert (
        "  customers: DAG lightspeed_afas_shop_b__customers every '*/15 * * * *'; new and changed customers, "
        "confirmed e-mail addresses only; a relation found by Profit_Debtor.Email, else created with the "
        "block.new_relation; windows overlap 120 min\n"
        "  credit_notes: DAG lightspeed_afas_shop_b__credit_notes every '5 * * * *'; credits in direct invoices "
        "on the order's debtor (order found by Lightspeed_DirectInvoices.CustomerReference); marking "
        "negative_lines_with_cror, invoice reference original_invoice, remark 'Credit {number}'; windows "
        "overlap 30 min"
    ) in shop_b
    shop_c = _tenant(out, "shop_c")
    assert "  customers: off (no customers block)\n  credit_notes: off (no credit_notes block)" in shop_c
    shop_d = _tenant(out, "shop_d")  # empty blocks: the defaults
    assert (
        "customers: DAG lightspeed_afas_shop_d__customers every '*/15 * * * *'; new customers only; "
        in shop_d
    )
    assert "else created with afas.new_relation" in shop_d
    assert "credits in sales orders on the order's debtor (order found by Profit_Salesorders" in shop_d
    assert "remark 'Creditnota {number} bij webshoporder {order_number}'" in shop_d
