"""Variants and products rendered in the shapes of the reference's §1.10, quirks included on purpose.

- Every field of the doc example, in its order; ``stockBuyMininum`` (sic) next to ``stockBuyMinimum``
  with the same value; ``hs``, ``unitUnit`` and ``taxType`` ``null`` (as seen live); ``weightValue``
  and ``size*Value`` strings with three decimals (``"0.000"``), ``volumeValue`` a number.
- ``false`` for unset objects: ``image``, ``tax``, ``additionalcost``, ``matrix``; product ``set``,
  ``brand``, ``type`` (links ``brands/{id}``, ``types/{id}`` once set); ``""`` for unset codes;
  ``options`` ``[]``. A product's ``supplier`` (``suppliers/{id}``) appears after ``brand`` only once
  set: the doc example elides it.
- Numbers as strings: ``priceCost`` and ``weight`` on variants whose ``(id // 7) % 7 == 0``, as on
  orders (deterministic); money otherwise JSON numbers.
- Links ``{"resource": {"id", "url", "link"}}`` on the request's base URL and language; ``movements``
  and a product's ``variants`` are collections (``"id": false``).
- Texts in the request's language (``untranslated_text``); ``raw`` overrides rendered keys verbatim.
"""

from __future__ import annotations

import copy
from typing import Any

from emulators.lightspeed.catalog import CODE_FIELDS, Catalog
from emulators.lightspeed.serialize import link, num, stamp

SIZES = ("sizeX", "sizeY", "sizeZ")


def _overridden(body: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    for key, value in raw.items():
        body[key] = copy.deepcopy(value)
    return body


def render_variant(catalog: Catalog, variant: dict[str, Any], base: str, lang: str) -> dict[str, Any]:
    vid, pid, tax = variant["id"], variant["product"], variant["tax"]
    as_strings = (vid // 7) % 7 == 0
    body: dict[str, Any] = {
        "id": vid,
        "createdAt": stamp(variant["created"]),
        "updatedAt": stamp(variant["updated"]),
        "isDefault": variant["isDefault"],
        "sortOrder": variant["sortOrder"],
        **{key: variant[key] for key in ("articleCode", "ean", "sku")},
        "hs": None,
        "unitPrice": 0,
        "unitUnit": None,
        **{key: num(variant[key]) for key in ("priceExcl", "priceIncl")},
        "priceCost": str(variant["priceCost"]) if as_strings else num(variant["priceCost"]),
        **{key: num(variant[key]) for key in ("oldPriceExcl", "oldPriceIncl")},
        **{key: variant[key] for key in ("stockTracking", "stockLevel", "stockAlert", "stockMinimum")},
        "stockSold": variant["stockSold"],
        "stockBuyMininum": variant["stockBuyMinimum"],
        **{key: variant[key] for key in ("stockBuyMinimum", "stockBuyMaximum")},
        "weight": str(variant["weight"]) if as_strings else num(variant["weight"]),
        "weightValue": f"{variant['weight']:.3f}",
        "weightUnit": variant["weightUnit"],
        "volume": num(variant["volume"]),
        "volumeValue": num(variant["volume"]),
        "volumeUnit": variant["volumeUnit"],
        "colli": 0,
    }
    for size in SIZES:
        body.update({size: num(variant[size]), f"{size}Value": f"{variant[size]:.3f}"})
    body.update(
        {
            "sizeUnit": variant["sizeUnit"],
            "matrix": False,
            "title": catalog.text(variant["title"], lang),
            "taxType": None,
            "tax": link(base, lang, f"taxes/{tax}", tax) if tax else False,
            "image": copy.deepcopy(variant["image"]),
            "product": link(base, lang, f"products/{pid}", pid),
            "movements": link(base, lang, f"variants/movements?variant={vid}"),
            "metafields": link(base, lang, f"variants/{vid}/metafields"),
            "additionalcost": False,
            "options": [],
        }
    )
    return _overridden(body, variant["raw"])


def render_product(catalog: Catalog, product: dict[str, Any], base: str, lang: str) -> dict[str, Any]:
    pid = product["id"]
    body: dict[str, Any] = {
        "id": pid,
        "createdAt": stamp(product["created"]),
        "updatedAt": stamp(product["updated"]),
        "isVisible": product["isVisible"],
        "visibility": product["visibility"],
        "hasMatrix": False,
        **{key: product.get(key, "") for key in ("data01", "data02", "data03")},
        **{key: catalog.text(product[key], lang) for key in ("url", "title", "fulltitle")},
        **{key: catalog.text(product[key], lang) for key in ("description", "content")},
        "set": False,
        "brand": _reference(base, lang, "brands", product.get("brand", False)),
    }
    if product.get("supplier"):  # elided in the doc example; rendered once one is set
        body["supplier"] = _reference(base, lang, "suppliers", product["supplier"])
    body["type"] = _reference(base, lang, "types", product.get("type", False))
    body["variants"] = link(base, lang, f"variants?product={pid}")
    return _overridden(body, product["raw"])


def _reference(base: str, lang: str, resource: str, resource_id: int | bool) -> dict[str, Any] | bool:
    return link(base, lang, f"{resource}/{resource_id}", resource_id) if resource_id else False


def view(variant: dict[str, Any], detail: bool = False) -> dict[str, Any]:
    """The admin API's internal view (``detail`` adds the movements themselves, titles and prices)."""
    out = {key: variant[key] for key in ("id", "product", *CODE_FIELDS, "stockTracking", "stockLevel")}
    out.update(updatedAt=stamp(variant["updated"]), movements=len(variant["movements"]))
    if not detail:
        return out
    out.update(createdAt=stamp(variant["created"]), title=variant["title"], isDefault=variant["isDefault"])
    out.update({key: str(variant[key]) for key in ("priceExcl", "priceIncl")})
    out["raw"] = variant["raw"]
    out["movementLog"] = [
        {
            "id": m["id"],
            "createdAt": stamp(m["created"]),
            **{k: m[k] for k in ("channel", "stockLevelChange")},
        }
        for m in variant["movements"]
    ]
    return out


def summary(variant: dict[str, Any]) -> dict[str, Any]:
    """What ``POST /_admin/variants`` answers for each variant it made."""
    keys = ("id", "product", *CODE_FIELDS, "stockLevel")
    return {**{key: variant[key] for key in keys}, "updatedAt": stamp(variant["updated"])}
