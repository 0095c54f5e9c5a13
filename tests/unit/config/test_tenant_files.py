"""Tenant files: every kind of mistake gives one clear line naming the file and the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lightspeed_afas.config import ConfigError, load_tenant, load_tenant_file, load_tenants


def problems(path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_tenant_file(path)
    return [str(p) for p in caught.value.problems]


def test_demo_tenant_is_valid_with_defaults(include):
    tenant = load_tenant_file(include.tenants / "demo.yaml")
    cfg = tenant.config
    assert cfg.dag_id == "lightspeed_afas_demo"
    assert cfg.start_date == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    assert cfg.start_date.utcoffset() == timedelta(hours=2)  # the offset as written (summer time)
    assert cfg.lightspeed.overlap_minutes == 120
    assert cfg.afas.lookups.debtor.connector == "Profit_Debtor"
    assert cfg.afas.lookups.order.reference_field == "CustomerReference"
    assert cfg.afas.lookups.direct_invoice.connector == "Lightspeed_DirectInvoices"
    assert cfg.afas.pool == "afas_demo" and cfg.afas.pool_slots == 4
    assert tenant.notes == ()


def test_design_md_example_is_valid_and_defaults_fill_in(include):
    path = include.write(
        "acme.yaml",
        """\
tenant: acme
name: Acme Webshop
enabled: true
start_date: "2026-11-01T00:00:00+01:00"
schedule: "*/15 * * * *"
lightspeed:
  conn_id: lightspeed_acme
  order_statuses: []
  payment_statuses: []
afas:
  conn_id: afas_acme
  document: sales_order
  administration: 1
  sales_journal: "VK"
  project: null
  warehouse: null
  items:
    discount: KORTING
    shipping: VERZEND
    payment_fee: null
  new_relation: {}
