"""When customers buy: next-purchase forecasts per customer, cycles and seasonality per segment.

The model: each customer's inter-purchase gaps are the group's gap distribution stretched by a
personal scale, exp(w · (mean log gap of the customer − mean log gap of the group)), where the
weight w = k / (k + kappa) grows with the customer's k gaps (few orders → mostly the group's
rhythm; kappa is the empirical-Bayes ratio of within- to between-customer variance). The group's
distribution is a Kaplan-Meier curve over scaled gaps in which each customer's open gap (last
purchase → as_of) is a censored observation, so customers who never come back lower the curve's
floor instead of being ignored. Forecasts condition on the time already elapsed since the last
purchase. The published forecasts use one group, the whole population: rules read them before
segments exist, and it is the model the backtest checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from ibis.expr import types as ir

from segmint.analysis.memtables import engine_memtable
from segmint.features.transactions import visible_transactions

HORIZONS: tuple[int, ...] = (7, 14, 30, 60, 90)
INTERVAL: tuple[float, float] = (0.1, 0.9)  # the 80% interval's quantiles
KAPPA_BOUNDS: tuple[float, float] = (0.5, 50.0)
RETURN_HORIZON_DAYS = 365


@dataclass(frozen=True)
class SurvivalCurve:
    """A Kaplan-Meier step curve: survival just after each event time."""

    times: np.ndarray
    survival: np.ndarray

    def at(self, t: np.ndarray) -> np.ndarray:
        """Return S(t) (1 before the first event)."""
        idx = np.searchsorted(self.times, t, side="right")
        padded = np.concatenate([[1.0], self.survival])
        out: np.ndarray = padded[idx]
        return out

    def first_below(self, level: np.ndarray) -> np.ndarray:
        """Return the first event time where S drops to `level` or lower (nan if it never does)."""
        idx = np.searchsorted(-self.survival, -level, side="left")
        times = np.concatenate([self.times, [np.nan]])
        out: np.ndarray = times[np.minimum(idx, len(self.times))]
        return out


def kaplan_meier(times: np.ndarray, events: np.ndarray) -> SurvivalCurve:
    """Return the Kaplan-Meier curve of right-censored times (events: 1 = observed, 0 = censored)."""
    order = np.argsort(times, kind="stable")
    t, e = times[order], events[order]
    unique, first = np.unique(t, return_index=True)
    deaths = np.add.reduceat(e, first) if len(t) else np.array([])
    at_risk = len(t) - first
    mask = deaths > 0
    hazard = deaths[mask] / at_risk[mask]
    return SurvivalCurve(unique[mask], np.cumprod(1.0 - hazard))


def purchase_days(transactions: ir.Table, *, as_of: datetime) -> pd.DataFrame:
    """Return customer_id, day (datetime64 at midnight) of every day with an order before as_of."""
    t = visible_transactions(transactions, as_of=as_of)
    t = t.filter(t.is_order_row)
    days = t.select("customer_id", day=t.occurred_at.truncate("D")).distinct()
    frame = days.to_pandas()
    frame["day"] = pd.to_datetime(frame["day"]).astype("datetime64[ns]")
    return frame.sort_values(["customer_id", "day"], ignore_index=True)


def customer_gaps(days: pd.DataFrame, *, as_of: datetime) -> pd.DataFrame:
    """Return per customer: orders (days), last_day, elapsed_days, gaps (k), mean_log_gap."""
    frame = days.sort_values(["customer_id", "day"], ignore_index=True)
    gap = frame.groupby("customer_id")["day"].diff().dt.days
    # order_number: purchases before the one that ends the gap
    number = frame.groupby("customer_id").cumcount()
    frame = frame.assign(gap=gap, log_gap=np.log(gap.where(gap > 0)), order_number=number)
    grouped = frame.groupby("customer_id", sort=True)
    out = pd.DataFrame(
        {
            "orders": grouped.size().astype("int64"),
            "last_day": grouped["day"].max(),
            "gaps": grouped["gap"].count().astype("int64"),
            "mean_log_gap": grouped["log_gap"].mean(),
            "median_gap": grouped["gap"].median(),
        }
    )
    cut = pd.Timestamp(as_of)
    out["elapsed_days"] = (cut - out["last_day"]).dt.total_seconds() / 86400.0
    out.attrs["gap_rows"] = frame[["customer_id", "gap", "log_gap", "order_number"]].dropna()
    return out.reset_index()


def _shrinkage_kappa(gap_rows: pd.DataFrame) -> float:
    """Return within- / between-customer variance of log gaps (bounded), the shrinkage constant."""
    if gap_rows.empty:
        return KAPPA_BOUNDS[1]
    grouped = gap_rows.groupby("customer_id")["log_gap"]
    k = grouped.count()
    means = grouped.mean()
    within = float(((gap_rows["log_gap"] - gap_rows["customer_id"].map(means)) ** 2).sum())
    dof = int((k - 1).sum())
    sigma2 = within / dof if dof > 0 else math.nan
    if len(means) < 2 or not math.isfinite(sigma2):
        return KAPPA_BOUNDS[1]
    tau2 = float(means.var(ddof=1)) - sigma2 * float((1 / k).mean())
    if tau2 <= 0:
        return KAPPA_BOUNDS[1]
    return float(np.clip(sigma2 / tau2, *KAPPA_BOUNDS))


def order_band(orders: np.ndarray) -> np.ndarray:
    """Return the band of a purchase count: 1, 2-3, 4-7 or 8+ orders so far."""
    edges = np.array([1, 3, 7])
    labels = np.array(["1", "2-3", "4-7", "8+"])
    out: np.ndarray = labels[np.searchsorted(edges, orders, side="left")]
    return out


def fit_timing(gaps: pd.DataFrame, groups: pd.Series, *, min_gaps: int = 30) -> pd.DataFrame:
    """Return gaps with each customer's scale and the forecast columns (see module docstring)."""
    out = gaps.copy().reset_index(drop=True)
    out["group"] = groups.reindex(out["customer_id"]).fillna("(none)").astype(str).to_numpy()
    gap_rows = gaps.attrs["gap_rows"].merge(out[["customer_id", "group"]], on="customer_id")
    mu_all = float(gap_rows["log_gap"].mean()) if len(gap_rows) else 0.0
    kappa_all = _shrinkage_kappa(gap_rows)
    # Log scale: the segment's rhythm (when it has enough repeat purchases), then the customer's
    # own, weighted by how many gaps they have shown.
    log_scale = np.zeros(len(out))
    segment_scale = np.zeros(len(out))
    for group, rows in out.groupby("group", sort=True).groups.items():
        pos = out.index.get_indexer(rows)
        g_rows = gap_rows[gap_rows["group"] == group]
        if len(g_rows) >= min_gaps:
            mu, kappa = float(g_rows["log_gap"].mean()), _shrinkage_kappa(g_rows)
        else:
            mu, kappa = mu_all, kappa_all
        k = out["gaps"].to_numpy(float)[pos]
        own = np.nan_to_num(out["mean_log_gap"].to_numpy(float)[pos] - mu)
        segment_scale[pos] = mu - mu_all
        log_scale[pos] = (mu - mu_all) + k / (k + kappa) * own
    scale = np.exp(log_scale)
    event_band = order_band(gap_rows["order_number"].to_numpy())
    # A first gap happened before the customer had shown any rhythm of their own: it is scaled
    # by the segment's rhythm only, like the one-order customers it is compared with.
    own_scale = pd.Series(scale, index=out["customer_id"].to_numpy())
    group_scale = pd.Series(np.exp(segment_scale), index=out["customer_id"].to_numpy())
    event_scale = np.where(
        event_band == "1",
        group_scale.reindex(gap_rows["customer_id"]).to_numpy(),
        own_scale.reindex(gap_rows["customer_id"]).to_numpy(),
    )
    event_t = gap_rows["gap"].to_numpy(float) / event_scale
    elapsed = out["elapsed_days"].to_numpy(float)
    censor_t = elapsed / scale
    band = order_band(out["orders"].to_numpy())

    columns: dict[str, np.ndarray] = {"scale": scale}
    for name in ("lower", "median", "upper", "usual_high"):
        columns[name] = np.full(len(out), np.nan)
    for h in HORIZONS:
        columns[f"p_{h}"] = np.full(len(out), np.nan)
    # The time to the next purchase depends on how many came before (a second order is rarer
    # than a tenth): one curve per band of order count, each with its customers' open gaps.
    for name in np.unique(band):
        pos = np.flatnonzero(band == name)
        events = event_t[event_band == name]
        curve = kaplan_meier(
            np.concatenate([events, censor_t[pos]]),
            np.concatenate([np.ones(len(events)), np.zeros(len(pos))]),
        )
        s_now = curve.at(censor_t[pos])
        for h in HORIZONS:
            later = curve.at((elapsed[pos] + h) / scale[pos])
            with np.errstate(divide="ignore", invalid="ignore"):
                p = np.where(s_now > 0, 1.0 - later / s_now, 0.0)
            columns[f"p_{h}"][pos] = np.clip(p, 0.0, 1.0)
        # Dates are forecast for customers who come back: quantiles of the curve above its floor.
        # "Comes back" means within RETURN_HORIZON_DAYS of the last purchase: the curve's far
        # tail rests on the few customers observed that long and cannot tell late from never.
        floor = curve.at(np.maximum(RETURN_HORIZON_DAYS / scale[pos], censor_t[pos]))
        alive = np.clip(s_now - floor, 0.0, None)
        for column, q in (("lower", INTERVAL[0]), ("median", 0.5), ("upper", INTERVAL[1])):
            found = curve.first_below(floor + alive * (1.0 - q) + 1e-12)
            columns[column][pos] = np.where(alive > 0, found * scale[pos], np.nan)
        usual = np.quantile(events, INTERVAL[1]) if len(events) else np.nan
        columns["usual_high"][pos] = usual * scale[pos]
    for column, values in columns.items():
        out[column] = values
    return out


