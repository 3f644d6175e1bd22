"""Render a `ReportContext` into one self-contained HTML page (inline CSS and SVG, works offline)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from segmint import __version__
from segmint.i18n import check_lang, segment_label, t
from segmint.report.charts import bar_chart, grouped_bar_chart, heatmap, table_html
from segmint.report.context import SEGMENT_COLUMNS, ReportContext, ReportSection, SectionItem
from segmint.report.formatting import format_number, format_percent
from segmint.report.notes import translate_note, translate_reason

SUMMARY_CARDS: tuple[tuple[str, str], ...] = (
    ("rows_read", "int"),
    ("rows_loaded", "int"),
    ("rows_rejected", "int"),
    ("customers", "int"),
    ("amount_total", "money"),
    ("at_risk_value", "whole"),
    ("accounts_due", "int"),
    ("moved", "int"),
)
# Cards that flag something to act on when their value is not zero.
WARN_CARDS = frozenset({"rows_rejected", "at_risk_value", "accounts_due"})


@dataclass
class _Block:
    """One rendered section of the page."""

    anchor: str
    title: str
    intro: str = ""
    items: list[Markup] = field(default_factory=list)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("segmint.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report(context: ReportContext, *, lang: str = "en") -> str:
    """Return the report as one HTML document with every chart and style inline."""
    check_lang(lang)
    blocks: list[_Block] = [
        _extra_block(section, number, prefix="a")
        for number, section in enumerate(context.lead_sections, start=1)
    ]
    if context.segments is not None and not context.segments.empty:
        blocks.append(_segments_block(context.segments, lang, context.playbooks))
    if context.rfm_grid is not None and not context.rfm_grid.empty:
        blocks.append(_grid_block(context.rfm_grid, lang))
    for number, section in enumerate(context.sections, start=1):
        blocks.append(_extra_block(section, number))
    quality = _quality_block(context, lang)
    if quality is not None:
        blocks.append(quality)
    template = _environment().get_template("report.html.j2")
    return template.render(
        lang=lang,
        title=context.title,
        subtitle=context.subtitle,
        cards=_summary_cards(context.summary, lang),
        period=_period(context.summary, lang),
        blocks=blocks,
        notes=[translate_note(note, lang) for note in context.notes],
        t=lambda key, **params: t(key, lang, **params),
        version=__version__,
    )


def _summary_cards(summary: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    cards = []
    for key, kind in SUMMARY_CARDS:
        if key not in summary or summary[key] is None:
            continue
        value = summary[key]
        if kind == "money" and isinstance(value, str):
            value = Decimal(value)  # money totals arrive as exact decimal strings
        text = format_number(value, 2 if kind == "money" else 0)
        warn = key in WARN_CARDS and bool(value)
        params = {"value": summary.get("value_label", "")} if key == "at_risk_value" else {}
        detail = str(summary.get(f"{key}_detail", ""))
        cards.append(
            {
                "label": t(f"summary.{key}", lang, **params),
                "value": text,
                "warn": warn,
                "detail": detail,
            }
        )
    return cards


def _period(summary: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    items = []
    if summary.get("first_date") or summary.get("last_date"):
        span = f"{summary.get('first_date', '…')} – {summary.get('last_date', '…')}"
        items.append((t("summary.period", lang), span))
    if summary.get("as_of"):
        items.append((t("summary.as_of", lang), str(summary["as_of"])))
    if summary.get("encoding"):
        items.append((t("summary.encoding", lang), str(summary["encoding"])))
    previous = summary.get("previous_run")
    if isinstance(previous, dict):
        text = t("summary.previous_run_value", lang, run=previous["run"], as_of=previous["as_of"])
        items.append((t("summary.previous_run", lang), text))
    return items


def _segments_block(
    segments: pd.DataFrame, lang: str, playbooks: dict[str, str] | None = None
) -> _Block:
    missing = [c for c in ("segment", "customers") if c not in segments.columns]
    if missing:
        raise ValueError(
            f"segments frame lacks columns {missing}; expected {list(SEGMENT_COLUMNS)}"
        )
    frame = segments[[c for c in SEGMENT_COLUMNS if c in segments.columns]].copy()
    if playbooks is not None:
        frame["rfm_playbook"] = [
            playbooks.get(str(name)) or t("run.playbook_none", lang) for name in frame["segment"]
        ]
    frame["segment"] = [segment_label(str(name), lang) for name in frame["segment"]]
    labels = list(frame["segment"])
    items = [
        _figure(
            t("segments.sizes", lang),
            bar_chart(
                labels,
                list(frame["customers"]),
                title=t("segments.sizes", lang),
                axis_title=t("chart.customers_axis", lang),
            ),
        )
    ]
    if "revenue" in frame.columns:
        items.append(
            _figure(
                t("segments.revenue", lang),
                bar_chart(
                    labels,
                    list(frame["revenue"]),
                    title=t("segments.revenue", lang),
                    value_format=lambda v: format_number(v, 0),
                    color="#6366f1",
                    axis_title=t("chart.revenue_axis", lang),
                ),
            )
        )
    if {"share", "revenue_share"} <= set(frame.columns):
        chart = grouped_bar_chart(
            labels,
            {
                t("legend.customers", lang): list(frame["share"]),
                t("legend.revenue", lang): list(frame["revenue_share"]),
            },
            title=t("segments.shares", lang),
            value_format=format_percent,
            width=1000.0,
        )
        items.append(_figure(t("segments.shares", lang), chart, wide=True))
    formats = {
        "share": format_percent,
        "revenue_share": format_percent,
        "revenue": lambda v: format_number(v, 2),
        "avg_recency": lambda v: format_number(v, 1),
        "avg_frequency": lambda v: format_number(v, 2),
        "avg_monetary": lambda v: format_number(v, 2),
    }
    headers = {c: t(f"col.{c}", lang) for c in frame.columns}
    items.append(table_html(frame, headers=headers, formats=formats))
    return _Block("segments", t("segments.heading", lang), t("segments.intro", lang), items)


def _grid_frame(grid: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Return the grid in long form (r_score, column score, customers[, segment])."""
    if "r_score" in grid.columns:
        column = next((c for c in ("f_score", "fm_score") if c in grid.columns), None)
        if column is None or "customers" not in grid.columns:
            raise ValueError("rfm_grid needs r_score, f_score (or fm_score) and customers columns")
        return grid, column
    # a pivot: index = R scores, columns = F scores, cells = counts
    long = pd.DataFrame(grid.stack()).reset_index()
    long.columns = pd.Index(["r_score", "f_score", "customers"])
    return long, "f_score"


