"""Report section for experiments: per segment and variant, the uplift interval drawn as a bar."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from segmint.i18n import has_message, segment_label, t
from segmint.report.context import ReportSection
from segmint.report.formatting import format_number

BAR_WIDTH = 260
BAR_HEIGHT = 18
WINS = "#16a34a"
LOSES = "#dc2626"
UNSURE = "#94a3b8"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1%}"


def _p(value: float | None) -> str:
    return "–" if value is None else ("<0.001" if value < 0.001 else f"{value:.3f}")


def axis_range(rows: Sequence[Mapping[str, Any]]) -> tuple[float, float]:
    """Return a symmetric-enough range that holds every interval and zero."""
    bounds = [v for r in rows for v in (r["ci_low"], r["ci_high"]) if v is not None]
    low, high = min(bounds + [0.0]), max(bounds + [0.0])
    span = max(high - low, 0.02)
    return low - 0.05 * span, high + 0.05 * span


def interval_bar(row: Mapping[str, Any], low: float, high: float) -> Markup:
    """Return an inline SVG: the interval as a bar, the estimate as a dot, zero as a line."""
    if row["ci_low"] is None or row["ci_high"] is None or row["uplift_rel"] is None:
        return Markup("")

    def x(value: float) -> float:
        return round((value - low) / (high - low) * BAR_WIDTH, 1)

    colour = WINS if row["ci_low"] > 0 else LOSES if row["ci_high"] < 0 else UNSURE
    left, right = x(row["ci_low"]), x(row["ci_high"])
    label = f"{_pct(row['ci_low'])} … {_pct(row['ci_high'])}"
    return Markup(
        f'<svg class="chart ci-bar" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" '
        f'viewBox="0 0 {BAR_WIDTH} {BAR_HEIGHT}" role="img" aria-label="{escape(label)}">'
        f'<rect x="{left}" y="5" width="{max(right - left, 1.5)}" height="8" rx="3" '
        f'fill="{colour}" fill-opacity="0.55"/>'
        f'<line class="threshold" x1="{x(0.0)}" x2="{x(0.0)}" y1="0" y2="{BAR_HEIGHT}"/>'
        f'<circle cx="{x(row["uplift_rel"])}" cy="9" r="4" fill="{colour}"/></svg>'
    )


def experiment_table(payload: Mapping[str, Any], *, lang: str = "en") -> Markup:
    """Return the results table: one row per segment and variant, the interval as a bar."""
    rows = payload["results"]
    low, high = axis_range(rows)
    head = [
        ("segment", ""), ("variant", ""), ("users", "num"), ("mean", "num"), ("uplift", "num"),
        ("interval", ""), ("p_adj", "num"), ("win", "num"),
    ]  # fmt: skip
    parts = ['<div class="table-wrap"><table class="experiment">', "<thead><tr>"]
    for key, cls in head:
        label = t(f"exp.col.{key}", lang)
        if key == "interval":
            label = f"{label} ({_pct(low)} … {_pct(high)})"
        parts.append(f'<th class="{cls}">{escape(label)}</th>')
    parts.append("</tr></thead><tbody>")
    previous = None
    for row in rows:
        segment = row["segment"]
        name = "" if segment == previous else (
            t("exp.all", lang) if segment == "all" else segment_label(str(segment), lang)
        )  # fmt: skip
        previous = segment
        mean = format_number(row["mean"], 0 if abs(row["mean"] or 0) >= 100 else 3)
        win = "" if row["chance_to_win"] is None else f"{row['chance_to_win']:.0%}"
        parts.append(
            f'<tr><td class="nowrap"><strong>{escape(name)}</strong></td>'
            f'<td class="nowrap">{escape(row["variant"])}</td>'
            f'<td class="num">{row["users"]:,}</td><td class="num">{escape(mean)}</td>'
            f'<td class="num">{escape(_pct(row["uplift_rel"]))}</td>'
            f"<td>{interval_bar(row, low, high)}</td>"
            f'<td class="num">{escape(_p(row["p_value_adjusted"]))}</td>'
            f'<td class="num">{escape(win)}</td></tr>'
        )
    parts.append("</tbody></table></div>")
    return Markup("".join(parts))


def warning_text(warning: Mapping[str, Any], lang: str) -> str:
    """Return a warning in `lang`: the catalogue's wording by code, else the English message."""
    key = f"exp.warn.{warning['code']}"
    if lang == "en" or not has_message(key):
        return str(warning["message"])
    params = dict(warning)
    if warning["code"] == "small_segment":
        mde = warning.get("mde")
        params["mde"] = "–" if mde is None else f"{mde:.1%}"
    if warning["code"] == "not_computed":
        params["why"] = t(f"exp.why.{'zero' if warning.get('zero_control') else 'flat'}", lang)
    return t(key, lang, **params)


def experiment_sections(
    payloads: Sequence[Mapping[str, Any]], *, lang: str = "en"
) -> list[ReportSection]:
    """Return one report section per experiment (an SRM alarm first when the split is broken)."""
    sections = []
    for payload in payloads:
        window = payload["window"]
        items: list[Any] = []
        if payload["srm_flag"]:
            items.append(
                Markup('<p class="srm-alarm" style="color:#b91c1c;font-weight:600">')
                + escape(t("exp.srm_bad", lang, p=f"{payload['srm_p_value']:.2g}"))
                + Markup("</p>")
            )
        items.append(experiment_table(payload, lang=lang))
        for warning in payload["warnings"]:
            if warning["code"] != "srm":
                items.append(f"{t('exp.warning', lang)}: {warning_text(warning, lang)}")
        intro = t(
            "exp.report_intro", lang, control=payload["control"], metric=payload["metric"],
            start=window["start"][:10], end=window["end"][:10],
        )  # fmt: skip
        title = f"{t('exp.report_heading', lang)}: {payload['experiment']}"
        sections.append(ReportSection(title, items, intro))
    return sections
