"""The ``stock:`` block and the flow DAG ids: what is refused, and how."""

from __future__ import annotations

import pytest

from lightspeed_afas.config import ConfigError, load_tenant_file
from lightspeed_afas.config.dag_ids import flow_dag_id, flow_of_dag, tenant_of_dag


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stock.match_on": []}, "match_on needs at least one"),
        ({"stock.match_on": ["sku", "sku"]}, "names a code twice"),
        ({"stock.match_on": ["title"]}, "stock.match_on"),
        ({"stock.warehouses": ["01"]}, "fields.warehouse is not set"),
        ({"stock.schedule": "every minute"}, "not a five-field cron"),
        ({"stock.fields.quantity": "In stock"}, "stock.fields.quantity"),
        ({"stock.full_comparison_hours": 0}, "stock.full_comparison_hours"),
        ({"stock.colour": "red"}, "stock.colour"),
        ({"lightspeed.reserve_for_orders": 0.95}, "lightspeed.reserve_for_orders"),
    ],
)
def test_a_bad_stock_block_is_refused_with_the_field(include, changes, message):
    path = include.tenant("acme", changes)
    with pytest.raises(ConfigError) as caught:
        load_tenant_file(path)
    assert message in str(caught.value)


def test_defaults_of_a_minimal_stock_block(include):
    path = include.tenant("acme", {"stock": {}, "lightspeed.conn_id": "ls_acme"})
    cfg = load_tenant_file(path).config
    assert cfg.flows()[:2] == ("orders", "stock")
    assert cfg.stock.connector == "Profit_Stock_per_Warehouse"
    assert (cfg.stock.fields.item_code, cfg.stock.fields.quantity) == ("Item_code", "In_stock")
    assert cfg.stock.match_on == ["articleCode", "sku", "ean"] and cfg.stock.subtract_unbooked
    assert cfg.lightspeed.reserve_for_orders == 0.4 and cfg.lightspeed.pool == "lightspeed_ls_acme"


def test_a_tenant_id_with_a_double_underscore_is_refused(include):
    path = include.tenant("ac__me")
    with pytest.raises(ConfigError) as caught:
        load_tenant_file(path)
    assert "'__'" in str(caught.value)


def test_flow_dag_ids_round_trip():
    assert flow_dag_id("acme") == "lightspeed_afas_acme"
    assert flow_dag_id("acme", "stock") == "lightspeed_afas_acme__stock"
    assert flow_of_dag("lightspeed_afas_acme__stock") == ("acme", "stock")
    assert flow_of_dag("lightspeed_afas_acme") == ("acme", "orders")
    assert flow_of_dag("lightspeed_afas_acme__unknown") is None and flow_of_dag("other_dag") is None
    assert tenant_of_dag("lightspeed_afas_acme__stock") == "acme"
    with pytest.raises(ValueError, match="unknown flow"):
        flow_dag_id("acme", "nope")
