"""The HTML report of a workspace run: schemes, RFM grid, health, tiers, churn model, tags."""

from __future__ import annotations

from typing import Any

import pandas as pd

from segmint.config import SegmintConfig
from segmint.i18n import t
from segmint.report import (
    ReportContext,
    ReportSection,
    bar_chart,
    histogram,
    render_report,
    table_html,
)
from segmint.report.context import rfm_grid_from_customers
from segmint.report.formatting import format_number, format_percent
from segmint.report.kpi_sections import run_kpi_sections
from segmint.workspace.segment_review import scheme_personas, value_column, with_scheme_columns


def scheme_table(customers: pd.DataFrame, segments: pd.DataFrame, scheme: str) -> pd.DataFrame:
    """Return segment, customers, share, revenue and revenue share for one scheme."""
    members = segments[segments["scheme"] == scheme][["customer_id", "segment"]]
    value = value_column(customers)
    if value:
        members = members.merge(customers[["customer_id", value]], on="customer_id", how="left")
    grouped = members.groupby("segment", observed=True)
    table = grouped.size().rename("customers").to_frame()
    table["share"] = table["customers"] / max(len(customers), 1)
    if value:
        revenue = pd.to_numeric(members[value], errors="coerce").clip(lower=0)
        table["revenue"] = revenue.groupby(members["segment"]).sum()
        table["revenue_share"] = table["revenue"] / (float(revenue.sum()) or 1.0)
    return (
        table.reset_index()
        .sort_values(["customers", "segment"], ascending=[False, True])
        .reset_index(drop=True)
    )


def workspace_report(config: SegmintConfig, result: Any, *, lang: str = "en") -> str:
    """Return the self-contained HTML report of one workspace run."""
    customers: pd.DataFrame = result.customers
    segments: pd.DataFrame = result.segments
    schemes = [s for s in dict.fromkeys(segments["scheme"]) if not str(s).startswith("tag:")]
    sections: list[ReportSection] = []
    personas = _personas(config, customers, segments, schemes, lang)
    for scheme in schemes:
        table = scheme_table(customers, segments, scheme)
        items: list[Any] = [
            bar_chart([str(s) for s in table["segment"]], list(table["customers"])),
            table_html(table, formats=_FORMATS),
        ]
        if scheme in personas:
            items.append(table_html(personas[scheme], caption=t("run.personas_caption", lang)))
        sections.append(ReportSection(t("run.scheme_heading", lang, name=scheme), items))
    sections.extend(run_kpi_sections(result, lang=lang))
    if "icp_score" in customers.columns:
        sections.append(_icp_section(result.diagnostics.get("icp_similarity"), customers, lang))
    if "health_score" in customers.columns:
        sections.append(_health_section(customers, lang))
    if "tier" in customers.columns:
        sections.append(_tier_section(result.diagnostics.get("tiers", {}), customers, lang))
    if "churn" in result.diagnostics:
        sections.append(_churn_section(result.diagnostics["churn"], customers, lang))
    if len(result.tags):
        counts = result.tags.groupby("tag").size().rename("customers").reset_index()
        counts["share"] = counts["customers"] / max(len(customers), 1)
        sections.append(
            ReportSection(t("run.tags_heading", lang), table_html(counts, formats=_FORMATS))
        )
    summary = {
        "customers": len(customers),
        "as_of": result.as_of.date().isoformat(),
        "run_id": result.run_id,
    }
    return render_report(
        ReportContext(
            title=config.name,
            subtitle=t("run.subtitle", lang, run=result.run_id, as_of=summary["as_of"]),
            summary=summary,
            rfm_grid=rfm_grid_from_customers(customers.dropna(subset=["r_score"]))
            if "r_score" in customers.columns and customers["r_score"].notna().any()
            else None,
            sections=sections,
            notes=list(result.notes),
        ),
        lang=lang,
    )


_FORMATS = {
    "share": format_percent,
    "revenue_share": format_percent,
    "revenue": lambda v: format_number(v, 0),
    "value_share": format_percent,
}


def _health_section(customers: pd.DataFrame, lang: str) -> ReportSection:
    bands = customers["health_band"].value_counts().rename("customers").reset_index()
    bands.columns = ["health_band", "customers"]
    bands["share"] = bands["customers"] / max(len(customers), 1)
    return ReportSection(
        t("run.health_heading", lang),
        [
            histogram(customers["health_score"], bins=20, clip_quantile=None),
            table_html(bands, formats=_FORMATS),
        ],
    )


def _tier_section(report: dict[str, Any], customers: pd.DataFrame, lang: str) -> ReportSection:
    counts = customers.groupby(["tier", "tier_name"]).size().rename("customers").reset_index()
    items: list[Any] = [table_html(counts)]
    for key in ("tiers", "near_cutoff"):
        rows = report.get(key)
        if isinstance(rows, list) and rows:
            items.append(table_html(pd.DataFrame(rows), formats=_FORMATS))
    return ReportSection(t("run.tiers_heading", lang), items)


def _churn_section(diag: dict[str, Any], customers: pd.DataFrame, lang: str) -> ReportSection:
    validation = diag.get("validation", {}) or {}
    metrics = {k: v for k, v in validation.items() if isinstance(v, int | float)}
    rows = pd.DataFrame(
        {"metric": list(metrics), "value": [format_number(v, 3) for v in metrics.values()]}
    )
    items: list[Any] = [
        t("run.churn_intro", lang, label=diag.get("label", ""), rows=diag.get("training_rows", 0)),
        table_html(rows),
    ]
    if "churn_risk" in customers.columns:
        risk = customers["churn_risk"].value_counts().rename("customers").reset_index()
        risk.columns = ["churn_risk", "customers"]
        items.append(table_html(risk))
    return ReportSection(t("run.churn_heading", lang), items)


def _personas(
    config: SegmintConfig,
    customers: pd.DataFrame,
    segments: pd.DataFrame,
    schemes: list[str],
    lang: str,
) -> dict[str, pd.DataFrame]:
    """Return one persona table per scheme: segment, size, traits in words, playbook."""
    frame = with_scheme_columns(customers, segments[segments["scheme"].isin(schemes)])
    cards = scheme_personas(frame, schemes, config=config, lang=lang)
    tables = {}
    for scheme, group in cards.items():
        tables[scheme] = pd.DataFrame(
            {
                t("col.segment", lang): [c.segment for c in group],
                t("col.customers", lang): [c.size for c in group],
                t("run.traits", lang): [" · ".join(tr.text for tr in c.traits) for c in group],
                t("run.playbook", lang): [
                    ", ".join(str(v) for v in c.playbook.values()) if c.playbook else "–"
                    for c in group
                ],
            }
        )
    return tables


def _icp_section(
    evidence: dict[str, Any] | None, customers: pd.DataFrame, lang: str
) -> ReportSection:
    bands = customers["icp_band"].value_counts().rename("customers").reset_index()
    bands.columns = ["icp_band", "customers"]
    bands["share"] = bands["customers"] / max(len(customers), 1)
    items: list[Any] = [table_html(bands, formats=_FORMATS)]
    if evidence:
        items.append(
            t(
                "run.icp_evidence",
                lang,
                auc_rules=format_number(evidence.get("auc_icp_rules"), 2),
                auc_model=format_number(evidence.get("auc_similarity"), 2),
                rate=format_percent(evidence.get("success_rate")),
            )
        )
        for key in ("by_icp_band", "criteria", "drivers"):
            rows = evidence.get(key)
            if isinstance(rows, list) and rows:
                items.append(table_html(pd.DataFrame(rows), formats=_FORMATS))
    return ReportSection(t("run.icp_heading", lang), items)
