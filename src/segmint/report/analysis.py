"""The report of `segmint analyze`: summary, RFM segments and grid, customer value, data quality."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.i18n import segment_label, t
from segmint.report.charts import histogram, table_html
from segmint.report.context import ReportContext, ReportSection, rfm_grid_from_customers
from segmint.report.formatting import format_number, format_percent
from segmint.report.html import render_report
from segmint.report.rfm_playbooks import rfm_playbooks

REJECTED_SAMPLE_ROWS = 20
REASONS_SHOWN = 10
TOP_RECOMMENDATIONS = 10
MODEL_LABELS = {"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD", "mbgnbd": "MBG/NBD"}


def analysis_context(
    summary: dict[str, Any],
    customers: pd.DataFrame,
    segments: pd.DataFrame,
    rejected: pd.DataFrame,
    *,
    lang: str = "en",
    playbooks: Mapping[str, str] | None = None,
    extra_sections: Sequence[ReportSection] = (),
) -> ReportContext:
    """Return the `ReportContext` of one analysed export (see `segmint.analyze.analyze_file`).

    `playbooks` (segment name → action) replace the default action of those RFM segments.
    """
    source = Path(str(summary.get("source", ""))).name
    subtitle = t("report.subtitle", lang, source=source, as_of=summary.get("as_of", "–"))
    grid = (
        rfm_grid_from_customers(customers)
        if {"r_score", "f_score"} <= set(customers.columns)
        else None
    )
    sections = []
    value = _value_section(customers, lang, summary.get("clv") or {})
    if value is not None:
        sections.append(value)
    cross_sell = _cross_sell_section(customers, lang)
    if cross_sell is not None:
        sections.append(cross_sell)
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
        playbooks=rfm_playbooks(lang, playbooks),
    )


def analysis_report(
    summary: dict[str, Any],
    customers: pd.DataFrame,
    segments: pd.DataFrame,
    rejected: pd.DataFrame,
    *,
    lang: str = "en",
    playbooks: Mapping[str, str] | None = None,
    extra_sections: Sequence[ReportSection] = (),
) -> str:
    """Return the self-contained HTML report of one analysed export."""
    context = analysis_context(
        summary,
        customers,
        segments,
        rejected,
        lang=lang,
        playbooks=playbooks,
        extra_sections=extra_sections,
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


def _value_intro(clv: dict[str, Any], lang: str) -> str:
    """Return the value section's intro naming the purchase model the CLV came from."""
    model = clv.get("model")
    if model == "nbd":
        intro = t("value.intro_nbd", lang)
    elif model in MODEL_LABELS:
        intro = t("value.intro_model", lang, model=MODEL_LABELS[model])
    else:
        intro = t("value.intro", lang)
    zero = int(clv.get("customers_clv_zero_non_positive_spend") or 0) + int(
        clv.get("customers_clv_zero_no_purchase") or 0
    )
    if zero:
        intro = f"{intro} {t('value.clv_zero', lang, count=format_number(zero, 0))}"
    return intro


def _value_section(customers: pd.DataFrame, lang: str, clv: dict[str, Any]) -> ReportSection | None:
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
        if "p_alive" in customers.columns and customers["p_alive"].notna().any():
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
    return ReportSection(t("value.heading", lang), items, intro=_value_intro(clv, lang))


def _cross_sell_section(customers: pd.DataFrame, lang: str) -> ReportSection | None:
    """Return the most recommended items overall and the top pick per RFM segment."""
    rec_cols = [c for c in ("rec_1", "rec_2", "rec_3") if c in customers.columns]
    if not rec_cols or customers["rec_1"].notna().sum() == 0:
        return None
    top3 = pd.concat([customers[c] for c in rec_cols]).dropna().value_counts()
    first = customers.dropna(subset=["rec_1"])
    overall = (
        first.groupby("rec_1")
        .agg(top_pick=("customer_id", "size"), avg_score=("rec_1_score", "mean"))
        .reset_index()
        .rename(columns={"rec_1": "item"})
    )
    overall["in_top3"] = overall["item"].map(top3).fillna(0).astype(int)
    overall = overall.sort_values(["top_pick", "item"], ascending=[False, True])
    headers = {
        "item": t("col.recommended_item", lang),
        "top_pick": t("col.top_pick_customers", lang),
        "in_top3": t("col.top3_customers", lang),
        "avg_score": t("col.avg_rec_score", lang),
        "rfm_segment": t("col.segment", lang),
        "share": t("col.top_pick_share", lang),
    }
    score = {"avg_score": lambda v: format_number(v, 2), "share": format_percent}
    items: list[Any] = [
        table_html(
            overall[["item", "top_pick", "in_top3", "avg_score"]],
            headers=headers,
            formats=score,
            max_rows=TOP_RECOMMENDATIONS,
        )
    ]
    if "rfm_segment" in first.columns:
        pair_sizes = first.groupby(["rfm_segment", "rec_1"], observed=True).size()
        counts = pair_sizes.reset_index(name="top_pick").sort_values(
            ["rfm_segment", "top_pick", "rec_1"], ascending=[True, False, True]
        )
        per_segment = counts.drop_duplicates("rfm_segment").rename(columns={"rec_1": "item"})
        sizes = first.groupby("rfm_segment", observed=True).size()
        per_segment["share"] = per_segment["top_pick"] / per_segment["rfm_segment"].map(sizes)
        per_segment = per_segment.sort_values("top_pick", ascending=False, ignore_index=True)
        per_segment["rfm_segment"] = [
            segment_label(str(seg), lang) for seg in per_segment["rfm_segment"]
        ]
        items.append(
            table_html(
                per_segment[["rfm_segment", "item", "top_pick", "share"]],
                headers=headers,
                formats=score,
                caption=t("xsell.by_segment", lang),
            )
        )
    return ReportSection(t("xsell.heading", lang), items, intro=t("xsell.intro", lang))
