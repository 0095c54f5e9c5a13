"""The demo shop's order that AFAS refuses on purpose (product ART-9001 is not an AFAS item): its reason in
the ledger names the item and the line we sent, not only AFAS's "the value for 'Artikel' does not exist"."""

from __future__ import annotations

import requests

from emulators.demo_catalogue import PRODUCTS

UNKNOWN = {p.afas_item_code for p in PRODUCTS if not p.in_afas}


def test_the_refused_order_says_which_item_on_which_line(sync_env):
    sync_env.run()
    shop = requests.get(f"{sync_env.lightspeed.url}/_admin/state", timeout=10).json()["orders"]
    refused = {}
    for order in shop:
        codes = [
            ln["articleCode"] or ln["sku"] or ln["ean"] for ln in order["products"]["resource"]["embedded"]
        ]
        if order["status"] != "cancelled" and UNKNOWN & set(codes):
            refused[order["id"]] = (order, codes)
    assert refused, "the seeded shop sells the product AFAS does not know"
    states = sync_env.ledger.order_states("shop", list(refused))
    for order_id, (order, codes) in refused.items():
        state = states[order_id]
        assert state.status == "failed"
        assert state.reason.startswith("AFAS: De ingevulde waarde bij 'Artikel' bestaat niet. (we sent item")
        for position, code in enumerate(codes, start=1):  # product lines come first, in the shop's order
            assert (
                f"{code} on line {position}" in state.reason or f"{code} on lines {position}" in state.reason
            )
        personal = [order.get(k) for k in ("email", "firstname", "lastname", "phone", "addressBillingStreet")]
        assert not [p for p in personal if isinstance(p, str) and p and p in state.reason]
