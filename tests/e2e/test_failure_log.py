"""What the task log of a run with an order AFAS refuses looks like: short summary lines, the refused
order listed, and the task's end as one line naming what to do, without the pipeline's frames."""

from __future__ import annotations

import logging

from tests.e2e.test_order_cases import ALL_ITEMS, empty_shop, order

UNKNOWN = {"articleCode": "ART-9001", "productTitle": "Proefpakket nieuwe oogst", "quantityOrdered": 1, "basePriceIncl": "11.95", "taxRate": "0.09"}  # fmt: skip


def traceback_of_the_failure(output: str) -> list[str]:
    """The traceback Airflow logs for the failing task, up to and including the exception's line."""
    lines = output.splitlines()
    failed = next(i for i, line in enumerate(lines) if "Task failed with exception" in line)
    start = next(i for i in range(failed, len(lines)) if lines[i].startswith("Traceback"))
    end = next(i for i in range(start, len(lines)) if "NewFailuresError:" in lines[i])
    return lines[start : end + 1]


def test_a_refused_order_ends_the_task_with_a_short_message(sync_env, capfd, caplog):
    (number,) = empty_shop(sync_env, order(email="proef@example.nl", lastname="Proef", lines=[UNKNOWN]))
    known = {code: item for code, item in ALL_ITEMS["items"].items() if code != "ART-9001"}
    sync_env.afas_admin("PUT", "/catalogue", {"replace": True, "items": known})
    capfd.readouterr()
    with caplog.at_level(logging.INFO):
        assert sync_env.run().state == "failed"
    # The task log goes to stdout or through Python logging, depending on how logging was set up before.
    output = capfd.readouterr().out + "\n" + caplog.text

    block = traceback_of_the_failure(output)
    frames = [line for line in block if line.lstrip().startswith('File "')]
    assert frames and not [f for f in frames if "lightspeed_afas/pipeline" in f], "no frames below the task"
    assert f"NewFailuresError: 1 order(s) could not be booked ({number})" in block[-1]
    assert "python -m lightspeed_afas log shop --open" in block[-1]

    assert "Run summary: {" not in output, "no summary as one giant line"
    lines = output.splitlines()
    summary = lines.index(next(line for line in lines if line.rstrip().endswith("Run summary:")))
    fields = lines[summary + 1 : summary + 8]
    assert "  outcome: failed" in fields and all(len(line) <= 220 for line in fields)
    assert any(line.startswith(f"  {number}  failed: ") and "ART-9001" in line for line in lines)
