"""``doctor`` for a tenant with a webhooks block, on stand-in hooks: the key lists the shop's webhooks, and
they are what ``webhooks install`` would make (ok), or the counts and the command that fixes them (a FAIL
when a wanted one is missing or different, a note when only extra ones are left); the receiver's
reachability is a note. No line shows the address token. Without the block nothing is checked.
(tests/e2e/test_doctor_webhooks.py runs the same checks against the Lightspeed emulator.)"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from lightspeed_afas.cli import doctor
from lightspeed_afas.config import load_tenant
from lightspeed_afas.domain.webhook_signature import address_token
from lightspeed_afas.hooks.errors import LightspeedAuthError
from tests.unit.cli.test_doctor_records import FakeAfas, FakeLightspeed

SECRET = "s3cr3t-of-the-shop"
URL = "https://hooks.example.nl"
OTHER_FLOWS_OFF = {"stock": None, "articles": None, "customers": None, "credit_notes": None, "webhooks": None}
TOKEN = address_token(SECRET, "acme")
INSTALL = "run python -m lightspeed_afas webhooks install acme"
REACH = (
    f"note not checked: that Lightspeed reaches the receiver at {URL} from the internet (the doctor does not "
    f'call it); GET {URL}/health from outside answers {{"status": "ok"}}, and the webhooks it answered show in '
    "python -m lightspeed_afas log acme --webhooks"
)


def ours(webhook_id: int, action: str, base: str = URL, **changes: Any) -> dict[str, Any]:
    address = f"{base}/lightspeed/acme/{TOKEN}?action={action}"
    hook = {"id": webhook_id, "isActive": True, "itemGroup": "orders", "itemAction": action,
            "language": {"id": 1, "code": "nl"}, "format": "json", "address": address}  # fmt: skip
    return hook | changes


FOREIGN = {
    "id": 99,
    "isActive": True,
    "itemGroup": "orders",
    "itemAction": "*",
    "address": "https://erp.example/x",
}


class WebhookLightspeed(FakeLightspeed):
    def __init__(self, conn_id: str, webhooks: list[dict[str, Any]] | None = None, refuse: bool = False,
                 **kw: Any) -> None:  # fmt: skip
        super().__init__(conn_id, **kw)
        self.webhooks, self.refuse_webhooks, self.listed = webhooks or [], refuse, 0

    def list_webhooks(self) -> list[dict[str, Any]]:
        self.listed += 1
        if self.refuse_webhooks:
            raise LightspeedAuthError(
                "Lightspeed refused connection 'lightspeed_demo' (403: Forbidden).", 403
            )
        return self.webhooks


@pytest.fixture
def hooks(monkeypatch) -> dict[str, Any]:
    """The doctor's hooks as stand-ins (options under ``lightspeed``), and the connection's secret."""
    made: dict[str, Any] = {"lightspeed": {}}

    def outside_task(hook_class: type) -> Any:
        if hook_class.__name__ == "LightspeedEcomHook":
            return lambda conn_id: made.setdefault("ls", WebhookLightspeed(conn_id, **made["lightspeed"]))
        return lambda conn_id: made.setdefault("afas_hook", FakeAfas(conn_id))

    def connection(conn_id: str) -> Any:
        assert conn_id == "lightspeed_demo"
        return SimpleNamespace(password=SECRET, extra_dejson={"language": "nl"})

    monkeypatch.setattr("lightspeed_afas.config.airflow_connections.outside_task", outside_task)
    monkeypatch.setattr("lightspeed_afas.config.airflow_connections.connection_outside_tasks", connection)
    return made


def lines(include, hooks_block: dict[str, Any] | None = None) -> list[str]:
    block = {"public_url": URL, "actions": ["created", "paid"]} if hooks_block is None else hooks_block
    include.tenant("acme", {**OTHER_FLOWS_OFF, "webhooks": block})
    found = [f"{status} {line}" for status, line in doctor.diagnose(load_tenant("acme"))]
    assert not [x for x in found if TOKEN in x], "the token is as good as a password"
    return found


def webhook_lines(found: list[str]) -> list[str]:
    return [x for x in found if "webhook" in x]


def test_a_shop_without_the_webhooks_fails_with_the_counts_and_the_command(include, hooks):
    hooks["lightspeed"] = {"webhooks": [FOREIGN]}
    found = lines(include)
    assert webhook_lines(found) == [
        "ok   Lightspeed webhooks of lightspeed_demo: webhooks.json answers: the shop has 1 webhook(s), 0 of "
        "them this tenant's",
        "FAIL webhooks of tenant acme: the shop does not have the 2 order webhook(s) webhooks.actions asks for "
        f"at {URL} (2 to create, 0 to update, 0 to remove, 0 already right): {INSTALL}",
        REACH,
    ]
    assert found.index(webhook_lines(found)[0]) == 1, "right after the shop, with the other Lightspeed checks"
    assert found[-1] == REACH and hooks["ls"].listed == 1
    assert [x for x in found if x.startswith("FAIL")] == [webhook_lines(found)[1]]


def test_the_webhooks_install_makes_are_ok(include, hooks):
    hooks["lightspeed"] = {"webhooks": [ours(1, "created"), FOREIGN, ours(2, "paid")]}
    found = lines(include)
    assert webhook_lines(found)[:2] == [
        "ok   Lightspeed webhooks of lightspeed_demo: webhooks.json answers: the shop has 3 webhook(s), 2 of "
        "them this tenant's",
        "ok   webhooks of tenant acme: the shop has the 2 order webhook(s) webhooks install makes (created, "
        f"paid, at {URL}); nothing to do",
    ]
    assert not [x for x in found if x.startswith("FAIL")]


def test_an_inactive_or_changed_one_and_a_missing_action_fail(include, hooks):
    hooks["lightspeed"] = {
        "webhooks": [ours(1, "created", isActive=False), ours(2, "paid", language={"code": "de"})]
    }
    found = lines(include, {"public_url": URL})  # every action: created, updated, paid
    assert (
        "FAIL webhooks of tenant acme: the shop does not have the 3 order webhook(s) webhooks.actions asks for "
        f"at {URL} (1 to create, 2 to update, 0 to remove, 0 already right): {INSTALL}"
    ) in found


def test_only_extra_ones_left_is_a_note(include, hooks):
    hooks["lightspeed"] = {
        "webhooks": [
            ours(1, "created"),
            ours(2, "paid"),
            ours(3, "created"),  # a duplicate (a lost POST answer)
            ours(4, "updated"),  # no longer in actions
            ours(5, "paid", base="https://old.example.nl"),  # an old public_url
        ]
    }
    found = lines(include)
    assert (
        "note webhooks of tenant acme: the 2 wanted are registered, and 3 more of this tenant's (a duplicate, an "
        "action no longer wanted or an old public_url) that install removes (0 to create, 0 to update, 3 to "
        f"remove, 2 already right): {INSTALL}"
    ) in found
    assert not [x for x in found if x.startswith("FAIL")]


def test_a_key_that_may_not_list_webhooks_is_one_line_with_what_to_fix(include, hooks):
    hooks["lightspeed"] = {"refuse": True}
    found = lines(include)
    assert webhook_lines(found) == [
        "FAIL Lightspeed webhooks of lightspeed_demo: Lightspeed refused connection 'lightspeed_demo' (403: "
        "Forbidden). webhooks install registers the receiver through webhooks.json: the key must be allowed to "
        "read and write webhooks.",
        REACH,
    ]


def test_a_shop_that_does_not_answer_lists_no_webhooks_but_keeps_the_note(include, hooks):
    hooks["lightspeed"] = {"shop_error": LightspeedAuthError("401: wrong key", 401)}
    found = lines(include)
    assert "FAIL Lightspeed connection lightspeed_demo: 401: wrong key" in found
    assert hooks["ls"].listed == 0 and webhook_lines(found) == [REACH]


def test_without_the_block_nothing_of_the_webhooks_is_checked(include, hooks):
    include.tenant("acme", OTHER_FLOWS_OFF)
    found = [f"{status} {line}" for status, line in doctor.diagnose(load_tenant("acme"))]
    assert webhook_lines(found) == [] and hooks["ls"].listed == 0
    assert not [x for x in found if x.startswith("FAIL")]
