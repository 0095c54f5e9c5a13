"""The AFAS Profit REST emulator (``/ProfitRestServices``): auth, metainfo, GetConnectors,
UpdateConnectors, faults, and an admin API.

Auth: ``Authorization: AfasToken <base64 of the whole <token><version>1</version><data>…</data></token>>``;
anything else (raw XML, only the data part, base64 of the data part, a wrong prefix) is a 401. The
``IntegrationId`` header is counted per value; a ``Connection: close`` request header is counted as a
violation (AFAS advises against it). More than ``max_in_flight`` (8) calls at once → HTTP 500 "onverwachte
fout" (a choice: AFAS documents the limit, not the response). Queries over 2,049 characters → 404.

Admin API (no auth), JSON:
  POST /_admin/reset                      fresh state (catalogue kept unless {"catalogue": "default"})
  GET  /_admin/state                      relations, orders with lines and GUIDs, invoices, catalogue, errors
  GET  /_admin/calls                      counters per "VERB path" and status, per IntegrationId, max in flight
  POST /_admin/calls/reset
  POST /_admin/faults                     {"unavailable": {"count": n, "retry_after": s}}           503s
                                          {"drop_after_commit": {"count": n, "connector": c?, "verb": v?}}
                                          {"hang_after_commit": {"count": n, "seconds": s, …}}
                                          {"latency_ms": 50} | {"clear": true}
  PUT  /_admin/catalogue                  {"replace": false, …sections}  merge (or replace) reference data
  POST /_admin/orders/{OrNu}/state        {"state": "open"|"delivered"|"invoiced"}
  POST /_admin/debtors                    {"debtors": [{"debtor_id"?, "email", "name", "kind"?}]}
  GET  /_admin/errors                     the environment log (every refusal with its profitLogReference)
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from emulators.afas import getconnectors, updates
from emulators.afas.catalogue import Catalogue
from emulators.afas.state import AfasState, Debtor
from emulators.afas.validate import GENERIC_ERROR, NOT_AUTHORISED, ProfitError, schema, validate_body

DEMO_TOKEN_DATA = "0123456789ABCDEF" * 4
MAX_QUERY = 2049
UPDATE_CONNECTORS = ["FbDirectInvoice", "FbSales", "KnSalesRelationOrg", "KnSalesRelationPer"]
_TOKEN = re.compile(r"^<token><version>1</version><data>([^<]+)</data></token>$")


@dataclass
class AfasConfig:
    env_id: str = "12345"
    # token data → (allowed GetConnectors, allowed UpdateConnectors); None = all
    tokens: dict[str, tuple[list[str] | None, list[str] | None]] = field(
        default_factory=lambda: {DEMO_TOKEN_DATA: (None, None)}
    )
    max_in_flight: int = 8
    app_name: str = "Lightspeed koppeling"


@dataclass
class Faults:
    unavailable: int = 0
    retry_after: int = 7200
    drop_after_commit: int = 0
    hang_after_commit: int = 0
    hang_seconds: float = 5.0
    commit_filter: dict[str, str] = field(default_factory=dict)
    latency_ms: float = 0.0


class AfasEmulator:
    def __init__(self, config: AfasConfig) -> None:
        self.config = config
        self.state = AfasState()
        self.faults = Faults()
        self.calls: Counter[str] = Counter()
        self.integration_ids: Counter[str] = Counter()
        self.connection_close = 0
        self.in_flight = 0
        self.max_in_flight_seen = 0
        self.lock = threading.RLock()

    def log_error(self, error: ProfitError, request: Request) -> str:
        reference = uuid.uuid4().hex.upper()
        with self.lock:
            self.state.errors.append(
                {
                    "profitLogReference": reference,
                    "errorNumber": error.error_number,
                    "externalMessage": error.message,
                    "method": request.method,
                    "path": request.url.path,
                    "at": datetime.now(UTC).isoformat(),
                }
            )
        return reference


def create_app(config: AfasConfig | None = None) -> FastAPI:
    emulator = AfasEmulator(config or AfasConfig())
    app = FastAPI(title="AFAS Profit emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.emulator = emulator
    _admin_routes(app)  # before the catch-all Profit route, which would otherwise shadow /_admin

    @app.api_route("/{prefix}/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def profit(prefix: str, rest: str, request: Request) -> Any:
        if prefix.lower() != "profitrestservices":
            return JSONResponse({"message": "Not found"}, status_code=404)
        return await handle(app.state.emulator, rest, request)

    return app


def _authorise(emu: AfasEmulator, request: Request) -> tuple[list[str] | None, list[str] | None] | None:
    header = request.headers.get("authorization", "")
    if not header.startswith("AfasToken "):
        return None
    try:
        xml = base64.b64decode(header[len("AfasToken ") :], validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    match = _TOKEN.match(xml.strip())
    if not match:
        return None
    return emu.config.tokens.get(match.group(1))


def _error_response(emu: AfasEmulator, error: ProfitError, request: Request) -> JSONResponse:
    reference = emu.log_error(error, request)
    body = {
        "externalMessage": error.message,
        "errorNumber": error.error_number,
        "profitLogReference": reference,
    }
    return JSONResponse(body, status_code=error.status)


class DroppedResponse(Response):
    """The write is committed, then the connection drops mid-response: the client never learns the result."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"results":', "more_body": True})
        raise ConnectionAbortedError("emulated fault: connection dropped after commit")


