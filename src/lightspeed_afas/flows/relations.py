"""Finding and creating AFAS sales relations by e-mail: the one way both the order flow and the
customers flow do it, so one person never gets two debtors.

The e-mails of a batch are looked up in one call (OR filter); an e-mail AFAS has no debtor for gets a
relation made from its earliest source (an order, or a registered customer); several debtors with one
e-mail follow ``afas.duplicate_debtors``. An existing relation is never changed (AFAS is leading).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from lightspeed_afas.afas.relation_payloads import RelationDefaults
from lightspeed_afas.domain.relations import RelationError, RelationSource, new_relation, relation_key
from lightspeed_afas.flows import afas_side
from lightspeed_afas.flows.afas_side import AfasLookups
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.hooks.detail import for_order

log = logging.getLogger(__name__)

DRY_RUN_DEBTOR = "(new)"  # stands in for the debtor number a dry run did not create


class RelationSettings(Protocol):
    """The part of a flow's settings relations are found and made with."""

    @property
    def lookups(self) -> AfasLookups: ...
    @property
    def countries(self) -> dict[str, str]: ...
    @property
    def relation_defaults(self) -> RelationDefaults: ...
    @property
    def duplicate_debtors(self) -> str: ...


class Source(RelationSource, Protocol):
    """A relation source with what the detail log names it by (an order number, ``customer <id>``)."""

    @property
    def number(self) -> str: ...


@dataclass
class Debtors:
    """The debtor of each source by its key; the keys whose relation this call created; failures."""

    by_key: dict[str, str] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    failures: dict[str, str] = field(default_factory=dict)


def find_or_create_debtors(
    settings: RelationSettings,
    hooks: Hooks,
    sources: Mapping[str, Source],
    dry_run: bool = False,
    what: str = "order",
) -> Debtors:
    """The debtor of each source (one per e-mail), creating the relations AFAS lacks; a source whose
    relation cannot be found or made lands in ``failures`` with why. ``what`` names the sources."""
    result = Debtors()
    by_email: dict[str, list[str]] = {}
    for key, source in sources.items():
        try:
            by_email.setdefault(relation_key(source, what), []).append(key)
        except RelationError as exc:
            result.failures[key] = str(exc)
    found, problems = afas_side.find_debtors_by_email(
        hooks.afas, settings.lookups, by_email, settings.duplicate_debtors
    )
    for email, keys in sorted(by_email.items()):
        debtor = found.get(email)
        try:
            if email in problems:
                raise RelationError(problems[email])
            if debtor is None:
                first = min(keys, key=lambda k: sources[k].created_at)
                debtor = _new_relation(settings, hooks, email, sources[first], dry_run, what)
                result.created.update(keys if not dry_run else ())
        except RelationError as exc:
            result.failures.update({key: str(exc) for key in keys})
            continue
        result.by_key.update({key: debtor for key in keys})
    return result


def _new_relation(
    settings: RelationSettings, hooks: Hooks, email: str, source: Source, dry_run: bool, what: str
) -> str:
    """Create the relation of one e-mail from ``source``; returns its debtor id (``DRY_RUN_DEBTOR`` in
    a dry run, which creates nothing)."""
    try:
        relation = new_relation(source, settings.countries, settings.relation_defaults, what)
        if dry_run:
            log.info("DRY RUN would create %s: %s", relation.connector, relation.insert_payload())
            return DRY_RUN_DEBTOR
        with for_order(source.number):
            return afas_side.create_relation(
                hooks.afas, settings.lookups, email, relation, settings.duplicate_debtors
            )
    except RelationError as exc:
        raise RelationError(f"sales relation: {exc}") from exc
