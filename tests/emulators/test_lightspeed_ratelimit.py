"""Contract tests of the Lightspeed emulator's three rate-limit windows on its (compressible) clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tests.emulators.lightspeed_fixtures import LS_AUTH, admin, get


def triple(response, header):
    return [int(x) for x in response.headers[f"X-RateLimit-{header}"].split("/")]


def test_the_hour_window_blocks_until_it_resets(lightspeed_factory):
    server = lightspeed_factory(rate_limits=(100, 3, 1000))
    assert [get(server, "/nl/shop.json").status_code for _ in range(3)] == [200, 200, 200]
    blocked = get(server, "/nl/shop.json")
    assert blocked.status_code == 429 and triple(blocked, "Remaining")[1] == 0
    assert 3500 <= int(blocked.headers["Retry-After"]) <= 3601
    assert blocked.json()["error"]["code"] == 429 and blocked.json()["error"]["message"]
    admin(server, "POST", "/clock", {"advance_seconds": 301})
    assert get(server, "/nl/shop.json").status_code == 429  # the 5-minute reset does not help
    admin(server, "POST", "/clock", {"advance_seconds": 3300})
    assert get(server, "/nl/shop.json").status_code == 200


def test_retry_after_matches_the_reset_of_the_spent_window(lightspeed_factory):
    server = lightspeed_factory(rate_limits=(1, 100, 1000))
    get(server, "/nl/shop.json")
    admin(server, "POST", "/clock", {"advance_seconds": 100})
    blocked = get(server, "/nl/shop.json")
    assert blocked.status_code == 429
    assert abs(int(blocked.headers["Retry-After"]) - triple(blocked, "Reset")[0]) <= 1
    assert 195 <= triple(blocked, "Reset")[0] <= 201
    admin(server, "POST", "/faults", {"retry_after_format": "http-date"})
    moment = parsedate_to_datetime(get(server, "/nl/shop.json").headers["Retry-After"])
    assert 190 <= (moment - datetime.now(UTC)).total_seconds() <= 205


def test_a_compressed_clock_resets_windows_in_real_time(lightspeed_factory):
    server = lightspeed_factory(rate_limits=(2, 100, 1000), clock_scale=300)  # 5 minutes = 1 s real
    assert [get(server, "/nl/shop.json").status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(1.1)
    assert get(server, "/nl/shop.json").status_code == 200


def test_the_clock_scale_can_change_at_run_time(lightspeed):
    assert triple(get(lightspeed, "/nl/shop.json"), "Reset")[0] in (299, 300)
    assert admin(lightspeed, "POST", "/clock", {"scale": 60})["scale"] == 60
    resets = triple(get(lightspeed, "/nl/shop.json"), "Reset")
    assert 4 <= resets[0] <= 5 and 59 <= resets[1] <= 60 and 1439 <= resets[2] <= 1440


def test_limits_can_be_changed_and_restored(lightspeed):
    admin(lightspeed, "POST", "/faults", {"rate_limit": {"limits": [10, 20, 30]}})
    assert get(lightspeed, "/nl/shop.json").headers["X-RateLimit-Limit"] == "10/20/30"
    assert admin(lightspeed, "POST", "/faults", {"clear": True})["limits"] == [300, 3000, 12000]
    assert triple(get(lightspeed, "/nl/shop.json"), "Remaining") == [298, 2998, 11998]


def test_budgets_are_per_api_key(lightspeed):
    for _ in range(3):
        get(lightspeed, "/nl/shop.json", auth=("someone-else", "x"))
    assert triple(get(lightspeed, "/nl/shop.json"), "Remaining") == [299, 2999, 11999]
    assert triple(get(lightspeed, "/nl/shop.json", auth=("someone-else", "x")), "Remaining")[0] == 296
    assert LS_AUTH[0] in admin(lightspeed, "GET", "/state")["rate_limits"]


def test_reset_quirk_reports_the_stale_remaining_count_once(lightspeed_factory):
    def after_reset(server):
        get(server, "/nl/shop.json"), get(server, "/nl/shop.json")
        admin(server, "POST", "/clock", {"advance_seconds": 301})
        first, second = get(server, "/nl/shop.json"), get(server, "/nl/shop.json")
        return triple(first, "Remaining")[0], triple(first, "Reset")[0], triple(second, "Remaining")[0]

    assert after_reset(lightspeed_factory(rate_limits=(5, 100, 1000))) == (4, 300, 3)
    stale = after_reset(lightspeed_factory(rate_limits=(5, 100, 1000), reset_quirk=True))
    assert stale == (3, 300, 3), "new reset time, remaining count of the old window"