async def handle(emu: AfasEmulator, rest: str, request: Request) -> Any:
    verb = request.method
    route = re.sub(r"/(@?OrNu)/[^/]+$", r"/\1/{OrNu}", rest)
    path_key = f"{verb} /{route}"
    with emu.lock:
        emu.calls[path_key] += 1
        integration = request.headers.get("integrationid")
        emu.integration_ids[integration or "(none)"] += 1
        if request.headers.get("connection", "").lower() == "close":
            emu.connection_close += 1
        emu.in_flight += 1
        emu.max_in_flight_seen = max(emu.max_in_flight_seen, emu.in_flight)
        too_many = emu.in_flight > emu.config.max_in_flight
    try:
        response = await _dispatch(emu, rest, request, too_many)
    finally:
        with emu.lock:
            emu.in_flight -= 1
    with emu.lock:
        emu.calls[f"status {getattr(response, 'status_code', 201)}"] += 1
    return response


async def _dispatch(emu: AfasEmulator, rest: str, request: Request, too_many: bool) -> Any:
    if emu.faults.latency_ms:
        await asyncio.sleep(emu.faults.latency_ms / 1000)
    if len(request.scope.get("query_string", b"")) > MAX_QUERY:
        return JSONResponse({"message": "Not Found"}, status_code=404)
    allowed = _authorise(emu, request)
    if allowed is None:
        return JSONResponse({"message": "Unauthorized"}, status_code=401)
    with emu.lock:
        if emu.faults.unavailable > 0:
            emu.faults.unavailable -= 1
            return JSONResponse(
                {
                    "error": {
                        "code": {"example": "503"},
                        "message": {
                            "example": "Service temporarily unavailable due to scheduled maintenance. "
                            "Please check afasstatus.nl for details."
                        },
                    },
                    "retry_after": emu.faults.retry_after,
                },
                status_code=503,
            )
    if too_many:
        return _error_response(
            emu, ProfitError("Er is een onverwachte fout opgetreden.", GENERIC_ERROR), request
        )
    parts = [p for p in rest.split("/") if p]
    try:
        if request.method == "GET":
            return _get(emu, parts, request, allowed[0])
        return await _write(emu, parts, request, allowed[1])
    except ProfitError as error:
        return _error_response(emu, error, request)


def _get(emu: AfasEmulator, parts: list[str], request: Request, allowed_get: list[str] | None) -> Any:
    lowered = [p.lower() for p in parts]
    if lowered == ["profitversion"]:
        return {"version": "7.0.1"}
    if lowered[:1] == ["metainfo"]:
        if len(parts) == 1:
            gets = getconnectors.known_connectors() if allowed_get is None else allowed_get
            return {
                "updateConnectors": [{"id": c, "description": c} for c in UPDATE_CONNECTORS],
                "getConnectors": [{"id": c, "description": c} for c in gets],
                "info": {
                    "envid": f"O{emu.config.env_id}AA",
                    "appName": emu.config.app_name,
                    "group": "Webshop",
                    "tokenExpiry": "0",
                },
            }
        if len(parts) == 3 and lowered[1] == "get" and parts[2] in getconnectors.known_connectors():
            return getconnectors.metainfo_get(parts[2])
        if len(parts) == 3 and lowered[1] == "update" and parts[2] in UPDATE_CONNECTORS:
            spec = schema()["update"][parts[2]]["POST"]
            return {
                "name": parts[2],
                "description": parts[2],
                "fields": [{"id": k, **v} for k, v in spec["fields"].items()],
            }
        return JSONResponse({"message": "Not Found"}, status_code=404)
    if len(parts) == 2 and lowered[0] == "connectors":
        connector = parts[1]
        if connector not in getconnectors.known_connectors() or (
            allowed_get is not None and connector not in allowed_get
        ):
            return JSONResponse(
                {
                    "externalMessage": "GetConnector niet ondersteund voor deze app of de gebruiker is niet geautoriseerd.",
                    "errorNumber": NOT_AUTHORISED,
                    "profitLogReference": uuid.uuid4().hex.upper(),
                },
                status_code=401,
            )
        with emu.lock:
            return getconnectors.query(connector, emu.state, dict(request.query_params))
    return JSONResponse({"message": "Not Found"}, status_code=404)


