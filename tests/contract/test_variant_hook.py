"""The variant calls of the Lightspeed hook against the emulator: pages, the stock PUT and its faults,
and the reserve a non-order flow leaves to orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from lightspeed_afas.hooks import LightspeedBudgetExhaustedError, LightspeedNotFoundError
from lightspeed_afas.hooks.errors import BudgetReservedError, LightspeedBadRequestError


def admin(server, path, body=None, method="POST"):
    response = requests.request(method, f"{server.url}/_admin{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def fresh_variants(server, n):
    for v in admin(server, "/variants", method="GET")["variants"]:
        admin(server, f"/variants/{v['id']}", method="DELETE")
    return [v["id"] for v in admin(server, "/variants", {"generate": n})["variants"]]


def test_variant_pages_carry_the_fields_the_stock_flow_reads(shop):
    server, make = shop()
    ids = fresh_variants(server, 260)
    hook = make()
    pages = list(hook.iter_variant_pages())
    assert [len(p) for p in pages] == [250, 10]
    assert {v["id"] for p in pages for v in p} == set(ids)
    assert set(pages[0][0]) <= {
        "id",
        "articleCode",
        "sku",
        "ean",
        "stockTracking",
        "stockLevel",
        "updatedAt",
        "product",
    }
    assert hook.count_variants() == 260
    later = list(hook.iter_variant_pages(updated_min=datetime.now(UTC) + timedelta(hours=3)))
    assert later == [[]]


def test_a_stock_put_sets_the_level_and_is_sent_again_after_a_lost_answer(shop):
    server, make = shop()
    (vid,) = fresh_variants(server, 1)
    hook = make(sleep=lambda s: None)
    assert hook.put_stock_level(vid, 7)["stockLevel"] == 7
    admin(server, "/faults", {"drop_after_put": {"count": 1}})
    assert hook.put_stock_level(vid, 9)["stockLevel"] == 9  # applied, answer lost, sent again: still 9
    admin(server, "/faults", {"put_5xx": {"count": 2, "status": 503}})
    assert hook.put_stock_level(vid, 11)["stockLevel"] == 11
    calls = admin(server, "/calls", method="GET")["calls"]
    assert calls["PUT /{lang}/variants/{id}.json"] == 1 + 2 + 3
    state = {v["id"]: v for v in admin(server, "/variants", method="GET")["variants"]}
    assert state[vid]["stockLevel"] == 11


def test_a_deleted_variant_is_a_404_and_a_refused_level_a_400(shop):
    server, make = shop()
    (vid,) = fresh_variants(server, 1)
    hook = make()
    with pytest.raises(LightspeedBadRequestError) as refused:
        hook.put_stock_level(vid, -1)  # the emulator's strict default: negative levels are refused
    assert "stockLevel" in str(refused.value)
    admin(server, f"/variants/{vid}", method="DELETE")
    with pytest.raises(LightspeedNotFoundError):
        hook.put_stock_level(vid, 1)


def test_a_hook_with_a_reserve_stops_before_the_orders_share_and_never_waits_out_a_429(shop):
    server, make = shop(rate_limits=(10, 1000, 10000))
    (vid,) = fresh_variants(server, 1)
    sleeps = []
    hook = make(sleep=sleeps.append, reserve=0.4)
    made = 0
    with pytest.raises(BudgetReservedError):
        for level in range(20):
            hook.put_stock_level(vid, level)
            made += 1
    assert made == 6  # 10 in the window, 4 kept for orders
    orders_side = make()
    orders_side.get_shop()  # the orders flow still has its share
    admin(server, "/faults", {"put_429": {"count": 1}})
    fresh = make(sleep=sleeps.append, reserve=0.4)
    with pytest.raises(LightspeedBudgetExhaustedError):
        fresh.put_stock_level(vid, 1)
    assert sleeps == []


@pytest.mark.parametrize("shop_reads", ["UTC", "Europe/Amsterdam"])
def test_a_lower_bound_means_that_moment_or_earlier_however_the_shop_reads_it(shop, shop_reads):
    server, make = shop(filter_timezone=shop_reads)
    (vid,) = fresh_variants(server, 1)
    hook = make()
    changed = admin(server, f"/variants/{vid}", {"title": "renamed"}, method="PATCH")["updatedAt"]
    moment = datetime.fromisoformat(changed)
    assert [v["id"] for p in hook.iter_variant_pages(updated_min=moment) for v in p] == [vid]
    assert hook.format_lower_bound(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == "2026-07-01 10:00:00"


@pytest.mark.parametrize("shop_reads", ["UTC", "Europe/Amsterdam"])
def test_the_shops_reading_of_filter_times_is_found_from_one_write(shop, shop_reads):
    server, make = shop(filter_timezone=shop_reads)
    (vid,) = fresh_variants(server, 1)
    hook = make()
    answer = hook.put_stock_level(vid, 4)
    admin(server, "/calls/reset")
    assert hook.detect_filter_zone(datetime.fromisoformat(answer["updatedAt"])) == shop_reads
    assert admin(server, "/calls", method="GET")["calls"] == {"GET /{lang}/variants/count.json": 2}
    written = hook.format_lower_bound(datetime.fromisoformat(answer["updatedAt"]), ZoneInfo(shop_reads))
    pages = list(
        hook.iter_variant_pages(
            updated_min=datetime.fromisoformat(answer["updatedAt"]), zone=ZoneInfo(shop_reads)
        )
    )
    assert [v["id"] for p in pages for v in p] == [vid] and len(written) == 19
