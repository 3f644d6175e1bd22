"""`segmint validate` for playbooks: segments, tags, schemes, scores and template fields exist."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from segmint.activation.messages import CONTEXT_NAMES, template_fields
from segmint.activation.playbook_config import PlaybookConfig


def playbook_problems(
    playbooks: Mapping[str, PlaybookConfig],
    *,
    fields: Collection[str],
    segments: Collection[str] | None,
    schemes: Collection[str],
    tags: Collection[str],
) -> list[str]:
    """Return one line per problem: an unknown segment, tag, scheme, score or template field.

    `segments` None: no scheme is configured, so segment names are not checked.
    """
    problems: list[str] = []
    known_fields = set(fields) | {"customer_id"}
    for name, book in playbooks.items():
        where = f"playbooks.{name}"
        trigger = book.trigger_for(name)
        kind = trigger.kind
        if trigger.scheme and trigger.scheme not in schemes:
            problems.append(
                f"{where}.trigger.scheme: unknown scheme {trigger.scheme!r}; known: "
                + ", ".join(sorted(schemes))
            )
        if kind == "tag" and trigger.tag not in tags:
            problems.append(
                f"{where}.trigger.tag: unknown tag {trigger.tag!r}; known: "
                + (", ".join(sorted(tags)) or "none configured")
            )
        elif kind in ("segment", "entered", "left"):
            segment = str(getattr(trigger, kind))
            if segments is not None and segment not in segments and segment not in tags:
                key = f"{where}.trigger.{kind}" if book.trigger else where
                problems.append(f"{key}: no scheme has a segment called {segment!r}")
        elif kind == "score" and trigger.score not in known_fields:
            problems.append(f"{where}.trigger.score: unknown score or feature {trigger.score!r}")
        if book.owner_column and book.owner_column not in known_fields:
            problems.append(f"{where}.owner_column: unknown customer field {book.owner_column!r}")
        if book.message is not None:
            unknown = sorted(template_fields(book.message) - known_fields - set(CONTEXT_NAMES))
            if unknown:
                problems.append(
                    f"{where}.message: unknown customer field(s) {', '.join(unknown)} "
                    "(a template may use features, scores, customer columns, "
                    + ", ".join(CONTEXT_NAMES)
                    + ")"
                )
    return problems
