"""Helpers for the AFAS emulator's contract tests: a raw HTTP client, payload builders, AFAS's own example
payloads (``afas_examples.json``) and the catalogue/debtor seeding those examples need."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig, create_app
from emulators.server import RunningServer, serve_in_thread

TOKEN_XML = f"<token><version>1</version><data>{DEMO_TOKEN_DATA}</data></token>"
AFAS_AUTH = {"Authorization": "AfasToken " + base64.b64encode(TOKEN_XML.encode()).decode()}
INTEGRATION = {"IntegrationId": "12345_678900"}
EXAMPLES: list[dict[str, Any]] = json.loads(
    Path(__file__).with_name("afas_examples.json").read_text(encoding="utf-8")
)["examples"]


def example(prefix: str) -> dict[str, Any]:
    """The body of the first example whose section starts with ``prefix`` (e.g. ``"7.12"``)."""
    return copy.deepcopy(next(e["body"] for e in EXAMPLES if e["section"].startswith(prefix)))


def auth_for(token_data: str) -> dict[str, str]:
    xml = f"<token><version>1</version><data>{token_data}</data></token>"
    return {"Authorization": "AfasToken " + base64.b64encode(xml.encode()).decode()}


@contextlib.contextmanager
def running_afas(config: AfasConfig | None = None) -> Iterator[RunningServer]:
    with serve_in_thread(create_app(config or AfasConfig())) as server:
        yield server


class AfasClient:
    """A raw client: AFAS calls with the demo token and an IntegrationId, plus the admin API."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.base = f"{url}/ProfitRestServices"
        self.session = requests.Session()
        self.session.headers.update(headers if headers is not None else {**AFAS_AUTH, **INTEGRATION})

    def close(self) -> None:
        self.session.close()

    def get(self, connector: str, **params: Any) -> requests.Response:
        return self.session.get(f"{self.base}/connectors/{connector}", params=params, timeout=10)

    def rows(self, connector: str, **params: Any) -> list[dict[str, Any]]:
        response = self.get(connector, **params)
        assert response.status_code == 200, response.text
        return response.json()["rows"]

    def post(self, connector: str, body: Any, **kw: Any) -> requests.Response:
        return self.session.post(
            f"{self.base}/connectors/{connector}", json=body, timeout=kw.pop("timeout", 10), **kw
        )

    def put(self, connector: str, body: Any) -> requests.Response:
        return self.session.put(f"{self.base}/connectors/{connector}", json=body, timeout=10)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(f"{self.base}/connectors/{path}", timeout=10)

    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.session.request(method, f"{self.base}/{path.lstrip('/')}", timeout=10, **kw)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(method, f"{self.url}/_admin/{path.lstrip('/')}", json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def created(self, connector: str, body: Any) -> dict[str, str]:
        """POST that must succeed; the returned keys."""
        response = self.post(connector, body)
        assert response.status_code == 201, response.text
        return response.json()["results"][connector]

    def refusal(self, response: requests.Response, status: int = 500) -> str:
        """Assert an AFAS refusal body; its externalMessage."""
        assert response.status_code == status, response.text
        body = response.json()
        assert set(body) == {"externalMessage", "errorNumber", "profitLogReference"}
        assert isinstance(body["errorNumber"], int)
        reference = body["profitLogReference"]
        assert len(reference) == 32 and reference == reference.upper() and int(reference, 16) >= 0
        return body["externalMessage"]


def person_relation(email: str = "zoe@example.nl", country: str = "NL", **person: Any) -> dict[str, Any]:
    """A KnSalesRelationPer insert the way the connector sends one (MatchPer 7, autonumbering)."""
    fields = {"PadAdr": True, "AutoNum": True, "MatchPer": "7", "SeNm": "HOFF", "LaNm": "Hoff", "EmAd": email}
    fields.update(person)
    address = {
        "CoId": country,
        "PbAd": False,
        "Ad": "Kerkstraat",
        "HmNr": 12,
        "ZpCd": "1017 GC",
        "Rs": "Amsterdam",
        "ResZip": False,
    }
    return {
        "KnSalesRelationPer": {
            "Element": {
                "Fields": {"CuId": "EUR", "IsDb": True},
                "Objects": [
                    {
                        "KnPerson": {
                            "Element": {
                                "Fields": {k: v for k, v in fields.items() if v is not None},
                                "Objects": [{"KnBasicAddressAdr": {"Element": {"Fields": address}}}],
                            }
                        }
                    }
                ],
            }
        }
    }


def org_relation(
    name: str = "Koffie BV", email: str = "inkoop@koffie.nl", **organisation: Any
) -> dict[str, Any]:
    fields = {"PadAdr": True, "AutoNum": True, "MatchOga": "6", "Nm": name, "EmAd": email, **organisation}
    address = {
        "CoId": "B",
        "PbAd": False,
        "Ad": "Meir",
        "HmNr": 1,
        "ZpCd": "2000",
        "Rs": "Antwerpen",
        "ResZip": False,
    }
    return {
        "KnSalesRelationOrg": {
            "Element": {
                "Fields": {"CuId": "EUR", "VaId": "BE0123456789"},
                "Objects": {
                    "KnOrganisation": {
                        "Element": {
                            "Fields": {k: v for k, v in fields.items() if v is not None},
                            "Objects": {"KnBasicAddressAdr": {"Element": {"Fields": address}}},
                        }
                    }
                },
            }
        }
    }


DEFAULT_LINES = [
    {"VaIt": "2", "ItCd": "ART-1001", "BiUn": "STK", "QuUn": "2", "Upri": "8.95", "VaRc": "2"},
    {"VaIt": "6", "ItCd": "VERZEND", "BiUn": "*****", "QuUn": "1", "Upri": "4.95", "VaRc": "1"},
]


def sales_order(
    debtor: str,
    reference: str = "ORD01",
    incl: bool = True,
    lines: list[dict[str, Any]] | None = None,
    **header: Any,
) -> dict[str, Any]:
    """An FbSales insert the way the connector sends one: webshop number in RfCs, no OrNu."""
    fields = {
        "DbId": debtor,
        "OrDa": "2026-11-20",
        "RfCs": reference,
        "Unit": 1,
        "InVa": incl,
        "JoCo": "VK",
        **header,
    }
    return {
        "FbSales": {
            "Element": {
                "Fields": fields,
                "Objects": [
                    {"FbSalesLines": {"Element": [{"Fields": dict(f)} for f in (lines or DEFAULT_LINES)]}}
                ],
            }
        }
    }


def direct_invoice(debtor: str, reference: str = "DI-1", **header: Any) -> dict[str, Any]:
    order = sales_order(debtor, reference, **header)["FbSales"]["Element"]
    lines = order["Objects"][0]["FbSalesLines"]
    return {
        "FbDirectInvoice": {
            "Element": {"Fields": order["Fields"], "Objects": [{"FbDirectInvoiceLines": lines}]}
        }
    }


def line_fields(body: dict[str, Any], index: int = 0) -> dict[str, Any]:
    """The Fields of line ``index`` in a ``sales_order`` body (to mutate in tests)."""
    return body["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"][index]["Fields"]


def seed_for_examples(client: AfasClient) -> None:
    """The catalogue values, debtors and persons AFAS's own examples refer to (their demo environment)."""
    client.admin(
        "PUT",
        "catalogue",
        {
            "items": {
                "1000": {"type": "2", "units": ["STK"], "price": "12.50", "vat_code": "1"},
                "1001": {"type": "2", "units": ["STK"], "price": "7.25", "vat_code": "1"},
                "1006": {"type": "2", "units": ["STK"], "price": "261.72", "vat_code": "1"},
                "D012": {"type": "6", "units": ["*****"], "vat_code": "1"},
                "xxxxx": {"type": "2", "units": ["Stk"]},
                "xxxxx-xxx": {"type": "2", "units": ["Stk"]},
            },
            "warehouses": ["*** - ******"],
            "journals": {"1": {"20": {"description": "Verkoopboek", "type": "V"}}},
            "projects": ["600000"],
        },
    )
    client.admin(
        "POST",
        "debtors",
        {"debtors": [{"debtor_id": d} for d in ("10001", "10150", "10178", "25000", "10205")]},
    )
    client.admin(
        "POST",
        "contacts",
        {"contacts": [{"bcco": "1000169", "name": "Jansen"}, {"bcco": "1000348", "name": "Pietersen"}]},
    )


def order_row(client: AfasClient, reference: str) -> dict[str, Any]:
    (row,) = client.rows(
        "Profit_Salesorders",
        filterfieldids="CustomerReference",
        filtervalues=reference,
        operatortypes="1",
        orderbyfieldids="OrderNumber",
    )
    return row


def order_lines(client: AfasClient, number: str) -> list[dict[str, Any]]:
    return client.rows(
        "Profit_SalesorderLines",
        filterfieldids="OrderNumber",
        filtervalues=number,
        operatortypes="1",
        orderbyfieldids="SeqNo",
    )


def state_order(client: AfasClient, number: str) -> dict[str, Any]:
    return next(o for o in client.admin("GET", "state")["orders"] if o["OrNu"] == number)
