"""Where ``log`` reads from: the Airflow home, the ledger in it, and the order an ``--order`` means.

Nothing here creates anything: with ``AIRFLOW_HOME`` unset it reads ``~/airflow`` and says so, or
refuses when that does not exist (importing Airflow would create it); a SQLite ledger that does not
exist is reported, not created. An ``--order`` that is not an order number exactly is looked up as the
end, then a part, of one (``10028`` → ``ORD10028``), and the command says what it assumed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

MAX_CANDIDATES = 20  # order numbers listed when --order matches several
DEMO_ENV_HINT = "after `make demo`: source .demo/env"


def say(text: str) -> None:
    """A note or an error: on stderr, so that ``--json`` output stays JSON."""
    print(text, file=sys.stderr)


def airflow_home_problem() -> tuple[str | None, str | None]:
    """(why the command must not run, what it assumed) about ``AIRFLOW_HOME``, before Airflow is imported:
    importing Airflow creates its home (``~/airflow`` when ``AIRFLOW_HOME`` is unset)."""
    configured = os.environ.get("AIRFLOW_HOME")
    if configured:
        if not Path(configured).expanduser().is_dir():
            return (
                f"AIRFLOW_HOME={configured} does not exist. Point AIRFLOW_HOME at the Airflow home whose "
                f"ledger you want to read ({DEMO_ENV_HINT}).",
                None,
            )
        return None, None
    default = Path.home() / "airflow"
    if default.is_dir():
        return None, f"note: AIRFLOW_HOME is not set; using {default} (Airflow's default)."
    return (
        f"AIRFLOW_HOME is not set and {default} does not exist, so there is no Airflow home to find the "
        "ledger in (and this command creates none). Set AIRFLOW_HOME to your Airflow home "
        f"({DEMO_ENV_HINT}).",
        None,
    )


def missing_sqlite_ledger(url: str) -> str | None:
    """The path of a SQLite ledger that does not exist (opening it would create an empty one)."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return None if Path(parsed.database).exists() else parsed.database


def open_ledger() -> Any:
    """The ledger, or an exit code after saying why it cannot be read."""
    problem, assumed = airflow_home_problem()
    if problem:
        say(f"error: {problem}")
        return 2
    if assumed:
        say(assumed)
    from lightspeed_afas.ledger import Ledger, ledger_url_outside_tasks

    url = ledger_url_outside_tasks()
    missing = missing_sqlite_ledger(url)
    if missing:
        say(
            f"error: the ledger {missing} does not exist: no run has recorded anything there. Is AIRFLOW_HOME "
            f"({os.environ.get('AIRFLOW_HOME') or Path.home() / 'airflow'}) the right one, or is the "
            "lightspeed_afas_ledger connection missing?"
        )
        return 1
    return Ledger(url)


def resolve_order(ledger: Any, tenant: str, wanted: str) -> str | int:
    """The order number ``--order`` means, or an exit code after saying why there is none."""
    from lightspeed_afas.ledger.queries import LedgerQueries

    found = LedgerQueries(ledger.engine).find_order_numbers(tenant, wanted, MAX_CANDIDATES + 1)
    if found == [wanted]:
        return wanted
    if len(found) == 1:
        say(f"note: no order {wanted!r}; showing {found[0]}.")
        return found[0]
    if not found:
        say(f"No order {wanted!r} for tenant {tenant!r} in the ledger, and no order number contains it.")
        return 1
    more = len(found) > MAX_CANDIDATES
    shown = ", ".join(found[:MAX_CANDIDATES]) + (", …" if more else "")
    count = f"more than {MAX_CANDIDATES}" if more else str(len(found))
    say(f"No order {wanted!r}; {count} order numbers end in or contain it: {shown}. Give one with --order.")
    return 1


def safe_url(url: str) -> str:
    """The ledger's URL to show: its password hidden."""
    import sqlalchemy as sa

    return sa.engine.make_url(url).render_as_string(hide_password=True)
