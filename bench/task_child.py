"""One pipeline task in a process of its own, as an Airflow worker runs it; reports its wall time and peak RSS.

    python -m bench.task_child JOB.json

``JOB.json``: ``{"step", "run_id", "window": [iso, iso], "ledger_url", "upstream": {task: path}, "out": path,
"profile": path | null}``, and for a stock step ``"flow": "stock"``, ``"full_comparison"`` and
``"clock_offset_s"`` (the parent's pipeline clock; no window). The step's XCom value goes to ``out`` as
JSON; the last stdout line is ``{"seconds", "maxrss_kb", "error"}``. The emulators' URLs and the tenant
come from the environment (``bench.common.emulator_stack`` sets them in the parent).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import common


def run(job: dict[str, Any]) -> dict[str, Any]:
    common.airflow_env()
    from lightspeed_afas.ledger import Ledger
    from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure

    upstream = {name: json.loads(Path(path).read_text()) for name, path in job["upstream"].items()}
    ledger = Ledger(job["ledger_url"])
    stock = job.get("flow") == "stock"
    step: Any
    if stock:  # imported only here: an order task's peak RSS stays the order pipeline's own
        from lightspeed_afas.orchestration.stock_task import NewStockFailuresError as Refused
        from lightspeed_afas.orchestration.stock_task import execute_stock as step

        common.set_pipeline_clock(float(job.get("clock_offset_s") or 0.0))
        settings = common.stock_settings()
        request = common.stock_request(job["run_id"], bool(job.get("full_comparison")))
    else:
        from lightspeed_afas.orchestration.task import NewFailuresError as Refused
        from lightspeed_afas.orchestration.task import execute as step

        window = (datetime.fromisoformat(job["window"][0]), datetime.fromisoformat(job["window"][1]))
        settings = common.settings()
        request = common.run_request(job["run_id"], window)
    refused: type[ExpectedTaskFailure] = Refused
    profiler = None
    if job.get("profile"):
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    error = None
    started = time.perf_counter()
    try:
        out = step(job["step"], settings, request, ledger, upstream)
        Path(job["out"]).write_text(json.dumps(out), encoding="utf-8")
    except refused as exc:  # orders AFAS refused, levels Lightspeed refused: in the ledger, the run goes on
        error = str(exc)[:500]
    finally:
        seconds = time.perf_counter() - started
        if profiler is not None:
            profiler.stop()
            Path(job["profile"]).write_text(
                profiler.output_text(unicode=False, color=False), encoding="utf-8"
            )
        if job["step"] == "load_to_afas" and not stock:
            ledger.release_lease(settings.tenant, request.run_id)
    return {"seconds": seconds, "maxrss_kb": peak_rss_kb(), "error": error}


def peak_rss_kb() -> int:
    """This process's peak RSS in kB: ``VmHWM`` (reset by exec). ``ru_maxrss`` is not: on Linux a child
    keeps the RSS its parent had when it forked, so it would report the bench process's peak instead."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    job = json.loads(Path(args[0]).read_text())
    print(json.dumps(run(job)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
