"""What an idle run of the AFAS → Lightspeed flows rests on: the last clean plan's fingerprint
(``flows.idle``) and the connector checks kept between runs (``flows.afas_connectors.ConnectorChecks``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from lightspeed_afas.flows import idle
from lightspeed_afas.flows.afas_connectors import ConnectorChecks
from lightspeed_afas.hooks.errors import AfasUnavailableError, AfasValidationError
from lightspeed_afas.ledger import Ledger

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def ledger(tmp_path) -> Ledger:
    return Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")


def test_the_fingerprint_follows_the_content_not_the_order_of_keys():
    assert idle.fingerprint({"a": 1, "b": "2"}) == idle.fingerprint({"b": "2", "a": 1})
    assert idle.fingerprint({"a": 1}) != idle.fingerprint({"a": 2})
    assert idle.fingerprint("settings", {"A": "1"}) != idle.fingerprint("other settings", {"A": "1"})


def test_a_remembered_plan_is_trusted_for_its_fingerprint_and_for_an_hour_only(ledger):
    assert idle.unchanged_plan(ledger, "t", "stock", "f1", NOW) is None, "nothing remembered yet"
    idle.remember(ledger, "t", "stock", "f1", NOW.isoformat(), {"kept": 3})
    assert idle.unchanged_plan(ledger, "t", "stock", "f1", NOW) == {"kept": 3}
    assert idle.unchanged_plan(ledger, "t", "stock", "f2", NOW) is None, "AFAS gave something else"
    assert idle.unchanged_plan(ledger, "t", "articles", "f1", NOW) is None, "per flow"
    later = NOW + idle.REPLAN_AFTER - timedelta(seconds=1)
    assert idle.unchanged_plan(ledger, "t", "stock", "f1", later) == {"kept": 3}
    assert idle.unchanged_plan(ledger, "t", "stock", "f1", NOW + idle.REPLAN_AFTER) is None, "plan again"
    assert idle.unchanged_plan(ledger, "t", "stock", "f1", NOW - timedelta(minutes=1)) is None, (
        "clock went back"
    )
    idle.forget(ledger, "t", "stock")
    assert idle.unchanged_plan(ledger, "t", "stock", "f1", NOW) is None
    idle.forget(ledger, "t", "stock")  # nothing to forget: no error


@pytest.mark.parametrize(
    ("request_", "may"),
    [
        (SimpleNamespace(mode="scheduled", dry_run=False, full_comparison=False, resume=False), True),
        (SimpleNamespace(mode="manual", dry_run=False, full_comparison=False), True),
        (SimpleNamespace(mode="scheduled", dry_run=True, full_comparison=False), False),
        (SimpleNamespace(mode="manual", dry_run=False, full_comparison=True), False),
        (SimpleNamespace(mode="manual", dry_run=False, full_comparison=False, resume=True), False),
    ],
)
def test_a_run_asked_for_more_always_plans(request_, may):
    assert idle.may_be_idle(request_) is may


class Afas:
    def __init__(self) -> None:
        self.metainfo = 0
        self.fields = ["Item", "Qty", "Other"]

    def metainfo_get(self, connector: str) -> dict:
        self.metainfo += 1
        return {"fields": [{"id": f} for f in self.fields]}


def checks(ledger: Ledger, afas: Afas, now: datetime = NOW) -> ConnectorChecks:
    return ConnectorChecks(ledger, "t", "stock", SimpleNamespace(afas=afas), now, timedelta(hours=24))


WANTED = {"stock.fields.item_code": "Item", "stock.fields.quantity": "Qty"}


def test_a_connector_check_is_kept_a_day_for_the_same_fields(ledger):
    afas = Afas()
    assert checks(ledger, afas).field_count("C", WANTED, None, ValueError) == 3
    assert checks(ledger, afas, NOW + timedelta(hours=23)).field_count("C", WANTED, None, ValueError) == 3
    assert afas.metainfo == 1, "kept: no metainfo call"
    checks(ledger, afas, NOW + timedelta(hours=24)).field_count("C", WANTED, None, ValueError)
    assert afas.metainfo == 2, "a day later: checked again"
    other = {"stock.fields.item_code": "Item", "stock.fields.quantity": "Other"}
    checks(ledger, afas, NOW + timedelta(hours=24)).field_count("C", other, None, ValueError)
    assert afas.metainfo == 3, "other fields in the tenant file: checked again"
    afas.fields = ["Item"]
    with pytest.raises(ValueError, match="has no field stock.fields.quantity = 'Qty'"):
        checks(ledger, afas, NOW + timedelta(hours=48)).field_count("C", WANTED, None, ValueError)


def test_a_refused_read_after_a_kept_check_checks_again_and_says_what_to_set(ledger):
    from lightspeed_afas.flows.afas_connectors import connector_field_count

    afas = Afas()
    checks(ledger, afas).field_count("C", WANTED, None, ValueError)
    kept = checks(ledger, afas, NOW + timedelta(hours=1))
    kept.field_count("C", WANTED, None, ValueError)
    afas.fields = ["Item", "Voorraad"]  # the connector changed in AFAS since
    recheck = lambda: connector_field_count(kept.hooks, "C", WANTED, None, ValueError)  # noqa: E731
    with pytest.raises(ValueError, match="has no field stock.fields.quantity"):
        with kept.reading("C", recheck):
            raise AfasValidationError("Veld Qty bestaat niet", None, None, 500)
    assert afas.metainfo == 2
    fresh = checks(ledger, afas, NOW + timedelta(hours=1))
    afas.fields = ["Item", "Qty"]
    fresh.field_count("C", WANTED, None, ValueError)
    assert afas.metainfo == 3, "the kept check was forgotten"


def test_a_refused_read_after_a_fresh_check_and_a_transient_fault_are_left_as_they_are(ledger):
    afas = Afas()
    fresh = checks(ledger, afas)
    fresh.field_count("C", WANTED, None, ValueError)
    with pytest.raises(AfasValidationError):
        with fresh.reading("C", lambda: pytest.fail("checked a moment ago")):
            raise AfasValidationError("refused", None, None, 500)
    kept = checks(ledger, afas, NOW + timedelta(minutes=15))
    kept.field_count("C", WANTED, None, ValueError)
    with pytest.raises(AfasUnavailableError):
        with kept.reading("C", lambda: pytest.fail("a 503 says nothing about the fields")):
            raise AfasUnavailableError("maintenance")
    assert afas.metainfo == 1