mapping: default
detail_logging: false
""",
    )
    tenant = load_tenant_file(path)
    cfg = tenant.config
    assert cfg.timezone == "Europe/Amsterdam"
    assert cfg.afas.cancelled_orders == "ignore"
    assert cfg.afas.duplicate_debtors == "fail"
    assert cfg.afas.max_parallel_calls == 4
    assert cfg.detail_log_days == 14 and cfg.max_attempts == 5 and cfg.owner == "data-team"
    assert cfg.afas.pool == "afas_acme"
    assert "afas.items.payment_fee is not set" in tenant.notes[0]
    assert "afas.items.rounding" in tenant.notes[1]


def test_pool_defaults_to_afas_prefixed_conn_id(include):
    path = include.tenant("shop", {"afas.conn_id": "profit_prod"})
    assert load_tenant_file(path).config.afas.pool == "afas_profit_prod"


@pytest.mark.parametrize(
    ("changes", "drop", "expected"),
    [
        ({}, ("afas.items.shipping",), "include/tenants/t.yaml: afas.items.shipping: field required"),
        ({}, ("afas.conn_id",), "include/tenants/t.yaml: afas.conn_id: field required"),
        ({}, ("lightspeed.conn_id",), "include/tenants/t.yaml: lightspeed.conn_id: field required"),
        ({"afas.colour": "blue"}, (), "include/tenants/t.yaml: afas.colour: unknown key"),
        (
            {"afas.administration": "one"},
            (),
            "include/tenants/t.yaml: afas.administration: Input should be a valid integer",
        ),
        (
            {"afas.administration": 0},
            (),
            "include/tenants/t.yaml: afas.administration: Input should be greater than or equal to 1",
        ),
        ({"enabled": "yes"}, (), "include/tenants/t.yaml: enabled: Input should be a valid boolean"),
        (
            {"afas.document": "invoice"},
            (),
            "include/tenants/t.yaml: afas.document: Input should be 'sales_order' or 'direct_invoice'",
        ),
        (
            {"afas.sales_journal": "VERKOOP1"},
            (),
            "include/tenants/t.yaml: afas.sales_journal: String should have at most 6 characters",
        ),
        (
            {"afas.items.discount": "X" * 41},
            (),
            "include/tenants/t.yaml: afas.items.discount: String should have at most 40 characters",
        ),
        (
            {"lightspeed.conn_id": "shop acme"},
            (),
            "include/tenants/t.yaml: lightspeed.conn_id: String should match pattern",
        ),
        (
            {"lightspeed.order_statuses": ["shipped"]},
            (),
            "include/tenants/t.yaml: lightspeed.order_statuses[0]: Input should be",
        ),
        (
            {"lightspeed.payment_statuses": ["refunded"]},
            (),
            "include/tenants/t.yaml: lightspeed.payment_statuses[0]: Input should be",
        ),
        (
            {"lightspeed.overlap_minutes": 2000},
            (),
            "include/tenants/t.yaml: lightspeed.overlap_minutes: Input should be less than or equal to 1440",
        ),
        (
            {"start_date": "2026-11-01T00:00:00"},
            (),
            "include/tenants/t.yaml: start_date: start_date needs a UTC offset",
        ),
        (
            {"start_date": "next monday"},
            (),
            "include/tenants/t.yaml: start_date: 'next monday' is not an ISO date-time",
        ),
        (
            {"schedule": "every 15 minutes"},
            (),
            "include/tenants/t.yaml: schedule: 'every 15 minutes' is not a five-field cron",
        ),
        (
            {"timezone": "Europe/Amsterdamm"},
            (),
            "include/tenants/t.yaml: timezone: 'Europe/Amsterdamm' is not an IANA time zone",
        ),
        (
            {"afas.new_relation.currency": "eur"},
            (),
            "include/tenants/t.yaml: afas.new_relation.currency: currency 'eur' is not",
        ),
        (
            {"afas.new_relation.invoice_delivery": "Z"},
            (),
            "include/tenants/t.yaml: afas.new_relation.invoice_delivery: Input should be",
        ),
        (
            {"afas.duplicate_debtors": "first"},
            (),
            "include/tenants/t.yaml: afas.duplicate_debtors: Input should be",
        ),
        (
            {"afas.max_parallel_calls": 9},
            (),
            "include/tenants/t.yaml: afas.max_parallel_calls: Input should be less than or equal to 8",
        ),
        (
            {"afas.pool_slots": 6},
            (),
            "include/tenants/t.yaml: afas: pool_slots (6) is more than max_parallel_calls (4)",
        ),
        (
            {"afas.lookups.debtor.email_field": "E-mail"},
            (),
            "include/tenants/t.yaml: afas.lookups.debtor.email_field: String should match pattern",
        ),
        (
            {"detail_log_days": 30},
            (),
            "include/tenants/t.yaml: detail_log_days: Input should be less than or equal to 14",
        ),
        (
            {"mapping": "webshop"},
            (),
            "include/tenants/t.yaml: mapping: no mapping file include/mappings/webshop.yaml",
        ),
    ],
)
def test_each_mistake_names_file_and_field(include, changes, drop, expected):
    path = include.tenant("t", changes, drop)
    found = problems(path)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found


def test_bad_tenant_id_and_id_differing_from_file_name(include):
    assert problems(include.tenant("t", {"tenant": "Acme-Shop"})) == [
        "include/tenants/t.yaml: tenant: 'Acme-Shop' is not a tenant id: use lower-case letters, digits and _ only"
    ]
    assert problems(include.tenant("t", {"tenant": "other"}))[0].startswith(
        "include/tenants/t.yaml: tenant: 'other' differs from the file name"
    )
    bad_name = include.write("Acme.yaml", "tenant: acme\n")
    assert "file name must be <tenant>.yaml" in problems(bad_name)[0]


def test_yaml_syntax_error_names_the_line(include):
    path = include.write(
        "t.yaml", "tenant: t\nname: Test\nafas:\n  conn_id: [afas_t\n  document: sales_order\n"
    )
    (problem,) = problems(path)
    assert problem.startswith("include/tenants/t.yaml:5: YAML syntax error:")


def test_duplicate_key_is_an_error_with_its_line(include):
    path = include.write("t.yaml", "tenant: t\nname: A\nname: B\n")
    assert problems(path) == ["include/tenants/t.yaml:3: name: duplicate key (it appears twice)"]


def test_a_file_that_is_not_a_mapping(include):
    path = include.write("t.yaml", "- tenant: t\n")
    assert problems(path) == ["include/tenants/t.yaml: a tenant file must be a YAML mapping of settings"]


def test_several_mistakes_are_all_listed(include):
    path = include.tenant("t", {"afas.administration": 0, "lightspeed.extra": 1}, ("afas.items.discount",))
    assert sorted(problems(path)) == [
        "include/tenants/t.yaml: afas.administration: Input should be greater than or equal to 1",
        "include/tenants/t.yaml: afas.items.discount: field required",
        "include/tenants/t.yaml: lightspeed.extra: unknown key (not a setting; check the spelling)",
    ]


def test_numbers_are_accepted_as_afas_codes(include):
    path = include.tenant("t", {"afas.sales_journal": 70, "afas.new_relation.payment_condition": 14})
    cfg = load_tenant_file(path).config
    assert cfg.afas.sales_journal == "70" and cfg.afas.new_relation.payment_condition == "14"


def test_load_tenants_isolates_invalid_files_and_sorts(include):
    include.tenant("zeta")
    include.tenant("alpha")
    include.tenant("broken", drop=("afas.items.shipping",))
    include.write("notes.txt", "not a tenant")
    result = load_tenants()
    assert [t.tenant for t in result.tenants] == ["alpha", "demo", "zeta"]
    assert [e.file for e in result.errors] == ["include/tenants/broken.yaml"]
    assert str(result.errors[0]) == "include/tenants/broken.yaml: afas.items.shipping: field required"


def test_duplicate_tenant_ids_load_neither(include):
    include.tenant("twin")
    include.write("twin.yml", (include.tenants / "twin.yaml").read_text())
    result = load_tenants()
    assert result.get("twin") is None
    assert [e.file for e in result.errors] == ["include/tenants/twin.yaml", "include/tenants/twin.yml"]
    assert all("duplicate tenant id 'twin'" in str(e) for e in result.errors)


def test_load_tenant_by_id(include):
    assert load_tenant("demo").afas.conn_id == "afas_demo"
    with pytest.raises(ConfigError, match="no tenant file"):
        load_tenant("nobody")


def test_cache_returns_the_same_object_until_the_file_changes(include):
    path = include.tenant("t")
    first = load_tenant_file(path)
    assert load_tenant_file(path) is first
    include.tenant("t", {"name": "Renamed shop"})
    assert load_tenant_file(path).config.name == "Renamed shop"


def test_changed_mapping_revalidates_its_tenants(include):
    path = include.tenant("t")
    assert load_tenant_file(path).mapping.order_date == "createdAt"
    text = (
        (include.mappings / "default.yaml")
        .read_text()
        .replace("order_date: createdAt", "order_date: updatedAt")
    )
    include.write("default.yaml", text, folder="mappings")
    assert load_tenant_file(path).mapping.order_date == "updatedAt"