def _grid_block(grid: pd.DataFrame, lang: str) -> _Block:
    long, column = _grid_frame(grid)
    r_values = _score_range(long["r_score"])[::-1]
    c_values = _score_range(long[column])
    counts = np.zeros((len(r_values), len(c_values)))
    names: list[list[str]] = [["" for _ in c_values] for _ in r_values]
    r_pos = {v: i for i, v in enumerate(r_values)}
    c_pos = {v: j for j, v in enumerate(c_values)}
    has_names = "segment" in long.columns
    segments = long["segment"] if has_names else pd.Series([None] * len(long), index=long.index)
    for r, c, n, name in zip(
        long["r_score"], long[column], long["customers"], segments, strict=True
    ):
        if r not in r_pos or c not in c_pos:  # a missing score
            continue
        i, j = r_pos[r], c_pos[c]
        counts[i, j] += float(n)
        if isinstance(name, str) and name:
            names[i][j] = segment_label(name, lang)
    chart = heatmap(
        [_score_label(v) for v in r_values],
        [_score_label(v) for v in c_values],
        counts.tolist(),
        cell_text=names if has_names else None,
        row_title=t("grid.r_axis", lang),
        column_title=t("grid.fm_axis" if column == "fm_score" else "grid.f_axis", lang),
        title=t("grid.heading", lang),
    )
    return _Block("rfm-grid", t("grid.heading", lang), t("grid.intro", lang), [chart])


