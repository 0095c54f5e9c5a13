"""Catalogue writes an articles sync needs: product POST/PUT/DELETE, variant POST/DELETE (reference
§1.1, §1.2), the shop's caps (§1.4) and taxes (§1.3) on variant writes.

Products (internal, next to ``catalog``'s form): ``title``, ``fulltitle``, ``description``,
``content`` and ``url`` are ``{lang: text}`` — a POST or PUT sets the request language's texts only
(a GET in another language reads that language's, ``untranslated_text`` for one never set);
``visibility``, ``isVisible``, ``data01..03``, ``brand``, ``supplier``, ``type`` are shared.
Product body ``{"product": {…}}`` (root key checks as the variant PUT's): writable ``title`` (POST:
required; a non-empty string, else 400 "Invalid product title"), ``fulltitle``, ``description``,
``content``, ``data01..03`` (strings), ``url`` (a non-empty string; not de-duplicated), ``visibility``
(visible|hidden|auto), ``isVisible`` (bool), ``brand``, ``supplier``, ``type`` (an id, int ≥ 1,
stored without a check — the emulator has no brands — or false to unset). Read-only fields (id,
createdAt, updatedAt, hasMatrix, set, deliverydate, categories, image, images, relations,
metafields, reviews, attributes, tags, variants, movements, templateDataFields) follow
``readonly_fields``; any other field is a 400 "Unknown field 'X'". Everything is checked first: a
400 changes nothing. A POST in {lang}: ``fulltitle`` defaults to the title, ``url`` to its slug,
``description``/``content`` to ""; a PUT setting a title in a language with no url yet gives it the
slug too. A PUT bumps ``updatedAt`` (at least +1 s); a variant POST/PUT leaves the product's alone.
Variant POST ``{"variant": {…, "product": <id>}}``: ``product`` required (missing or not an int ≥ 1:
400; unknown: 404 "Product not found"), the other fields as the PUT's (``catalog_put``) on a fresh
variant (sortOrder next, codes "", money 0, stockLevel 0, stockAlert 0, stockMinimum 0,
stockBuyMinimum 1, stockBuyMaximum 10000, units kg/l/cm, tax false, image false, isDefault false);
a stock level sent is a movement "api" and follows the stock rules, so under ``stockTracking``
"disabled" and ``stock_put_when_disabled`` "ignore" it stays 0. ``tax`` (PUT and POST) must be a
tax of ``/taxes.json`` (``unknown_tax``) and brings its rate, which ``price_write`` "derive" uses.
The admin API creates products and variants without the caps or the create rules.

Rules (``VariantRules``; ``POST /_admin/variant_rules``; first value = default = the strictest
plausible reading of the reference's [U], §3 items 4, 5, 7, 8, 17, 18):
- ``create_status`` 201|200: the status of a successful POST (products, variants); body
  ``{"product"|"variant": …}``. No source gives it; 201 trips a client that expects exactly 200.
- ``delete_status`` 204|200: a successful DELETE answers 204 without a body | 200 ``{}``.
- ``product_delete`` cascade|keep_variants: a product DELETE deletes its variants | leaves them
  (their ``product`` link then points nowhere).
- ``last_variant_delete`` refuse|allow: deleting a product's only variant is a 400 "A product must
  have at least one variant" | allowed. A deleted default variant passes its flag to no one.
- ``shop_limit_exceeded`` refuse|ignore: a product POST when the shop has ``maxProducts`` products is
  a 400 "The shop has reached its maximum number of products (N)", a variant POST to a product with
  ``maxProductsVariants`` variants a 400 "The product has reached its maximum number of variants (N)"
  | the caps are not enforced.
- ``created_stock_tracking`` disabled|indicator|enabled: the ``stockTracking`` of a variant the API
  creates (the product POST's default variant; a variant POST not sending one). The doc example's
  default variant says "indicator", but it was edited (stockLevel 100, oldPrice 23 at price 0), so
  it is no evidence of a fresh value; "disabled" makes a sync that never sets it see its stock
  writes ignored.
- ``title_max_length`` 255 (any whole number): the longest product or variant title taken (the
  reference gives none); a longer one is a 400 "Invalid product title: at most N characters".
- ``default_variant_title`` "Default" (any non-empty string): the title of the product POST's
  default variant, in the request's language only (the doc example's "Default"); the rest of that
  variant as a fresh one above, ``isDefault`` true, sortOrder 1.
- ``created_visibility`` hidden|visible|auto: the visibility of a POSTed product that sends neither
  ``visibility`` nor ``isVisible``.
- ``variant_post_title`` required|default: a variant POST without ``title`` is a 400 "Invalid
  variant title" | gets ``default_variant_title``.
- ``visibility_write`` linked|independent: ``isVisible`` follows ``visibility`` (hidden → false,
  visible/auto → true), ``isVisible`` alone sets visibility visible/hidden, a contradicting pair is
  a 400 | both are stored as sent.
- ``product_filters`` ignore|apply|refuse: the list filters only NT knows (``brand``, ``supplier``,
  ``type`` ids, ``isVisible`` true/false, ``title`` exact in the request language) are not applied
  (the whole list comes back) | applied | a 400 "Unknown filter: X".
- ``unknown_tax`` refuse|accept: a ``tax`` id not in ``/taxes.json`` is a 400 | stored (the rate
  stays as it was).
"""

