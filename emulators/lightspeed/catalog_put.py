"""``PUT /{lang}/variants/{id}.json``: the checks on its body and how a change is applied.

The body is ``{"variant": {<changed fields>}}`` (one root key; invalid JSON, a non-object, another or
a missing root key: 400 naming the problem). Every field is checked before anything changes, so a
400 changes nothing. Writable (the reference's W/w column): ``isDefault`` (bool), ``sortOrder``,
``stockLevel``, ``stockAlert``, ``stockMinimum``, ``stockBuyMinimum``, ``stockBuyMaximum`` (JSON
integers: ``"5"``, ``5.5`` and ``true`` are 400s naming the field), ``articleCode``, ``ean``,
``sku``, ``weightUnit``, ``volumeUnit``, ``sizeUnit`` (strings), prices and ``weight``, ``volume``,
``sizeX/Y/Z`` (non-negative JSON numbers), ``stockTracking`` (enabled|disabled|indicator),
``title`` (a non-empty string, else "Invalid variant title"; it sets the request language's text),
``image`` (``{"attachment": <base64>, "filename"}``; null/false per ``image_clear``) and ``tax``
(per ``tax_write``; ``unknown_tax`` and the tax's rate: ``catalog_write``). Read-only fields follow
``readonly_fields``; any other field is a 400 "Unknown field 'X'". ``stockLevel`` follows ``stock_level_put``, ``negative_stock_level`` and
``stock_put_when_disabled``; prices ``price_write``; ``isDefault`` ``default_variant`` (see
``catalog``). A successful PUT bumps ``updatedAt`` to the emulator's now (at least +1 s) and a stock
change appends a movement with channel "api".
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import zlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from emulators.lightspeed.catalog import CODE_FIELDS, Catalog
from emulators.lightspeed.config import STOCK_TRACKING, VariantRules
from emulators.lightspeed.emulator import ApiError
from emulators.lightspeed.money import cents
from emulators.lightspeed.serialize import stamp

READ_ONLY = frozenset(
    "id createdAt updatedAt hs unitPrice unitUnit stockSold stockBuyMininum weightValue volumeValue "
    "sizeXValue sizeYValue sizeZValue matrix taxType product movements metafields additionalcost "
    "options colli".split()
)
CLEAR_IMAGE = object()  # ``image: null/false`` in a PUT


def _bad(name: str, expected: str, value: Any) -> ApiError:
    return ApiError(400, f"Invalid value for field '{name}': expected {expected}, got {json.dumps(value)}")


def _integer(name: str, value: Any, rules: VariantRules) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, "an integer", value)
    return value


def _string(name: str, value: Any, rules: VariantRules) -> str:
    if not isinstance(value, str):
        raise _bad(name, "a string", value)
    return value


def _flag(name: str, value: Any, rules: VariantRules) -> bool:
    if not isinstance(value, bool):
        raise _bad(name, "true or false", value)
    return value


def _amount(name: str, value: Any, rules: VariantRules) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(name, "a number", value)
    if value < 0:
        raise _bad(name, "a number of at least 0", value)
    return Decimal(str(value))


def _tracking(name: str, value: Any, rules: VariantRules) -> str:
    if value not in STOCK_TRACKING or not isinstance(value, str):
        raise _bad(name, "one of " + ", ".join(STOCK_TRACKING), value)
    return value


def _title(name: str, value: Any, rules: VariantRules) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "Invalid variant title")
    if len(value) > rules.title_max_length:
        raise ApiError(400, f"Invalid variant title: at most {rules.title_max_length} characters")
    return value


def _tax(name: str, value: Any, rules: VariantRules) -> int:
    if (
        rules.tax_write == "id_or_link"
        and isinstance(value, dict)
        and isinstance(value.get("resource"), dict)
    ):
        value = value["resource"].get("id")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _bad(name, "a tax id" + (" or a tax link" if rules.tax_write == "id_or_link" else ""), value)
    return value


def _image(name: str, value: Any, rules: VariantRules) -> Any:
    if value is None or value is False:
        return CLEAR_IMAGE
    expected = 'an object {"attachment": <base64>, "filename": <name.ext>}'
    if not isinstance(value, dict) or set(value) - {"attachment", "filename", "title"}:
        raise _bad(name, expected, value)
    filename, attachment = value.get("filename"), value.get("attachment")
    if not isinstance(filename, str) or "." not in filename or not isinstance(attachment, str):
        raise _bad(name, expected, value)
    try:
        data = base64.b64decode(attachment, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "Invalid value for field 'image': the attachment is not base64") from None
    if not data:
        raise ApiError(400, "Invalid value for field 'image': the attachment is empty")
    return {"filename": filename, "size": len(data), "checksum": zlib.crc32(data)}


Check = Callable[[str, Any, VariantRules], Any]
WRITABLE: dict[str, Check] = {
    "isDefault": _flag,
    "title": _title,
    "stockTracking": _tracking,
    "tax": _tax,
    "image": _image,
    **dict.fromkeys(
        ("sortOrder", "stockLevel", "stockAlert", "stockMinimum", "stockBuyMinimum", "stockBuyMaximum"),
        _integer,
    ),
    **dict.fromkeys(("articleCode", "ean", "sku", "weightUnit", "volumeUnit", "sizeUnit"), _string),
    **dict.fromkeys(("priceExcl", "priceIncl", "priceCost", "oldPriceExcl", "oldPriceIncl"), _amount),
    **dict.fromkeys(("weight", "volume", "sizeX", "sizeY", "sizeZ"), _amount),
}


def parse_body(raw: bytes, root: str = "variant") -> dict[str, Any]:
    """The fields of ``{"<root>": {…}}``, or the 400 that says what is wrong with the body."""
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, f"Invalid JSON in the request body: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, f"The request body must be a JSON object with the root key '{root}'")
    others = sorted(set(body) - {root})
    if others:
        raise ApiError(400, f"Unknown root key '{others[0]}': the request body's root key is '{root}'")
    if root not in body:
        raise ApiError(400, f"Missing root key '{root}'")
    if not isinstance(body[root], dict):
        raise ApiError(400, f"The value of '{root}' must be a JSON object")
    return body[root]


def checked_changes(fields: dict[str, Any], rules: VariantRules) -> dict[str, Any]:
    changes = {}
    for name, value in fields.items():
        if name in READ_ONLY:
            if rules.readonly_fields == "refuse":
                raise ApiError(400, f"Field '{name}' is read-only")
            continue
        check = WRITABLE.get(name)
        if check is None:
            raise ApiError(400, f"Unknown field '{name}'")
        changes[name] = check(name, value, rules)
    return changes


def new_level(variant: dict[str, Any], changes: dict[str, Any], rules: VariantRules) -> int | None:
    """The stock level this PUT sets, or None when it leaves the level alone."""
    if "stockLevel" not in changes:
        return None
    level = changes["stockLevel"] + (variant["stockLevel"] if rules.stock_level_put == "delta" else 0)
    if level < 0 and rules.negative_stock_level == "refuse":
        raise ApiError(
            400, f"Invalid value for field 'stockLevel': the level must not be negative, got {level}"
        )
    if changes.get("stockTracking", variant["stockTracking"]) == "disabled":
        if rules.stock_put_when_disabled == "refuse":
            raise ApiError(400, "Field 'stockLevel' cannot be changed while stockTracking is 'disabled'")
        if rules.stock_put_when_disabled == "ignore":
            return None
    return level


def apply_put(catalog: Catalog, variant: dict[str, Any], changes: dict[str, Any], lang: str) -> None:
    """Apply checked changes (``checked_changes``); raises before changing anything."""
    rules = catalog.rules
    with catalog.lock:
        level = new_level(variant, changes, rules)
        changes = {key: value for key, value in changes.items() if key != "stockLevel"}
        _apply_prices(variant, changes, rules)
        if changes.get("isDefault") is True and rules.default_variant == "exclusive":
            for other in catalog.variants.values():
                if other["product"] == variant["product"]:
                    other["isDefault"] = False
        if "title" in changes:
            variant["title"] = {**variant["title"], lang: changes.pop("title")}
        if "image" in changes:
            _apply_image(catalog, variant, changes.pop("image"), rules)
        variant.update(changes)
        if level is not None:
            catalog.set_stock(variant, level, "api", bump=False)
        variant["updated"] = catalog.bumped(variant["updated"])
        if any(field in changes for field in CODE_FIELDS):
            catalog.codes_changed()


def _apply_prices(variant: dict[str, Any], changes: dict[str, Any], rules: VariantRules) -> None:
    excl, incl = changes.pop("priceExcl", None), changes.pop("priceIncl", None)
    factor = 1 + changes.get("taxRate", variant["taxRate"])  # a new tax's rate (``catalog_write``)
    if rules.price_write == "derive":
        if excl is not None:
            incl = cents(excl * factor)
        elif incl is not None:
            excl = cents(incl / factor)
    if excl is not None:
        variant["priceExcl"] = excl
    if incl is not None:
        variant["priceIncl"] = incl


def _apply_image(catalog: Catalog, variant: dict[str, Any], image: Any, rules: VariantRules) -> None:
    if image is CLEAR_IMAGE:
        if rules.image_clear == "clear":
            variant["image"] = False
        return
    moment = stamp(catalog.now())
    stem, _, extension = image["filename"].rpartition(".")
    folder = f"https://static.koffiebranderij.example.nl/shops/310000/files/{image['checksum']}"
    variant["image"] = {
        "createdAt": moment,
        "updatedAt": moment,
        "extension": extension.lower(),
        "size": image["size"],
        "title": stem,
        "thumb": f"{folder}/50x50x2/{image['filename']}",
        "src": f"{folder}/{image['filename']}",
    }
