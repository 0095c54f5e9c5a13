"""The ``doctor``'s checks of a tenant's articles flow (its ``articles:`` block):

- the AFAS GetConnectors the block needs are offered to the token and have the field ids the flow reads
  (``metainfo/get``), through the check ``read_afas_articles`` itself makes before it reads
  (``flows.afas_connectors.connector_field_count``): ``Profit_Article`` always, ``Profit_Article_Basic``
  (prices from ``basic``) or ``Profit_SalesPrice`` (``price_list``) when ``price`` is a field,
  ``Profit_Barcode_per_Item`` when ``ean`` is;
- with ``tax`` a field: every ``vat_groups`` rate has a tax in the shop's ``taxes.json`` (the plan step's
  own ``tax_ids_by_group``);
- the block's languages (or the connection's) are active in the shop (``languages.json``).

Each check is a (label, probe) for ``doctor._check``: the probe returns its OK line, or raises
``ValueError`` with what to fix. What cannot be checked without writing to the shop is a note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from lightspeed_afas.domain.article_rows import tax_ids_by_group

Check = tuple[str, Callable[[], str]]
NOT_CHECKED = (
    "not checked (it would write to the shop): that the Lightspeed key may change variants and products "
    "(PUT){creates}; a dry run shows the fields the flow would write, the first run's writes show the rest "
    "(python -m lightspeed_afas log {tenant} --flow articles)"
)


def connector_checks(tenant: Any, lightspeed: Any, afas: Any) -> list[Check]:
    """One check per GetConnector the articles block needs."""
    # Imported here: the flows import the hooks, and importing those imports Airflow.
    from lightspeed_afas.flows.articles.read_step import needed_connectors

    block = tenant.articles
    return [
        (f"articles GetConnector {connector}", _connector_probe(lightspeed, afas, connector, wanted, instead))
        for connector, wanted, instead in needed_connectors(block.fields, block.prices.source)
    ]


def _connector_probe(
    lightspeed: Any, afas: Any, connector: str, wanted: dict[str, str], instead: str | None
) -> Callable[[], str]:
    def probe() -> str:
        # Imported here: the flows import the hooks, and importing those imports Airflow.
        from lightspeed_afas.flows.afas_connectors import connector_field_count
        from lightspeed_afas.flows.articles.settings import ArticlesConfigError
        from lightspeed_afas.flows.clients import Hooks

        try:
            count = connector_field_count(
                Hooks(lightspeed=lightspeed, afas=afas), connector, wanted, instead, ArticlesConfigError
            )
        except ArticlesConfigError as exc:
            raise ValueError(str(exc)) from None
        return f"{count} field(s), with {', '.join(dict.fromkeys(wanted.values()))}"

    return probe


def lightspeed_checks(tenant: Any, lightspeed: Any) -> list[Check]:
    """The shop's taxes (when the block writes the tax) and languages."""
    block = tenant.articles
    checks = []
    if "tax" in block.fields:
        checks.append(("articles.vat_groups", _taxes_probe(lightspeed, block.vat_groups)))
    checks.append(("articles.languages", _languages_probe(lightspeed, tuple(block.languages))))
    return checks


def _rates(taxes: list[dict[str, Any]]) -> str:
    """The shop's tax rates (fractions in taxes.json) as percentages, lowest first."""
    found = set()
    for tax in taxes:
        try:
            found.add((Decimal(str(tax.get("rate"))) * 100).normalize())
        except ArithmeticError:
            continue
    return ", ".join(f"{rate:f} %" for rate in sorted(found)) or "no taxes"


def _taxes_probe(lightspeed: Any, groups: Mapping[str, Decimal]) -> Callable[[], str]:
    def probe() -> str:
        taxes = lightspeed.list_taxes()
        ids = tax_ids_by_group(taxes, groups)
        missing = [f"{group} ({rate} %)" for group, rate in groups.items() if group not in ids]
        if missing:
            raise ValueError(
                f"no tax in the shop has the rate of VAT group(s) {', '.join(missing)} (the shop's taxes.json "
                f"has {_rates(taxes)}); add the tax in the shop, or set articles.vat_groups to the shop's rates"
            )
        found = ", ".join(f"{group} {rate} % → tax {ids[group]}" for group, rate in groups.items())
        return f"every VAT group has a shop tax: {found or '(no VAT groups)'}"

    return probe


def _languages_probe(lightspeed: Any, configured: tuple[str, ...]) -> Callable[[], str]:
    def probe() -> str:
        wanted = configured or (lightspeed.language,)
        found = lightspeed.call_json("GET", "languages", endpoint="languages").get("languages") or []
        active = sorted({str(lang.get("code", "")).lower() for lang in found if lang.get("isActive")})
        inactive = [lang for lang in wanted if lang not in active]
        whose = "" if configured else " (articles.languages is []: the connection's language)"
        if inactive:
            raise ValueError(
                f"language(s) {', '.join(inactive)}{whose} not active in the shop (active: "
                f"{', '.join(active) or 'none'}); activate it in the shop, or set articles.languages to "
                "active shop languages"
            )
        return f"{', '.join(wanted)}{whose} active in the shop (active: {', '.join(active)})"

    return probe


def not_checked(tenant: Any) -> str:
    creates = " or create products (POST)" if tenant.articles.create_missing else ""
    return NOT_CHECKED.format(tenant=tenant.tenant, creates=creates)
