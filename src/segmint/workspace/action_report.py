"""The run report's action queue section: what is due, who is over capacity, what comes first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from segmint.i18n import t
from segmint.report import ReportSection, table_html
from segmint.report.formatting import format_number
from segmint.report.labels import NOWRAP_COLUMNS, formats_for, headers_for


def action_queue_section(summary: Mapping[str, Any], lang: str) -> ReportSection:
    """Return the section summarising the queue a run computed (`QueueSummary.to_dict()`)."""
    counts = summary["statuses"]
    intro = t(
        "actions.intro",
        lang,
        as_of=summary.get("as_of") or "–",
        due=format_number(counts["due"]),
        dropped=format_number(counts["dropped"]),
        cancelled=format_number(counts["cancelled"]),
        handled=format_number(counts["done"] + counts["sent"] + counts["skipped"]),
    )
    items: list[Any] = []
    if summary.get("skipped_reason"):
        items.append(t("actions.backfill", lang, as_of=summary["skipped_reason"]))
    owners = pd.DataFrame(summary["owners"])
    if not owners.empty:
        owners["over_capacity"] = [
            t("actions.yes", lang) if v else "" for v in owners["over_capacity"]
        ]
        items.append(_table(owners, lang, t("actions.by_owner", lang)))
    playbooks = pd.DataFrame(summary["playbooks"])
    if not playbooks.empty:
        items.append(_table(playbooks, lang, t("actions.by_playbook", lang)))
    top = pd.DataFrame(summary.get("top_due") or [])
    if not top.empty:
        top["message"] = top["message"].fillna("")
        items.append(_table(top, lang, t("actions.top_due", lang)))
    return ReportSection(t("actions.heading", lang), items or [intro], intro)


def _table(frame: pd.DataFrame, lang: str, caption: str) -> Any:
    return table_html(
        frame,
        headers=headers_for(frame.columns, lang),
        formats=formats_for(frame.columns),
        caption=caption,
        nowrap=NOWRAP_COLUMNS | {"action_id", "owner", "playbook"},
    )
