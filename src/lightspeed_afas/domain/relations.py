"""Finding or creating the AFAS sales relation (debtor) of each order — the pure part.

The pipeline looks debtors up by e-mail in batches; this module decides, per order, which e-mail is
the key, which debtor a set of look-up rows means (several debtors with one e-mail is a configured
choice, never a silent pick), and what a new relation looks like (person, or organisation with the
person as contact).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from lightspeed_afas.afas.relation_payloads import (
    OrganisationRelation,
    Person,
    PersonRelation,
    PostalAddress,
    RelationDefaults,
)
from lightspeed_afas.domain.lightspeed_values import EMAIL
from lightspeed_afas.domain.webshop_order import Address

DUPLICATE_POLICIES = ("fail", "lowest_debtor_id", "most_recent")


class RelationSource(Protocol):
    """What a relation is found and made from: an order (``WebshopOrder``) or a registered customer
    (``domain.customers.WebshopCustomer``) — the same fields, so both flows share this code."""

    @property
    def email(self) -> str: ...
    @property
    def firstname(self) -> str: ...
    @property
    def middlename(self) -> str: ...
    @property
    def lastname(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def is_company(self) -> bool: ...
    @property
    def company_name(self) -> str: ...
    @property
    def coc_number(self) -> str: ...
    @property
    def vat_number(self) -> str: ...
    @property
    def billing(self) -> Address: ...
    @property
    def shipping(self) -> Address: ...
    @property
    def created_at(self) -> datetime: ...


class RelationError(ValueError):
    """No debtor can be chosen or created for the order; the message says why."""


def relation_key(source: RelationSource, what: str = "order") -> str:
    """The look-up key: the normalised e-mail (trimmed, lower-case). Raises when it is unusable;
    ``what`` names the source in the message (order, customer)."""
    email = source.email
    if not email:
        raise RelationError(f"the {what} has no e-mail address, so no sales relation can be found or created")
    if not EMAIL.match(email) or len(email) > 255:
        # The reason goes to the ledger, which holds no personal data: say what is wrong, not the address.
        raise RelationError(f"the {what}'s e-mail address is not a valid address: {email_problem(email)}")
    return email


def email_problem(email: str) -> str:
    """What is wrong with an e-mail address, without repeating it."""
    if len(email) > 255:
        return f"it is {len(email)} characters long (at most 255)"
    if any(c in email for c in ",;"):
        return "it contains ',' or ';' (several addresses in one field?)"
    if email.count("@") != 1:
        return f"it has {email.count('@')} '@' signs instead of one"
    if any(c.isspace() for c in email):
        return "it contains a space"
    local, domain = email.split("@")
    if not local:
        return "nothing before the '@'"
    if "." not in domain or domain.startswith(".") or domain.endswith("."):
        return "its domain has no dot (like example.nl)"
    return "it is not in the form name@domain.tld"


def choose_debtor(
    email: str, rows: Sequence[dict[str, Any]], policy: str, id_field: str, date_field: str
) -> str:
    """The debtor for ``email`` among look-up rows (already filtered to that e-mail)."""
    ids = sorted({str(r[id_field]) for r in rows if r.get(id_field) not in (None, "")}, key=_numeric_first)
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise RelationError("no debtor found for the e-mail address")
    if policy == "lowest_debtor_id":
        return ids[0]
    if policy == "most_recent":
        newest = max(rows, key=lambda r: (str(r.get(date_field) or ""), _numeric_first(str(r[id_field]))))
        return str(newest[id_field])
    raise RelationError(
        f"{len(ids)} AFAS debtors share the e-mail address ({', '.join(ids)}). Merge them in AFAS, "
        "or set afas.duplicate_debtors to lowest_debtor_id or most_recent to choose one."
    )


def _numeric_first(value: str) -> tuple[int, int, str]:
    return (0, int(value), value) if value.isdigit() else (1, 0, value)


_HOUSE_NUMBER = re.compile(r"^\s*(\d{1,9})\s*[-/ ]?\s*(.*)$")


def split_house_number(number: str, extension: str) -> tuple[int | None, str]:
    """AFAS wants the house number as an integer and the rest as a suffix (``12a`` → 12, ``a``)."""
    match = _HOUSE_NUMBER.match(number or "")
    if not match:
        return None, " ".join(p for p in (number, extension) if p)[:30]
    suffix = " ".join(p for p in (match.group(2).strip(), extension) if p)
    return int(match.group(1)), suffix[:30]


def postal_address(address: Address, countries: dict[str, str], begin: date) -> PostalAddress | None:
    """The address in AFAS form, or None when the order has none; an unmapped country is an error."""
    if address.is_empty:
        return None
    if not address.country:
        raise RelationError("the billing address has no country; AFAS needs a country code on every address")
    afas_country = countries.get(address.country.lower())
    if not afas_country:
        raise RelationError(
            f"country {address.country.upper()!r} has no AFAS country code in the mapping rules (countries)"
        )
    street, house_number, suffix = address.street, *split_house_number(address.number, address.extension)
    if house_number is None and suffix:
        street, suffix = f"{street} {suffix}".strip(), ""
    return PostalAddress(
        country=afas_country,
        street=street[:60],
        house_number=house_number,
        house_number_suffix=suffix,
        zipcode=address.zipcode[:15],
        city=address.city[:50],
        begin_date=begin,
    )


def search_name(*parts: str) -> str:
    """AFAS's search name (``SeNm``, at most 10 characters): upper-case letters and digits."""
    joined = "".join(ch for ch in "".join(parts).upper() if ch.isalnum())
    return joined[:10] or "WEBSHOP"


def new_relation(
    order: RelationSource, countries: dict[str, str], defaults: RelationDefaults, what: str = "order"
) -> PersonRelation | OrganisationRelation:
    """The relation to create for an order (or a customer) whose e-mail has no debtor yet."""
    email = relation_key(order, what)
    address = postal_address(
        order.billing if not order.billing.is_empty else order.shipping, countries, order.created_at.date()
    )
    last_name = order.lastname or order.billing.name or email.split("@")[0]
    person = Person(
        first_name=order.firstname[:50],
        prefix=order.middlename[:15],
        last_name=last_name[:80],
        email=email,
        phone=order.phone[:255],
        search_name=search_name(last_name),
    )
    if order.is_company and order.company_name:
        return OrganisationRelation(
            name=order.company_name[:255],
            search_name=search_name(order.company_name),
            coc_number=order.coc_number[:30],
            vat_number=order.vat_number.replace(" ", "")[:21],
            email=email,
            phone=order.phone[:255],
            contact=person if (order.firstname or order.lastname) else None,
            address=address,
            defaults=defaults,
        )
    return PersonRelation(person=person, address=address, defaults=defaults)
