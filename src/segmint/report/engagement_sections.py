"""The run report's "Understand" section: response per segment × channel and early behaviours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from segmint.analysis.channels import TOO_FEW_TOUCHES, UNDETERMINED
from segmint.i18n import segment_label, t
from segmint.report.context import ReportSection
from segmint.report.formatting import MISSING, format_number, format_percent

_NUM = ' class="num"'


def _table(
    head: Sequence[str],
    rows: Sequence[Sequence[Markup | str]],
    caption: str,
    *,
    text_columns: int = 1,
) -> Markup:
    """Return an HTML table: the first `text_columns` columns are text, the others numbers."""
    parts = ['<div class="table-wrap"><table class="kpis">']
    parts.append(f"<caption>{escape(caption)}</caption><thead><tr>")
    parts += [f"<th{'' if i < text_columns else _NUM}>{escape(h)}</th>" for i, h in enumerate(head)]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        cells = [
            f'<td style="white-space:nowrap">{escape(c)}</td>'
            if i < text_columns
            else f"<td{_NUM}>{escape(c)}</td>"
            for i, c in enumerate(row)
        ]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table></div>")
    return Markup("".join(parts))


def _rate_cell(rate: Mapping[str, Any] | None, *, counts: bool = False) -> Markup:
    """Return the rate (bold with * when it differs from the other segments) and its interval."""
    if rate is None:
        return Markup(MISSING)
    value = escape(format_percent(rate["value"]))
    p = rate.get("p_value_adjusted")
    if p is not None and p < 0.05:
        value = Markup(f"<strong>{value} *</strong>")
    detail = f"{format_percent(rate['ci_low'])}–{format_percent(rate['ci_high'])}"
    if counts:
        detail = (
            f"{format_number(rate['numerator'])}/{format_number(rate['denominator'])} · {detail}"
        )
    return Markup(f'{value}<br><small style="opacity:.7">{escape(detail)}</small>')


def _difference_cell(value: float | None, low: float | None, high: float | None) -> Markup:
    if value is None or low is None or high is None:
        return Markup(MISSING)
    points = escape(f"{value * 100:+.1f}")
    if low > 0 or high < 0:  # the interval excludes no difference
        points = Markup(f"<strong>{points}</strong>")
    interval = escape(f"{low * 100:+.1f} … {high * 100:+.1f}")
    return Markup(f'{points}<br><small style="opacity:.7">{interval}</small>')


def preferred_name(key: str, lang: str) -> str:
    """Return a preferred-channel key for display: channels as they are, the two states translated."""
    names = {UNDETERMINED: "insights.undetermined", TOO_FEW_TOUCHES: "insights.too_few_touches"}
    return t(names[key], lang) if key in names else key


def backtest_text(backtest: Mapping[str, Any] | None, lang: str) -> str:
    """Return one sentence: preferred channel vs most-sent channel in the backtest ("" if none)."""
    if not backtest:
        return ""
    return t(
        "insights.channels.backtest",
        lang,
        days=backtest["days"],
        cut=str(backtest["cut_off"])[:10],
        customers=format_number(backtest["customers"]),
        model=format_percent(backtest["preferred_channel"]["value"]),
        naive=format_percent(backtest["most_sent_channel"]["value"]),
        diff=f"{backtest['difference'] * 100:+.1f}",
        low=f"{backtest['ci_low'] * 100:+.1f}",
        high=f"{backtest['ci_high'] * 100:+.1f}",
    )


def channels_items(payload: Mapping[str, Any], *, lang: str) -> list[Any]:
    """Return the channels table (segment × channel) and the preferred-channel line."""
    by = payload["by"]
    head = [t("insights.col.segment", lang), t(f"insights.col.{by}", lang),
            t("insights.col.touches", lang), t("insights.col.open_rate", lang),
            t("insights.col.click_rate", lang), t("insights.col.conversion_rate", lang)]  # fmt: skip
    rows = []
    for seg in payload["segments"]:
        for i, row in enumerate(seg["rows"]):
            rows.append(
                [
                    segment_label(str(seg["segment"]), lang) if i == 0 else "",
                    str(row[by]),
                    format_number(row["touches"]),
                    _rate_cell(row["open_rate"]),
                    _rate_cell(row["click_rate"]),
                    _rate_cell(row["conversion_rate"], counts=True),
                ]
            )
    caption = t(
        "understand.channels_caption",
        lang,
        scheme=payload["scheme"],
        window=payload["window_days"],
        pending=format_number(payload["pending_touches"]),
    )
    counts = ", ".join(
        f"{preferred_name(k, lang)} {format_number(v)}"
        for k, v in payload["preferred_channel"].items()
    )
    return [
        _table(head, rows, caption, text_columns=2),
        t("insights.channels.preferred", lang, counts=counts),
        *([backtest_text(payload["backtest"], lang)] if payload.get("backtest") else []),
        t("insights.channels.note", lang),
    ]


def behaviours_items(payload: Mapping[str, Any], *, lang: str) -> list[Any]:
    """Return the behaviours table (raw and adjusted differences) and the association note."""
    head = [t("insights.col.behaviour", lang), t("insights.col.did", lang),
            t("insights.col.rate_did", lang), t("insights.col.rate_did_not", lang),
            t("insights.col.difference", lang), t("insights.col.p_adj", lang),
            t("insights.col.adjusted", lang)]  # fmt: skip
    rows = []
    for row in payload["behaviours"]:
        p = row["p_value_adjusted"]
        rows.append(
            [
                str(row["behaviour"]),
                f"{format_number(row['customers_did'])} ({format_percent(row['share_did'])})",
                format_percent(row["rate_did"]),
                format_percent(row["rate_did_not"]),
                _difference_cell(row["difference"], row["ci_low"], row["ci_high"]),
                MISSING if p is None else (f"{p:.3f}" if p >= 0.001 else "<0.001"),
                _difference_cell(
                    row["adjusted_difference"], row["adjusted_ci_low"], row["adjusted_ci_high"]
                ),
            ]
        )
    caption = t(
        "insights.behaviours.intro",
        lang,
        outcome=payload["outcome"],
        first=payload["first_days"],
        horizon=payload["horizon_days"],
        population=format_number(payload["population"]),
        baseline=format_percent(payload["baseline_rate"]),
    )
    items: list[Any] = [_table(head, rows, caption)]
    if payload["adjusted_for"]:
        items.append(
            t("insights.behaviours.adjusted", lang, columns=", ".join(payload["adjusted_for"]))
        )
    items.append(t("insights.behaviours.note", lang))
    return items


def understand_section(
    *,
    channels: Mapping[str, Any] | None,
    behaviours: Mapping[str, Any] | None,
    lang: str = "en",
) -> ReportSection | None:
    """Return the "Understand: channels and behaviours" section, or None when neither was computed."""
    items: list[Any] = []
    if channels is not None and channels.get("segments"):
        items.append(Markup(f"<h3>{escape(t('understand.channels_heading', lang))}</h3>"))
        items += channels_items(channels, lang=lang)
    if behaviours is not None and behaviours.get("behaviours"):
        items.append(Markup(f"<h3>{escape(t('understand.behaviours_heading', lang))}</h3>"))
        items += behaviours_items(behaviours, lang=lang)
    if not items:
        return None
    return ReportSection(t("engagement.heading", lang), items, intro=t("engagement.intro", lang))


def run_engagement_sections(result: Any, *, lang: str = "en") -> list[ReportSection]:
    """Return the Understand section of a run whose stage `engagement` left its payloads."""
    payloads = getattr(result, "outputs", {}).get("engagement") or {}
    section = understand_section(
        channels=payloads.get("channels"), behaviours=payloads.get("behaviours"), lang=lang
    )
    return [section] if section is not None else []
