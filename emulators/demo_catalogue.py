"""The demo shop's product range, shared by both emulators so that the demo books cleanly end to end.

The Lightspeed emulator sells these products; the AFAS emulator's default item catalogue holds the item
code the default mapping rules pick for each (``articleCode``, else ``sku``, else ``ean``). Products with
``in_afas=False`` exist only in the webshop: an order with one fails with AFAS's own "item does not exist"
refusal, which is what a merchant sees when a product was never created in Profit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class DemoProduct:
    """One webshop product; ``price_incl`` is the unit price incl. VAT, ``tax_rate`` a fraction."""

    article_code: str
    sku: str
    ean: str
    title: str
    variant: str
    brand: str
    price_incl: Decimal
    tax_rate: Decimal
    in_afas: bool = True

    @property
    def afas_item_code(self) -> str:
        """The item code the default mapping rules choose: articleCode, then sku, then ean."""
        return self.article_code or self.sku or self.ean


D = Decimal
HIGH, LOW, ZERO = D("0.21"), D("0.09"), D("0")

PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct(
        "ART-1001",
        "KOF-BON-250",
        "8712345000014",
        "Koffiebonen Espresso",
        "250 g",
        "Brandpunt",
        D("8.95"),
        LOW,
    ),
    DemoProduct(
        "ART-1002",
        "KOF-BON-1000",
        "8712345000021",
        "Koffiebonen Espresso",
        "1 kg",
        "Brandpunt",
        D("29.95"),
        LOW,
    ),
    DemoProduct(
        "ART-1003", "THEE-GRN-100", "8712345000038", "Groene thee Sencha", "100 g", "Theehuys", D("6.49"), LOW
    ),
    DemoProduct(
        "ART-1004",
        "CHOC-PUUR-72",
        "8712345000045",
        "Chocoladereep puur 72%",
        "100 g",
        "Cacaofabriek",
        D("3.79"),
        LOW,
    ),
    DemoProduct(
        "ART-1005", "STROOP-12", "8712345000052", "Stroopwafels", "12 stuks", "Gouda's Glorie", D("4.25"), LOW
    ),
    DemoProduct(
        "ART-2001", "MOK-WIT-350", "8712345000106", "Koffiemok wit", "350 ml", "Serveerwerk", D("12.50"), HIGH
    ),
    DemoProduct(
        "ART-2002",
        "MOK-BLW-350",
        "8712345000113",
        "Koffiemok Delfts blauw",
        "350 ml",
        "Serveerwerk",
        D("14.95"),
        HIGH,
    ),
    DemoProduct(
        "ART-2003", "FRENCH-PRS-1L", "8712345000120", "French press", "1 liter", "Bodum", D("39.99"), HIGH
    ),
    DemoProduct(
        "ART-2004",
        "MOLEN-HAND",
        "8712345000137",
        "Koffiemolen handmatig",
        "keramisch maalwerk",
        "Hario",
        D("54.00"),
        HIGH,
    ),
    DemoProduct(
        "ART-2005",
        "KETEL-ZW",
        "8712345000144",
        "Waterkoker zwanenhals",
        "0,8 liter",
        "Fellow",
        D("89.00"),
        HIGH,
    ),
    DemoProduct(
        "ART-2006", "FILT-PAP-100", "8712345000151", "Filterpapier", "100 stuks", "Melitta", D("3.49"), HIGH
    ),
    DemoProduct(
        "ART-2007",
        "WEEGSCH-01",
        "8712345000168",
        "Koffieweegschaal",
        "met timer",
        "Timemore",
        D("44.95"),
        HIGH,
    ),
    DemoProduct("", "BARISTA-DOEK", "8712345000175", "Baristadoek", "katoen", "Brandpunt", D("7.95"), HIGH),
    DemoProduct("", "", "8712345000182", "Tamper 58 mm", "RVS", "Motta", D("24.99"), HIGH),
    DemoProduct("ART-3001", "CADEAUBON-25", "", "Cadeaubon", "€ 25", "Brandpunt", D("25.00"), ZERO),
    DemoProduct("ART-3002", "CADEAUBON-50", "", "Cadeaubon", "€ 50", "Brandpunt", D("50.00"), ZERO),
    DemoProduct(
        "ART-3003", "WORKSHOP-LATTE", "", "Workshop latte art", "2 uur", "Brandpunt", D("65.00"), HIGH
    ),
    DemoProduct(
        "ART-9001",
        "PROEF-NIEUW",
        "8712345000199",
        "Proefpakket nieuwe oogst",
        "4 x 50 g",
        "Brandpunt",
        D("11.95"),
        LOW,
        in_afas=False,
    ),
)

# The tenant-level item codes the demo tenant books discounts, shipping, payment costs and rounding on.
COST_ITEMS: dict[str, str] = {
    "discount": "KORTING",
    "shipping": "VERZEND",
    "payment_fee": "BETAALKOST",
    "rounding": "AFRONDING",
}


def tenant_file(
    tenant: str,
    name: str,
    lightspeed_conn_id: str,
    afas_conn_id: str,
    start_date: str = "2026-10-01T00:00:00+02:00",
) -> dict[str, Any]:
    """A tenant file (as a dict) for a shop booked into the emulator's demo environment: its
    administration, journal, warehouse and the cost item codes above. Tests and benchmarks start here."""
    return {
        "tenant": tenant,
        "name": name,
        "start_date": start_date,
        "lightspeed": {"conn_id": lightspeed_conn_id},
        "afas": {
            "conn_id": afas_conn_id,
            "administration": 1,
            "sales_journal": "VK",
            "warehouse": "01",
            "items": dict(COST_ITEMS),
            "new_relation": {"currency": "EUR", "payment_condition": "14"},
        },
    }
