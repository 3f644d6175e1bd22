"""Errors raised while parsing, checking or compiling a rule; each one carries its position."""

from __future__ import annotations

from segmint.errors import SegmintError


class RuleError(SegmintError):
    """A rule cannot be used; `position` is the 0-based offset in `rule`, `column` is 1-based."""

    def __init__(
        self, message: str, *, rule: str = "", position: int | None = None, hint: str = ""
    ) -> None:
        self.reason = message
        self.rule = rule
        self.position = position
        self.column = None if position is None else position + 1
        self.hint = hint
        text = message if position is None else f"{message} at column {position + 1}"
        if hint:
            text += f" — {hint}"
        super().__init__(text)

    def pointer(self) -> str:
        """Return the rule text (at most ~200 characters around the position) and a caret line."""
        if self.position is None or not self.rule:
            return _shorten(self.rule, 0)[0]
        shown, offset = _shorten(self.rule, self.position)
        return f"{shown}\n{' ' * offset}^"


POINTER_WIDTH = 200


def rule_excerpt(rule: str, position: int | None = None) -> str:
    """Return the rule, cut to about 200 characters around `position` for error messages."""
    return _shorten(rule, position or 0)[0]


def _shorten(rule: str, position: int) -> tuple[str, int]:
    """Return a window of the rule around `position` (… marks cuts) and the caret's offset in it."""
    rule = rule.replace("\n", " ")
    if len(rule) <= POINTER_WIDTH:
        return rule, position
    start = max(0, min(position - POINTER_WIDTH // 2, len(rule) - POINTER_WIDTH))
    end = start + POINTER_WIDTH
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(rule) else ""
    return prefix + rule[start:end] + suffix, position - start + len(prefix)


class RuleSyntaxError(RuleError):
    """The rule text is not valid in the rule language (bad character, token, function, ...)."""


class UnknownFeatureError(RuleError):
    """The rule names a feature that the feature table does not have."""


class RuleTypeError(RuleError):
    """The rule mixes types that cannot be compared or combined (text vs number, ...)."""
