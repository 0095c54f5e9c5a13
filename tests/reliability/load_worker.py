"""A load_to_afas task in a process of its own, so a test can SIGKILL it mid-write.

    python -m tests.reliability.load_worker <job.json>

``job.json`` holds the run request and the upstream XCom values; connections and the tenant file come
from the environment, as in a real worker.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path


def main(job_file: str) -> int:
    from lightspeed_afas.config import load_mapping, load_tenant
    from lightspeed_afas.flows.orders.tenant_settings import sync_settings
    from lightspeed_afas.flows.request import RunRequest
    from lightspeed_afas.ledger import Ledger
    from lightspeed_afas.orchestration.task import execute

    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    req = job["request"]
    request = RunRequest(
        req["run_id"],
        req["mode"],
        datetime.fromisoformat(req["window_start"]),
        datetime.fromisoformat(req["window_end"]),
    )
    tenant = load_tenant(job["tenant"])
    settings = sync_settings(tenant, load_mapping(tenant.mapping, tenant.mapping_overrides))
    print("load_to_afas starting", flush=True)
    execute("load_to_afas", settings, request, Ledger.from_airflow(), job["upstream"])
    print("load_to_afas finished", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
