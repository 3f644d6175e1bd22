"""The `playbooks:` and `owners:` sections of segmint.yaml: triggers, actions, cadence, capacity."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CHANNELS = ("email", "sms", "push", "kakao", "in_app", "call", "csm_task", "webhook")
Channel = Literal["email", "sms", "push", "kakao", "in_app", "call", "csm_task", "webhook"]
_CADENCE = re.compile(r"^every\s+(\d+)\s+(day|days|week|weeks)$")
_NAMED_CADENCES = {"once": None, "daily": 1, "weekly": 7, "monthly": 30, "quarterly": 90}
_SCORE_TESTS = ("above", "below", "crosses_above", "crosses_below")


def cadence_days(text: str) -> int | None:
    """Return the days between two actions of a cadence ("every 90 days" → 90, "once" → None).

    Raises ValueError naming the forms allowed.
    """
    value = text.strip().lower()
    if value in _NAMED_CADENCES:
        return _NAMED_CADENCES[value]
    match = _CADENCE.match(value)
    if not match or int(match.group(1)) < 1:
        raise ValueError(
            f"cadence {text!r} not understood; use once, daily, weekly, monthly (30 days), "
            "quarterly (90 days) or 'every N days' / 'every N weeks'"
        )
    days = int(match.group(1))
    return days * 7 if match.group(2).startswith("week") else days


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TriggerConfig(_Strict):
    """When a playbook applies to a customer: one of segment, tag, entered, left or score."""

    segment: str | None = None
    tag: str | None = None
    entered: str | None = None
    left: str | None = None
    scheme: str | None = None
    score: str | None = None
    above: float | None = None
    below: float | None = None
    crosses_above: float | None = None
    crosses_below: float | None = None

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> TriggerConfig:
        kinds = [k for k in ("segment", "tag", "entered", "left", "score") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError(
                "a trigger needs exactly one of segment, tag, entered, left or score"
                + (f" (got {', '.join(kinds)})" if kinds else "")
            )
        tests = [k for k in _SCORE_TESTS if getattr(self, k) is not None]
        if self.score and len(tests) != 1:
            raise ValueError(
                "a score trigger needs exactly one of above, below, crosses_above, crosses_below"
            )
        if not self.score and tests:
            raise ValueError(f"{tests[0]} belongs to a score trigger (add `score: <name>`)")
        if self.scheme and self.tag:
            raise ValueError("a tag trigger takes no scheme")
        if self.scheme and self.score:
            raise ValueError("a score trigger takes no scheme")
        return self

    @property
    def kind(self) -> str:
        """Return which trigger this is: segment, tag, entered, left or score."""
        for key in ("segment", "tag", "entered", "left", "score"):
            if getattr(self, key):
                return key
        raise AssertionError("validated: exactly one kind")

    @property
    def score_test(self) -> tuple[str, float]:
        """Return (test, threshold) of a score trigger, e.g. ("crosses_below", 40.0)."""
        for key in _SCORE_TESTS:
            value = getattr(self, key)
            if value is not None:
                return key, float(value)
        raise ValueError("not a score trigger")

    def describe(self) -> str:
        """Return the trigger in a few words ("entered at risk (lifecycle)")."""
        if self.kind == "score":
            test, threshold = self.score_test
            return f"{self.score} {test.replace('_', ' ')} {threshold:g}"
        name = getattr(self, self.kind)
        where = f" ({self.scheme})" if self.scheme else ""
        prefix = {"segment": "in", "tag": "tagged", "entered": "entered", "left": "left"}[self.kind]
        return f"{prefix} {name}{where}"


class PlaybookConfig(_Strict):
    """What to do, by whom and how often, for the customers a trigger selects.

    Without `trigger`, the playbook's name is a segment name (membership of it in any scheme).
    """

    action: str = Field(min_length=1)
    trigger: TriggerConfig | None = None
    channel: Channel = "email"
    owner: str = "customer success"
    owner_column: str | None = None
    cadence: str = "once"
    priority: int = Field(default=3, ge=1, le=5)
    hours: float = Field(default=1.0, ge=0, le=1000)
    message: str | None = None

    @field_validator("cadence")
    @classmethod
    def _known_cadence(cls, value: str) -> str:
        cadence_days(value)
        return value

    @field_validator("message")
    @classmethod
    def _template_parses(cls, value: str | None) -> str | None:
        if value is not None:
            from segmint.activation.messages import parse_template

            parse_template(value)
        return value

    @property
    def cadence_days(self) -> int | None:
        """Return the days before the action is due again (None: once per customer)."""
        return cadence_days(self.cadence)

    def trigger_for(self, name: str) -> TriggerConfig:
        """Return the trigger; a playbook without one is triggered by the segment named `name`."""
        return self.trigger or TriggerConfig(segment=name)


class OwnerConfig(_Strict):
    """An owner (a person or a team) of actions and the hours per week they have for them."""

    hours_per_week: float = Field(ge=0)


def playbooks_by_segment(playbooks: Mapping[str, PlaybookConfig]) -> dict[str, dict[str, Any]]:
    """Return segment or tag name → {action, channel, owner} of the first playbook (in config
    order) whose trigger is membership of it (what persona cards and the report show)."""
    out: dict[str, dict[str, Any]] = {}
    for name, book in playbooks.items():
        trigger = book.trigger_for(name)
        if trigger.kind in ("segment", "tag"):
            shown = {"action": book.action, "channel": book.channel, "owner": book.owner}
            out.setdefault(str(getattr(trigger, trigger.kind)), shown)
    return out
