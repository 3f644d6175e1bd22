"""The report of `segmint analyze`: summary, RFM segments and grid, customer value, data quality."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.i18n import segment_label, t
from segmint.report.charts import histogram, table_html
from segmint.report.context import ReportContext, ReportSection, rfm_grid_from_customers
from segmint.report.formatting import format_number, format_percent
from segmint.report.html import render_report

REJECTED_SAMPLE_ROWS = 20
REASONS_SHOWN = 10


def analysis_context(
    summary: dict[str, Any],
    customers: pd.DataFrame,
    segments: pd.DataFrame,
    rejected: pd.DataFrame,
    *,
    lang: str = "en",
    extra_sections: Sequence[ReportSection] = (),
) -> ReportContext:
    """Return the `ReportContext` of one analysed export (see `segmint.analyze.analyze_file`)."""
    source = Path(str(summary.get("source", ""))).name
    subtitle = t("report.subtitle", lang, source=source, as_of=summary.get("as_of", "–"))
    grid = (
        rfm_grid_from_customers(customers)
        if {"r_score", "f_score"} <= set(customers.columns)
        else None
    )
    sections = []
    value = _value_section(customers, lang)
    if value is not None:
        sections.append(value)
    sections.extend(extra_sections)
    return ReportContext(
        title=t("report.title", lang),
        subtitle=subtitle if source else "",
        summary=summary,
        segments=segments,
        rfm_grid=grid,
        quality=_quality(summary, rejected),
        rejected_sample=_rejected_sample(rejected),
        sections=sections,
        notes=[str(note) for note in summary.get("notes", []) if note],
    )


def analysis_report(
    summary: dict[str, Any],
    customers: pd.DataFrame,
    segments: pd.DataFrame,
    rejected: pd.DataFrame,
    *,
    lang: str = "en",
    extra_sections: Sequence[ReportSection] = (),
) -> str:
    """Return the self-contained HTML report of one analysed export."""
    context = analysis_context(
        summary, customers, segments, rejected, lang=lang, extra_sections=extra_sections
    )
    return render_report(context, lang=lang)


def _quality(summary: dict[str, Any], rejected: pd.DataFrame) -> dict[str, Any]:
    quality: dict[str, Any] = {}
    columns = summary.get("columns") or {}
    if isinstance(columns, dict):
        quality["columns"] = {str(k): v for k, v in columns.items() if v}
    if "reason" in rejected.columns:
        # "unparseable date '2020-13-45'" and "... '2021-02-30'" count as one reason
        reasons = rejected["reason"].fillna("").astype(str).str.replace(r" '.*'$", "", regex=True)
        counts = reasons.value_counts()
        top = {str(k): int(v) for k, v in counts.head(REASONS_SHOWN).items()}
        if len(counts) > REASONS_SHOWN:
            top["…"] = int(counts.iloc[REASONS_SHOWN:].sum())
        quality["rejects_by_reason"] = top
    stats = summary.get("stats") or {}
    nulls = stats.get("null_shares") if isinstance(stats, dict) else None
    if isinstance(nulls, dict):
        quality["null_shares"] = {str(k): float(v) for k, v in nulls.items()}
    return quality


def _rejected_sample(rejected: pd.DataFrame) -> pd.DataFrame:
    keep = [c for c in ("line", "column", "reason", "raw") if c in rejected.columns]
    return rejected[keep].head(REJECTED_SAMPLE_ROWS).reset_index(drop=True)


def _value_section(customers: pd.DataFrame, lang: str) -> ReportSection | None:
    if "clv_365d" not in customers.columns or customers["clv_365d"].notna().sum() == 0:
        return None
    items: list[Any] = [
        histogram(
            customers["clv_365d"],
            title=t("value.clv_histogram", lang),
            x_label=t("value.clv_histogram", lang),
            y_label=t("chart.customers_axis", lang),
        )
    ]
    if "p_alive" in customers.columns and customers["p_alive"].notna().any():
        items.append(
            histogram(
                customers["p_alive"],
                bins=20,
                title=t("value.p_alive_histogram", lang),
                x_label=t("value.p_alive_histogram", lang),
                y_label=t("chart.customers_axis", lang),
                value_format=lambda v: format_number(v, 2),
                clip_quantile=None,
                color="#0f766e",
            )
        )
    if "rfm_segment" in customers.columns:
        aggregations: dict[str, tuple[str, str]] = {"avg_clv": ("clv_365d", "mean")}
        if "p_alive" in customers.columns:
            aggregations["avg_p_alive"] = ("p_alive", "mean")
        by_segment = (
            customers.groupby("rfm_segment", observed=True)
            .agg(**aggregations)
            .reset_index()
            .sort_values("avg_clv", ascending=False, ignore_index=True)
        )
        by_segment["rfm_segment"] = [segment_label(str(s), lang) for s in by_segment["rfm_segment"]]
        headers = {
            "rfm_segment": t("col.segment", lang),
            "avg_clv": t("col.avg_clv", lang),
            "avg_p_alive": t("col.avg_p_alive", lang),
        }
        formats = {"avg_clv": lambda v: format_number(v, 2), "avg_p_alive": format_percent}
        items.append(table_html(by_segment, headers=headers, formats=formats))
    return ReportSection(t("value.heading", lang), items, intro=t("value.intro", lang))
