"""What the order flow asks of AFAS: batched look-ups by reference and e-mail, and relation creation.

Every insert is preceded by a look-up by reference; a write that got no answer is followed by a
look-up before anything else happens to that order or relation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from lightspeed_afas.afas import lookups as afas_lookups
from lightspeed_afas.afas.relation_payloads import OrganisationRelation, PersonRelation
from lightspeed_afas.domain.relations import RelationError, choose_debtor
from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.errors import AfasAmbiguousWriteError, AfasValidationError, without_values

if TYPE_CHECKING:
    from lightspeed_afas.config.tenant import Lookups

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AfasLookups:
    """GetConnectors and field ids used for look-ups. The tenant file configures the first seven (its
    ``afas.lookups``, whose model in ``config.tenant`` holds their defaults); the others are fixed."""

    debtor_connector: str
    debtor_email_field: str
    debtor_id_field: str
    order_connector: str
    order_reference_field: str
    order_number_field: str
    order_status_field: str
    debtor_date_field: str = afas_lookups.DEBTOR_DATE_FIELD
    order_debtor_field: str = afas_lookups.ORDER_DEBTOR_FIELD
    lines_connector: str = afas_lookups.LINES_CONNECTOR
    lines_order_field: str = afas_lookups.LINES_ORDER_FIELD
    lines_guid_field: str = afas_lookups.LINES_GUID_FIELD

    @classmethod
    def configured(cls, lookups: Lookups, document: str) -> AfasLookups:
        """The look-ups of a tenant file's ``afas.lookups``; a direct invoice is found by its own one."""
        order = lookups.direct_invoice if document == "direct_invoice" else lookups.order
        return cls(
            debtor_connector=lookups.debtor.connector,
            debtor_email_field=lookups.debtor.email_field,
            debtor_id_field=lookups.debtor.debtor_id_field,
            order_connector=order.connector,
            order_reference_field=order.reference_field,
            order_number_field=order.order_number_field,
            order_status_field=order.status_field,
        )


@dataclass
class AfasOrder:
    """An order (or direct invoice) AFAS already holds for a webshop order number."""

    order_number: str
    debtor_id: str | None
    status: str | None
    line_guids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AfasOrder:
        return cls(data["order_number"], data["debtor_id"], data["status"], list(data.get("line_guids", [])))


def find_orders_by_reference(
    hook: AfasProfitHook, lookups: AfasLookups, references: Iterable[str]
) -> dict[str, list[AfasOrder]]:
    """AFAS orders per webshop reference (several means someone booked it twice by hand)."""
    refs = sorted(set(references))
    if not refs:
        return {}
    rows = hook.lookup(
        lookups.order_connector, lookups.order_reference_field, refs, [lookups.order_number_field]
    )
    found: dict[str, list[AfasOrder]] = {}
    wanted = set(refs)
    for row in rows:
        ref = str(row.get(lookups.order_reference_field) or "")
        if ref not in wanted:  # AFAS compares case-insensitively; the reference must match exactly
            continue
        number = str(row.get(lookups.order_number_field) or "")
        if not number or any(o.order_number == number for o in found.get(ref, [])):
            continue
        found.setdefault(ref, []).append(
            AfasOrder(
                order_number=number,
                debtor_id=_str_or_none(row.get(lookups.order_debtor_field)),
                status=_str_or_none(row.get(lookups.order_status_field)),
            )
        )
    return found


def attach_line_guids(hook: AfasProfitHook, lookups: AfasLookups, orders: Sequence[AfasOrder]) -> None:
    """Fill in the line GUIDs of orders that will be updated (one batched look-up)."""
    by_number = {o.order_number: o for o in orders}
    if not by_number:
        return
    rows = hook.lookup(
        lookups.lines_connector,
        lookups.lines_order_field,
        sorted(by_number),
        [lookups.lines_order_field, lookups.lines_guid_field],
    )
    for row in rows:
        order = by_number.get(str(row.get(lookups.lines_order_field) or ""))
        guid = row.get(lookups.lines_guid_field)
        if order is not None and guid and guid not in order.line_guids:
            order.line_guids.append(str(guid))


def find_debtors_by_email(
    hook: AfasProfitHook, lookups: AfasLookups, emails: Iterable[str], policy: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Debtor per normalised e-mail, and per e-mail the reason no single debtor could be chosen."""
    wanted = sorted(set(emails))
    if not wanted:
        return {}, {}
    rows = hook.lookup(
        lookups.debtor_connector, lookups.debtor_email_field, wanted, [lookups.debtor_id_field]
    )
    by_email: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        email = str(row.get(lookups.debtor_email_field) or "").strip().lower()
        if email in wanted:
            by_email.setdefault(email, []).append(row)
    debtors: dict[str, str] = {}
    problems: dict[str, str] = {}
    for email, matches in by_email.items():
        try:
            debtors[email] = choose_debtor(
                email, matches, policy, lookups.debtor_id_field, lookups.debtor_date_field
            )
        except RelationError as exc:
            problems[email] = str(exc)
    return debtors, problems


def create_relation(
    hook: AfasProfitHook,
    lookups: AfasLookups,
    email: str,
    relation: PersonRelation | OrganisationRelation,
    policy: str,
) -> str:
    """Create the relation and return its debtor id; after a lost answer, look it up instead of retrying."""
    try:
        keys = hook.insert(relation.connector, relation.insert_payload())
    except AfasAmbiguousWriteError:
        log.warning("Creating the relation for one e-mail got no answer; looking it up before anything else.")
        debtors, problems = find_debtors_by_email(hook, lookups, [email], policy)
        if email in debtors:
            return debtors[email]
        if email in problems:
            raise RelationError(problems[email]) from None
        raise RelationError(
            "creating the sales relation got no answer from AFAS and it is not there (yet); "
            "the next run looks it up again before creating it"
        ) from None
    except AfasValidationError as exc:
        raise RelationError(
            f"AFAS refused the new sales relation: {without_values(exc.external_message)}"
        ) from exc
    debtor = keys.get(afas_lookups.DEBTOR_KEY)
    if not debtor:
        raise RelationError(
            f"AFAS created the relation but returned no {afas_lookups.DEBTOR_KEY} ({sorted(keys)})"
        )
    return str(debtor)


def _str_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
