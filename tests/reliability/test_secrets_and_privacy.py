"""Secrets and personal data: after full runs — through ``dag.test()`` and in-process, with detail logging
off and on, with hostile orders, refusals, lost answers, an AFAS outage and a spent Lightspeed budget —
the AFAS token (data part, whole XML, their base64 and JSON-escaped forms, the ``AfasToken`` header),
the Lightspeed key, secret and ``Basic`` header, and the tenant's notification webhook URL (its path is
the credential; a local sink stands in for Slack, failing its first call) appear in no task log, no
XCom file, nowhere in the ledger database (detail log included), in no file under AIRFLOW_HOME, in no
notification sent and in no exception a run raised. The basic log holds no name, e-mail address, phone
number or address. And the demo binds to loopback only, with the README saying what production needs.
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import REPO
from tests.reliability.conftest import WEBHOOK_PATH, now_utc, secret_forms, stamp
from tests.support.echo_server import Reply, Seen, serve

BASIC_LOG = (
    "lsafas_sync_run",
    "lsafas_order_attempt",
    "lsafas_order_state",
    "lsafas_watermark",
    "lsafas_lease",
)
PERSONAL = ("email", "firstname", "lastname", "phone", "addressBillingStreet", "addressBillingZipcode",
            "addressBillingCity", "companyName")  # fmt: skip


def _customers(n: int, moment: str) -> list[dict]:
    """Orders of distinctive customers (their details must not be common words) and a few bad ones."""
    good = [
        {
            "customer": False,
            "email": f"privacy.klant{i}@voorbeeldmail.nl",
            "firstname": f"Geertruida{i}",
            "lastname": f"Vanderwaterschap{i}",
            "phone": f"06-9988{i:04d}",
            "street": f"Privacylaan{i}",
            "zipcode": f"9{i:03d} ZZ",
            "city": f"Geheimdorp{i}",
            "createdAt": moment,
            "updatedAt": moment,
        }
        for i in range(n)
    ]
    bad = [
        {**good[0], "email": "geheim adres@voorbeeldmail.nl", "lastname": "Onbruikbaarmail"},
        {**good[1], "email": "a.geheim@voorbeeldmail.nl;b.geheim@voorbeeldmail.nl", "lastname": "Lijstmail"},
        {
            **good[2],
            "email": "nieuwe.klant.xx@voorbeeldmail.nl",
            "raw": {"addressBillingCountry": {"code": "xx"}},
        },
        {**good[3], "email": "onbekend.artikel@voorbeeldmail.nl", "lines": [{"articleCode": "ART-9999"}]},
    ]
    return good + bad


def _scan(text: str) -> list[str]:
    return [name for name, secret in secret_forms().items() if secret in text]


def _webhook_sink(seen: list[Seen]) -> Reply:
    """A Slack stand-in: the first notification fails (the error path), the later ones succeed."""
    posts = [s for s in seen if s.method == "POST"]
    return Reply(500, b"server_error") if len(posts) == 1 else Reply(200, b"ok")


def _files_text(root: Path) -> dict[str, str]:
    out = {}
    for path in root.rglob("*"):
        if path.is_file():
            out[str(path)] = path.read_bytes().decode("latin-1")
    return out


@pytest.mark.parametrize("detail_logging", [False, True], ids=["detail-log-off", "detail-log-on"])
def test_no_secret_anywhere_and_no_customer_detail_in_the_basic_log(
    stack, tally, capfd, caplog, monkeypatch, detail_logging
):
    with serve(lambda request: _webhook_sink(sink.seen)) as sink:
        monkeypatch.setenv(
            "AIRFLOW_CONN_REL_WEBHOOK_SHOP",
            json.dumps({"conn_type": "http", "host": f"{sink.url}{WEBHOOK_PATH}"}),
        )
        stack.tenant(detail_logging=detail_logging, notifications={"webhook_conn_id": "rel_webhook_shop"})
        _run_and_scan(stack, tally, capfd, caplog, detail_logging, sink.seen)


def _run_and_scan(stack, tally, capfd, caplog, detail_logging: bool, webhook: list[Seen]) -> None:
    home = Path(os.environ["AIRFLOW_HOME"])
    # Files an earlier test of this session left (a detail-logging run keeps its staged data by design)
    # are not this test's: only what its own runs leave is judged.
    before = set(_files_text(home))
    stack.reset(orders=8)
    moment = stamp(now_utc() - timedelta(minutes=25))
    stack.shop_admin("POST", "/orders", {"orders": _customers(8, moment)})
    stack.afas_admin("POST", "/faults", {"drop_after_commit": {"count": 2, "connector": "FbSales"}})
    with caplog.at_level(logging.INFO):
        # A real DAG run: tasks, task logs, object-storage XCom, teardown.
        dag_run = stack.dag_run()
        assert dag_run.state == "failed"  # the bad orders are reported, and the run says so
        # More runs that raise: AFAS in maintenance, the Lightspeed day budget spent, a lost answer.
        stack.shop_admin("PATCH", f"/orders/{stack.shop_orders()[0]['id']}", {"comment": "gewijzigd"})
        stack.afas_admin("POST", "/faults", {"unavailable": {"count": 50}})
        outage = stack.run()
        stack.afas_admin("POST", "/faults", {"clear": True})
        stack.shop_admin("POST", "/faults", {"exhaust": "day"})
        spent = stack.run()
        stack.shop_admin("POST", "/faults", {"clear": True})
        stack.shop_admin("POST", "/clock", {"advance_seconds": 86400})
        stack.afas_admin("POST", "/faults", {"hang_after_commit": {"count": 1, "seconds": 1}})
        final = stack.run()
        dag_again = stack.dag_run()
    assert outage.state == "error" and "AfasUnavailableError" in outage.error_text
    assert spent.summary["outcome"] == "partial" and "budget" in spent.summary["stopped_because"]
    assert final.state in ("success", "failed") and dag_again.state in ("success", "failed")
    out = capfd.readouterr()

    ledger_file = stack.ledger_file
    engine = sa.create_engine(f"sqlite:///{ledger_file}")
    with engine.connect() as conn:
        tables = {
            name: "\n".join(repr(tuple(r)) for r in conn.execute(sa.text(f"SELECT * FROM {name}")))
            for name in (*BASIC_LOG, "lsafas_detail_log")
        }
    engine.dispose()
    places = {
        "task logs (stdout/stderr)": out.out + out.err,
        "log records": caplog.text,
        "exceptions raised by runs": "\n".join(stack.errors) + repr(outage.error) + repr(spent.summary),
        "notifications sent": "\n".join(s.body.decode("utf-8", errors="replace") for s in webhook),
        **{f"ledger table {name}": text for name, text in tables.items()},
        **{f"file {path}": text for path, text in _files_text(home).items()},
        **{
            f"ledger file {p.name}": p.read_bytes().decode("latin-1")
            for p in ledger_file.parent.glob("ledger-*")
        },
    }
    # Task logs reach the captured output or the log records, depending on which test configured
    # Airflow's logging first in this process; both are scanned.
    assert "Bookings of this run" in out.out + out.err + caplog.text, "the task logs are captured"
    assert [s.path for s in webhook if s.method == "POST"][:2] == [WEBHOOK_PATH] * 2, (
        "the webhook was called: once failing, then again"
    )
    xcom = [path for path in set(_files_text(home)) - before if "/xcom/lightspeed_afas_shop/" in path]
    if detail_logging:
        assert xcom, "the object-storage XCom files (kept with the detail log) are scanned"
        assert "FbSales" in tables["lsafas_detail_log"], "the detail log exists to be scanned"
        assert "Geertruida" in tables["lsafas_detail_log"]  # it does hold order contents, by design
    else:
        assert xcom == [], "without the detail log the teardown removes the staged order data"
    leaks = {where: found for where, text in places.items() if (found := _scan(text))}
    tally.leaks["places scanned for secrets"] += len(places)
    tally.leaks["secret forms looked for"] = len(secret_forms())
    tally.leaks["secrets found"] += sum(len(v) for v in leaks.values())
    assert leaks == {}

    basic = "\n".join(tables[name] for name in BASIC_LOG)
    assert "failed" in basic and "ORD" in basic, "the scan reads real rows"
    details = {
        str(o[key]).strip()
        for o in stack.shop_orders()
        for key in PERSONAL
        if isinstance(o.get(key), str) and len(o[key].strip()) >= 5 and not o[key].strip().isdigit()
    }
    details |= {part for d in list(details) if "@" in d for part in re.split(r"[;,\s]", d) if "@" in part}
    found = sorted(d for d in details if d in basic or d.lower() in basic.lower())
    tally.leaks["customer details looked for in the basic log"] += len(details)
    tally.leaks["customer details found in the basic log"] += len(found)
    assert found == []


def test_the_demo_listens_on_loopback_only_and_the_readme_says_what_production_needs():
    script = (REPO / "scripts" / "demo.sh").read_text(encoding="utf-8")
    assert "0.0.0.0" not in script and "::" not in script.replace("::1", "")
    hosts = re.findall(r"--host\s+(\S+)", script)
    assert hosts and set(hosts) == {"127.0.0.1"}, hosts
    assert re.search(r"AIRFLOW__API__HOST=127\.0\.0\.1", script)
    for module in ("emulators/lightspeed/__main__.py", "emulators/afas/__main__.py"):
        source = (REPO / module).read_text(encoding="utf-8")
        assert re.search(r"--host.*default=\"127\.0\.0\.1\"", source.replace("'", '"'), re.S), module
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    production = readme.split("## Reliability", 1)[-1]
    for must in ("auth manager", "Fernet key", "TLS", "127.0.0.1"):
        assert must in production, must
