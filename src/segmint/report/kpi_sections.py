"""Report sections for KPIs per segment (with intervals) and the acquisition-cohort heatmap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from segmint.analysis.kpis import SHOWN_KPIS as REPORT_KPIS
from segmint.i18n import segment_label, t
from segmint.report.charts import HEAT_HIGH, HEAT_LOW
from segmint.report.context import ReportSection
from segmint.report.formatting import MISSING, format_number, format_percent

PERCENT_KPIS = frozenset(
    {"revenue_share", "retention_rate", "churn_rate", "conversion_rate", "engagement_rate",
     "activation_rate", "nrr", "grr"}
)  # fmt: skip
COHORT_ROWS_SHOWN = 24
_NUM = ' class="num"'
COHORT_PERIODS_SHOWN = 24


def _shown_kpis(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        name
        for name in REPORT_KPIS
        if any((row["kpis"].get(name) or {}).get("value") is not None for row in rows)
    ]


def kpi_table(payload: Mapping[str, Any], *, lang: str = "en") -> pd.DataFrame:
    """Return one row per segment (all customers first): value (95% interval), * when significant."""
    rows = [payload["population"], *payload["segments"]]
    records = []
    for row in rows:
        record = {
            t("col.segment", lang): _segment_name(row["segment"], lang),
            t("col.customers", lang): format_number(row["customers"]),
            t("col.share", lang): format_percent(row["share"]),
        }
        for kpi in _shown_kpis(rows):
            record[t(f"kpi.{kpi}", lang)] = format_kpi(kpi, row["kpis"].get(kpi))
        records.append(record)
    return pd.DataFrame(records)


def kpi_table_html(payload: Mapping[str, Any], *, lang: str = "en", caption: str = "") -> Markup:
    """Return the KPI table as HTML: each value with its 95% interval below it, significant in bold."""
    rows = [payload["population"], *payload["segments"]]
    shown = _shown_kpis(rows)
    head = [t("col.segment", lang), t("col.customers", lang), t("col.share", lang)]
    head += [t(f"kpi.{k}", lang) for k in shown]
    parts = ['<div class="table-wrap"><table class="kpis">']
    if caption:
        parts.append(f"<caption>{escape(caption)}</caption>")
    parts.append("<thead><tr>")
    parts += [f"<th{'' if i == 0 else _NUM}>{escape(h)}</th>" for i, h in enumerate(head)]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        label = escape(_segment_name(row["segment"], lang))
        parts.append(f'<tr><td style="white-space:nowrap">{label}</td>')
        parts.append(f'<td class="num">{escape(format_number(row["customers"]))}</td>')
        parts.append(f'<td class="num">{escape(format_percent(row["share"]))}</td>')
        for name in shown:
            parts.append(f'<td class="num">{_kpi_cell(name, row["kpis"].get(name))}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return Markup("".join(parts))


def _kpi_cell(name: str, kpi: Mapping[str, Any] | None) -> Markup:
    if kpi is None or kpi.get("value") is None:
        reason = (kpi or {}).get("reason", "")
        return Markup(f'<span title="{escape(reason)}">{MISSING}</span>')
    fmt = _formatter(name)
    value = escape(fmt(kpi["value"]))
    if kpi.get("significant"):
        value = Markup(f"<strong>{value} *</strong>")
    if kpi.get("ci_low") is None or kpi.get("ci_high") is None:
        return Markup(value)
    interval = escape(f"{fmt(kpi['ci_low'])}–{fmt(kpi['ci_high'])}")
    return Markup(f'{value}<br><small style="opacity:.7">{interval}</small>')


def _formatter(name: str) -> Any:
    return format_percent if name in PERCENT_KPIS else (lambda v: format_number(v, 2))


def _segment_name(name: str | None, lang: str) -> str:
    return t("kpis.all", lang) if name is None else segment_label(str(name), lang)


def format_kpi(name: str, kpi: Mapping[str, Any] | None) -> str:
    """Return "value (low–high)" with a trailing * when it differs from the rest significantly."""
    if kpi is None or kpi.get("value") is None:
        return MISSING
    fmt = _formatter(name)
    text = fmt(kpi["value"])
    if kpi.get("ci_low") is not None and kpi.get("ci_high") is not None:
        text += f" ({fmt(kpi['ci_low'])}–{fmt(kpi['ci_high'])})"
    if kpi.get("significant"):
        text += " *"
    return text


def kpi_section(payloads: Sequence[Mapping[str, Any]], *, lang: str = "en") -> ReportSection | None:
    """Return the "KPIs per segment" section: one table per scheme, or None without payloads."""
    if not payloads:
        return None
    first = payloads[0]
    items: list[Any] = []
    for payload in payloads:
        caption = t("kpis.caption", lang, scheme=payload["scheme"])
        items.append(kpi_table_html(payload, lang=lang, caption=caption))
    reasons = {
        name: kpi["reason"]
        for name, kpi in first["population"]["kpis"].items()
        if kpi is not None and kpi.get("reason")
    }
    if reasons:
        items.append(
            t("kpis.not_computed", lang)
            + " "
            # the reasons are the engine's English detail: named only in an English report
            + "; ".join(
                f"{t(f'kpi.{k}', lang)}: {v}" if lang == "en" else t(f"kpi.{k}", lang)
                for k, v in reasons.items()
            )
        )
    return ReportSection(
        t("kpis.heading", lang),
        items,
        intro=t("kpis.intro", lang, days=first["window_days"]),
    )


def cohort_heatmap(payload: Mapping[str, Any], *, key: str = "retention") -> Markup:
    """Return an SVG triangle: one row per cohort, one column per period since acquisition.

    Periods after the data ends stay empty (not 0); the last observed column is hatched grey
    when it is only partly observed.
    """
    cohorts = list(payload["cohorts"])[-COHORT_ROWS_SHOWN:]
    width = min(COHORT_PERIODS_SHOWN, max((len(c[key]) for c in cohorts), default=0))
    cell_w, cell_h, left, top = 46.0, 22.0, 150.0, 26.0
    svg_w = left + cell_w * max(width, 1) + 10
    svg_h = top + cell_h * max(len(cohorts), 1) + 10
    body = []
    for k in range(width):
        x = left + (k + 0.5) * cell_w
        body.append(f'<text x="{x:.1f}" y="18" text-anchor="middle" class="tick">{k}</text>')
    for i, cohort in enumerate(cohorts):
        y = top + i * cell_h
        label = f"{cohort.get('segment') or ''} {cohort['cohort']} ({cohort['size']:,})".strip()
        body.append(
            f'<text x="{left - 8:.1f}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="end" '
            f'class="tick">{escape(label)}</text>'
        )
        values = cohort[key]
        last = max((j for j, v in enumerate(values) if v is not None), default=-1)
        for k in range(width):
            value = values[k] if k < len(values) else None
            if value is None:
                continue
            share = max(0.0, min(float(value), 1.0))
            colour = tuple(
                round(lo + (hi - lo) * share) for lo, hi in zip(HEAT_LOW, HEAT_HIGH, strict=True)
            )
            x = left + k * cell_w
            partial = cohort.get("partial_last") and k == last
            ink = "#ffffff" if share > 0.55 else "#1f2937"
            body.append(
                f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell_w - 2:.1f}" '
                f'height="{cell_h - 2:.1f}" rx="2" fill="rgb{colour}"'
                + (' stroke="#9ca3af" stroke-dasharray="3 2"' if partial else "")
                + f"><title>{escape(cohort['cohort'])} · {k}: {value:.1%}"
                + (" (partial)" if partial else "")
                + "</title></rect>"
            )
            body.append(
                f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2 + 4:.1f}" '
                f'text-anchor="middle" font-size="10" fill="{ink}">{value:.0%}</text>'
            )
    return Markup(
        f'<svg class="chart" role="img" aria-label="cohort heatmap" viewBox="0 0 {svg_w:.0f} '
        f'{svg_h:.0f}" width="{svg_w:.0f}" height="{svg_h:.0f}">{"".join(body)}</svg>'
    )


def cohort_section(payload: Mapping[str, Any], *, lang: str = "en") -> ReportSection | None:
    """Return the cohort section: customer and revenue retention heatmaps with the conventions."""
    if not payload.get("cohorts"):
        return None
    period = t(f"cohorts.by_{payload['by']}", lang)
    items: list[Any] = [
        t("cohorts.customer_caption", lang, period=period),
        cohort_heatmap(payload, key="retention"),
        t("cohorts.revenue_caption", lang, period=period),
        cohort_heatmap(payload, key="revenue_retention"),
    ]
    return ReportSection(t("cohorts.heading", lang), items, intro=t("cohorts.intro", lang))


def run_kpi_sections(result: Any, *, lang: str = "en") -> list[ReportSection]:
    """Return the KPI section of a workspace run (its schemes first, then its tags), if computed."""
    payloads = list(getattr(result, "kpis", {}).values())
    payloads.sort(key=lambda p: str(p["scheme"]).startswith("tag:"))
    section = kpi_section(payloads, lang=lang)
    return [section] if section is not None else []
