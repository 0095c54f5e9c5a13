"""Contract tests of the Lightspeed emulator's list filters: formats, inclusive bounds, both filter time
zones, the DST days, ``created_at_*``, ``fields`` and the paging parameters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.lightspeed_fixtures import admin, all_orders, filter_value, get, ids

# Instants around the 2026 DST changes in Europe/Amsterdam (29 March and 25 October, 01:00 UTC).
SPRING_BEFORE = "2026-03-29T00:30:00+00:00"  # 01:30 winter time
SPRING_AFTER = "2026-03-29T01:30:00+00:00"  # 03:30 summer time; 02:30 local never happened
AUTUMN_FIRST = "2026-10-25T00:30:00+00:00"  # 02:30 summer time
AUTUMN_SECOND = "2026-10-25T01:30:00+00:00"  # 02:30 again, winter time


@pytest.fixture
def dst_shop(lightspeed_factory):
    """A shop with only four orders, updated at the instants above; returns (server, {instant: id})."""

    def start(**config):
        server = lightspeed_factory(orders=0, **config)
        instants = [SPRING_BEFORE, SPRING_AFTER, AUTUMN_FIRST, AUTUMN_SECOND]
        specs = [{"createdAt": moment, "updatedAt": moment} for moment in instants]
        created = admin(server, "POST", "/orders", {"orders": specs})["orders"]
        return server, {moment: order["id"] for moment, order in zip(instants, created, strict=True)}

    return start


def window(server, low, high, field="updated"):
    return set(ids(get(server, "/nl/orders.json", **{f"{field}_at_min": low, f"{field}_at_max": high})))


def test_timestamps_carry_the_offset_of_their_own_date(dst_shop):
    server, by_instant = dst_shop()
    rendered = {o["id"]: o["updatedAt"] for o in all_orders(server)}
    assert rendered[by_instant[SPRING_BEFORE]] == "2026-03-29T01:30:00+01:00"
    assert rendered[by_instant[SPRING_AFTER]] == "2026-03-29T03:30:00+02:00"
    assert rendered[by_instant[AUTUMN_FIRST]] == "2026-10-25T02:30:00+02:00"
    assert rendered[by_instant[AUTUMN_SECOND]] == "2026-10-25T02:30:00+01:00"


def test_a_local_time_in_the_spring_gap_is_read_with_the_winter_offset(dst_shop):
    server, by_instant = dst_shop()
    # 02:30 did not exist on 29 March; it is read as 02:30+01:00 = 03:30+02:00.
    assert window(server, "2026-03-29 02:30:00", "2026-03-29 02:30:00") == {by_instant[SPRING_AFTER]}
    assert window(server, "2026-03-29 01:00:00", "2026-03-29 03:29:59") == {by_instant[SPRING_BEFORE]}


def test_the_repeated_autumn_hour_means_its_first_occurrence(dst_shop):
    server, by_instant = dst_shop()
    assert window(server, "2026-10-25 02:30:00", "2026-10-25 02:30:00") == {by_instant[AUTUMN_FIRST]}
    # The second 02:30 is only reachable by a window that runs past the repeated hour.
    assert window(server, "2026-10-25 02:30:01", "2026-10-25 03:00:00") == {by_instant[AUTUMN_SECOND]}


def test_utc_filter_time_zone_reads_naive_values_as_utc(dst_shop):
    server, by_instant = dst_shop(filter_timezone="UTC")
    assert window(server, "2026-10-25 01:30:00", "2026-10-25 01:30:00") == {by_instant[AUTUMN_SECOND]}
    assert window(server, "2026-03-29 00:00:00", "2026-03-29 01:00:00") == {by_instant[SPRING_BEFORE]}
    assert window(server, "2026-10-25 02:30:00", "2026-10-25 02:30:00") == set()


@pytest.mark.parametrize("field", ["updated", "created"])
def test_both_bounds_are_inclusive_to_the_second(lightspeed, field):
    order = all_orders(lightspeed)[20]
    moment = datetime.fromisoformat(order[f"{field}At"])
    exact, second = filter_value(moment.isoformat()), timedelta(seconds=1)
    after, before = filter_value((moment + second).isoformat()), filter_value((moment - second).isoformat())
    assert order["id"] in window(lightspeed, exact, exact, field)
    assert order["id"] not in window(lightspeed, after, "2027-01-01 00:00:00", field)
    assert order["id"] not in window(lightspeed, "2026-01-01 00:00:00", before, field)


def test_min_alone_max_alone_and_their_counts(lightspeed):
    orders = all_orders(lightspeed)
    middle = filter_value(sorted(o["updatedAt"] for o in orders)[30])
    newer = get(lightspeed, "/nl/orders.json", limit=250, updated_at_min=middle).json()["orders"]
    older = get(lightspeed, "/nl/orders.json", limit=250, updated_at_max=middle).json()["orders"]
    assert len(newer) + len(older) == len(orders) + 1  # the order at the bound is in both
    assert get(lightspeed, "/nl/orders/count.json", updated_at_min=middle).json() == {"count": len(newer)}
    assert get(lightspeed, "/nl/orders/count.json", updated_at_max=middle).json() == {"count": len(older)}


def test_created_window_and_count_agree(lightspeed):
    params = {"created_at_min": "2026-10-20 00:00:00", "created_at_max": "2026-10-31 23:59:59"}
    listed = get(lightspeed, "/nl/orders.json", limit=250, **params).json()["orders"]
    assert listed and all("2026-10-20" <= o["createdAt"][:10] <= "2026-10-31" for o in listed)
    assert get(lightspeed, "/nl/orders/count.json", **params).json()["count"] == len(listed)


@pytest.mark.parametrize("name", ["updated_at_min", "updated_at_max", "created_at_min", "created_at_max"])
@pytest.mark.parametrize("bad", ["2026-11-01", "2026-11-01T10:00:00", "2026-11-01 10:00", "1730000000"])
def test_every_date_filter_rejects_other_formats_naming_itself(lightspeed, name, bad):
    for path in ("/nl/orders.json", "/nl/orders/count.json"):
        response = get(lightspeed, path, **{name: bad})
        message = response.json()["error"]["message"]
        assert response.status_code == 400 and name in message and "YYYY-MM-DD HH:MM:SS" in message


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": "ten"}, {"page": 0}, {"page": "-1"}])
def test_nonsense_paging_parameters_are_400s(lightspeed, params):
    response = get(lightspeed, "/nl/orders.json", **params)
    assert response.status_code == 400 and next(iter(params)) in response.json()["error"]["message"]


def test_an_empty_result_is_an_empty_list(lightspeed):
    assert get(lightspeed, "/nl/orders.json", page=99).json() == {"orders": []}
    assert get(lightspeed, "/nl/orders.json", number="NOPE").json() == {"orders": []}
    assert get(lightspeed, "/nl/orders/count.json", number="NOPE").json() == {"count": 0}
    assert get(lightspeed, "/nl/orders.json", limit=250).json()["orders"].__len__() == 60


def test_fields_restricts_the_keys(lightspeed):
    body = get(lightspeed, "/nl/orders.json", limit=2, fields="id,updatedAt,number,products").json()
    assert [list(o) for o in body["orders"]] == [["id", "updatedAt", "number", "products"]] * 2
    order_id = body["orders"][0]["id"]
    single = get(lightspeed, f"/nl/orders/{order_id}.json", fields="id,priceIncl").json()["order"]
    assert list(single) == ["id", "priceIncl"]


def test_filter_values_are_compared_as_instants_not_strings(lightspeed):
    """A UTC watermark sent to a shop-time server lags by the offset: harmless re-reads, never skips."""
    order = all_orders(lightspeed)[40]
    as_utc = filter_value(order["updatedAt"], UTC)
    assert order["id"] in window(lightspeed, as_utc, "2027-01-01 00:00:00")
