"""The manual-trigger form of a tenant's DAG: since/until, order_numbers and dry_run.

What the params mean, and how their combinations are checked, is ``orchestration.run_request``.
"""

from __future__ import annotations

from airflow.sdk import Param

from lightspeed_afas.orchestration.run_request import MAX_ORDER_NUMBERS

# Airflow validates each Param with jsonschema when the DAG is built, checking the schema against its
# meta-schema first; naming draft-07 makes that check ~4x cheaper than the default 2020-12 meta-schema,
# which is most of the parse time with hundreds of tenants. The schemas use nothing newer than draft-07.
SCHEMA_DIALECT = {"$schema": "http://json-schema.org/draft-07/schema#"}


def trigger_params() -> dict[str, Param]:
    """The manual-trigger form. Combinations and limits are checked by ``lightspeed_afas.orchestration.run_request``.

    Every param is optional (a normal run needs none), so every schema type includes ``"null"``: Airflow
    3.3's trigger form marks a param whose type does not as required. The order-number limit is not a
    ``maxItems``: jsonschema's refusal would repeat every number given; the run refuses with the limit.
    """
    return {
        "since": Param(
            None,
            **SCHEMA_DIALECT,
            type=["null", "string"],
            format="date-time",
            title="Since",
            description="Re-sync the orders changed from this moment (date-time with offset). Leave empty "
            "for a normal run.",
        ),
        "until": Param(
            None,
            **SCHEMA_DIALECT,
            type=["null", "string"],
            format="date-time",
            title="Until",
            description="…up to this moment (default: the start of the run). Needs Since.",
        ),
        "order_numbers": Param(
            [],
            **SCHEMA_DIALECT,
            type=["null", "array"],
            items={"type": "string"},
            title="Order numbers",
            description="Re-sync exactly these Lightspeed order numbers, one per line (also quarantined "
            f"ones), at most {MAX_ORDER_NUMBERS} per run. Not with Since/Until. Leave empty for a normal run.",
        ),
        "dry_run": Param(
            False,
            **SCHEMA_DIALECT,
            type=["null", "boolean"],
            title="Dry run",
            description="Transform and show the AFAS payloads in the task log; write nothing to AFAS.",
        ),
    }
