"""Golden files for the AFAS payloads: a raw Lightspeed order in, the exact AFAS requests out.

Each folder under ``golden/`` is one case (see ``golden/README.md``): ``order.json`` as the Lightspeed API
gives it, optional ``tenant.yaml`` (changes to the default test tenant) and ``afas.yaml`` (what AFAS
answered before the write: the debtor, a created relation, an order it already holds), and
``expected.json``, the requests the connector sends for it, in order. The order goes the way a run
takes it — ``parse_order`` (as ``extract_orders`` does), the tenant through ``sync_settings``, the
relation through ``new_relation`` (as ``resolve_relations`` does) and the document through the
``transform`` step — with no network and no stubs.

``UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/afas/test_golden_payloads.py`` rewrites the expected files;
review their diff in git like any other change.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulators.afas.errors import ProfitError
from emulators.afas.validate import validate_body
from emulators.demo_catalogue import tenant_file
from lightspeed_afas.config import TenantConfig, deep_merge, load_mapping
from lightspeed_afas.domain.order_parsing import parse_order
from lightspeed_afas.domain.relations import new_relation
from lightspeed_afas.domain.webshop_order import WebshopOrder
from lightspeed_afas.flows.orders import Extracted, sync_settings, transform
from lightspeed_afas.flows.orders.results import Resolved
from lightspeed_afas.flows.request import RunMode, RunRequest

GOLDEN = Path(__file__).with_name("golden")
MAPPINGS = Path(__file__).resolve().parents[3] / "include" / "mappings"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "order.json").is_file())
# The default test tenant: the one the e2e suite books into the emulator's demo environment.
DEFAULT_TENANT = tenant_file("golden", "Golden files", "lightspeed_golden", "afas_golden")
VERBS = {"insert": "POST", "update": "PUT", "delete": "DELETE"}
CASE_FILES = {"order.json", "tenant.yaml", "afas.yaml", "expected.json"}


def _yaml(path: Path) -> dict[str, Any]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}


def render(value: Any) -> str:
    """How a golden file is written: stable, readable, UTF-8 as AFAS receives it."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def settings_for(case: Path) -> Any:
    """The case's tenant (the default test tenant with ``tenant.yaml`` merged over it), as a run sees it."""
    tenant = TenantConfig.model_validate(deep_merge(DEFAULT_TENANT, _yaml(case / "tenant.yaml")))
    mapping = load_mapping(tenant.mapping, tenant.mapping_overrides, MAPPINGS)
    return sync_settings(tenant, mapping)


def afas_answers(case: Path, order: WebshopOrder, settings: Any) -> dict[str, Any]:
    """``afas.yaml``, checked against what the flow itself decides without asking AFAS."""
    afas = _yaml(case / "afas.yaml")
    if order.is_guest and settings.guest_debtor:
        assert afas.get("debtor") == settings.guest_debtor and not afas.get("new_relation"), (
            f"{case.name}: a guest order goes on the tenant's guest_debtor without a relation; "
            "afas.yaml must say so"
        )
    if afas.get("existing_order"):
        assert not afas.get("new_relation"), f"{case.name}: an order AFAS holds gets no new relation"
    return afas


def requests_for(case: Path) -> list[dict[str, Any]]:
    """The AFAS requests the connector makes for the case's order, in the order it makes them."""
    raw = json.loads((case / "order.json").read_text(encoding="utf-8"))
    settings = settings_for(case)
    order = parse_order(raw)
    afas = afas_answers(case, order, settings)
    key = str(order.id)
    sent: list[dict[str, Any]] = []
    if afas.get("new_relation"):
        relation = new_relation(order, settings.countries, settings.relation_defaults)
        sent.append({"method": "POST", "connector": relation.connector, "body": relation.insert_payload()})
    existing = afas.get("existing_order")
    afas_orders = {key: {"debtor_id": afas.get("debtor"), **existing}} if existing else {}
    # The two earlier steps' results in the form a run hands them on (XCom), read back as the task does.
    extracted = Extracted.from_xcom(
        {
            "complete": True,
            "to_book": [
                {
                    "order": order.to_json(),
                    "hash": order.content_hash(),
                    "intent": "change" if existing else "new",
                }
            ],
        }
    )
    resolved = Resolved.from_xcom(
        {
            "afas_orders": afas_orders,
            "debtors": {key: afas["debtor"]} if afas.get("debtor") and not existing else {},
        }
    )
    request = RunRequest("golden", RunMode.ORDERS, None, None, order_numbers=(order.number,))
    (operation,) = transform(settings, request, extracted, resolved).to_xcom()["operations"]
    verb = VERBS.get(operation["op"])
    assert verb, f"{case.name}: nothing would be sent ({operation['op']}: {operation.get('reason')})"
    sent.append({"method": verb, "connector": operation["connector"]})
    if verb == "DELETE":  # by key, in the URL: AFAS's DELETE has no body
        sent[-1]["key"] = {"OrNu": operation["afas_order_number"]}
    else:
        sent[-1]["body"] = operation["payload"]
    return sent


@pytest.mark.parametrize("name", CASES)
def test_payloads_match_the_golden_file(name: str) -> None:
    case = GOLDEN / name
    produced = render(requests_for(case))
    path = case / "expected.json"
    if UPDATE:
        if not path.is_file() or path.read_text(encoding="utf-8") != produced:
            path.write_text(produced, encoding="utf-8")
        return
    assert path.is_file(), f"{path} is missing; create it with UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    if produced != expected:  # compared as text: true vs 1 or "1" vs 1 is a difference AFAS sees
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            produced.splitlines(keepends=True),
            f"{name}/expected.json",
            f"{name} (produced now)",
        )
        pytest.fail(
            f"the AFAS payloads of case {name} changed; if that is intended, regenerate with "
            "UPDATE_GOLDEN=1 and review the diff:\n" + "".join(diff),
            pytrace=False,
        )


@pytest.mark.parametrize("name", CASES)
def test_the_golden_file_passes_the_afas_schema(name: str) -> None:
    """Every body in ``expected.json`` as the AFAS emulator checks it (schema from AFAS's OpenAPI specs)."""
    path = GOLDEN / name / "expected.json"
    if not path.is_file():
        pytest.skip("no expected.json yet")
    for request in json.loads(path.read_text(encoding="utf-8")):
        assert request["method"] in ("POST", "PUT", "DELETE")
        if request["method"] == "DELETE":
            assert "body" not in request and set(request["key"]) == {"OrNu"}
            continue
        body = request["body"]
        try:
            validate_body(request["connector"], request["method"], body)
        except ProfitError as exc:
            pytest.fail(f"{name}: AFAS would refuse the {request['method']} {request['connector']}: {exc}")
        if request["method"] == "POST" and request["connector"] in ("FbSales", "FbDirectInvoice"):
            assert "OrNu" not in body[request["connector"]]["Element"]["Fields"], "AFAS numbers inserts"


def test_every_case_folder_is_complete() -> None:
    for case in GOLDEN.iterdir():
        if case.is_dir():
            assert (case / "order.json").is_file(), f"{case.name} has no order.json"
            extra = {p.name for p in case.iterdir()} - CASE_FILES
            assert not extra, f"{case.name}: unexpected files {sorted(extra)}"