def timing_features(fitted: pd.DataFrame) -> pd.DataFrame:
    """Return the per-customer timing features (dates and probabilities) of a fitted frame."""
    last = fitted["last_day"]

    def date_after(days: pd.Series) -> pd.Series:
        return (last + pd.to_timedelta(days.round(), unit="D")).dt.date

    out = pd.DataFrame({"customer_id": fitted["customer_id"]})
    for h in HORIZONS:
        out[f"p_purchase_{h}d"] = fitted[f"p_{h}"].round(6)
    out["expected_next_purchase"] = date_after(fitted["median"])
    out["next_purchase_low"] = date_after(fitted["lower"])
    out["next_purchase_high"] = date_after(fitted["upper"])
    overdue = (fitted["elapsed_days"] - fitted["usual_high"]).clip(lower=0).fillna(0)
    out["overdue_days"] = np.floor(overdue).astype("int64")
    out["days_since_last_order"] = np.floor(fitted["elapsed_days"]).astype("int64")
    for column in ("expected_next_purchase", "next_purchase_low", "next_purchase_high"):
        out[column] = [None if pd.isna(d) else d for d in out[column]]
    return out


def customer_timing(
    transactions: ir.Table, *, as_of: datetime, groups: pd.Series | None = None
) -> pd.DataFrame:
    """Return p_purchase_{7,14,30,60,90}d, expected_next_purchase (80% interval), overdue_days."""
    days = purchase_days(transactions, as_of=as_of)
    gaps = customer_gaps(days, as_of=as_of)
    return timing_features(fit_timing(gaps, _groups(gaps, groups)))


