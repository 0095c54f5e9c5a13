"""The customers list and the customers' admin API (shapes in ``serialize.render_customer``).

Public (the order routes' auth, rate limits, language and faults):
  GET /{lang}/customers.json         page (1-based), limit (default 50, max 250), updated_at_min/max,
                                     fields (+ created_at_min/max per ``customer_created_filter``,
                                     email per ``customer_email_filter``) → {"customers": […]}
  GET /{lang}/customers/count.json   the same filters → {"count": n}
  GET /{lang}/customers/{id}.json    {"customer": …} (in ``app``)
Sorted as the orders are: newest id first (not by ``updatedAt``). ``updated_at_*`` take the order
filters' format and time zone (``filter_timezone``), both bounds inclusive; other unknown parameters
are ignored, as on the orders.

Rules (``VariantRules`` in ``config``; ``POST /_admin/variant_rules``; first value = default = the
strictest plausible reading of what the reference marks [U], erp-extras §1.5 / §3 item 10):
- ``customer_created_filter`` ignore|apply|refuse: ``created_at_min/max`` are not read at all (not
  even their format: the whole list comes back, so a connector relying on them reads everything) |
  applied like ``updated_at_*`` | a 400 "Unknown filter: created_at_min".
- ``customer_email_filter`` ignore|apply|refuse: ``email`` is not read | the customers whose e-mail
  equals it, ignoring case and surrounding spaces | a 400 "Unknown filter: email".
Fixed: ``type`` is "registered" unless the admin API says otherwise (guests have no customer record
here: their orders have ``customer: false``).

Admin (no auth, JSON; documented in ``admin`` too):
  POST /_admin/customers             a spec → 201 {"customer": rendered}; a registered customer
  PUT  /_admin/customers/{id}        a spec (no id) → {"customer": rendered}; bumps ``updatedAt`` to the
                                     emulator's now (at least +1 s) unless "updatedAt" is given
  spec: email (required on create), firstname, middlename, lastname, phone, mobile, gender ("male" |
  "female" | false), birthDate ("YYYY-MM-DD" | false), company {name, coc, vat} | null, street,
  number (a string, "" allowed), extension, zipcode, city, country (lower-case code; "" or null: no
  country, rendered false), isConfirmed (false), language (an active language code | false), memo,
  type ("registered"), id (create only; default the highest id + 1), created_at / createdAt (ISO with
  offset; default now), updatedAt, lastOnlineAt (ISO | null; default null). API names work too:
  addressBillingStreet/Number/Extension/Zipcode/City/Country, companyName, companyCoCNumber,
  companyVatNumber, isCompany (false drops the company). Unknown keys: 400.
A created customer is a webhook event ``customers``/``created``, a PUT ``customers``/``updated`` (see
``webhooks``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from emulators.lightspeed import serialize
from emulators.lightspeed.admin_body import admin_input, read_json
from emulators.lightspeed.demo import Customer
from emulators.lightspeed.emulator import (
    ApiError,
    LightspeedEmulator,
    base_url,
    filter_bound,
    page_window,
    requested_fields,
)
from emulators.lightspeed.store import AdminError, parse_moment

STRINGS = ("email", "firstname", "middlename", "lastname", "phone", "mobile", "memo", "type")
ADDRESS = {  # spec key → Customer attribute
    "street": "street",
    "number": "number",
    "extension": "extension",
    "zipcode": "zipcode",
    "city": "city",
    "country": "country",
}
ALIASES = {
    "addressBillingStreet": "street",
    "addressBillingNumber": "number",
    "addressBillingExtension": "extension",
    "addressBillingZipcode": "zipcode",
    "addressBillingCity": "city",
    "addressBillingCountry": "country",
    "created_at": "createdAt",
}
OTHER_KEYS = {
    "gender",
    "birthDate",
    "company",
    "companyName",
    "companyCoCNumber",
    "companyVatNumber",
    "isCompany",
    "isConfirmed",
    "language",
    "createdAt",
    "updatedAt",
    "lastOnlineAt",
}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _bounds(request: Request, emu: LightspeedEmulator) -> list[tuple[str, bool, datetime]]:
    """The window filters to apply: (Customer attribute, is a maximum, bound)."""
    names = {"updated_at_min": ("updated_at", False), "updated_at_max": ("updated_at", True)}
    created = emu.catalog.rules.customer_created_filter
    for name in ("created_at_min", "created_at_max"):
        if name in request.query_params and created == "refuse":
            raise ApiError(400, f"Unknown filter: {name}")
    if created == "apply":
        names.update({"created_at_min": ("created_at", False), "created_at_max": ("created_at", True)})
    bounds = [(attr, is_max, filter_bound(request, name, emu)) for name, (attr, is_max) in names.items()]
    return [(attr, is_max, bound) for attr, is_max, bound in bounds if bound is not None]


def filtered_customers(emu: LightspeedEmulator, request: Request) -> list[Customer]:
    bounds = _bounds(request, emu)
    email = request.query_params.get("email")
    rule = emu.catalog.rules.customer_email_filter
    if email is not None and rule == "refuse":
        raise ApiError(400, "Unknown filter: email")
    wanted = email.strip().lower() if email is not None and rule == "apply" else None
    with emu.shop.lock:
        customers = sorted(emu.shop.customers.values(), key=lambda c: c.id, reverse=True)
    return [
        c
        for c in customers
        if not any(
            (getattr(c, attr) > bound) if is_max else (getattr(c, attr) < bound)
            for attr, is_max, bound in bounds
        )
        and (wanted is None or c.email.strip().lower() == wanted)
    ]


def customer_routes(app: FastAPI) -> None:
    """The public customers list and count (register before ``app``'s ``/customers/{id}.json``)."""

    def emu() -> LightspeedEmulator:
        return app.state.emulator

    @app.get("/{lang}/customers.json")
    def list_customers(lang: str, request: Request) -> Any:
        start, stop = page_window(request)
        chosen = filtered_customers(emu(), request)[start:stop]
        fields = requested_fields(request)
        with emu().shop.lock:
            rendered = [serialize.render_customer(c, base_url(request), lang) for c in chosen]
        return {"customers": [serialize.only_fields(c, fields) for c in rendered]}

    @app.get("/{lang}/customers/count.json")
    def count_customers(lang: str, request: Request) -> Any:
        return {"count": len(filtered_customers(emu(), request))}


def _text(spec: dict[str, Any], key: str) -> str:
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise AdminError(f"{key}: a string, got {value!r}")
    return str(value)


def _moment(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise AdminError(f"{name}: an ISO-8601 timestamp with offset, got {value!r}")
    return parse_moment(value, name)


def apply_spec(customer: Customer, spec: dict[str, Any], languages: tuple[str, ...]) -> None:
    """Check the whole spec, then change ``customer`` (the caller holds the shop's lock)."""
    changes: dict[str, Any] = {}
    for key in STRINGS:
        if key in spec:
            changes[key] = _text(spec, key)
    if "email" in changes and not changes["email"].strip():
        raise AdminError("email: must not be empty")
    if "type" in changes and not changes["type"]:
        raise AdminError("type: must not be empty")
    for key, attr in ADDRESS.items():
        if key in spec:
            value = spec[key]
            if key == "country" and isinstance(value, dict):
                value = value.get("code", "")
            changes[attr] = "" if value is None or value is False else _text({key: value}, key)
    if "country" in changes:
        changes["country"] = changes["country"].lower()
    if "gender" in spec:
        if spec["gender"] not in ("male", "female", False, None):
            raise AdminError(f"gender: 'male', 'female' or false, got {spec['gender']!r}")
        changes["gender"] = spec["gender"] or None
    if "birthDate" in spec:
        value = spec["birthDate"]
        if value not in (False, None):
            if not isinstance(value, str) or not DATE.fullmatch(value):
                raise AdminError(f"birthDate: 'YYYY-MM-DD' or false, got {value!r}")
            try:
                datetime.strptime(value, "%Y-%m-%d")
            except ValueError as exc:
                raise AdminError(f"birthDate: not a date: {value!r}") from exc
        changes["birth_date"] = value or None
    if "isConfirmed" in spec:
        if not isinstance(spec["isConfirmed"], bool):
            raise AdminError(f"isConfirmed: true or false, got {spec['isConfirmed']!r}")
        changes["is_confirmed"] = spec["isConfirmed"]
    if "language" in spec:
        value = spec["language"]
        if value not in (False, None) and value not in languages:
            raise AdminError(
                f"language: one of the shop's languages {list(languages)} or false, got {value!r}"
            )
        changes["language"] = value or None
    changes.update(_company(customer, spec))
    for key, attr in (("createdAt", "created_at"), ("updatedAt", "updated_at")):
        if key in spec:
            changes[attr] = _moment(spec[key], key)
    if "lastOnlineAt" in spec:
        value = spec["lastOnlineAt"]
        changes["last_online_at"] = None if value is None else _moment(value, "lastOnlineAt")
    for attr, value in changes.items():
        setattr(customer, attr, value)


def _company(customer: Customer, spec: dict[str, Any]) -> dict[str, Any]:
    company = customer.company
    if "company" in spec:
        value = spec["company"]
        if value in (None, False):
            company = None
        elif isinstance(value, dict) and not set(value) - {"name", "coc", "vat"}:
            if not isinstance(value.get("name"), str) or not value["name"]:
                raise AdminError("company.name: a non-empty string")
            company = (value["name"], str(value.get("vat", "")), str(value.get("coc", "")))
        else:
            raise AdminError(f"company: {{name, coc, vat}} or null, got {value!r}")
    api_names = ("companyName", "companyVatNumber", "companyCoCNumber")
    if any(name in spec for name in api_names):
        name, vat, coc = company or ("", "", "")
        company = (
            _text(spec, "companyName") if "companyName" in spec else name,
            _text(spec, "companyVatNumber") if "companyVatNumber" in spec else vat,
            _text(spec, "companyCoCNumber") if "companyCoCNumber" in spec else coc,
        )
    if "isCompany" in spec:
        if not isinstance(spec["isCompany"], bool):
            raise AdminError(f"isCompany: true or false, got {spec['isCompany']!r}")
        if spec["isCompany"] is False:
            company = None
        elif company is None:
            raise AdminError("isCompany: true needs a company (company or companyName)")
    return {"company": company}


def normalised(body: dict[str, Any], creating: bool) -> dict[str, Any]:
    spec = {ALIASES.get(key, key): value for key, value in body.items()}
    known = set(STRINGS) | set(ADDRESS) | OTHER_KEYS | ({"id"} if creating else set())
    unknown = sorted(set(spec) - known)
    if unknown:
        raise AdminError(f"unknown keys: {unknown}")
    return spec


def create_customer(emu: LightspeedEmulator, body: dict[str, Any]) -> Customer:
    spec = normalised(body, creating=True)
    if "email" not in spec:
        raise AdminError("email: required")
    now = emu.clock.now()
    shop = emu.shop
    with shop.lock:
        if "id" in spec:
            if isinstance(spec["id"], bool) or not isinstance(spec["id"], int) or spec["id"] < 1:
                raise AdminError(f"id: a positive integer, got {spec['id']!r}")
            customer_id = spec["id"]
            if customer_id in shop.customers:
                raise AdminError(f"customer {customer_id} exists")
        else:
            customer_id = max(shop.customers, default=6855999) + 1
        customer = Customer(
            id=customer_id,
            email="",
            firstname="",
            middlename="",
            lastname="",
            country="nl",
            street="",
            number="",
            extension="",
            zipcode="",
            city="",
            phone="",
            company=None,
            created_at=now,
            is_confirmed=False,
        )
        apply_spec(customer, spec, emu.config.languages)
        if "updatedAt" not in spec:
            customer.updated_at = customer.created_at
        if customer.updated_at < customer.created_at:
            raise AdminError("updatedAt: before createdAt")
        shop.customers[customer_id] = customer
        shop.notify("customers", "created", customer)
        return customer


def update_customer(emu: LightspeedEmulator, customer: Customer, body: dict[str, Any]) -> None:
    spec = normalised(body, creating=False)
    now = emu.clock.now()
    with emu.shop.lock:
        previous = customer.updated_at or customer.created_at
        apply_spec(customer, spec, emu.config.languages)
        if "updatedAt" not in spec:
            customer.updated_at = max(now, previous + timedelta(seconds=1))
        emu.shop.notify("customers", "updated", customer)


def customer_admin_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    @app.post("/_admin/customers")
    async def add_customer(request: Request) -> Any:
        body = await read_json(request)
        with admin_input("customers"):
            customer = create_customer(emu(), body)
        rendered = serialize.render_customer(customer, base_url(request), emu().config.languages[0])
        return JSONResponse({"customer": rendered}, status_code=201)

    @app.put("/_admin/customers/{customer_id}")
    async def put_customer(customer_id: int, request: Request) -> Any:
        body = await read_json(request)
        customer = emu().shop.customers.get(customer_id)
        if customer is None:
            return JSONResponse({"error": f"no customer {customer_id}"}, status_code=404)
        with admin_input("customer"):
            update_customer(emu(), customer, body)
        return {"customer": serialize.render_customer(customer, base_url(request), emu().config.languages[0])}