async def _write(
    emu: AfasEmulator, parts: list[str], request: Request, allowed_update: list[str] | None
) -> Any:
    verb = request.method
    if len(parts) < 2 or parts[0].lower() != "connectors":
        return JSONResponse({"message": "Not Found"}, status_code=404)
    connector = parts[1]
    if connector not in UPDATE_CONNECTORS or (allowed_update is not None and connector not in allowed_update):
        raise ProfitError(
            "General message: Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd.",
            NOT_AUTHORISED,
        )
    now = datetime.now(UTC)
    if verb == "DELETE":
        # /connectors/FbSales/FbSales/@OrNu/{n} (OpenAPI spec) or …/OrNu/{n} (help pages): both accepted.
        if len(parts) != 5 or parts[2] != connector or parts[3] not in ("@OrNu", "OrNu"):
            return JSONResponse({"message": "Not Found"}, status_code=404)
        if connector not in ("FbSales", "FbDirectInvoice"):
            raise ProfitError(f"UpdateConnector '{connector}' ondersteunt geen DELETE.", GENERIC_ERROR)
        with emu.lock:
            updates.delete_sales(emu.state, connector, parts[4])
        return await _committed(emu, connector, verb, {})
    raw = await request.body()
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        return JSONResponse({"message": "Invalid json"}, status_code=400)
    if len(parts) == 3:  # POST /connectors/FbSales/FbSalesLines: lines onto an existing order
        body = _sub_object_as_put(connector, parts[2], body)
        verb = "PUT"
    elements = validate_body(connector, verb, body)
    results: dict[str, Any] = {}
    with emu.lock:
        for element in elements:
            if connector.startswith("KnSalesRelation"):
                results = updates.upsert_relation(emu.state, connector, verb, element, now)
            elif verb == "POST":
                results = updates.insert_sales(emu.state, connector, element, now)
            else:
                results = updates.update_sales(emu.state, connector, element, now)
    return await _committed(emu, connector, request.method, {"results": {connector: results}})


def _sub_object_as_put(connector: str, sub: str, body: Any) -> Any:
    if sub != f"{connector}Lines" or not isinstance(body, dict) or connector not in body:
        raise ProfitError(f"Onbekend subobject '{sub}'.", GENERIC_ERROR)
    return body


async def _committed(emu: AfasEmulator, connector: str, verb: str, body: dict[str, Any]) -> Any:
    """The write is applied; now answer — or, on a fault, drop or stall the answer."""
    with emu.lock:
        f = emu.faults
        applies = all(
            f.commit_filter.get(k) in (None, v) for k, v in (("connector", connector), ("verb", verb))
        )
        drop = applies and f.drop_after_commit > 0
        hang = applies and not drop and f.hang_after_commit > 0
        if drop:
            f.drop_after_commit -= 1
        if hang:
            f.hang_after_commit -= 1
    if drop:
        return DroppedResponse()
    if hang:
        await asyncio.sleep(emu.faults.hang_seconds)
    return JSONResponse(body, status_code=200 if verb == "DELETE" else 201)


