"""Existing customers in a fresh environment: seeded debtors (``AfasConfig.seeded_debtors``, generated
from ``AfasConfig.seed``, identical across runs) and the admin API's explicit ones."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from emulators.afas.state import AfasState, Contact, Debtor

FIRST_NAMES = (
    "Anna",
    "Bram",
    "Carmen",
    "Daan",
    "Eva",
    "Finn",
    "Greet",
    "Hugo",
    "Iris",
    "Joost",
    "Lotte",
    "Milan",
)
LAST_NAMES = (
    ("", "Jansen"), ("de", "Vries"), ("van", "Dijk"), ("", "Bakker"), ("", "Visser"), ("", "Smit"),
    ("", "Meijer"), ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("van den", "Berg"), ("", "Bos"),
)  # fmt: skip
COMPANIES = ("Koffiehuis", "Theesalon", "Lunchroom", "Brasserie", "Kantoorservice", "Bakkerij")
CITIES = (("1017 GC", "Amsterdam"), ("3511 AB", "Utrecht"), ("2511 BT", "Den Haag"), ("9711 LM", "Groningen"))
STREETS = ("Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Julianalaan")


def add_debtor(state: AfasState, spec: dict[str, Any]) -> Debtor:
    """One existing debtor from an admin spec: ``debtor_id``?, ``bcco``?, ``kind`` (person|organisation),
    ``name``, ``email``, ``search_name``, ``currency``, ``payment_condition``, ``created`` (ISO)?."""
    kind = spec.get("kind", "person")
    if kind not in ("person", "organisation"):
        raise ValueError("kind must be person or organisation")
    created = datetime.fromisoformat(spec["created"]) if spec.get("created") else state.now()
    bcco = str(spec.get("bcco") or state.new_bcco())
    contact = state.contacts.get(bcco)
    if contact is None:
        contact = add_contact(state, {**spec, "bcco": bcco, "created": created.isoformat()})
    debtor_id = str(spec.get("debtor_id") or state.new_debtor_id())
    if debtor_id in state.debtors:
        raise ValueError(f"debtor {debtor_id} exists")
    fields = {"CuId": spec.get("currency", "EUR"), "PaCd": spec.get("payment_condition", "14"), "IsDb": True}
    debtor = Debtor(debtor_id, contact.kind, contact.bcco, fields, created, created)
    state.debtors[debtor_id] = debtor
    return debtor


def add_contact(state: AfasState, spec: dict[str, Any]) -> Contact:
    """A person or organisation without (or before) a debtor: ``bcco``?, ``kind``, ``name``, ``email``,
    ``fields`` (extra KnPerson/KnOrganisation fields), ``address`` (KnBasicAddressAdr fields)."""
    kind = spec.get("kind", "person")
    bcco = str(spec.get("bcco") or state.new_bcco())
    if bcco in state.contacts:
        raise ValueError(f"person/organisation {bcco} exists")
    name = spec.get("name", "Bestaande klant")
    fields: dict[str, Any] = {"Nm": name} if kind == "organisation" else {"LaNm": name}
    if spec.get("email"):
        fields["EmAd"] = spec["email"]
    if spec.get("search_name"):
        fields["SeNm"] = spec["search_name"]
    fields.update(spec.get("fields", {}))
    created = datetime.fromisoformat(spec["created"]) if spec.get("created") else state.now()
    address = spec.get("address")
    contact = Contact(
        bcco, kind, fields, {"KnBasicAddressAdr": dict(address)} if address else {}, created, created
    )
    state.contacts[bcco] = contact
    return contact


def seed_debtors(state: AfasState, count: int, seed: int, base_time: datetime) -> None:
    """``count`` existing debtors, one in six an organisation, created in the year before ``base_time``."""
    rng = random.Random(seed)
    for i in range(count):
        first, (prefix, last) = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        zip_code, city = rng.choice(CITIES)
        organisation = i % 6 == 5
        created = base_time - timedelta(days=rng.randint(1, 365), seconds=rng.randint(0, 86399))
        local = f"{first}.{prefix.replace(' ', '')}{last}".lower()
        if organisation:
            name = f"{rng.choice(COMPANIES)} {last}"
            fields = {
                "Nm": name,
                "SeNm": last.upper()[:10],
                "EmAd": f"info@{last.lower()}{i}.nl",
                "CcNr": f"{rng.randint(10000000, 99999999)}",
            }
        else:
            fields = {
                "FiNm": first,
                "In": f"{first[0]}.",
                "Is": prefix or None,
                "LaNm": last,
                "SeNm": last.upper()[:10],
                "EmAd": f"{local}{i}@example.nl",
                "TeNr": f"06{rng.randint(10000000, 99999999)}",
            }
        address = {
            "CoId": "NL",
            "Ad": rng.choice(STREETS),
            "HmNr": rng.randint(1, 200),
            "ZpCd": zip_code,
            "Rs": city,
        }
        contact = add_contact(
            state,
            {
                "kind": "organisation" if organisation else "person",
                "fields": {k: v for k, v in fields.items() if v is not None},
                "address": address,
                "created": created.isoformat(),
            },
        )
        add_debtor(state, {"bcco": contact.bcco, "created": created.isoformat()})
