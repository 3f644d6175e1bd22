"""The report's "Understand" section: what each segment buys, how it reacts to price, when it buys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from segmint.i18n import segment_label, t
from segmint.report.context import ReportSection
from segmint.report.formatting import MISSING, format_number, format_percent

TOP_ITEMS = 3
TOP_PAIRS = 5
MIN_LABELLED = 20  # a segment is named deal seekers / full-price buyers only with this many
_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _interval(low: Any, high: Any, fmt: Any) -> str:
    if low is None or high is None:
        return ""
    return f" ({fmt(low)}–{fmt(high)})"


def _significant(p: float | None) -> bool:
    return p is not None and p < 0.05


def preferences_table(payload: Mapping[str, Any], lang: str) -> pd.DataFrame:
    """Return the top ranked items of each segment: share, everybody's share, lift (95%)."""
    rows = []
    for seg in payload["segments"]:
        ranked = [c for c in seg["categories"] if c["ranked"]][:TOP_ITEMS]
        for c in ranked:
            lift = format_number(c["lift"], 2) if c["lift"] is not None else MISSING
            rows.append(
                {
                    t("col.segment", lang): segment_label(seg["segment"], lang),
                    t("understand.col.item", lang): c["category"],
                    t("understand.col.buyers", lang): format_number(c["buyers"]),
                    t("understand.col.share", lang): format_percent(c["revenue_share"]),
                    t("understand.col.everybody", lang): format_percent(c["population_share"]),
                    t("understand.col.lift", lang): lift
                    + _interval(c["lift_ci_low"], c["lift_ci_high"], lambda v: format_number(v, 2))
                    + (" *" if _significant(c["p_value_adjusted"]) else ""),
                }
            )
    return pd.DataFrame(rows)


def pairs_table(payload: Mapping[str, Any], lang: str) -> pd.DataFrame:
    """Return the strongest basket pairs: support, confidence, lift, adjusted p."""
    rows = []
    for p in payload["pairs"][: TOP_PAIRS * 2 : 2]:  # both directions are listed: one per pair
        rows.append(
            {
                t("understand.col.bought", lang): p["antecedent"],
                t("understand.col.also", lang): p["consequent"],
                t("understand.col.support", lang): format_percent(p["support"]),
                t("understand.col.confidence", lang): format_percent(p["confidence"]),
                t("understand.col.pair_lift", lang): format_number(p["lift"], 2),
            }
        )
    return pd.DataFrame(rows)


def price_table(payload: Mapping[str, Any], lang: str) -> pd.DataFrame:
    """Return per segment the discount figures with 95% intervals and the label mix."""
    rows = []
    for seg in payload["segments"]:
        if not seg["customers_with_orders"]:
            continue
        row = {t("col.segment", lang): segment_label(seg["segment"], lang)}
        names = ["discount_share", "discounted_order_share", "coupon_order_share"]
        if any("redemption_rate" in s for s in payload["segments"]):
            names.append("redemption_rate")
        for name in names:
            m = seg.get(name)
            row[t(f"understand.col.{name}", lang)] = (
                MISSING
                if m is None or m["value"] is None
                else format_percent(m["value"])
                + _interval(m["ci_low"], m["ci_high"], format_percent)
            )
        for label in ("deal seeker", "full price"):
            key = "deal_seekers" if label == "deal seeker" else "full_price"
            row[t(f"understand.col.{key}", lang)] = format_percent(seg["labels"][label]["share"])
        rows.append(row)
    return pd.DataFrame(rows)


def price_personas(payload: Mapping[str, Any], lang: str) -> list[str]:
    """Return one sentence per segment naming it deal seekers, full-price buyers or mixed."""
    lines = []
    for seg in payload["segments"]:
        labels = seg["labels"]
        deal, full = labels["deal seeker"]["share"], labels["full price"]["share"]
        labelled = sum(v["customers"] for k, v in labels.items() if k != "insufficient")
        if deal is None or full is None or labelled < MIN_LABELLED:
            continue
        name = segment_label(seg["segment"], lang)
        if deal >= 0.5:
            key = "understand.persona.deal"
        elif full >= 0.5:
            key = "understand.persona.full"
        else:
            key = "understand.persona.mixed"
        lines.append(
            t(key, lang, segment=name, deal=format_percent(deal), full=format_percent(full))
        )
    return lines


def timing_table(payload: Mapping[str, Any], lang: str) -> pd.DataFrame:
    """Return per segment the median cycle, chance to buy in 30 days, overdue and busiest times."""
    rows = []
    for seg in payload["segments"]:
        weekday, hour, month = (
            seg["orders_by_weekday"],
            seg["orders_by_hour"],
            seg["revenue_by_month"],
        )
        if not any(weekday):
            continue
        cycle = seg["median_cycle_days"]
        rows.append(
            {
                t("col.segment", lang): segment_label(seg["segment"], lang),
                t("col.customers", lang): format_number(seg["customers"]),
                t("understand.col.cycle", lang): MISSING if cycle is None else format_number(cycle),
                t("understand.col.p30", lang): format_percent(seg["p_purchase_30d_mean"]),
                t("understand.col.overdue", lang): format_number(seg["overdue_customers"]),
                t("understand.col.weekday", lang): t(
                    f"understand.day.{_WEEKDAY_KEYS[weekday.index(max(weekday))]}", lang
                ),
                t("understand.col.hour", lang): f"{hour.index(max(hour)):02d}:00",
                t("understand.col.month", lang): t(
                    "understand.month", lang, month=month.index(max(month)) + 1
                ),
            }
        )
    return pd.DataFrame(rows)


def understand_section(block: Mapping[str, Any], *, lang: str = "en") -> ReportSection | None:
    """Return the Understand section from an `analyze` / run Understand block, or None if empty."""
    items: list[Any] = []
    prefs = block.get("preferences")
    if prefs and any(c["ranked"] for s in prefs["segments"] for c in s["categories"]):
        level = t(f"understand.level.{prefs['level']}", lang)
        items.append(t("understand.preferences", lang, level=level, n=prefs["min_buyers"]))
        items.append(preferences_table(prefs, lang))
        if prefs["pairs"]:
            items.append(t("understand.pairs", lang, baskets=format_number(prefs["baskets"])))
            items.append(pairs_table(prefs, lang))
    price = block.get("price")
    if price:
        items.append(t("understand.price", lang, n=price["min_orders"]))
        items.append(price_table(price, lang))
        items.extend(price_personas(price, lang))
    timing = block.get("timing")
    if timing:
        items.append(t("understand.timing", lang))
        table = timing_table(timing, lang)
        if not table.empty:
            items.append(table)
    if not items:
        return None
    return ReportSection(t("understand.heading", lang), items, intro=t("understand.intro", lang))


__all__ = ["understand_section"]
