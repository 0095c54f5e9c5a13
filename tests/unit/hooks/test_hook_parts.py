"""The pieces the hooks are built from, each without a server: the import paths Airflow's provider
info names, pacing by the three budgets, what an AFAS answer means, and the bounded body read."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
import requests
import urllib3.exceptions
from requests.structures import CaseInsensitiveDict

from lightspeed_afas.hooks.afas_answers import (
    error_body,
    no_answer,
    raise_for_failure,
    success_body,
    write_results,
)
from lightspeed_afas.hooks.errors import (
    AfasAmbiguousWriteError,
    AfasAuthError,
    AfasBadResponseError,
    AfasValidationError,
    LightspeedBudgetExhaustedError,
)
from lightspeed_afas.hooks.http import Answer, BodyTooLargeError, read_bounded
from lightspeed_afas.hooks.lightspeed_pacing import Pacer


def _answer(status: int, body: bytes = b"", **headers: str) -> Answer:
    return Answer(status, "", "http://afas/x", CaseInsensitiveDict(headers), body)


def test_the_provider_info_hook_classes_import_from_their_paths():
    from lightspeed_afas import get_provider_info

    for conn in get_provider_info()["connection-types"]:
        module, _, name = conn["hook-class-name"].rpartition(".")
        assert getattr(importlib.import_module(module), name).conn_type == conn["connection-type"]


# -- pacing -----------------------------------------------------------------------------------------


def _pacer(max_wait: float = 300.0) -> tuple[Pacer, list[float]]:
    waits: list[float] = []
    return Pacer("ls", lambda seconds, reason: waits.append(seconds), lambda: max_wait), waits


def test_a_spent_window_is_waited_for_before_the_call():
    pacer, waits = _pacer()
    pacer.saw(CaseInsensitiveDict({"X-RateLimit-Remaining": "0/10/100", "X-RateLimit-Reset": "30/600/9000"}))
    pacer.before_call()
    assert len(waits) == 1 and 29 < waits[0] <= 30.05
    assert pacer.limits.remaining[0] is None and pacer.limits.distrust_next[0]


@pytest.mark.parametrize(
    ("remaining", "max_wait", "window"), [("5/10/0", 300.0, "day"), ("0/10/100", 10.0, "5min")]
)
def test_a_spent_day_or_a_wait_over_the_limit_ends_the_run(remaining, max_wait, window):
    pacer, waits = _pacer(max_wait)
    pacer.saw(CaseInsensitiveDict({"X-RateLimit-Remaining": remaining, "X-RateLimit-Reset": "30/600/9000"}))
    with pytest.raises(LightspeedBudgetExhaustedError) as info:
        pacer.before_call()
    assert info.value.window == window and waits == []
    assert info.value.resets_at > datetime.now(UTC)


def test_a_429_is_waited_out_until_the_attempts_run_out():
    pacer, waits = _pacer()
    pacer.after_429(12.0, attempt=1, max_attempts=1)
    assert waits == [12.0]
    with pytest.raises(LightspeedBudgetExhaustedError, match="5min request budget of connection 'ls'"):
        pacer.after_429(12.0, attempt=2, max_attempts=1)


# -- what an AFAS answer means ----------------------------------------------------------------------


def test_a_success_body_is_an_object_and_an_empty_one_is_nothing():
    assert success_body(_answer(200, b"  "), "PUT", "FbSales") == {}
    assert success_body(_answer(200, b"[1]"), "GET", "metainfo") == {"value": [1]}
    assert write_results("FbSales", {"results": {"FbSales": {"OrNu": "7"}}}) == {"OrNu": "7"}
    assert write_results("FbSales", {"results": "nonsense"}) == {}


def test_an_unreadable_success_is_ambiguous_for_a_write_and_bad_for_a_read():
    with pytest.raises(AfasAmbiguousWriteError, match="with 201 but a body that is not readable JSON"):
        success_body(_answer(201, b"<html>"), "POST", "FbSales")
    with pytest.raises(AfasBadResponseError, match="it should end in /ProfitRestServices"):
        success_body(_answer(200, b"<html>"), "GET", "metainfo")


@pytest.mark.parametrize(
    ("status", "body", "method", "error"),
    [
        (500, b'{"externalMessage": "Debiteur onbekend", "errorNumber": "12"}', "POST", AfasValidationError),
        (403, b"", "GET", AfasAuthError),
        (502, b"", "PUT", AfasAmbiguousWriteError),
    ],
)
def test_failures_no_retry_can_change_are_raised(status, body, method, error):
    answer = _answer(status, body)
    with pytest.raises(error):
        raise_for_failure(answer, error_body(answer), method, "FbSales", "afas", lambda text: text)


@pytest.mark.parametrize(("status", "method"), [(503, "POST"), (502, "GET")])
def test_failures_a_retry_may_help_are_left_to_the_hook(status, method):
    answer = _answer(status, b"not json")
    assert error_body(answer) == {}
    raise_for_failure(answer, error_body(answer), method, "FbSales", "afas", lambda text: text)


def test_only_a_write_that_provably_was_not_sent_may_be_retried():
    refused = requests.ConnectionError(urllib3.exceptions.NewConnectionError(None, "refused"))
    assert no_answer("POST", "FbSales", requests.exceptions.ConnectTimeout()) is None
    assert no_answer("POST", "FbSales", refused) is None
    assert no_answer("GET", "metainfo", requests.exceptions.ReadTimeout()) is None
    ambiguous = no_answer("POST", "FbSales", requests.exceptions.ReadTimeout())
    assert isinstance(ambiguous, AfasAmbiguousWriteError)
    assert str(ambiguous) == (
        "AFAS POST FbSales got no answer (ReadTimeout); the write may or may not have happened. "
        "Look the record up before writing again."
    )


# -- the bounded read -------------------------------------------------------------------------------


class _Streamed:
    def __init__(self, chunks: list[bytes], declared: str = "") -> None:
        self.status_code = 200
        self.headers = CaseInsensitiveDict({"Content-Length": declared} if declared else {})
        self._chunks = chunks

    def iter_content(self, size: int):
        yield from self._chunks


def test_a_body_is_read_whole_up_to_the_limit_and_not_past_it():
    assert read_bounded(_Streamed([b"ab", b"cd"]), limit=4) == b"abcd"  # type: ignore[arg-type]
    with pytest.raises(BodyTooLargeError, match=r"over 4 bytes \(read 6\)"):
        read_bounded(_Streamed([b"abc", b"def"]), limit=4)  # type: ignore[arg-type]
    with pytest.raises(BodyTooLargeError, match=r"read 99"):
        read_bounded(_Streamed([], declared="99"), limit=4)  # type: ignore[arg-type]
