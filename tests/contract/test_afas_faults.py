"""Faults on demand and the admin API over HTTP: 503 with retry_after (by count and by emulator time),
commit-then-drop, commit-then-hang, latency, the parallel-call limit, counters, the environment log and
reset."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from emulators.afas import AfasConfig
from tests.support.afas_fixtures import (
    AFAS_AUTH,
    AfasClient,
    example,
    order_row,
    person_relation,
    running_afas,
    sales_order,
)

# a connection closed mid-response: requests reports the short body or the reset
BROKEN = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)


@pytest.fixture
def debtor(client):
    return client.created("KnSalesRelationPer", person_relation())["DbId"]


def references(client, reference):
    return client.rows(
        "Profit_Salesorders",
        filterfieldids="CustomerReference",
        filtervalues=reference,
        operatortypes="1",
        orderbyfieldids="OrderNumber",
    )


def test_503_maintenance_for_the_next_calls_with_retry_after(client):
    faults = client.admin("POST", "faults", {"unavailable": {"count": 2, "retry_after": 30}})
    assert faults["faults"]["unavailable_count"] == 2
    for _ in range(2):
        response = client.call("GET", "metainfo")
        assert response.status_code == 503
        body = response.json()
        assert body == {**example("7.24"), "retry_after": 30}
    assert client.call("GET", "metainfo").status_code == 200
    assert client.admin("GET", "calls")["unavailable"] == 2


def test_503_for_a_stretch_of_emulator_time(client):
    client.admin("POST", "faults", {"unavailable": {"seconds": 600}})
    first = client.call("GET", "metainfo")
    assert first.status_code == 503 and 590 <= first.json()["retry_after"] <= 600
    assert client.call("GET", "metainfo").status_code == 503
    client.admin("POST", "clock", {"advance_seconds": 601})
    assert client.call("GET", "metainfo").status_code == 200


def test_commit_then_drop_applies_the_write_but_the_client_gets_no_answer(client, debtor):
    client.admin(
        "POST", "faults", {"drop_after_commit": {"count": 1, "connector": "FbSales", "verb": "POST"}}
    )
    assert (
        client.post("KnSalesRelationPer", person_relation("ander@example.nl")).status_code == 201
    )  # filtered out
    with pytest.raises(BROKEN):
        client.post("FbSales", sales_order(debtor, "DROP-1"))
    assert len(references(client, "DROP-1")) == 1
    assert client.post("FbSales", sales_order(debtor, "DROP-2")).status_code == 201  # used up
    calls = client.admin("GET", "calls")
    assert calls["dropped"] == 1 and calls["by_status"]["POST /connectors/FbSales dropped"] == 1


def test_commit_then_drop_on_put_and_delete(client, debtor):
    number = client.created("FbSales", sales_order(debtor, "D"))["OrNu"]
    client.admin("POST", "faults", {"drop_after_commit": {"count": 2}})
    with pytest.raises(BROKEN):
        client.put("FbSales", {"FbSales": {"Element": {"Fields": {"OrNu": number, "RfCs": "D-2"}}}})
    assert order_row(client, "D-2")["OrderNumber"] == number
    with pytest.raises(BROKEN):
        client.delete(f"FbSales/FbSales/@OrNu/{number}")
    assert client.rows("Profit_Salesorders", orderbyfieldids="OrderNumber") == []


def test_a_refused_write_is_not_dropped(client, debtor):
    client.admin("POST", "faults", {"drop_after_commit": {"count": 1}})
    assert client.post("FbSales", sales_order("424242")).status_code == 500
    with pytest.raises(BROKEN):
        client.post("FbSales", sales_order(debtor, "LATER"))


def test_commit_then_hang_outlasts_a_client_timeout(client, debtor):
    client.admin("POST", "faults", {"hang_after_commit": {"count": 1, "seconds": 2}})
    with pytest.raises(requests.exceptions.ReadTimeout):  # no answer within 0.5 s of a 2 s hang
        client.post("FbSales", sales_order(debtor, "HANG-1"), timeout=0.5)
    assert len(references(client, "HANG-1")) == 1
    assert client.admin("GET", "calls")["hung"] == 1


def test_latency_is_added_to_every_call(client):
    client.admin("POST", "faults", {"latency_ms": 300})
    started = time.monotonic()
    assert client.call("GET", "metainfo").status_code == 200
    assert time.monotonic() - started >= 0.3
    client.admin("POST", "faults", {"clear": True})
    assert client.admin("POST", "faults", {})["faults"]["latency_ms"] == 0


def test_bad_fault_requests_are_400(client):
    response = requests.post(f"{client.url}/_admin/faults", json={"earthquake": {}}, timeout=10)
    assert response.status_code == 400 and "earthquake" in response.json()["error"]


def test_more_than_eight_calls_in_flight_are_refused_and_counted(afas, client):
    client.admin("POST", "faults", {"latency_ms": 400})

    def call(_):
        with requests.Session() as session:
            return session.get(f"{afas.url}/ProfitRestServices/metainfo", headers=AFAS_AUTH, timeout=10)

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(call, range(12)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) >= 8 and statuses.count(500) >= 1
    refused = next(r for r in responses if r.status_code == 500).json()
    assert refused["externalMessage"] == "Er is een onverwachte fout opgetreden."
    calls = client.admin("GET", "calls")
    assert (
        calls["max_in_flight"] > 8
        and calls["refused_in_flight"] == statuses.count(500)
        and calls["in_flight"] == 0
    )


def test_the_limit_is_configurable_and_strict_mode_can_be_off():
    with running_afas(AfasConfig(max_in_flight=2, strict_parallel=False)) as server:
        c = AfasClient(server.url)
        try:
            c.admin("POST", "faults", {"latency_ms": 300})
            with ThreadPoolExecutor(max_workers=4) as pool:
                statuses = list(
                    pool.map(
                        lambda _: (
                            requests.get(f"{c.base}/metainfo", headers=AFAS_AUTH, timeout=10).status_code
                        ),
                        range(4),
                    )
                )
            assert statuses == [200] * 4 and c.admin("GET", "calls")["max_in_flight"] >= 3
        finally:
            c.close()


def test_errors_are_kept_in_the_environment_log_with_unique_references(client):
    first = client.post("FbSales", sales_order("424242")).json()
    second = client.post("FbSales", sales_order("424242")).json()
    assert first["profitLogReference"] != second["profitLogReference"]
    log = client.admin("GET", "errors")["errors"]
    assert [e["profitLogReference"] for e in log] == [
        first["profitLogReference"],
        second["profitLogReference"],
    ]
    assert log[0]["externalMessage"] == "De ingevulde waarde bij 'Verkooprelatie' bestaat niet."
    assert (
        log[0]["method"] == "POST"
        and log[0]["connector"] == "FbSales"
        and log[0]["integrationId"] == "12345_678900"
    )
    assert client.admin("GET", "state")["errors"] == log


def test_state_dump_and_reset(client, debtor):
    number = client.created("FbSales", sales_order(debtor))["OrNu"]
    client.admin("PUT", "catalogue", {"projects": ["EXTRA"]})
    state = client.admin("GET", "state")
    assert [d["debtor_id"] for d in state["debtors"]] == [debtor]
    assert state["contacts"][0]["fields"]["EmAd"] == "zoe@example.nl"
    assert state["orders"][0]["OrNu"] == number and state["orders"][0]["totals"]["TotalAmount"] == "22.85"
    assert state["orders"][0]["lines"][0]["GuLi"].startswith("{") and state["invoices"] == []
    assert "EXTRA" in state["catalogue"]["projects"] and state["time"].startswith("2026-11-02T09:00")
    client.admin("POST", "reset", {"keep_catalogue": True})
    state = client.admin("GET", "state")
    assert (
        state["debtors"] == state["orders"] == state["errors"] == []
        and "EXTRA" in state["catalogue"]["projects"]
    )
    client.admin("POST", "reset")
    assert "EXTRA" not in client.admin("GET", "state")["catalogue"]["projects"]
    assert client.admin("GET", "calls")["total"] == 0


def test_seeding_debtors_and_contacts_through_the_admin_api(client):
    seeded = client.admin(
        "POST",
        "debtors",
        {
            "debtors": [
                {"debtor_id": "D1", "email": "x@example.nl", "kind": "organisation", "name": "X BV"},
                {"email": "y@example.nl"},
            ]
        },
    )
    assert seeded["debtors"][0]["DbId"] == "D1" and seeded["debtors"][1]["DbId"] == "10000"
    rows = {r["DebtorId"]: r for r in client.rows("Profit_Debtor", orderbyfieldids="DebtorId")}
    assert rows["D1"]["DebtorName"] == "X BV" and rows["10000"]["Email"] == "y@example.nl"
    assert client.admin("POST", "contacts", {"contacts": [{"bcco": "555"}]}) == {"contacts": ["555"]}
    duplicate = requests.post(
        f"{client.url}/_admin/debtors", json={"debtors": [{"debtor_id": "D1"}]}, timeout=10
    )
    assert duplicate.status_code == 400