def _groups(gaps: pd.DataFrame, groups: pd.Series | None) -> pd.Series:
    """Segments when given; otherwise one group of everybody."""
    if groups is not None:
        return groups
    return pd.Series("all", index=gaps["customer_id"].to_numpy())


def segment_timing(
    transactions: ir.Table,
    labels: pd.DataFrame,
    *,
    as_of: datetime,
    segments: list[str],
    customers: pd.DataFrame,
) -> list[dict[str, Any]]:
    """Return per segment: median cycle, orders by weekday (Mon=0) and hour, revenue by month."""
    t = visible_transactions(transactions, as_of=as_of)
    # the last 365 days: each month of the year once, weekdays and hours of the current habit
    t = t.filter(t.is_order_row & (t.occurred_at >= as_of - timedelta(days=365)))
    t = t.mutate(
        weekday=t.occurred_at.day_of_week.index(),
        hour=t.occurred_at.hour(),
        month=t.occurred_at.month(),
    )
    by_time = t.group_by(["customer_id", "weekday", "hour", "month"]).aggregate(
        # an invoice has one timestamp, so its lines fall in one group and count once
        orders=t.invoice_id.nunique() if "invoice_id" in t.columns else t.count(),
        revenue=t.net_amount.sum().cast("float64"),
    )
    # summed per segment in the engine: only segments x weekdays x hours x months come back
    segment_of = engine_memtable(
        labels[["customer_id", "segment"]].astype({"customer_id": str, "segment": str}),
        {"customer_id": "string", "segment": "string"},
        transactions,
        name="segmint_timing_labels",
    )
    joined = by_time.join(segment_of, "customer_id")
    merged = (
        joined.group_by(["segment", "weekday", "hour", "month"])
        .aggregate(orders=joined.orders.sum(), revenue=joined.revenue.sum())
        .to_pandas()
    )
    merged["revenue"] = merged["revenue"].astype(float)
    per_customer = customers.merge(labels, on="customer_id", how="inner")
    out = []
    for s in segments:
        rows = merged[merged["segment"] == s]
        people = per_customer[per_customer["segment"] == s]
        weekday = rows.groupby("weekday")["orders"].sum().reindex(range(7), fill_value=0)
        hour = rows.groupby("hour")["orders"].sum().reindex(range(24), fill_value=0)
        month = rows.groupby("month")["revenue"].sum().reindex(range(1, 13), fill_value=0.0)
        cycle = people["median_gap"].dropna()
        out.append(
            {
                "segment": s,
                "customers": int(len(labels[labels["segment"] == s])),
                "median_cycle_days": None if cycle.empty else float(cycle.median()),
                "repeat_customers": int(len(cycle)),
                "p_purchase_30d_mean": _mean(people["p_purchase_30d"]),
                "overdue_customers": int((people["overdue_days"] > 0).sum()),
                "orders_by_weekday": [int(v) for v in weekday],
                "orders_by_hour": [int(v) for v in hour],
                "revenue_by_month": [round(float(v), 2) for v in month],
            }
        )
    return out


