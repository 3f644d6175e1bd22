"""Run and analysis notes in the report's language: the known kinds in words, the raw detail kept."""

from __future__ import annotations

import re
from dataclasses import dataclass

from segmint.i18n import has_message, t

# "<what> not computed: <detail>" notes from analyze and run, in the order they are tried.
_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^contractual CLV not computed: (?P<detail>.*)$", re.S), "note.contractual_clv"),
    (re.compile(r"^CLV not computed: (?P<detail>.*)$", re.S), "note.clv"),
    (re.compile(r"^next-plan propensity not computed: (?P<detail>.*)$", re.S), "note.next_plan"),
    (re.compile(r"^churn model not trained: (?P<detail>.*)$", re.S), "note.churn"),
    (
        re.compile(r"^scheme '(?P<scheme>[^']+)' skipped: (?P<detail>.*)$", re.S),
        "note.scheme_skipped",
    ),
)


@dataclass(frozen=True)
class ReportNote:
    """A note as shown: a sentence in the report's language and the technical detail behind it."""

    text: str
    detail: str = ""


def translate_note(note: str, lang: str) -> ReportNote:
    """Return `note` as a sentence in `lang`; in Korean the engine's English detail is kept apart."""
    if lang == "en":
        return ReportNote(note)
    for pattern, key in _KINDS:
        match = pattern.match(note)
        if match:
            params = {k: v for k, v in match.groupdict().items() if k != "detail"}
            return ReportNote(t(key, lang, **params), match.group("detail"))
    return ReportNote(t("note.other", lang), note)


_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^missing (?P<column>.+)$"), "reason.missing"),
    (re.compile(r"^unparseable (?P<column>\S+)(?: (?P<value>.*))?$"), "reason.unparseable"),
    (
        re.compile(r"^expected (?P<expected>\d+) fields, found (?P<found>\d+)$"),
        "reason.field_count",
    ),
)


def translate_reason(reason: str, lang: str) -> str:
    """Return a rejected row's reason ("missing customer id") in `lang`; unknown ones unchanged."""
    if lang == "en":
        return reason
    for pattern, key in _REASONS:
        match = pattern.match(reason)
        if match:
            params = {k: v or "" for k, v in match.groupdict().items()}
            if "column" in params:
                params["column"] = _column_words(params["column"], lang)
            return t(key, lang, **params).strip()
    return reason


def _column_words(column: str, lang: str) -> str:
    """Return a logical column named in a reason ("customer id") as the report's header for it."""
    key = f"col.{column.strip().replace(' ', '_')}"
    return t(key, lang) if has_message(key) else column
