"""The AFAS codebook's defaults are the ones the mapping rules and the booking start from."""

from __future__ import annotations

import typing

import lightspeed_afas
from lightspeed_afas.afas.refusal_labels import ITEM_TYPE_LABELS
from lightspeed_afas.afas.sales_documents import ARTICLE_UNIT, COST_UNIT, LINE_ITEM_TYPES, ItemType
from lightspeed_afas.config.mapping import MappingRules
from lightspeed_afas.domain.booking_rules import BookingRules


def test_the_item_types_are_the_ones_afas_has_labels_for():
    assert typing.get_args(ItemType) == tuple(ITEM_TYPE_LABELS)


def test_mapping_and_booking_defaults_agree():
    rules = MappingRules()
    booking = BookingRules("sales_order", 1, None, None, None, None, {})
    assert rules.item_types.model_dump() == LINE_ITEM_TYPES == booking.item_types
    assert (rules.units.article, rules.units.cost) == (ARTICLE_UNIT, COST_UNIT)
    assert (booking.article_unit, booking.cost_unit) == (ARTICLE_UNIT, COST_UNIT)
    assert tuple(rules.item_code_fields) == booking.item_code_fields
    assert rules.remark_template == booking.remark_template


def test_the_provider_info_names_both_connection_types():
    info = lightspeed_afas.get_provider_info()
    assert [c["connection-type"] for c in info["connection-types"]] == ["lightspeed_ecom", "afas_profit"]
    assert info["versions"] == [lightspeed_afas.__version__]
