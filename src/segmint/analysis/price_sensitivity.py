"""How much each customer buys on discount: shares, shrunk rates, labels and per-segment figures.

Order shares (orders with a discount, orders with a coupon) are binomial counts per customer;
with few orders they are noisy, so each is shrunk toward its segment with a beta prior fitted to
the segment by the method of moments (beta-binomial): (k + a) / (n + a + b). The discount share
of money is shrunk the same way with the orders as the weight. Customers with fewer than
`min_orders` orders keep their figures but get the label `insufficient`.

Where touches carry offers (an `offer` column), `redemption_rate` = offer touches converted ÷
offer touches received (pending ones left out, see segmint.analysis.channels), shrunk toward the
segment the same way with the touches as the trials.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import ibis
import numpy as np
import pandas as pd
from ibis.expr import types as ir

from segmint.analysis.stats import (
    RatioMoments,
    benjamini_hochberg,
    ratio_interval,
    ratio_ztest,
    wilson_interval,
)
from segmint.engine import trimmed
from segmint.errors import InputError
from segmint.features.price import not_nan
from segmint.features.transactions import visible_transactions

LABELS: tuple[str, ...] = ("full price", "occasional", "deal seeker", "insufficient")
_NO_COUPON = ("", "0", "false", "no", "n", "none", "null", "nan", "없음")


@dataclass(frozen=True)
class PriceOptions:
    """Window, minimum orders and the cut points of the labels (on the shrunk discounted share)."""

    window_days: int = 365
    min_orders: int = 3
    full_price_below: float = 0.1
    deal_seeker_from: float = 0.5


def check_price_columns(transactions: ir.Table) -> None:
    """Raise InputError unless the transactions carry a discount or coupon column."""
    if "discount" not in transactions.columns and "coupon" not in transactions.columns:
        raise InputError(
            "price sensitivity needs a discount or coupon column in the transactions; map one "
            "with columns: {discount: <header>} (several are summed: [a, b]) or "
            "columns: {coupon: <header>} (analyze: --discount-col)"
        )


def price_inputs(transactions: ir.Table, *, as_of: datetime, window_days: int) -> pd.DataFrame:
    """Return per customer: orders, discounted_orders, coupon_orders, discount, gross (window)."""
    check_price_columns(transactions)
    t = visible_transactions(transactions, as_of=as_of)
    t = t.filter(t.is_order_row | (t.money_amount == 0))
    t = t.filter(t.occurred_at >= as_of - timedelta(days=window_days))
    discount = (
        not_nan(t.discount).cast("decimal(18,2)").fill_null(0)
        if "discount" in t.columns
        else ibis.literal(0).cast("decimal(18,2)")
    )
    if "coupon" in t.columns:
        code = trimmed(t.coupon.cast("string")).lower().fill_null("")
        coupon = ~code.isin(_NO_COUPON)
    else:
        coupon = ibis.literal(False)
    order = (
        t.invoice_id.cast("string")
        if "invoice_id" in t.columns
        else t.occurred_at.date().cast("string")
    )
    t = t.mutate(order=order, line_discount=discount, line_coupon=coupon)
    # a free line (paid 0, discount > 0) is part of an order and counts in the discount figures
    orders = t.group_by(["customer_id", "order"]).aggregate(
        paid=t.money_amount.sum(),
        discount=t.line_discount.sum(),
        has_discount=(t.line_discount > 0).any(),
        has_coupon=t.line_coupon.any(),
    )
    orders = orders.filter((orders.paid > 0) | (orders.discount > 0))
    per = orders.group_by("customer_id").aggregate(
        orders=orders.count(),
        discounted_orders=orders.has_discount.cast("int64").sum(),
        coupon_orders=orders.has_coupon.cast("int64").sum(),
        # summed exactly as DECIMAL, handed to Python as float
        discount=orders.discount.sum().cast("float64"),
        paid=orders.paid.sum().cast("float64"),
    )
    frame = per.to_pandas()
    for money in ("discount", "paid"):
        frame[money] = frame[money].astype(float)
    frame["gross"] = frame["paid"] + frame["discount"]
    return frame.sort_values("customer_id", ignore_index=True)


def beta_prior(successes: np.ndarray, trials: np.ndarray) -> tuple[float, float]:
    """Return (a, b) of a beta prior fitted to per-unit rates by the method of moments."""
    keep = trials > 0
    k, n = successes[keep].astype(float), trials[keep].astype(float)
    if len(n) < 2:
        return 1.0, 1.0
    rates = k / n
    mean = float(np.average(rates, weights=n))
    mean = min(max(mean, 1e-6), 1 - 1e-6)
    var = float(np.average((rates - mean) ** 2, weights=n))
    # Beta-binomial: the order-weighted variance of the rates is m(1-m)[c + rho(1 - c)] with
    # c = units / trials and rho = 1 / (a + b + 1), the correlation within a customer.
    c = len(n) / float(n.sum())
    rho = (var / (mean * (1 - mean)) - c) / (1 - c) if c < 1 else 0.0
    # no spread beyond the binomial noise (rho <= 0): everybody gets the group's rate
    strength = 1e4 if rho <= 0 else min(max(1 / rho - 1, 0.5), 1e4)
    return mean * strength, (1 - mean) * strength


def shrink(successes: np.ndarray, trials: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Return (k + a_g) / (n + a_g + b_g) with (a_g, b_g) the beta prior of each unit's group."""
    out = np.full(len(trials), np.nan)
    for group in np.unique(groups):
        rows = groups == group
        a, b = beta_prior(successes[rows], trials[rows])
        out[rows] = (successes[rows] + a) / (trials[rows] + a + b)
    return out


