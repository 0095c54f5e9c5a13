"""Validators accept a value only as a whole: no trailing newline slips past an anchored pattern, and no
line break reaches an e-mail header through the tenant file's ``from_email``."""

from __future__ import annotations

import re

import pytest

from lightspeed_afas.config import ConfigError, load_mapping, load_tenant_file
from lightspeed_afas.config import mapping as mapping_module
from lightspeed_afas.config.tenant import TENANT_ID


def problems(path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_tenant_file(path)
    return [str(p) for p in caught.value.problems]


def test_a_tenant_id_with_a_trailing_newline_is_refused(include):
    assert TENANT_ID.match("acme\n") is None and TENANT_ID.fullmatch("acme\n") is None
    assert TENANT_ID.match("acme_2") is not None
    assert problems(include.tenant("t", {"tenant": "t\n"})) == [
        "include/tenants/t.yaml: tenant: 't\\n' is not a tenant id: use lower-case letters, digits and _ only"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('vat_codes: {"0.21\\n": "1"}', "vat_codes: VAT rate key '0.21\\n' is not a fraction"),
        ('countries: {"be\\n": "B"}', "countries: country key 'be\\n' is not a two-letter ISO code"),
    ],
)
def test_mapping_keys_and_codes_with_a_trailing_newline_are_refused(include, text, expected):
    include.write("custom.yaml", text + "\n", folder="mappings")
    with pytest.raises(ConfigError) as caught:
        load_mapping("custom")
    found = [str(p) for p in caught.value.problems]
    assert len(found) == 1 and found[0].startswith(f"include/mappings/custom.yaml: {expected}"), found


def test_every_compiled_pattern_of_the_config_is_anchored_at_the_very_end():
    """``$`` with ``re.match`` lets "value\\n" through: the config's own patterns end in ``\\Z``."""
    patterns = [TENANT_ID] + [v for v in vars(mapping_module).values() if isinstance(v, re.Pattern)]
    assert len(patterns) >= 4
    for pattern in patterns:
        assert pattern.pattern.startswith("\\A") and pattern.pattern.endswith("\\Z"), pattern.pattern


@pytest.mark.parametrize(
    "sender", ["ops@example.nl\r\nBcc: all@example.org", "ops@example.nl\n", "Ops\r <ops@example.nl>"]
)
def test_a_from_email_with_a_line_break_is_refused(include, sender):
    found = problems(
        include.tenant("t", {"notifications.email": ["ops@example.nl"], "notifications.from_email": sender})
    )
    assert len(found) == 1, found
    assert found[0].startswith(
        f"include/tenants/t.yaml: notifications.from_email: {sender!r} holds a line break"
    ), found
    assert "give one address (or 'Name <address>') on one line" in found[0]


@pytest.mark.parametrize("sender", ["ops@example.nl", "Acme Ops <ops@example.nl>"])
def test_a_from_email_on_one_line_is_accepted(include, sender):
    path = include.tenant(
        "t", {"notifications.email": ["ops@example.nl"], "notifications.from_email": sender}
    )
    assert load_tenant_file(path).config.notifications.from_email == sender