def _score_range(scores: pd.Series) -> list[Any]:
    """Return the distinct scores; integer scores fill the gaps (ties can leave a score empty)."""
    values = sorted(scores.dropna().unique())
    if values and all(float(v).is_integer() for v in values):
        return list(range(int(values[0]), int(values[-1]) + 1))
    return values


def _score_label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quality_block(context: ReportContext, lang: str) -> _Block | None:
    quality = context.quality or {}
    items: list[Markup] = []
    columns = quality.get("columns") or {}
    if columns:
        frame = pd.DataFrame(
            {"column": list(columns), "source_column": [str(v) for v in columns.values()]}
        )
        headers = {"column": t("col.column", lang), "source_column": t("col.source_column", lang)}
        items.append(_figure(t("quality.columns", lang), table_html(frame, headers=headers)))
    # also accepts segmint.sources.quality_report() output (null_share, rejected_reasons)
    nulls = quality.get("null_shares") or quality.get("null_share") or {}
    if nulls:
        chart = bar_chart(
            [str(k) for k in nulls],
            [float(v) for v in nulls.values()],
            title=t("quality.null_shares", lang),
            value_format=format_percent,
            color="#f59e0b",
            axis_title=t("col.null_share", lang),
        )
        items.append(_figure(t("quality.null_shares", lang), chart))
    reasons = quality.get("rejects_by_reason") or quality.get("rejected_reasons") or {}
    if reasons:
        frame = pd.DataFrame(
            {
                "reason": [translate_reason(str(r), lang) for r in reasons],
                "rows": [int(v) for v in reasons.values()],
            }
        )
        headers = {"reason": t("col.reason", lang), "rows": t("col.rows", lang)}
        items.append(_figure(t("quality.rejects", lang), table_html(frame, headers=headers)))
    sample = context.rejected_sample
    if sample is not None and "reason" in sample.columns:
        sample = sample.assign(reason=[translate_reason(str(r), lang) for r in sample["reason"]])
    if sample is not None and not sample.empty:
        headers = {c: t(f"col.{c}", lang) for c in sample.columns if f"col.{c}" in _known()}
        items.append(
            _figure(t("quality.rejected_sample", lang), table_html(sample, headers=headers))
        )
    elif sample is not None or "rejects_by_reason" in quality or "rejected_reasons" in quality:
        items.append(Markup("<p>{}</p>").format(t("quality.none_rejected", lang)))
    if not items:
        return None
    return _Block("quality", t("quality.heading", lang), "", items)


@cache
def _known() -> frozenset[str]:
    from segmint.i18n import MESSAGES

    return frozenset(MESSAGES)


def _extra_block(section: ReportSection, number: int, *, prefix: str = "s") -> _Block:
    slug = re.sub(r"[^a-z0-9]+", "-", section.title.lower()).strip("-") or "section"
    return _Block(
        f"{prefix}{number}-{slug}",
        section.title,
        section.intro,
        [_item(i) for i in section.items()],
    )


def _item(item: SectionItem) -> Markup:
    if isinstance(item, Markup):
        # charts sit side by side like the built-in figures; other markup spans the row
        return (
            Markup('<div class="figure">{}</div>').format(item) if item.startswith("<svg") else item
        )
    if isinstance(item, pd.DataFrame):
        return table_html(item)
    return Markup("<p>{}</p>").format(item)


def _figure(caption: str, content: Markup, *, wide: bool = False) -> Markup:
    klass = "figure wide" if wide else "figure"
    return Markup('<figure class="{}"><figcaption>{}</figcaption>{}</figure>').format(
        klass, caption, content
    )