def _admin_routes(app: FastAPI) -> None:
    def emu() -> AfasEmulator:
        return app.state.emulator

    async def body_of(request: Request) -> dict[str, Any]:
        raw = await request.body()
        return json.loads(raw) if raw else {}

    @app.post("/_admin/reset")
    async def reset(request: Request) -> Any:
        body = await body_of(request)
        emulator = emu()
        with emulator.lock:
            catalogue = Catalogue() if body.get("catalogue") == "default" else emulator.state.catalogue
            emulator.state = AfasState(catalogue=catalogue)
            emulator.faults = Faults()
        return {"ok": True}

    @app.get("/_admin/state")
    def state() -> Any:
        s = emu().state
        with emu().lock:
            return {
                "debtors": [d.__dict__ | {"created": d.created.isoformat()} for d in s.debtors.values()],
                "orders": [
                    {
                        "connector": o.connector,
                        "OrNu": o.order_number,
                        "state": o.state,
                        "invoice_number": o.invoice_number,
                        "fields": _jsonable(o.fields),
                        "lines": [{"GuLi": ln.guid, "seq": ln.seq, **_jsonable(ln.fields)} for ln in o.lines],
                        "totals": {k: str(v) for k, v in o.totals(s.catalogue.vat_codes).items()},
                    }
                    for o in s.orders.values()
                ],
                "catalogue": s.catalogue.as_dict(),
                "errors": list(s.errors),
            }

    @app.get("/_admin/calls")
    def calls() -> Any:
        e = emu()
        with e.lock:
            return {
                "calls": dict(e.calls),
                "integration_ids": dict(e.integration_ids),
                "connection_close": e.connection_close,
                "max_in_flight": e.max_in_flight_seen,
                "total": sum(n for k, n in e.calls.items() if not k.startswith("status ")),
            }

    @app.post("/_admin/calls/reset")
    def reset_calls() -> Any:
        e = emu()
        with e.lock:
            e.calls.clear()
            e.integration_ids.clear()
            e.connection_close = 0
            e.max_in_flight_seen = 0
        return {"ok": True}

    @app.post("/_admin/faults")
    async def faults(request: Request) -> Any:
        body = await body_of(request)
        e = emu()
        with e.lock:
            if body.get("clear"):
                e.faults = Faults()
            if "unavailable" in body:
                e.faults.unavailable = int(body["unavailable"].get("count", 1))
                e.faults.retry_after = int(body["unavailable"].get("retry_after", 7200))
            for kind in ("drop_after_commit", "hang_after_commit"):
                if kind in body:
                    spec = body[kind]
                    setattr(e.faults, kind, int(spec.get("count", 1)))
                    e.faults.commit_filter = {k: spec[k] for k in ("connector", "verb") if spec.get(k)}
                    if "seconds" in spec:
                        e.faults.hang_seconds = float(spec["seconds"])
            if "latency_ms" in body:
                e.faults.latency_ms = float(body["latency_ms"])
            return {"faults": e.faults.__dict__}

    @app.put("/_admin/catalogue")
    async def catalogue(request: Request) -> Any:
        body = await body_of(request)
        replace = bool(body.pop("replace", False))
        with emu().lock:
            emu().state.catalogue.merge(body, replace=replace)
            return emu().state.catalogue.as_dict()

    @app.post("/_admin/orders/{number}/state")
    async def order_state(number: str, request: Request) -> Any:
        body = await body_of(request)
        with emu().lock:
            order = emu().state.orders.get(number)
            if order is None:
                return JSONResponse({"error": "no such order"}, status_code=404)
            if body.get("state") not in ("open", "delivered", "invoiced"):
                return JSONResponse({"error": "state must be open, delivered or invoiced"}, status_code=400)
            order.state = body["state"]
            return {"OrNu": number, "state": order.state}

    @app.post("/_admin/debtors")
    async def debtors(request: Request) -> Any:
        body = await body_of(request)
        created = []
        s = emu().state
        with emu().lock:
            for spec in body.get("debtors", []):
                debtor_id = str(spec.get("debtor_id") or s.new_debtor_id())
                s.debtors[debtor_id] = Debtor(
                    debtor_id=debtor_id,
                    kind=spec.get("kind", "person"),
                    bcco=s.new_bcco(),
                    name=spec.get("name", "Bestaande klant"),
                    search_name=spec.get("search_name", "KLANT"),
                    email=spec.get("email", ""),
                    phone="",
                    vat_number="",
                    coc_number="",
                    currency="EUR",
                    payment_condition="14",
                    address_line="",
                    created=datetime.fromisoformat(spec["created"])
                    if spec.get("created")
                    else datetime.now(UTC),
                )
                created.append(debtor_id)
        return {"debtors": created}

    @app.get("/_admin/errors")
    def errors() -> Any:
        with emu().lock:
            return {"errors": list(emu().state.errors)}


def _jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if not isinstance(v, (str, int, bool, type(None))) else v) for k, v in fields.items()}
