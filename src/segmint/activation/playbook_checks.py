"""`segmint validate` for playbooks: segments, tags, schemes, scores and template fields exist."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from segmint.activation.messages import CONTEXT_NAMES, template_fields
from segmint.activation.playbook_config import PlaybookConfig
from segmint.i18n import t


def playbook_problems(
    playbooks: Mapping[str, PlaybookConfig],
    *,
    fields: Collection[str],
    segments: Collection[str] | None,
    schemes: Collection[str],
    tags: Collection[str],
    lang: str = "en",
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
                t("validate.playbook_unknown_scheme", lang, key=f"{where}.trigger.scheme",
                  scheme=trigger.scheme, known=", ".join(sorted(schemes)) or "–")
            )  # fmt: skip
        if kind == "tag" and trigger.tag not in tags:
            problems.append(
                t("validate.playbook_unknown_tag", lang, key=f"{where}.trigger.tag",
                  tag=trigger.tag, known=", ".join(sorted(tags)) or "–")
            )  # fmt: skip
        elif kind in ("segment", "entered", "left"):
            segment = str(getattr(trigger, kind))
            if segments is not None and segment not in segments and segment not in tags:
                key = f"{where}.trigger.{kind}" if book.trigger else where
                problems.append(
                    t("validate.playbook_unknown_segment", lang, key=key, segment=segment)
                )
        elif kind == "score" and trigger.score not in known_fields:
            problems.append(
                t("validate.playbook_unknown_score", lang, key=f"{where}.trigger.score",
                  score=trigger.score)
            )  # fmt: skip
        if book.owner_column and book.owner_column not in known_fields:
            problems.append(
                t("validate.playbook_unknown_owner_column", lang, key=f"{where}.owner_column",
                  column=book.owner_column)
            )  # fmt: skip
        if book.message is not None:
            unknown = sorted(template_fields(book.message) - known_fields - set(CONTEXT_NAMES))
            if unknown:
                problems.append(
                    t("validate.playbook_unknown_fields", lang, key=f"{where}.message",
                      fields=", ".join(unknown), context=", ".join(CONTEXT_NAMES))
                )  # fmt: skip
    return problems
