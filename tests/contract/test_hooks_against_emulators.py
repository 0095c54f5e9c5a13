"""Both hooks against the emulators over real HTTP: paging, pacing, retries, the error taxonomy."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests

from emulators.afas import DEMO_TOKEN_DATA
from emulators.clock import ManualTime
from lightspeed_afas.hooks import (
    AfasAmbiguousWriteError,
    AfasAuthError,
    AfasUnavailableError,
    AfasValidationError,
    LightspeedAuthError,
    LightspeedBudgetExhaustedError,
    LightspeedNotFoundError,
)
from lightspeed_afas.hooks.afas_filters import Condition, Op, any_of, eq
from lightspeed_afas.hooks.errors import LightspeedLanguageError
from tests.contract.test_afas_contract import person_relation, sales_order

WIDE = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))


def admin(server, path, body=None, method="POST"):
    response = requests.request(method, f"{server.url}/_admin{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


# -- Lightspeed -------------------------------------------------------------------------------------


def test_pages_are_yielded_until_a_short_page_with_a_frozen_window(shop):
    server, make = shop(orders=130)
    hook = make()
    pages = list(hook.iter_order_pages(*WIDE, page_size=50))
    assert [len(p) for p in pages] == [50, 50, 30]
    calls = admin(server, "/calls", method="GET")["calls"]
    assert calls == {"GET /{lang}/orders.json": 3}
    assert hook.count_orders(*WIDE) == 130


def test_filter_times_are_sent_in_the_shops_time_zone(shop):
    server, make = shop()
    hook = make()
    assert hook.format_filter_time(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == "2026-07-01 12:00:00"
    assert hook.format_filter_time(datetime(2026, 12, 1, 10, 0, tzinfo=UTC)) == "2026-12-01 11:00:00"
    with pytest.raises(ValueError):
        hook.format_filter_time(datetime(2026, 12, 1, 10, 0))


def test_order_lines_customer_and_shop(shop):
    server, make = shop()
    hook = make()
    order = next(o for page in hook.iter_order_pages(*WIDE) for o in page if o["customer"])
    full = hook.get_order(order["id"])
    assert full["products"]["resource"]["embedded"] == hook.get_order_lines(order["id"])
    assert hook.get_customer(order["customer"]["resource"]["id"])["id"] == order["customer"]["resource"]["id"]
    assert hook.find_orders_by_number(order["number"])[0]["id"] == order["id"]
    assert hook.get_shop()["currency"]["shortcode"] == "EUR"


def test_pacing_waits_for_the_window_before_any_429(shop):
    server, make = shop(rate_limits=(4, 1000, 10000), clock_scale=150)  # 5-minute window = 2 s real
    hook = make()
    for _ in range(10):
        hook.get_shop()
    assert admin(server, "/calls", method="GET")["rate_limited"] == 0
    assert hook.stats.summary()["waited_s"]["lightspeed"] > 0


def test_429_storm_is_ridden_out_by_retry_after(shop):
    real_time = ManualTime()
    server, make = shop(clock_scale=150, real_time=real_time)  # 5-minute window = 2 s
    sleeps = []
    hook = make(sleep=lambda seconds: (sleeps.append(seconds), real_time.advance(seconds)))
    hook.get_shop()
    admin(server, "/faults", {"exhaust": "5min"})
    hook.limits.remaining[0] = None  # the hook did not see the budget go; only the 429 tells it
    assert hook.get_shop()["id"]
    assert hook.stats.summary()["rate_limited"] == {"lightspeed": 1}
    assert sleeps == [2.0], "one wait of exactly Retry-After"


@pytest.mark.parametrize("fmt", ["seconds", "http-date"])
def test_both_retry_after_forms_are_honoured(shop, fmt):
    server, make = shop(clock_scale=300, retry_after_format=fmt)
    hook = make()
    hook.get_shop()
    admin(server, "/faults", {"exhaust": "5min"})
    hook.limits.remaining[0] = None
    assert hook.get_shop()


def test_spent_day_budget_raises_at_once_instead_of_sleeping(shop):
    server, make = shop()
    sleeps = []
    hook = make(sleep=sleeps.append)
    admin(server, "/faults", {"exhaust": "day"})
    with pytest.raises(LightspeedBudgetExhaustedError) as info:
        hook.get_shop()
    assert info.value.window == "day" and info.value.resets_at is not None
    assert sleeps == [], "no wait at all"
    assert "resumes from the watermark" in str(info.value)


def test_transient_404s_on_orders_are_retried_but_a_real_404_is_not_hidden(shop):
    server, make = shop()
    hook = make()
    order_id = next(iter(hook.iter_order_pages(*WIDE)))[0]["id"]
    admin(server, "/faults", {"transient_404": {"count": 2}})
    assert hook.get_order(order_id)["id"] == order_id
    assert hook.stats.summary()["retries"] == {"lightspeed transient 404": 2}
    with pytest.raises(LightspeedNotFoundError):
        hook.get_order(1)


def test_server_errors_are_retried_with_backoff(shop):
    server, make = shop()
    hook = make()
    admin(server, "/faults", {"status_5xx": {"count": 2, "status": 502}})
    assert hook.get_shop()
    assert hook.stats.summary()["retries"] == {"lightspeed 502": 2}


def test_wrong_secret_and_inactive_language_give_typed_errors_without_the_secret(shop):
    server, make = shop(secret="not-the-secret-0000000000000000")
    with pytest.raises(LightspeedAuthError) as info:
        make().get_shop()
    assert "not-the-secret" not in str(info.value)
    server, make = shop(conn_id="ls_fr", language="fr")
    with pytest.raises(LightspeedLanguageError, match="Unknown or inactive language"):
        make().get_shop()


def test_test_button_reports_success_and_a_clear_failure(shop):
    server, make = shop()
    ok, message = make().test_connection()
    assert ok and "De Koffiebranderij" in message
    server, make = shop(conn_id="ls_bad", secret="wrong-secret-000000000000000000")
    ok, message = make().test_connection()
    assert not ok and "API key" in message


# -- AFAS -------------------------------------------------------------------------------------------


def test_both_token_forms_work_and_integration_id_is_sent_without_connection_close(afas_env):
    server, hook = afas_env
    xml = f"<token><version>1</version><data>{DEMO_TOKEN_DATA}</data></token>"
    assert hook(token=DEMO_TOKEN_DATA).metainfo()["info"]["envid"]
    assert hook(token=xml, conn_id="afas_xml").metainfo()["info"]["envid"]
    calls = admin(server, "/calls", method="GET")
    assert calls["integration_ids"] == {"12345_678900": 2} and calls["connection_close"] == 0


@pytest.mark.parametrize("token", ["WRONG0123", "<token><version>1</version><data>WRONG</data></token>"])
def test_wrong_token_is_an_auth_error_that_does_not_leak_it(afas_env, token):
    _, hook = afas_env
    h = hook(token=token)
    with pytest.raises(AfasAuthError) as info:
        h.metainfo()
    assert "WRONG" not in str(info.value)
    ok, message = h.test_connection()
    assert not ok and "token" in message


def test_insert_returns_keys_and_validation_errors_carry_the_log_reference(afas_env):
    _, hook = afas_env
    h = hook()
    debtor = h.insert("KnSalesRelationPer", person_relation())["DbId"]
    assert h.insert("FbSales", sales_order(debtor))["OrNu"]
    with pytest.raises(AfasValidationError) as info:
        h.insert("FbSales", sales_order("99999"))
    assert "Verkooprelatie" in info.value.external_message and len(info.value.profit_log_reference) == 32


def test_get_rows_pages_with_skip_take_and_always_sorts(afas_env):
    server, hook = afas_env
    h = hook()
    for i in range(7):
        h.insert("KnSalesRelationPer", person_relation(f"p{i}@example.nl"))
    rows = h.get_rows("Profit_Debtor", ["DebtorId"], take=3)
    assert len(rows) == 7 and [r["DebtorId"] for r in rows] == sorted(r["DebtorId"] for r in rows)
    assert admin(server, "/calls", method="GET")["calls"]["GET /connectors/Profit_Debtor"] == 3
    with pytest.raises(ValueError, match="order_by"):
        h.get_rows("Profit_Debtor", [])


def test_filters_and_or_and_empty_operators_against_afas(afas_env):
    _, hook = afas_env
    h = hook()
    a = h.insert("KnSalesRelationPer", person_relation("jan+shop@example.nl"))["DbId"]
    b = h.insert("KnSalesRelationPer", person_relation("a;b,c@example.nl"))["DbId"]
    ids = lambda f: sorted(r["DebtorId"] for r in h.get_rows("Profit_Debtor", ["DebtorId"], f))  # noqa: E731
    assert ids(any_of("Email", ["jan+shop@example.nl", "a;b,c@example.nl"])) == sorted([a, b])
    assert ids([[eq("Email", "jan+shop@example.nl"), eq("DebtorId", b)]]) == []
    assert ids([[Condition("VatNr", Op.EMPTY)]]) == sorted([a, b])
    assert ids([[Condition("Email", Op.NOT_EMPTY)]]) == sorted([a, b])


def test_a_long_lookup_is_split_under_the_url_limit_and_finds_everything(afas_env):
    server, hook = afas_env
    h = hook()
    emails = [f"klant.met.een.lang.adres.{i:03d}+webshop@voorbeeld-koffie.nl" for i in range(120)]
    for email in emails[::10]:
        h.insert("KnSalesRelationPer", person_relation(email))
    admin(server, "/calls/reset")
    rows = h.lookup("Profit_Debtor", "Email", emails, ["DebtorId"])
    assert sorted(r["Email"] for r in rows) == sorted(emails[::10])
    calls = admin(server, "/calls", method="GET")["calls"]
    assert calls["GET /connectors/Profit_Debtor"] > 1 and "status 404" not in calls


def test_503_with_a_short_retry_after_is_waited_out(afas_env):
    server, hook = afas_env
    admin(server, "/faults", {"unavailable": {"count": 2, "retry_after": 1}})
    h = hook()
    assert h.metainfo()
    assert h.stats.summary()["retries"] == {"afas 503": 2}


def test_503_maintenance_longer_than_a_run_may_wait_raises_unavailable(afas_env):
    server, hook = afas_env
    admin(server, "/faults", {"unavailable": {"count": 1, "retry_after": 7200}})
    with pytest.raises(AfasUnavailableError) as info:
        hook().metainfo()
    assert info.value.retry_after == 7200


def test_commit_then_drop_on_a_post_raises_ambiguous_write_and_is_not_retried(afas_env):
    server, hook = afas_env
    h = hook()
    debtor = h.insert("KnSalesRelationPer", person_relation())["DbId"]
    admin(server, "/faults", {"drop_after_commit": {"count": 1, "connector": "FbSales"}})
    with pytest.raises(AfasAmbiguousWriteError):
        h.insert("FbSales", sales_order(debtor, "AMB-1"))
    rows = h.lookup("Profit_Salesorders", "CustomerReference", ["AMB-1"], ["OrderNumber"])
    assert len(rows) == 1, "written once, and the hook did not write it again"


def test_a_write_that_times_out_is_ambiguous_too(afas_env):
    server, hook = afas_env
    h = hook()
    h.read_timeout = 0.5
    debtor = h.insert("KnSalesRelationPer", person_relation())["DbId"]
    admin(server, "/faults", {"hang_after_commit": {"count": 1, "seconds": 2}})
    with pytest.raises(AfasAmbiguousWriteError):
        h.insert("FbSales", sales_order(debtor, "AMB-2"))


def test_calls_in_flight_stay_under_the_configured_limit(afas_env):
    server, hook = afas_env
    admin(server, "/faults", {"latency_ms": 100})
    h = hook(extra={"max_parallel_calls": 3})
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda _: h.metainfo(), range(20)))
    assert admin(server, "/calls", method="GET")["max_in_flight"] == 3


def test_detail_log_gets_every_exchange_without_secrets(afas_env):
    server, hook = afas_env
    seen = []
    h = hook(detail_sink=seen.append)
    h.insert("KnSalesRelationPer", person_relation())
    assert [e.method for e in seen] == ["POST"] and seen[0].status == 201
    assert "zoe@example.nl" in seen[0].request_body and '"DbId"' in seen[0].response_body
    text = repr([e.as_dict() for e in seen])
    assert DEMO_TOKEN_DATA not in text and "AfasToken" not in text
