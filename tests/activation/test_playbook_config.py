"""Playbook config: one-line errors naming the key; `segmint validate` checks names and fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from segmint.activation.messages import render_message, template_fields
from segmint.activation.playbook_config import playbooks_by_segment
from segmint.config import parse_config
from segmint.errors import ConfigError
from segmint.workspace.validate import validate_workspace

BASE: dict[str, Any] = {
    "sources": [{"name": "crm", "table": "customers", "path": "customers.csv"}],
    "schemes": [
        {
            "name": "value",
            "rules": [{"segment": "big", "when": "employees >= 100"}],
            "default": "small",
        }
    ],
    "tags": [{"name": "kr", "when": "country = 'KR'"}],
}


def _config(playbooks: dict[str, Any]) -> Any:
    return parse_config({**BASE, "playbooks": playbooks})


def _problems(tmp_path: Path, playbooks: dict[str, Any]) -> list[str]:
    (tmp_path / "customers.csv").write_text("customer_id\n1\n", encoding="utf-8")
    return validate_workspace(tmp_path, _config(playbooks))


@pytest.mark.parametrize(
    ("playbook", "message"),
    [
        ({"action": "x", "channel": "fax"}, "playbooks.p.channel: Input should be 'email'"),
        ({"action": "x", "cadence": "sometimes"}, "cadence 'sometimes' not understood"),
        ({"action": "x", "priority": 9}, "playbooks.p.priority"),
        ({"action": "x", "trigger": {"segment": "big", "tag": "kr"}}, "exactly one of segment"),
        ({"action": "x", "trigger": {"score": "mrr"}}, "needs exactly one of above, below"),
        ({"action": "x", "trigger": {"segment": "big", "above": 3}}, "belongs to a score trigger"),
        ({"action": "x", "message": "Hi {{ name "}, "message template, line 1"),
        ({"action": "x", "colour": "red"}, "playbooks.p.colour: unknown key"),
    ],
)
def test_bad_playbooks_are_refused_with_the_key(playbook: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        _config({"p": playbook})
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_validate_accepts_a_good_playbook(tmp_path: Path) -> None:
    playbooks = {
        "big_qbr": {
            "trigger": {"segment": "big", "scheme": "value"},
            "action": "QBR",
            "owner_column": "owner",
            "message": "Hi {{ name }} ({{ employees }} people, {{ owner }}) as of {{ as_of }}",
        },
        "kr": {"trigger": {"tag": "kr"}, "action": "Korean newsletter"},
        "small": {"action": "Self-serve content"},  # the short form: a segment's name
        "grew": {"trigger": {"entered": "big"}, "action": "Welcome to the big league"},
        "drop": {"trigger": {"score": "health_score", "crosses_below": 40}, "action": "Call"},
    }
    assert _problems(tmp_path, playbooks) == []


@pytest.mark.parametrize(
    ("playbook", "problem"),
    [
        ({"trigger": {"segment": "huge"}}, "playbooks.p.trigger.segment: no scheme has a segment called 'huge'"),
        ({"trigger": {"left": "huge"}}, "playbooks.p.trigger.left: no scheme has a segment called 'huge'"),
        ({"trigger": {"segment": "big", "scheme": "size"}}, "playbooks.p.trigger.scheme: unknown scheme 'size'"),
        ({"trigger": {"tag": "vip"}}, "playbooks.p.trigger.tag: unknown tag 'vip'; known: kr"),
        ({"trigger": {"score": "happiness", "above": 1}}, "playbooks.p.trigger.score: unknown score or feature 'happiness'"),
        ({"trigger": {"tag": "kr"}, "owner_column": "csm"}, "playbooks.p.owner_column: unknown customer field 'csm'"),
        ({"trigger": {"tag": "kr"}, "message": "Hi {{ nmae }}, {{ employees }}"}, "playbooks.p.message: unknown customer field(s) nmae"),
    ],
)  # fmt: skip
def test_validate_names_what_is_unknown(
    tmp_path: Path, playbook: dict[str, Any], problem: str
) -> None:
    problems = _problems(tmp_path, {"p": {"action": "x", **playbook}})
    assert len(problems) == 1
    assert problems[0].startswith(problem)


def test_the_short_form_names_a_segment(tmp_path: Path) -> None:
    assert _problems(tmp_path, {"tiny": {"action": "x"}}) == [
        "playbooks.tiny: no scheme has a segment called 'tiny'"
    ]


def test_templates_run_in_a_sandbox_and_blank_missing_values() -> None:
    assert render_message("{{ name }}: {{ mrr }}", {"name": "Acme", "mrr": None}) == "Acme: "
    assert render_message("{{ x }}", {"x": float("nan")}) == ""
    with pytest.raises(ValueError, match="unsafe|access"):
        render_message("{{ name.__class__.__mro__ }}", {"name": "Acme"})
    with pytest.raises(ValueError, match="undefined"):
        render_message("{{ missing }}", {"name": "Acme"})
    assert template_fields("{% if mrr > 5 %}{{ name | upper }}{% endif %}") == {"mrr", "name"}


def test_persona_cards_see_playbooks_by_the_segment_they_trigger_on() -> None:
    config = _config(
        {
            "big_qbr": {"trigger": {"segment": "big"}, "action": "QBR"},
            "big_other": {"trigger": {"segment": "big"}, "action": "second"},
            "small": {"action": "content"},
            "grew": {"trigger": {"entered": "big"}, "action": "welcome"},
        }
    )
    mapped = playbooks_by_segment(config.playbooks)
    assert {k: v["action"] for k, v in mapped.items()} == {"big": "QBR", "small": "content"}


@pytest.mark.parametrize("channel", ["sms", "push", "kakao"])
def test_messaging_channels_of_the_touches_table_are_playbook_channels(channel: str) -> None:
    config = _config({"p": {"action": "x", "channel": channel, "trigger": {"segment": "big"}}})
    assert config.playbooks["p"].channel == channel
