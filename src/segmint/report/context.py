"""What a report shows: `ReportContext` (summary, segments, RFM grid, quality) and extra sections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from markupsafe import Markup

# A section body item: trusted markup (charts, prepared HTML), a table, or plain text (escaped).
SectionItem = Markup | pd.DataFrame | str

SEGMENT_COLUMNS: tuple[str, ...] = (
    "segment",
    "customers",
    "share",
    "revenue",
    "revenue_share",
    "avg_recency",
    "avg_frequency",
    "avg_monetary",
)


@dataclass
class ReportSection:
    """An extra report section: a title and a body of charts (Markup), tables or plain text."""

    title: str
    body: SectionItem | Sequence[SectionItem]
    intro: str = ""

    def items(self) -> list[SectionItem]:
        """Return the body as a list of items."""
        if isinstance(self.body, Markup | pd.DataFrame | str):
            return [self.body]
        return list(self.body)


@dataclass
class ReportContext:
    """Everything `render_report` needs; optional parts are left out of the page when empty."""

    title: str
    subtitle: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    segments: pd.DataFrame | None = None
    rfm_grid: pd.DataFrame | None = None
    quality: dict[str, Any] | None = None
    rejected_sample: pd.DataFrame | None = None
    sections: list[ReportSection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Sections shown first, before the segments: what needs attention.
    lead_sections: list[ReportSection] = field(default_factory=list)
    # Segment name → what to do; adds a "what to do" column to the segments table.
    playbooks: dict[str, str] | None = None


def rfm_grid_from_customers(
    customers: pd.DataFrame, *, column_score: str = "f_score", segment: str | None = "rfm_segment"
) -> pd.DataFrame:
    """Return the long RFM grid: r_score, `column_score`, customers and the most common segment."""
    for column in ("r_score", column_score):
        if column not in customers.columns:
            raise ValueError(f"customers lack the column {column!r} needed for the RFM grid")
    keys = ["r_score", column_score]
    grid = customers.groupby(keys, observed=True).size().rename("customers").reset_index()
    if segment and segment in customers.columns:
        top = (
            customers.groupby([*keys, segment], observed=True)
            .size()
            .rename("n")
            .reset_index()
            .sort_values([*keys, "n", segment], ascending=[True, True, False, True])
            .drop_duplicates(keys)
            .rename(columns={segment: "segment"})[[*keys, "segment"]]
        )
        grid = grid.merge(top, on=keys, how="left")
    return grid.sort_values(keys, ignore_index=True)
