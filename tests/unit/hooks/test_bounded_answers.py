"""Answers are bounded: pagers that do not advance stop, bodies stop at a size, the detail log keeps
a head of a long body, and every unreadable body becomes the hook's own error (an ambiguous write for
an AFAS write after a 2xx). Each against a local server that misbehaves on purpose; the tests count
calls and check behaviour, never time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import lightspeed_afas.hooks.afas as afas_module
import lightspeed_afas.hooks.base as base_module
import lightspeed_afas.hooks.lightspeed as lightspeed_module
from lightspeed_afas.hooks.detail import DETAIL_BODY_LIMIT, Exchange
from lightspeed_afas.hooks.errors import (
    AfasAmbiguousWriteError,
    AfasBadRequestError,
    AfasBadResponseError,
    LightspeedBadRequestError,
    LightspeedBadResponseError,
)
from tests.support.echo_server import Reply, Seen

WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
PAYLOAD = {"FbSales": {"Element": {"Fields": {"RfCs": "ORD1"}}}}


def _json(obj: object) -> Reply:
    return Reply(200, json.dumps(obj).encode())


def _orders(first: int, n: int) -> list[dict]:
    return [{"id": i, "number": f"ORD{i}"} for i in range(first, first + n)]


# -- pagers that do not advance ---------------------------------------------------------------------


def test_a_lightspeed_server_that_ignores_page_is_stopped_at_the_second_page(misbehaving):
    server = misbehaving.start(lambda r: _json({"orders": _orders(1, 5)}))
    hook = misbehaving.lightspeed(server)
    with pytest.raises(LightspeedBadResponseError, match=r"page 2 .*same orders as page 1.*ignores 'page'"):
        list(hook.iter_order_pages(*WINDOW, page_size=5))
    assert server.count("/orders") == 2


def test_a_lightspeed_server_that_ignores_limit_is_stopped_at_once(misbehaving):
    server = misbehaving.start(lambda r: _json({"orders": _orders(1, 8)}))
    hook = misbehaving.lightspeed(server)
    with pytest.raises(LightspeedBadResponseError, match=r"8 orders where 5 were asked.*ignores 'limit'"):
        list(hook.iter_order_pages(*WINDOW, page_size=5))
    assert server.count("/orders") == 1


def test_a_lightspeed_pager_stops_at_the_hard_page_limit(misbehaving, monkeypatch):
    monkeypatch.setattr(lightspeed_module, "MAX_ORDER_PAGES", 4)

    def many(request: Seen) -> Reply:  # 20 full pages of new orders, then a short one
        page = int(request.query["page"])
        return _json({"orders": _orders(page * 10, 5 if page <= 20 else 1)})

    server = misbehaving.start(many)
    hook = misbehaving.lightspeed(server)
    with pytest.raises(LightspeedBadResponseError, match=r"after 4 pages of 5.*since/until"):
        list(hook.iter_order_pages(*WINDOW, page_size=5))
    assert server.count("/orders") == 4


def test_an_afas_server_that_ignores_skip_is_stopped_at_the_second_page(misbehaving):
    server = misbehaving.start(lambda r: _json({"rows": [{"DebtorId": i} for i in range(3)]}))
    hook = misbehaving.afas(server)
    with pytest.raises(AfasBadResponseError, match=r"Profit_Debtor \(skip 3, take 3\).*ignores skip"):
        hook.get_rows("Profit_Debtor", ["DebtorId"], take=3)
    assert server.count("/connectors/") == 2


def test_an_afas_server_that_ignores_take_is_stopped_at_once(misbehaving):
    server = misbehaving.start(lambda r: _json({"rows": [{"DebtorId": i} for i in range(7)]}))
    hook = misbehaving.afas(server)
    with pytest.raises(AfasBadResponseError, match=r"with 7 rows, more than asked.*ignores take"):
        hook.get_rows("Profit_Debtor", ["DebtorId"], take=3)
    assert server.count("/connectors/") == 1


def test_an_afas_read_stops_at_the_hard_page_limit(misbehaving, monkeypatch):
    monkeypatch.setattr(afas_module, "MAX_PAGES", 4)

    def many(request: Seen) -> Reply:  # 20 full pages of new rows, then a short one
        skip = int(request.query["skip"])
        return _json({"rows": [{"DebtorId": skip + i} for i in range(3 if skip < 60 else 1)]})

    server = misbehaving.start(many)
    hook = misbehaving.afas(server)
    with pytest.raises(AfasBadResponseError, match=r"Profit_Debtor still had full pages after 4 pages"):
        hook.get_rows("Profit_Debtor", ["DebtorId"], take=3)
    assert server.count("/connectors/") == 4


def test_pages_that_advance_are_all_read(misbehaving):
    """The guards do not stop an honest pager: full pages of new rows, then a short one."""
    pages = {1: _orders(1, 5), 2: _orders(6, 5), 3: _orders(11, 2)}
    server = misbehaving.start(lambda r: _json({"orders": pages[int(r.query["page"])]}))
    hook = misbehaving.lightspeed(server)
    assert [len(p) for p in hook.iter_order_pages(*WINDOW, page_size=5)] == [5, 5, 2]


# -- body size --------------------------------------------------------------------------------------


@pytest.fixture
def small_limit(monkeypatch):
    """A 256 KiB body limit, so a 'too large' answer is 1 MiB instead of 20+ MiB."""
    monkeypatch.setattr(base_module, "MAX_BODY_BYTES", 256 * 1024)


def _big(status: int = 200, declared: bool = True):
    """A 1 MiB JSON answer: with a Content-Length, or streamed in chunks without one."""
    body = json.dumps({"orders": [], "padding": "x" * (1024 * 1024)}).encode()

    def respond(request: Seen) -> Reply:
        if declared:
            return Reply(status, body)
        return Reply(status, (body[i : i + 65536] for i in range(0, len(body), 65536)))

    return respond


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_lightspeed_answer_over_the_size_limit_is_not_read(misbehaving, small_limit, declared):
    server = misbehaving.start(_big(declared=declared))
    detail: list[Exchange] = []
    hook = misbehaving.lightspeed(server, detail_sink=detail.append)
    with pytest.raises(
        LightspeedBadResponseError, match=r"GET shop .* with 200 and a body over 262,144 bytes"
    ):
        hook.get_shop()
    assert server.count() == 1, "not retried: the same request gets the same answer"
    assert [e.response_body for e in detail] == [None]
    assert hook.stats.total_calls("lightspeed") == 1


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_afas_read_over_the_size_limit_is_the_hooks_error(misbehaving, small_limit, declared):
    server = misbehaving.start(_big(declared=declared))
    hook = misbehaving.afas(server)
    with pytest.raises(AfasBadResponseError, match=r"GET metainfo with 200 and a body over"):
        hook.metainfo()
    assert server.count() == 1


@pytest.mark.parametrize("status", [201, 500])
def test_an_afas_write_answer_over_the_size_limit_is_an_ambiguous_write(misbehaving, small_limit, status):
    server = misbehaving.start(_big(status, declared=False))
    hook = misbehaving.afas(server)
    with pytest.raises(AfasAmbiguousWriteError, match=r"may or may not have happened") as info:
        hook.insert("FbSales", PAYLOAD)
    assert (info.value.connector, info.value.method) == ("FbSales", "POST")
    assert server.count() == 1, "a write is never sent twice"


def test_the_connection_is_kept_alive_across_bounded_reads(misbehaving):
    server = misbehaving.start(lambda r: _json({"shop": {"id": 1, "title": "Winkel"}}))
    hook = misbehaving.lightspeed(server)
    for _ in range(3):
        hook.get_shop()
    assert len({s.client_port for s in server.seen}) == 1


# -- the detail log keeps a head of a long body -----------------------------------------------------


def test_a_long_body_is_kept_as_its_first_64_kib_with_a_marker(misbehaving):
    key = "lk9QmZ2xW4pL8vN3cT6yB1hF5jD0sGa7"
    filler = "x" * (DETAIL_BODY_LIMIT - 40)
    body = json.dumps({"shop": {"id": 1, "title": filler + key + "y" * 200_000}}).encode()
    server = misbehaving.start(lambda r: Reply(200, body))
    detail: list[Exchange] = []
    hook = misbehaving.lightspeed(server, key=key, detail_sink=detail.append)
    hook.get_shop()
    kept = detail[0].response_body or ""
    head, marker = kept.rsplit("… ", 1)
    assert marker == f"[truncated {len(body) - DETAIL_BODY_LIMIT} bytes]"
    assert len(head) <= DETAIL_BODY_LIMIT
    assert head.startswith('{"shop": {"id": 1, "title": "xxx')
    assert key[:8] not in kept, "a secret across the cut is redacted whole, not cut in half"
    assert "x***y" in head[-40:]


def test_a_short_body_is_kept_whole(misbehaving):
    body = json.dumps({"shop": {"id": 1, "title": "Winkel"}})
    server = misbehaving.start(lambda r: Reply(200, body.encode()))
    detail: list[Exchange] = []
    misbehaving.lightspeed(server, detail_sink=detail.append).get_shop()
    assert detail[0].response_body == body


# -- unreadable bodies ------------------------------------------------------------------------------

UNREADABLE = {
    "deeply nested": b"[" * 200_000 + b"]" * 200_000,
    "not utf-8": b'{"shop": "\xff\xfe"}',
    "not json": b"<html>Bad gateway</html>",
    "cut off": b'{"shop": {"id": 1, "tit',
}


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_lightspeed_answer_is_the_hooks_error(misbehaving, body):
    server = misbehaving.start(lambda r: Reply(200, body))
    with pytest.raises(LightspeedBadResponseError, match=r"GET shop with a body that is not readable JSON"):
        misbehaving.lightspeed(server).get_shop()


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_lightspeed_error_answer_keeps_its_status_class(misbehaving, body):
    server = misbehaving.start(lambda r: Reply(400, body))
    with pytest.raises(LightspeedBadRequestError):
        misbehaving.lightspeed(server).get_shop()


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_afas_read_answer_is_the_hooks_error(misbehaving, body):
    server = misbehaving.start(lambda r: Reply(200, body))
    with pytest.raises(AfasBadResponseError, match=r"GET metainfo with 200 but a body that is not readable"):
        misbehaving.afas(server).metainfo()


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_an_unreadable_answer_to_an_afas_write_is_an_ambiguous_write(misbehaving, body, method):
    server = misbehaving.start(lambda r: Reply(201 if method == "POST" else 200, body))
    hook = misbehaving.afas(server)
    write = hook.insert if method == "POST" else hook.update
    with pytest.raises(AfasAmbiguousWriteError, match=r"not readable JSON.*Look the record up") as info:
        write("FbSales", PAYLOAD)
    assert (info.value.connector, info.value.method) == ("FbSales", method)
    assert server.count() == 1, "a write is never sent twice"


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_afas_error_answer_keeps_its_status_class(misbehaving, body):
    server = misbehaving.start(lambda r: Reply(400, body))
    with pytest.raises(AfasBadRequestError):
        misbehaving.afas(server).insert("FbSales", PAYLOAD)


def test_an_empty_answer_to_an_afas_write_is_still_a_success(misbehaving):
    server = misbehaving.start(lambda r: Reply(200, b""))
    assert misbehaving.afas(server).update("FbSales", PAYLOAD) == {}
