"""Contract tests of the Lightspeed emulator's three rate-limit windows on its (compressible) clock.

Tests that check times run the emulator on a ``ManualTime``: time moves only when the test says so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from emulators.clock import EmulatorClock, ManualTime
from emulators.lightspeed.ratelimit import RateLimiter
from tests.support.lightspeed_fixtures import LS_AUTH, admin, get


def triple(response, header):
    return [int(x) for x in response.headers[f"X-RateLimit-{header}"].split("/")]


def test_the_hour_window_blocks_until_it_resets(lightspeed_factory):
    server = lightspeed_factory(rate_limits=(100, 3, 1000), real_time=ManualTime())
    assert [get(server, "/nl/shop.json").status_code for _ in range(3)] == [200, 200, 200]
    blocked = get(server, "/nl/shop.json")
    assert blocked.status_code == 429 and triple(blocked, "Remaining")[1] == 0
    assert blocked.headers["Retry-After"] == "3600"
    assert blocked.json()["error"]["code"] == 429 and blocked.json()["error"]["message"]
    admin(server, "POST", "/clock", {"advance_seconds": 301})
    assert get(server, "/nl/shop.json").status_code == 429  # the 5-minute reset does not help
    admin(server, "POST", "/clock", {"advance_seconds": 3300})
    assert get(server, "/nl/shop.json").status_code == 200


def test_retry_after_matches_the_reset_of_the_spent_window(lightspeed_factory):
    server = lightspeed_factory(rate_limits=(1, 100, 1000), real_time=ManualTime())
    get(server, "/nl/shop.json")
    admin(server, "POST", "/clock", {"advance_seconds": 100})
    blocked = get(server, "/nl/shop.json")
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "200" and triple(blocked, "Reset")[0] == 200
    admin(server, "POST", "/faults", {"retry_after_format": "http-date"})
    before = datetime.now(UTC).replace(microsecond=0)  # an HTTP date is the wall clock, to the second
    moment = parsedate_to_datetime(get(server, "/nl/shop.json").headers["Retry-After"])
    after = datetime.now(UTC)
    assert 200 <= (moment - before).total_seconds() and (moment - after).total_seconds() <= 201


def test_a_compressed_clock_resets_windows_in_real_time(lightspeed_factory):
    real_time = ManualTime()
    server = lightspeed_factory(rate_limits=(2, 100, 1000), clock_scale=300, real_time=real_time)
    statuses = [get(server, "/nl/shop.json") for _ in range(3)]  # 5 minutes = 1 s real
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].headers["Retry-After"] == "1" and triple(statuses[2], "Reset") == [1, 12, 288]
    real_time.advance(0.99)
    assert get(server, "/nl/shop.json").status_code == 429
    real_time.advance(0.01)
    assert get(server, "/nl/shop.json").status_code == 200


def test_the_clock_scale_can_change_at_run_time(lightspeed_factory):
    real_time = ManualTime()
    server = lightspeed_factory(real_time=real_time)
    assert triple(get(server, "/nl/shop.json"), "Reset") == [300, 3600, 86400]
    real_time.advance(60)
    assert admin(server, "POST", "/clock", {"scale": 60})["scale"] == 60
    assert triple(get(server, "/nl/shop.json"), "Reset") == [4, 59, 1439]  # 240 s, 3540 s, 86340 s left
    real_time.advance(1)  # one more emulated minute
    assert triple(get(server, "/nl/shop.json"), "Reset") == [3, 58, 1438]


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

    assert after_reset(lightspeed_factory(rate_limits=(5, 100, 1000), real_time=ManualTime())) == (4, 300, 3)
    quirky = lightspeed_factory(rate_limits=(5, 100, 1000), reset_quirk=True, real_time=ManualTime())
    assert after_reset(quirky) == (3, 300, 3), "new reset time, remaining count of the old window"


@pytest.mark.parametrize("elapsed", [268.728, 865.534, 1890.541, 86400.3])
def test_a_window_that_starts_now_resets_in_its_full_length_whatever_the_clock_reads(elapsed):
    real_time = ManualTime(start=0.0)  # the emulator clock then reads exactly ``elapsed``
    limiter = RateLimiter(EmulatorClock(real_seconds=real_time), (5, 100, 1000))
    real_time.advance(elapsed)
    allowed, headers, _ = limiter.take("key")
    assert allowed and headers["X-RateLimit-Reset"] == "300/3600/86400"
