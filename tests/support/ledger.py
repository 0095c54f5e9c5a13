"""A fresh ledger on SQLite and on PostgreSQL (a scratch database, dropped afterwards) for each test."""

from __future__ import annotations

import pytest

from lightspeed_afas.ledger import Ledger
from tests.support.pg import scratch_database


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    with scratch_database() as url:
        yield url


@pytest.fixture
def ledger(ledger_url):
    return Ledger(ledger_url)
