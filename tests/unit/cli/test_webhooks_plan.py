"""``webhooks install`` plans idempotently: keep what is right, update what differs, remove what the
tenant no longer wants and duplicates, create the rest; other apps' webhooks are never touched."""

from __future__ import annotations

from lightspeed_afas.cli.webhooks import _masked, plan

BASE = "https://hooks.example.nl/lightspeed/acme/tok"


def wanted(*actions: str) -> dict:
    return {
        f"{BASE}?action={a}": {"isActive": True, "itemGroup": "orders", "itemAction": a, "language": "nl",
                               "format": "json", "address": f"{BASE}?action={a}"}
        for a in actions
    }  # fmt: skip


def existing(webhook_id: int, action: str, **changes) -> dict:
    hook = {"id": webhook_id, "isActive": True, "itemGroup": "orders", "itemAction": action,
            "language": {"id": 1, "code": "nl"}, "format": "json", "address": f"{BASE}?action={action}"}  # fmt: skip
    hook.update(changes)
    return hook


def test_a_first_install_creates_one_webhook_per_action():
    todo = plan([], wanted("created", "updated", "paid"), "acme")
    assert [f["itemAction"] for f in todo["create"]] == ["created", "updated", "paid"]
    assert todo["update"] == todo["delete"] == todo["keep"] == []


def test_a_second_install_changes_nothing():
    hooks = [existing(1, "created"), existing(2, "updated")]
    todo = plan(hooks, wanted("created", "updated"), "acme")
    assert todo == {"create": [], "update": [], "delete": [], "keep": [1, 2]}


def test_inactive_duplicate_unwanted_and_foreign_webhooks():
    other_app = {"id": 9, "address": "https://other.example/hook", "itemGroup": "orders", "itemAction": "*"}
    hooks = [
        existing(1, "created", isActive=False),  # switched off in the shop: on again
        existing(2, "created"),  # a duplicate of 1 (a lost POST answer): removed
        existing(3, "paid"),  # no longer in actions: removed
        {**existing(4, "updated"), "address": "https://old.example.nl/lightspeed/acme/tok?action=updated"},
        other_app,
    ]
    todo = plan(hooks, wanted("created", "updated"), "acme")
    assert [i for i, _ in todo["update"]] == [1]
    assert sorted(todo["delete"]) == [2, 3, 4]
    assert [f["itemAction"] for f in todo["create"]] == ["updated"]
    assert 9 not in todo["delete"] and 9 not in todo["keep"]


def test_a_listed_address_does_not_show_its_token():
    assert _masked(f"{BASE}?action=paid") == "https://hooks.example.nl/lightspeed/acme/…?action=paid"
