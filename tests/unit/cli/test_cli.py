"""``python -m lightspeed_afas validate`` and ``pools``."""

from __future__ import annotations

import json
import subprocess
import sys

from lightspeed_afas.cli.main import main
from lightspeed_afas.cli.registry import SUBCOMMANDS


def test_validate_all_prints_a_summary_per_tenant(include, capsys):
    include.tenant("shop_b", {"name": "Shop B", "afas.sales_journal": "50"}, ("afas.items.payment_fee",))
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "include/mappings/default.yaml: OK" in out
    assert "demo (include/tenants/demo.yaml): OK — DAG lightspeed_afas_demo, enabled" in out
    assert "shop_b (include/tenants/shop_b.yaml): OK" in out
    assert "books sales orders (FbSales) in AFAS afas_demo: administration 1, journal 50," in out
    assert "note: orders with payment costs fail: afas.items.payment_fee is not set" in out
    assert out.rstrip().endswith("2 valid tenant file(s), 0 invalid")


def test_validate_reports_what_is_wrong_and_exits_1(include, capsys):
    include.tenant("broken", drop=("afas.items.shipping",))
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "include/tenants/broken.yaml: afas.items.shipping: field required" in out
    assert "1 valid tenant file(s), 1 invalid" in out


def test_validate_named_files(include, capsys):
    good = include.tenants / "demo.yaml"
    bad = include.tenant("bad", {"afas.document": "invoice"})
    mapping = include.mappings / "default.yaml"
    assert main(["validate", str(good), str(mapping)]) == 0
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "include/tenants/bad.yaml: afas.document: Input should be 'sales_order' or 'direct_invoice'" in out
    assert main(["validate", str(include.tenants / "missing.yaml")]) == 1


def test_pools_json_for_airflow_pools_import(include, capsys):
    include.tenant("shop_b", {"afas.max_parallel_calls": 6, "afas.pool_slots": 2})
    include.tenant("shop_c", {"afas.conn_id": "afas_other", "afas.max_parallel_calls": 2})
    assert main(["pools"]) == 0
    pools = json.loads(capsys.readouterr().out)
    assert pools == {
        "afas_demo": {
            "slots": 6,
            "description": "AFAS Profit afas_demo: calls in flight for tenants demo, shop_b",
            "include_deferred": False,
        },
        "afas_other": {
            "slots": 2,
            "description": "AFAS Profit afas_other: calls in flight for tenants shop_c",
            "include_deferred": False,
        },
        "lightspeed_demo": {  # the tenants copy the demo tenant: its stock flow runs in the key's pool
            "slots": 1,
            "description": "Lightspeed eCom lightspeed_demo: the non-order flows of demo, shop_b, shop_c",
            "include_deferred": False,
        },
    }


def test_pools_cli_lines(include, capsys):
    assert main(["pools", "--format", "cli"]) == 0
    assert capsys.readouterr().out == (
        'airflow pools set afas_demo 4 "AFAS Profit afas_demo: calls in flight for tenants demo"\n'
        'airflow pools set lightspeed_demo 1 "Lightspeed eCom lightspeed_demo: the non-order flows of demo"\n'
    )


def test_commands_registered_and_module_entry_point(include):
    assert {"validate", "pools"} <= set(SUBCOMMANDS)
    done = subprocess.run(
        [sys.executable, "-m", "lightspeed_afas", "validate"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "demo (include/tenants/demo.yaml): OK" in done.stdout


def test_validate_describes_the_articles_block(include, capsys):
    block = {
        "fields": ["title", "price", "tax"],
        "prices": {"source": "price_list", "debtor": "10001", "afas_includes_vat": True, "write": "incl"},
        "vat_groups": {"HOOG": 21, "LAAG": 9},
        "languages": ["nl", "en"],
        "create_missing": True,
        "max_writes_per_run": 500,
    }
    include.tenant("shop_b", {"articles": block})
    include.tenant("shop_c", {"articles": None})
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert (
        "  articles: DAG lightspeed_afas_shop_b__articles every '0 * * * *'; AFAS leads on title, price, tax "
        "(reads Profit_Article)\n"
        "    matches variant articleCode then sku (trimmed, any case); prices from Profit_SalesPrice "
        "of debtor 10001 in EUR (incl. VAT in AFAS), writes incl; VAT groups HOOG 21 %, LAAG 9 %; languages "
        "nl, en\n"
        "    creates missing products; titles up to 255 characters; full comparison every 24 h (reads overlap "
        "10 min); leaves 40% of each rate-limit window to orders; pool lightspeed_demo; at most 500 writes a run"
    ) in out
    shop_c = out[out.index("shop_c (") :]
    assert "  articles: off (no articles block)" in shop_c