def _mean(values: pd.Series) -> float | None:
    clean = values.dropna()
    return None if clean.empty else round(float(clean.mean()), 6)


def timing(
    transactions: ir.Table,
    labels: pd.DataFrame,
    *,
    as_of: datetime,
    segments: list[str],
    forecasts: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Return the timing payload: per-segment rhythm and the per-customer forecasts frame.

    The forecasts are the population-shrunk ones of `customer_timing` (the backtested model,
    and the columns rules read in a run); a run passes its own as `forecasts` to reuse them.
    """
    days = purchase_days(transactions, as_of=as_of)
    gaps = customer_gaps(days, as_of=as_of)
    if forecasts is None:
        forecasts = timing_features(fit_timing(gaps, _groups(gaps, None)))
    customers = forecasts.merge(gaps[["customer_id", "median_gap"]], on="customer_id", how="left")
    return {
        "horizons_days": list(HORIZONS),
        "interval": 0.8,
        "segments": segment_timing(
            transactions, labels, as_of=as_of, segments=segments, customers=customers
        ),
        "customer_features": forecasts,
    }


__all__ = [
    "HORIZONS",
    "SurvivalCurve",
    "customer_gaps",
    "customer_timing",
    "fit_timing",
    "kaplan_meier",
    "purchase_days",
    "segment_timing",
    "timing",
    "timing_features",
]
