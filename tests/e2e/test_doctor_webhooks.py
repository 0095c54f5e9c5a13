"""``python -m lightspeed_afas doctor`` for a tenant with a webhooks block, against the Lightspeed emulator's
``webhooks.json``: before ``webhooks install`` it fails with the counts and the command, after it the
shop's webhooks are ok (one list call each time); the receiver's reachability is a note."""

from __future__ import annotations

from emulators.lightspeed import DEMO_API_SECRET
from lightspeed_afas.cli.main import main
from lightspeed_afas.domain.webhook_signature import address_token
from tests.e2e.test_doctor_records import doctor

URL = "https://hooks.example.nl"


def test_doctor_compares_the_shops_webhooks_with_what_install_makes(sync_env, capsys):
    sync_env.tenant(webhooks={"public_url": URL, "actions": ["created", "paid"]})
    sync_env.reset_calls()
    code, out = doctor(sync_env, capsys)
    assert code == 1, "\n".join(out)
    assert out[1:3] == [
        "ok   Lightspeed webhooks of ls_shop: webhooks.json answers: the shop has 0 webhook(s), 0 of them this "
        "tenant's",
        "FAIL webhooks of tenant shop: the shop does not have the 2 order webhook(s) webhooks.actions asks for "
        f"at {URL} (2 to create, 0 to update, 0 to remove, 0 already right): run python -m lightspeed_afas "
        "webhooks install shop",
    ]
    assert out[-2].startswith(f"note not checked: that Lightspeed reaches the receiver at {URL}"), "the last"
    assert out[-1] == "shop: 1 problem(s) to fix"
    lightspeed, _ = sync_env.calls()
    assert lightspeed["calls"] == {"GET /{lang}/shop.json": 1, "GET /{lang}/webhooks.json": 1}

    assert main(["webhooks", "install", "shop"]) == 0
    capsys.readouterr()
    code, out = doctor(sync_env, capsys)
    assert code == 0, "\n".join(out)
    assert out[2] == (
        "ok   webhooks of tenant shop: the shop has the 2 order webhook(s) webhooks install makes (created, "
        f"paid, at {URL}); nothing to do"
    )
    assert out[-1] == "shop: all checks passed"

    sync_env.tenant(webhooks={"public_url": URL, "actions": ["created"]})  # paid no longer wanted
    code, out = doctor(sync_env, capsys)
    assert code == 0 and out[2].startswith(
        "note webhooks of tenant shop: the 1 wanted are registered, and 1 more"
    )
    assert not [x for x in out if address_token(DEMO_API_SECRET, "shop") in x]
