"""The `destinations:`, `privacy:` and `pii` keys of segmint.yaml: accepted forms and errors."""

from __future__ import annotations

from typing import Any

import pytest

from segmint.activation.destination_config import PostgresDestination, WebhookDestination
from segmint.config import parse_config
from segmint.errors import ConfigError

HOOK = {"type": "webhook", "url": "https://crm.example.com/hook", "secret_env": "HOOK_SECRET"}


def source(**extra: Any) -> dict[str, Any]:
    return {"name": "crm", "table": "customers", "path": "c.csv", **extra}


def test_pii_as_a_list_or_as_column_tags() -> None:
    config = parse_config(
        {
            "sources": [
                source(pii=["phone"], columns={"email": {"from": "E-Mail", "pii": True}, "name": "N"}),
                {"name": "shop", "table": "customers", "path": "s.csv",
                 "columns": {"email": {"pii": True}}},
            ]
        }
    )  # fmt: skip
    assert config.sources[0].columns == {"email": "E-Mail", "name": "N"}
    assert config.sources[0].pii == ["phone", "email"]
    assert config.sources[1].columns == {}
    assert config.pii_columns() == ["phone", "email"]
    with pytest.raises(
        ConfigError, match=r"columns.email: unknown key\(s\) secret; allowed: from, pii"
    ):
        parse_config({"sources": [source(columns={"email": {"from": "E", "secret": True}})]})


def test_destinations_parse_into_their_types_with_defaults() -> None:
    config = parse_config(
        {
            "destinations": {
                "hook": {**HOOK, "tag": "vip"},
                "dw": {"type": "postgres", "url_env": "DW_URL", "table": "mart.segments"},
            },
            "privacy": {"min_export_size": 25},
        }
    )
    hook, dw = config.destinations["hook"], config.destinations["dw"]
    assert isinstance(hook, WebhookDestination) and isinstance(dw, PostgresDestination)
    assert (hook.batch_size, hook.max_attempts, hook.pii) == (500, 5, "drop")
    assert dw.table == "mart.segments" and config.privacy.min_export_size == 25
    queue = parse_config(
        {"destinations": {"q": {**HOOK, "actions": True, "channels": ["csm_task", "webhook"]}}}
    ).destinations["q"]
    assert isinstance(queue, WebhookDestination) and queue.actions and queue.message == "drop"
    assert queue.channels == ["csm_task", "webhook"] and queue.playbooks == []
    assert parse_config({}).privacy.min_export_size == 10


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        (HOOK, "give exactly one of 'scheme', 'tag' or 'actions: true'"),
        ({**HOOK, "scheme": "a", "tag": "b"}, "give exactly one of"),
        (
            {**HOOK, "actions": True, "channels": ["fax"]},
            "unknown channel(s) 'fax'; allowed: email",
        ),
        ({**HOOK, "scheme": "a", "playbooks": ["x"]}, "they need 'actions: true'"),
        ({**HOOK, "scheme": "a", "message": "keep"}, "they need 'actions: true'"),
        ({**HOOK, "tag": "a", "segments": ["x"]}, "'segments' needs 'scheme'"),
        ({**HOOK, "actions": True, "message": "print"}, "message"),
        ({**HOOK, "scheme": "a", "url": "ftp://x"}, "url must start with http:// or https://"),
        (
            {**HOOK, "scheme": "a", "secret_env": "not a name"},
            "is not an environment variable name",
        ),
        ({**HOOK, "scheme": "a", "secret": "inline"}, "unknown key"),
        ({**HOOK, "scheme": "a", "pii": "keep"}, "pii"),
        ({"type": "postgres", "url_env": "U", "table": "Drop Table"}, "must be lowercase letters"),
        ({"type": "ftp"}, "does not match any of the expected tags: 'webhook', 'postgres'"),
    ],
)
def test_bad_destinations_name_the_key(destination: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match="destinations.d") as raised:
        parse_config({"destinations": {"d": destination}})
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