from __future__ import annotations

from typing import Any

from emulators.lightspeed.catalog import Catalog, slug
from emulators.lightspeed.catalog_put import _bad, _flag, _string, apply_put, checked_changes, new_level
from emulators.lightspeed.config import VariantRules
from emulators.lightspeed.emulator import ApiError, LightspeedEmulator

PRODUCT_TEXTS = ("title", "fulltitle", "description", "content", "url")
DATA_FIELDS = ("data01", "data02", "data03")
REFERENCES = ("brand", "supplier", "type")
VISIBILITY = ("visible", "hidden", "auto")
PRODUCT_READ_ONLY = frozenset(
    "id createdAt updatedAt hasMatrix set deliverydate categories image images relations metafields "
    "reviews attributes tags variants movements templateDataFields".split()
)


def _product_title(name: str, value: Any, rules: VariantRules) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "Invalid product title")
    if len(value) > rules.title_max_length:
        raise ApiError(400, f"Invalid product title: at most {rules.title_max_length} characters")
    return value


def _url(name: str, value: Any, rules: VariantRules) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(name, "a non-empty string", value)
    return value


def _visibility(name: str, value: Any, rules: VariantRules) -> str:
    if not isinstance(value, str) or value not in VISIBILITY:
        raise _bad(name, "one of " + ", ".join(VISIBILITY), value)
    return value


def _reference(name: str, value: Any, rules: VariantRules) -> int | bool:
    if value is False:
        return False
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _bad(name, f"a {name} id or false", value)
    return value


PRODUCT_WRITABLE = {
    "title": _product_title,
    "url": _url,
    "visibility": _visibility,
    "isVisible": _flag,
    **dict.fromkeys(("fulltitle", "description", "content", *DATA_FIELDS), _string),
    **dict.fromkeys(REFERENCES, _reference),
}


def checked_product(fields: dict[str, Any], rules: VariantRules, creating: bool) -> dict[str, Any]:
    """The checked changes of a product POST (``creating``) or PUT body; raises the 400 otherwise."""
    changes = {}
    for name, value in fields.items():
        if name in PRODUCT_READ_ONLY:
            if rules.readonly_fields == "refuse":
                raise ApiError(400, f"Field '{name}' is read-only")
            continue
        check = PRODUCT_WRITABLE.get(name)
        if check is None:
            raise ApiError(400, f"Unknown field '{name}'")
        changes[name] = check(name, value, rules)
    if creating and "title" not in changes:
        raise ApiError(400, "Invalid product title")
    if rules.visibility_write == "linked":
        shown, visibility = changes.get("isVisible"), changes.get("visibility")
        if visibility is not None and shown is not None and shown != (visibility != "hidden"):
            raise ApiError(400, "Fields 'visibility' and 'isVisible' contradict each other")
        if visibility is not None:
            changes["isVisible"] = visibility != "hidden"
        elif shown is not None:
            changes["visibility"] = "visible" if shown else "hidden"
    return changes


def check_limit(count: int, cap: int | bool, message: str, rules: VariantRules) -> None:
    if rules.shop_limit_exceeded == "refuse" and count >= cap:
        raise ApiError(400, f"{message} ({cap})")


def resolve_tax(emu: LightspeedEmulator, changes: dict[str, Any]) -> None:
    """A ``tax`` id of the shop brings its rate (``taxRate``); an unknown one per ``unknown_tax``."""
    if "tax" not in changes:
        return
    tax = emu.taxes.get(changes["tax"])
    if tax is not None:
        changes["taxRate"] = tax.rate
    elif emu.catalog.rules.unknown_tax == "refuse":
        raise ApiError(400, f"Invalid value for field 'tax': there is no tax with id {changes['tax']}")


def set_texts(product: dict[str, Any], changes: dict[str, Any], lang: str) -> None:
    """Apply checked product changes: the texts in ``lang``, the rest shared."""
    changes = dict(changes)
    for key in PRODUCT_TEXTS:
        if key in changes:
            product[key] = {**product[key], lang: changes.pop(key)}
    if lang not in product["url"] and lang in product["title"]:
        product["url"] = {**product["url"], lang: slug(product["title"][lang]) or str(product["id"])}
    product.update(changes)


