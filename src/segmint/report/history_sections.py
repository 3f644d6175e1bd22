"""Report sections for segment predictive validity and goals per segment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from segmint.i18n import segment_label, t
from segmint.report.charts import table_html
from segmint.report.context import ReportSection
from segmint.report.formatting import MISSING, format_number, format_percent
from segmint.report.kpi_sections import PERCENT_KPIS


def validity_section(
    payloads: Sequence[Mapping[str, Any]], *, lang: str = "en"
) -> ReportSection | None:
    """Return "Do the segments predict churn?": pooled churn per segment, chi-square and AUC."""
    if not payloads:
        return None
    items: list[Any] = []
    for payload in payloads:
        summary = payload["summary"]
        chi = summary["chi_square"] or {}
        rows = _pooled_rows(payload)
        frame = pd.DataFrame(
            {
                t("col.segment", lang): [segment_label(r["segment"], lang) for r in rows],
                t("validity.col.at_risk", lang): [format_number(r["at_risk"]) for r in rows],
                t("validity.col.churn_rate", lang): [
                    _rate(r["churned"], r["at_risk"]) for r in rows
                ],
            }
        )
        caption = t(
            "validity.report_caption",
            lang,
            scheme=payload["scheme"],
            dates=len(payload["as_ofs"]),
            chi="–" if chi.get("statistic") is None else f"{chi['statistic']:.1f}",
            p="–" if chi.get("p_value") is None else _p(chi["p_value"]),
            auc="–" if summary["auc"] is None else f"{summary['auc']:.2f}",
        )
        items.append(table_html(frame, caption=caption))
    first = payloads[0]
    return ReportSection(
        t("validity.heading", lang),
        items,
        intro=t("validity.intro", lang, days=first["horizon_days"]),
    )


def goals_section(payload: Mapping[str, Any] | None, *, lang: str = "en") -> ReportSection | None:
    """Return the goals table: latest value with its interval, target, trend at the date, status."""
    if not payload or not payload.get("goals"):
        return None
    records = []
    for goal in payload["goals"]:
        fmt = format_percent if goal["kpi"] in PERCENT_KPIS else (lambda v: format_number(v, 2))
        latest = goal["latest"] or {}
        value = latest.get("value")
        interval = (
            ""
            if latest.get("ci_low") is None
            else f" ({fmt(latest['ci_low'])}–{fmt(latest['ci_high'])})"
        )
        sign = "≤" if goal["direction"] == "below" else "≥"
        status = (
            "goals.status.unknown"
            if goal["on_track"] is None
            else ("goals.status.on_track" if goal["on_track"] else "goals.status.off_track")
        )
        records.append(
            {
                t("goals.col.goal", lang): f"{goal['name']} · {goal['scheme']}",
                t("goals.col.latest", lang): (MISSING if value is None else fmt(value)) + interval,
                t("goals.col.target", lang): f"{sign} {fmt(goal['target'])} · {goal['by']}",
                t("goals.col.projected", lang): MISSING
                if goal["projected"] is None
                else fmt(goal["projected"]),
                t("goals.col.status", lang): t(status, lang),
            }
        )
    intro = t("goals.intro", lang)
    if payload.get("recomputed_runs"):
        runs = ", ".join(str(r) for r in payload["recomputed_runs"])
        intro = f"{intro} {t('goals.recomputed', lang, runs=runs)}."
    return ReportSection(t("goals.heading", lang), table_html(pd.DataFrame(records)), intro=intro)


def run_history_sections(result: Any, *, lang: str = "en") -> list[ReportSection]:
    """Return the validity and goals sections of a run that computed them (see analysis.stages)."""
    history = (getattr(result, "outputs", None) or {}).get("history") or {}
    sections = [
        validity_section(history.get("validity") or [], lang=lang),
        goals_section(history.get("goals"), lang=lang),
    ]
    return [s for s in sections if s is not None]


def _pooled_rows(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    pooled: dict[str, dict[str, Any]] = {}
    for entry in payload["as_ofs"]:
        for seg in entry["segments"]:
            row = pooled.setdefault(seg["segment"], {"segment": seg["segment"], "at_risk": 0,
                                                      "churned": 0})  # fmt: skip
            row["at_risk"] += seg["at_risk"]
            row["churned"] += seg["churned"]
    order = payload["summary"].get("segment_order") or []
    return sorted(pooled.values(), key=lambda r: (order.index(r["segment"])
                                                  if r["segment"] in order else len(order),
                                                  r["segment"]))  # fmt: skip


def _rate(part: int, whole: int) -> str:
    return MISSING if not whole else format_percent(part / whole)


def _p(value: float) -> str:
    return "<0.001" if value < 0.001 else f"{value:.3f}"