def customer_price_sensitivity(
    inputs: pd.DataFrame, labels: pd.DataFrame | None, *, options: PriceOptions
) -> pd.DataFrame:
    """Return per customer the raw and shrunk discount figures and the price_sensitivity label."""
    frame = inputs.copy()
    if labels is not None:
        seg = labels.drop_duplicates("customer_id").set_index("customer_id")["segment"]
        groups = frame["customer_id"].map(seg).fillna("(none)").astype(str).to_numpy()
    else:
        groups = np.full(len(frame), "all")
    n = frame["orders"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(frame["gross"] > 0, frame["discount"] / frame["gross"], np.nan)
    frame["discount_share_raw"] = share
    frame["discounted_order_share_raw"] = frame["discounted_orders"] / frame["orders"]
    frame["coupon_order_share_raw"] = frame["coupon_orders"] / frame["orders"]
    frame["discounted_order_share"] = shrink(frame["discounted_orders"].to_numpy(float), n, groups)
    frame["coupon_order_share"] = shrink(frame["coupon_orders"].to_numpy(float), n, groups)
    # the money share, shrunk like a rate over the customer's orders
    frame["discount_share"] = shrink(np.nan_to_num(share) * n, n, groups)
    cut = frame["discounted_order_share"]
    label = np.where(
        cut >= options.deal_seeker_from,
        "deal seeker",
        np.where(cut >= options.full_price_below, "occasional", "full price"),
    )
    frame["price_sensitivity"] = np.where(n < options.min_orders, "insufficient", label)
    for column in [c for c in frame.columns if c.endswith("share") or c.endswith("_raw")]:
        frame[column] = frame[column].astype(float).round(6)
    return frame[
        [
            "customer_id",
            "orders",
            "discount_share",
            "discounted_order_share",
            "coupon_order_share",
            "discount_share_raw",
            "discounted_order_share_raw",
            "coupon_order_share_raw",
            "price_sensitivity",
        ]
    ]


def offer_redemptions(touches: pd.DataFrame) -> pd.DataFrame:
    """Return per customer offers_received and offers_redeemed (decided offer touches only)."""
    decided = touches[touches["offer"].fillna(False).astype(bool) & ~touches["pending"]]
    grouped = decided.groupby("customer_id")["converted"]
    return pd.DataFrame(
        {
            "offers_received": grouped.size().astype("int64"),
            "offers_redeemed": grouped.sum().astype("int64"),
        }
    ).reset_index()


def add_redemption(
    customers: pd.DataFrame, redemptions: pd.DataFrame, labels: pd.DataFrame | None
) -> pd.DataFrame:
    """Return customers with offers_received, offers_redeemed and the shrunk redemption_rate."""
    frame = customers.merge(redemptions, on="customer_id", how="outer")
    frame["price_sensitivity"] = frame["price_sensitivity"].fillna("insufficient")
    frame["orders"] = frame["orders"].fillna(0).astype("int64")
    received = frame["offers_received"].fillna(0).to_numpy(float)
    redeemed = frame["offers_redeemed"].fillna(0).to_numpy(float)
    if labels is not None:
        seg = labels.drop_duplicates("customer_id").set_index("customer_id")["segment"]
        groups = frame["customer_id"].map(seg).fillna("(none)").astype(str).to_numpy()
    else:
        groups = np.full(len(frame), "all")
    shrunk = np.full(len(frame), np.nan)
    got = received > 0
    shrunk[got] = shrink(redeemed[got], received[got], groups[got])
    frame["redemption_rate"] = np.round(shrunk, 6)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["redemption_rate_raw"] = np.round(np.where(got, redeemed / received, np.nan), 6)
    for column in ("offers_received", "offers_redeemed"):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame.sort_values("customer_id", ignore_index=True)


def segment_redemption(
    customers: pd.DataFrame, labels: pd.DataFrame, *, segments: list[str]
) -> dict[str, dict[str, Any] | None]:
    """Return per segment the redemption rate (ratio of sums, delta-method 95% CI, BH vs rest)."""
    data = customers[customers["offers_received"] > 0].merge(
        labels[["customer_id", "segment"]], on="customer_id", how="inner"
    )
    data["segment"] = data["segment"].astype(str)
    out: dict[str, dict[str, Any] | None] = {}
    tests: list[tuple[str, float]] = []
    for s in segments:
        inside, rest = data[data["segment"] == s], data[data["segment"] != s]
        if inside.empty:
            out[s] = None
            continue
        m = _moments(inside, "offers_received", "offers_redeemed")
        low, high = ratio_interval(m)
        out[s] = {
            "value": _round(m.ratio),
            "numerator": int(m.sum_y),
            "denominator": int(m.sum_x),
            "ci_low": _round(max(low, 0.0)) if math.isfinite(low) else None,
            "ci_high": _round(min(high, 1.0)) if math.isfinite(high) else None,
            "p_value_adjusted": None,
        }
        if len(rest) and len(inside) >= 2:
            p = ratio_ztest(m, _moments(rest, "offers_received", "offers_redeemed")).p_value
            if math.isfinite(p):
                tests.append((s, p))
    for (s, _p), adj in zip(tests, benjamini_hochberg([p for _s, p in tests]), strict=True):
        row = out[s]
        if row is not None:
            row["p_value_adjusted"] = _round(adj)
    return out


def segment_price_sensitivity(
    inputs: pd.DataFrame,
    customers: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    segments: list[str],
) -> list[dict[str, Any]]:
    """Return per segment the discount figures as ratios of sums with 95% intervals, BH vs rest."""
    data = inputs.merge(labels[["customer_id", "segment"]], on="customer_id", how="inner")
    data = data.merge(customers[["customer_id", "price_sensitivity"]], on="customer_id")
    data["segment"] = data["segment"].astype(str)
    metrics = {
        "discount_share": ("gross", "discount"),
        "discounted_order_share": ("orders", "discounted_orders"),
        "coupon_order_share": ("orders", "coupon_orders"),
    }
    # converted once: money columns may arrive as Decimal objects, slow to convert per segment
    used = sorted({c for pair in metrics.values() for c in pair})
    data[used] = data[used].astype(float)
    out: list[dict[str, Any]] = []
    tests: list[tuple[int, str, float]] = []
    for s in segments:
        inside = data[data["segment"] == s]
        rest = data[data["segment"] != s]
        row: dict[str, Any] = {
            "segment": s,
            "customers": int((labels["segment"].astype(str) == s).sum()),
            "customers_with_orders": len(inside),
        }
        for name, (den, num) in metrics.items():
            m = _moments(inside, den, num)
            low, high = ratio_interval(m)
            row[name] = {
                "value": _round(m.ratio),
                "numerator": _round(m.sum_y),
                "denominator": _round(m.sum_x),
                "ci_low": _round(max(low, 0.0)) if math.isfinite(low) else None,
                "ci_high": _round(min(high, 1.0)) if math.isfinite(high) else None,
                "p_value_adjusted": None,
            }
            if len(rest) and len(inside) >= 2:
                p = ratio_ztest(m, _moments(rest, den, num)).p_value
                if math.isfinite(p):
                    tests.append((len(out), name, p))
        counted = inside[inside["price_sensitivity"] != "insufficient"]
        mix = {}
        for label in LABELS:
            k = int((inside["price_sensitivity"] == label).sum())
            share = k / len(counted) if label != "insufficient" and len(counted) else None
            bounds: tuple[float | None, float | None] = (None, None)
            if share is not None:
                bounds = wilson_interval(k, len(counted))
            mix[label] = {
                "customers": k,
                "share": _round(share),
                "ci_low": _round(bounds[0]),
                "ci_high": _round(bounds[1]),
            }
        row["labels"] = mix
        out.append(row)
    adjusted = benjamini_hochberg([p for _i, _n, p in tests])
    for (i, name, _p), adj in zip(tests, adjusted, strict=True):
        out[i][name]["p_value_adjusted"] = _round(adj)
    return out


def _moments(frame: pd.DataFrame, den: str, num: str) -> RatioMoments:
    x = frame[den].to_numpy(float)
    y = frame[num].to_numpy(float)
    return RatioMoments(
        len(x), float(x.sum()), float(y.sum()), float(x @ x), float(y @ y), float(x @ y)
    )


def price_sensitivity(
    transactions: ir.Table,
    labels: pd.DataFrame,
    *,
    as_of: datetime,
    segments: list[str],
    options: PriceOptions,
    touches: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Return the price-sensitivity payload (per segment) and the per-customer frame.

    `touches` (segmint.analysis.channels.touch_outcomes) adds the redemption rate of offers
    when any touch carries one.
    """
    inputs = price_inputs(transactions, as_of=as_of, window_days=options.window_days)
    customers = customer_price_sensitivity(inputs, labels, options=options)
    rows = segment_price_sensitivity(inputs, customers, labels, segments=segments)
    if touches is not None and touches["offer"].fillna(False).astype(bool).any():
        customers = add_redemption(customers, offer_redemptions(touches), labels)
        redemption = segment_redemption(customers, labels, segments=segments)
        for row in rows:
            row["redemption_rate"] = redemption[row["segment"]]
    return {
        "window_days": options.window_days,
        "min_orders": options.min_orders,
        "cut_points": {
            "full_price_below": options.full_price_below,
            "deal_seeker_from": options.deal_seeker_from,
        },
        "segments": rows,
        "customer_features": customers,
    }


def _round(value: Any, digits: int = 6) -> float | None:
    if value is None:
        return None
    number = float(value)
    return round(number, digits) if math.isfinite(number) else None


__all__ = [
    "LABELS",
    "PriceOptions",
    "add_redemption",
    "beta_prior",
    "check_price_columns",
    "customer_price_sensitivity",
    "offer_redemptions",
    "price_inputs",
    "price_sensitivity",
    "segment_price_sensitivity",
    "segment_redemption",
    "shrink",
]