def create_product(emu: LightspeedEmulator, fields: dict[str, Any], lang: str) -> dict[str, Any]:
    """``POST /{lang}/products.json``: the new product, with its default variant."""
    catalog, rules = emu.catalog, emu.catalog.rules
    changes = checked_product(fields, rules, creating=True)
    with catalog.lock:
        cap = emu.shop_limits["maxProducts"]
        check_limit(len(catalog.products), cap, "The shop has reached its maximum number of products", rules)
        moment, pid = catalog.now(), max(catalog.next_product, max(catalog.products, default=0) + 1)
        catalog.next_product = pid + 1
        visibility = rules.created_visibility
        product: dict[str, Any] = {"id": pid, "created": moment, "updated": moment, "next_sort": 1, "raw": {}}
        product.update(visibility=visibility, isVisible=visibility != "hidden")
        product.update({key: {} for key in PRODUCT_TEXTS}, **dict.fromkeys(DATA_FIELDS, ""))
        product.update(dict.fromkeys(REFERENCES, False))
        title = changes["title"]
        product.update(fulltitle={lang: title}, description={lang: ""}, content={lang: ""})
        set_texts(product, changes, lang)
        variant = fresh_variant(emu, product, {lang: rules.default_variant_title})
        variant["isDefault"] = True
        catalog.products[pid] = product
        catalog.variants[variant["id"]] = variant
        catalog.codes_changed()
        return product


def fresh_variant(emu: LightspeedEmulator, product: dict[str, Any], title: dict[str, str]) -> dict[str, Any]:
    variant = emu.catalog.blank_variant(product, emu.catalog.now())
    tracking = emu.catalog.rules.created_stock_tracking
    variant.update(stockTracking=tracking, title=title, taxRate=emu.taxes.default_rate)
    return variant


def update_product(catalog: Catalog, product: dict[str, Any], fields: dict[str, Any], lang: str) -> None:
    """``PUT /{lang}/products/{id}.json``: checks everything, then applies it and bumps ``updatedAt``."""
    changes = checked_product(fields, catalog.rules, creating=False)
    with catalog.lock:
        set_texts(product, changes, lang)
        product["updated"] = catalog.bumped(product["updated"])


def product_variant_ids(catalog: Catalog, product_id: int) -> list[int]:
    with catalog.lock:
        return sorted(vid for vid, v in catalog.variants.items() if v["product"] == product_id)


def delete_product(catalog: Catalog, product_id: int) -> None:
    """``DELETE /{lang}/products/{id}.json`` (404 when unknown), per ``product_delete``."""
    with catalog.lock:
        if catalog.products.pop(product_id, None) is None:
            raise ApiError(404, "Product not found")
        if catalog.rules.product_delete == "cascade":
            for vid in product_variant_ids(catalog, product_id):
                catalog.delete(vid)


def delete_variant(catalog: Catalog, variant_id: int) -> None:
    """``DELETE /{lang}/variants/{id}.json`` (404 when unknown), per ``last_variant_delete``."""
    with catalog.lock:
        variant = catalog.variants.get(variant_id)
        if variant is None:
            raise ApiError(404, "Variant not found")
        only = product_variant_ids(catalog, variant["product"]) == [variant_id]
        if only and variant["product"] in catalog.products and catalog.rules.last_variant_delete == "refuse":
            raise ApiError(400, "A product must have at least one variant")
        catalog.delete(variant_id)


def create_variant(emu: LightspeedEmulator, fields: dict[str, Any], lang: str) -> dict[str, Any]:
    """``POST /{lang}/variants.json``: every check first, then the new variant."""
    catalog, rules = emu.catalog, emu.catalog.rules
    fields = dict(fields)
    if "product" not in fields:
        raise ApiError(400, "Missing field 'product': a variant is created for a product (its id)")
    product_id = fields.pop("product")
    if isinstance(product_id, bool) or not isinstance(product_id, int) or product_id < 1:
        raise _bad("product", "a product id", product_id)
    if "title" not in fields and rules.variant_post_title == "required":
        raise ApiError(400, "Invalid variant title")
    changes = checked_changes(fields, rules)
    resolve_tax(emu, changes)
    with catalog.lock:
        product = catalog.products.get(product_id)
        if product is None:
            raise ApiError(404, "Product not found")
        cap = emu.shop_limits["maxProductsVariants"]
        count = len(product_variant_ids(catalog, product_id))
        check_limit(count, cap, "The product has reached its maximum number of variants", rules)
        new_level({"stockLevel": 0, "stockTracking": rules.created_stock_tracking}, changes, rules)
        variant = fresh_variant(emu, product, {lang: rules.default_variant_title})
        if "title" in changes:
            variant["title"] = {}
        apply_put(catalog, variant, changes, lang)
        variant["updated"] = variant["created"]
        catalog.variants[variant["id"]] = variant
        catalog.codes_changed()
        return variant
