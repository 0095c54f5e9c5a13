"""The AFAS Profit REST emulator: everything under ``/ProfitRestServices`` (matched case-insensitively).

Routes (reference §1–§3):
  GET    /metainfo                                  connectors this token may use + environment info
  GET    /metainfo/get/{GetConnector}               row fields
  GET    /metainfo/update/{UpdateConnector}         fields and objects (POST schema)
  GET    /profitversion                             {"version": …} (shape is this emulator's)
  GET    /connectors/{GetConnector}?skip&take&orderbyfieldids&filterfieldids&filtervalues&operatortypes
                                                    or &filterjson — see ``query``
  POST   /connectors/{KnSalesRelationPer|KnSalesRelationOrg|FbSales|FbDirectInvoice}       insert → 201
  PUT    /connectors/{same}                                                                 update → 201
  POST   /connectors/FbSales/FbSalesLines (FbDirectInvoice/FbDirectInvoiceLines)  header update + new lines
  DELETE /connectors/FbSales/FbSales/@OrNu/{OrNu} and …/FbSales/OrNu/{OrNu} (both: AFAS's docs disagree,
         reference §3.2); likewise FbDirectInvoice → 200 ``{}``

Auth: ``Authorization: AfasToken <base64 of the whole <token><version>1</version><data>…</data></token>>``.
A raw token, only the data part, base64 of only the data part, another prefix, bad base64 or an unknown
token → 401 ``{"message": "Authorization has been denied for this request."}``. A connector the token's
App Connector does not allow (or that does not exist) → 401 with AFAS's error body ("… niet ondersteund …
of de gebruiker is niet geautoriseerd", errorNumber -2147180996): the spec documents 401 for it, the Go
client saw the body (reference §5, §11). Other refusals are HTTP 500 with ``externalMessage``,
``errorNumber`` and a unique ``profitLogReference`` (32 upper-case hex), also kept in the environment log.
Malformed JSON → 400 ``{"message": "Invalid json"}``; a query string over 2,049 characters → 404; a body
over 75 MB → 413.

Calls: every call is counted per "VERB path", per status and per ``IntegrationId`` header; a call without
``IntegrationId`` and a ``Connection: close`` request header (AFAS: never send it) are counted as
violations. At most ``max_in_flight`` (8) calls at once: above it, with ``strict_parallel`` (default), the
call gets HTTP 500 "Er is een onverwachte fout opgetreden." — AFAS documents the limit, not its response,
so that answer is this emulator's choice. Faults (503, commit-then-drop, commit-then-hang, latency) and
the admin API: see ``faults`` and ``admin``.

Stock (``Profit_Stock_per_Warehouse``, ``Profit_Warehouses``, the custom stock connector, reservations by
sales orders) and its rules: see ``stock``. Articles (``Profit_Article``, ``Profit_Article_Basic``,
``Profit_Barcode_per_Item``, ``Profit_SalesPrice``) and their rules: see ``articles``.

Other choices where the reference is unsure: the path prefix is case-insensitive but connector ids are
not; a 503 (maintenance) comes before the token check; PUT answers 201 with ``results`` like POST; DELETE
answers 200 with ``{}``; KnSalesRelationPer/Org have no DELETE (refused with a 500).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import json
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from emulators.afas import article_rows, metainfo, query, relations, sales, stock
from emulators.afas.admin import install_admin
from emulators.afas.article_admin import install_article_admin
from emulators.afas.config import AfasConfig, AppConnector
from emulators.afas.emulator import AfasEmulator
from emulators.afas.errors import (
    GET_NOT_ALLOWED,
    NOT_AUTHORISED,
    UPDATE_NOT_ALLOWED,
    ProfitError,
    unexpected,
)
from emulators.afas.faults import DroppedResponse, maintenance_body
from emulators.afas.rows import connector_fields, descriptions, rows_for
from emulators.afas.validate import update_connectors, validate_body

MAX_QUERY = 2049
MAX_BODY = 75 * 1024 * 1024
UNAUTHORISED = {"message": "Authorization has been denied for this request."}
_TOKEN = re.compile(r"<token><version>1</version><data>([0-9A-Fa-f]+)</data></token>")
_DELETE_KEY = re.compile(r"^/(@?OrNu)/[^/]+$")
_SNAPSHOT = ("contacts", "debtors", "orders", "stock", "next_debtor", "next_contact", "next_order", "next_packing_slip", "next_invoice")  # fmt: skip


def create_app(config: AfasConfig | None = None) -> FastAPI:
    """A fresh emulator; its ``AfasEmulator`` is ``app.state.emulator``."""
    emulator = AfasEmulator(config or AfasConfig())
    stock.configure(emulator.state, emulator.config)
    app = FastAPI(title="AFAS Profit emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.emulator = emulator
    install_admin(app)  # before the catch-all route, which would otherwise shadow /_admin
    install_article_admin(app)

    @app.api_route("/{prefix}/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def profit(prefix: str, rest: str, request: Request) -> Response:
        if prefix.lower() != "profitrestservices":
            return JSONResponse({"message": "Not Found"}, status_code=404)
        return await _handle(app.state.emulator, "/" + rest.strip("/"), request)

    return app


def _route_key(verb: str, path: str) -> str:
    parts = path.split("/")
    if len(parts) > 4 and parts[1].lower() == "connectors" and _DELETE_KEY.match("/" + "/".join(parts[-2:])):
        path = "/".join(parts[:-1]) + "/{OrNu}"
    return f"{verb} {path}"


async def _handle(emu: AfasEmulator, path: str, request: Request) -> Response:
    verb = request.method
    key = _route_key(verb, path)
    with emu.lock:
        emu.calls[key] += 1
        integration = request.headers.get("integrationid")
        emu.integration_ids[integration or "(none)"] += 1
        if not integration:
            emu.violations["missing_integration_id"] += 1
        if request.headers.get("connection", "").lower() == "close":
            emu.violations["connection_close"] += 1
        emu.in_flight += 1
        emu.max_in_flight = max(emu.max_in_flight, emu.in_flight)
        too_many = emu.in_flight > emu.config.max_in_flight and emu.config.strict_parallel
    status = "error"
    try:
        response = await _dispatch(emu, path, request, too_many)
        status = "dropped" if isinstance(response, DroppedResponse) else str(response.status_code)
        return response
    finally:
        with emu.lock:
            emu.in_flight -= 1
            emu.calls[f"status {status}"] += 1
            emu.by_status[f"{key} {status}"] += 1


async def _dispatch(emu: AfasEmulator, path: str, request: Request, too_many: bool) -> Response:
    if emu.faults.latency_ms:
        await asyncio.sleep(emu.faults.latency_ms / 1000)
    if len(request.scope.get("query_string", b"")) > MAX_QUERY:
        return JSONResponse({"message": "Not Found"}, status_code=404)
    with emu.lock:
        retry_after = emu.faults.take_unavailable(emu.clock.seconds())
        if retry_after is not None:
            emu.events["unavailable"] += 1
    if retry_after is not None:
        return JSONResponse(maintenance_body(retry_after), status_code=503)
    app_connector = _authorise(emu, request)
    if app_connector is None:
        return JSONResponse(UNAUTHORISED, status_code=401)
    parts = [p for p in path.split("/") if p]
    connector = parts[1] if len(parts) > 1 and parts[0].lower() == "connectors" else None
    if too_many:
        with emu.lock:
            emu.events["refused_in_flight"] += 1
        return emu.error_response(unexpected(), request, connector)
    try:
        if request.method == "GET":
            return _read(emu, parts, request, app_connector)
        return await _write(emu, parts, request, app_connector)
    except ProfitError as error:
        return emu.error_response(error, request, connector)


def _authorise(emu: AfasEmulator, request: Request) -> AppConnector | None:
    header = request.headers.get("authorization", "")
    if not header.startswith("AfasToken "):
        return None
    try:
        xml = base64.b64decode(header[len("AfasToken ") :].strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    match = _TOKEN.fullmatch(xml.strip())
    return emu.config.tokens.get(match.group(1)) if match else None


def _not_found() -> JSONResponse:
    return JSONResponse({"message": "Not Found"}, status_code=404)


def _read(emu: AfasEmulator, parts: list[str], request: Request, app: AppConnector) -> Response:
    lowered = [p.lower() for p in parts]
    custom = emu.config.direct_invoice_connector
    if lowered == ["profitversion"]:
        return JSONResponse({"version": "7.0"})
    if lowered[:1] == ["metainfo"]:
        return _metainfo(emu, parts, app)
    if len(parts) != 2 or lowered[0] != "connectors":
        return _not_found()
    connector, params = parts[1], dict(request.query_params)
    with emu.lock:
        fields = connector_fields(connector, emu.state, custom)
        if fields is None or not app.allows_get(connector):
            raise ProfitError(GET_NOT_ALLOWED, NOT_AUTHORISED, status=401)
        rows = article_rows.read(connector, emu.state, fields, params)
        rows = rows_for(connector, emu.state, custom) if rows is None else rows
        rewrite = article_rows.rewrite(connector, emu.state.articles.rules)
    return JSONResponse(query.run(rows, fields, params, rewrite))


def _metainfo(emu: AfasEmulator, parts: list[str], app: AppConnector) -> Response:
    custom = emu.config.direct_invoice_connector
    with emu.lock:
        gets = descriptions(emu.state, custom)
    if len(parts) == 1:
        return JSONResponse(
            {
                "updateConnectors": [
                    {"id": c, "description": metainfo.UPDATE_DESCRIPTIONS.get(c, c)}
                    for c in update_connectors()
                    if app.allows_update(c)
                ],
                "getConnectors": [{"id": c, "description": d} for c, d in gets.items() if app.allows_get(c)],
                "info": {
                    "envid": f"O{emu.config.env_id}AA",
                    "appName": app.app_name,
                    "group": app.group,
                    "tokenExpiry": "0",
                },
            }
        )
    if len(parts) == 3 and parts[1].lower() == "get":
        with emu.lock:
            fields = connector_fields(parts[2], emu.state, custom)
        if fields is None or not app.allows_get(parts[2]):
            raise ProfitError(GET_NOT_ALLOWED, NOT_AUTHORISED, status=401)
        return JSONResponse(metainfo.get_fields(parts[2], gets[parts[2]], fields))
    if len(parts) == 3 and parts[1].lower() == "update":
        if parts[2] not in update_connectors() or not app.allows_update(parts[2]):
            raise ProfitError(UPDATE_NOT_ALLOWED, NOT_AUTHORISED, status=401)
        return JSONResponse(metainfo.update_fields(parts[2]))
    return _not_found()


async def _write(emu: AfasEmulator, parts: list[str], request: Request, app: AppConnector) -> Response:
    verb = request.method
    if len(parts) < 2 or parts[0].lower() != "connectors":
        return _not_found()
    connector = parts[1]
    if connector not in update_connectors() or not app.allows_update(connector):
        raise ProfitError(UPDATE_NOT_ALLOWED, NOT_AUTHORISED, status=401)
    is_sales = connector in ("FbSales", "FbDirectInvoice")
    if verb == "DELETE":
        if len(parts) != 5 or parts[2] != connector or parts[3] not in ("@OrNu", "OrNu"):
            return _not_found()
        if not is_sales:
            raise ProfitError(f"Verwijderen is bij UpdateConnector '{connector}' niet mogelijk.")
        with emu.lock:
            sales.delete(emu.state, connector, parts[4])
        return await _committed(emu, connector, verb, {}, 200)
    sub_object = len(parts) == 3
    if (sub_object and (not is_sales or verb != "POST" or parts[2] != f"{connector}Lines")) or len(parts) > 3:
        return _not_found()
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return JSONResponse({"message": "Request Entity Too Large"}, status_code=413)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return JSONResponse({"message": "Invalid json"}, status_code=400)
    schema_verb = "PUT" if sub_object else verb
    elements = validate_body(connector, schema_verb, body, lines_only_insert=sub_object)
    with emu.lock:
        state = emu.state
        snapshot = {k: copy.deepcopy(getattr(state, k)) for k in _SNAPSHOT} if len(elements) > 1 else None
        keys: dict[str, str] = {}
        try:
            for element in elements:
                if not is_sales:
                    keys = relations.upsert_relation(state, connector, verb, element)
                elif schema_verb == "POST":
                    keys = sales.insert(state, connector, element)
                else:
                    keys = sales.update(state, connector, element)
        except ProfitError:
            for name, value in (snapshot or {}).items():
                setattr(state, name, value)
            raise
    return await _committed(emu, connector, verb, {"results": {connector: keys}}, 201)


async def _committed(
    emu: AfasEmulator, connector: str, verb: str, body: dict[str, Any], status: int
) -> Response:
    """The write is applied; answer it — or, on a fault, drop the connection or stall first."""
    with emu.lock:
        fault = emu.faults.take_commit_fault(connector, verb)
        if fault is not None:
            emu.events["dropped" if fault[0] == "drop" else "hung"] += 1
    if fault is not None and fault[0] == "drop":
        return DroppedResponse()
    if fault is not None:
        await asyncio.sleep(fault[1])
    return JSONResponse(body, status_code=status)
