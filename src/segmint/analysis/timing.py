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

from segmint.analysis.memtables import as_text, engine_memtable
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
    # Sorted by the engine (binary string order, as pandas sorts): no second sort in Python.
    frame = days.order_by(["customer_id", "day"]).to_pandas()
    frame["day"] = pd.to_datetime(frame["day"]).astype("datetime64[ns]")
    return frame


def _sorted_days(days: pd.DataFrame) -> pd.DataFrame:
    """Return `days` sorted by customer then day, each pair once (as given when it already is).

    PySpark can return a DISTINCT query that is also ordered with repeated rows, so a frame that
    is not strictly increasing is sorted and de-duplicated here.
    """
    customer = days["customer_id"]
    same = customer.iloc[1:].to_numpy() == customer.iloc[:-1].to_numpy()
    day = days["day"].to_numpy("datetime64[ns]")
    if customer.is_monotonic_increasing and bool(np.all(~same | (day[1:] > day[:-1]))):
        return days.reset_index(drop=True)
    return days.sort_values(["customer_id", "day"], ignore_index=True).drop_duplicates(
        ignore_index=True
    )


def _group_sums(
    codes: np.ndarray, values: np.ndarray, groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return per group the sum and count of the non-NaN values (codes 0..groups-1)."""
    present = ~np.isnan(values)
    sums = np.bincount(codes[present], weights=values[present], minlength=groups)
    counts = np.bincount(codes[present], minlength=groups)
    return sums, counts


def _group_medians(codes: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """Return per group the median of the non-NaN values (NaN for a group without any)."""
    present = ~np.isnan(values)
    codes, values = codes[present], values[present]
    order = np.lexsort((values, codes))
    codes, values = codes[order], values[order]
    counts = np.bincount(codes, minlength=groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    out = np.full(groups, np.nan)
    has = counts > 0
    low = starts[has] + (counts[has] - 1) // 2
    high = starts[has] + counts[has] // 2
    out[has] = (values[low] + values[high]) / 2
    return out


def customer_gaps(days: pd.DataFrame, *, as_of: datetime) -> pd.DataFrame:
    """Return per customer: orders (days), last_day, elapsed_days, gaps (k), mean_log_gap."""
    frame = _sorted_days(days)
    # Sorted rows: each customer is one run of equal codes, in customer order.
    codes, customers = pd.factorize(frame["customer_id"])
    n_customers = len(customers)
    day = frame["day"].to_numpy("datetime64[ns]")
    new_customer = np.ones(len(frame), dtype=bool)
    new_customer[1:] = codes[1:] != codes[:-1]
    gap = np.full(len(frame), np.nan)
    gap[1:] = (day[1:] - day[:-1]) // np.timedelta64(1, "D")
    gap[new_customer] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        log_gap = np.where(gap > 0, np.log(gap), np.nan)
    orders = np.bincount(codes, minlength=n_customers).astype("int64")
    starts = np.flatnonzero(new_customer)
    order_number = np.arange(len(frame)) - np.repeat(starts, orders)
    log_sums, log_counts = _group_sums(codes, log_gap, n_customers)
    _gap_sums, gap_counts = _group_sums(codes, gap, n_customers)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_log_gap = np.where(log_counts > 0, log_sums / log_counts, np.nan)
    last_day = day[starts + orders - 1] if len(frame) else day[:0]
    out = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].iloc[starts].reset_index(drop=True),
            "orders": orders,
            "last_day": last_day,
            "gaps": gap_counts.astype("int64"),
            "mean_log_gap": mean_log_gap,
            "median_gap": _group_medians(codes, gap, n_customers),
        }
    )
    cut = pd.Timestamp(as_of).to_datetime64().astype("datetime64[ns]")
    out["elapsed_days"] = (cut - last_day) / np.timedelta64(1, "s") / 86400.0
    rows = pd.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "gap": gap,
            "log_gap": log_gap,
            "order_number": order_number,
        }
    )
    out.attrs["gap_rows"] = _Shared(rows.dropna())
    return out


class _Shared:
    """A read-only frame kept in `attrs`, which pandas deep-copies on every operation: shared."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __deepcopy__(self, memo: dict[int, Any]) -> _Shared:
        return self


def gap_rows(gaps: pd.DataFrame) -> pd.DataFrame:
    """Return the gap rows of a `customer_gaps` frame: customer_id, gap, log_gap, order_number."""
    shared: _Shared = gaps.attrs["gap_rows"]
    return shared.frame


def _kappa_of(customer: np.ndarray, log_gap: np.ndarray) -> float:
    """Return the shrinkage constant of log gaps labelled by customer position."""
    if len(log_gap) == 0:
        return KAPPA_BOUNDS[1]
    _unique, code = np.unique(customer, return_inverse=True)
    k = np.bincount(code)
    means = np.bincount(code, weights=log_gap) / k
    within = float(((log_gap - means[code]) ** 2).sum())
    dof = int((k - 1).sum())
    sigma2 = within / dof if dof > 0 else math.nan
    if len(means) < 2 or not math.isfinite(sigma2):
        return KAPPA_BOUNDS[1]
    tau2 = float(np.var(means, ddof=1)) - sigma2 * float((1 / k).mean())
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
    rows = gap_rows(gaps)
    # Each gap's customer as a row of `out`: integer lookups instead of string joins.
    owner = pd.Index(out["customer_id"]).get_indexer(rows["customer_id"])
    kept = owner >= 0
    owner = owner[kept]
    rows = rows[kept]
    log_gap = rows["log_gap"].to_numpy(float)
    group_codes, group_names = pd.factorize(out["group"], sort=True)
    gap_group = group_codes[owner]
    mu_all = float(log_gap.mean()) if len(log_gap) else 0.0
    kappa_all = _kappa_of(owner, log_gap)
    # Log scale: the segment's rhythm (when it has enough repeat purchases), then the customer's
    # own, weighted by how many gaps they have shown.
    log_scale = np.zeros(len(out))
    segment_scale = np.zeros(len(out))
    k_all = out["gaps"].to_numpy(float)
    mean_log_all = out["mean_log_gap"].to_numpy(float)
    for code in range(len(group_names)):
        pos = np.flatnonzero(group_codes == code)
        in_group = gap_group == code
        if int(in_group.sum()) >= min_gaps:
            mu, kappa = (
                float(log_gap[in_group].mean()),
                _kappa_of(owner[in_group], log_gap[in_group]),
            )
        else:
            mu, kappa = mu_all, kappa_all
        k = k_all[pos]
        own = np.nan_to_num(mean_log_all[pos] - mu)
        segment_scale[pos] = mu - mu_all
        log_scale[pos] = (mu - mu_all) + k / (k + kappa) * own
    scale = np.exp(log_scale)
    event_band = order_band(rows["order_number"].to_numpy())
    # A first gap happened before the customer had shown any rhythm of their own: it is scaled
    # by the segment's rhythm only, like the one-order customers it is compared with.
    event_scale = np.where(event_band == "1", np.exp(segment_scale)[owner], scale[owner])
    event_t = rows["gap"].to_numpy(float) / event_scale
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

    last_day = last.to_numpy("datetime64[ns]").astype("datetime64[D]")

    def date_after(days: pd.Series) -> np.ndarray:
        # datetime64[D] -> object gives datetime.date, and None where it is NaT
        whole = np.round(days.to_numpy(float))
        missing = np.isnan(whole)
        steps = np.where(missing, 0, whole).astype("int64").astype("timedelta64[D]")
        steps[missing] = np.timedelta64("NaT")
        out: np.ndarray = (last_day + steps).astype(object)
        return out

    out = pd.DataFrame({"customer_id": fitted["customer_id"]})
    for h in HORIZONS:
        out[f"p_purchase_{h}d"] = fitted[f"p_{h}"].round(6)
    out["expected_next_purchase"] = date_after(fitted["median"])
    out["next_purchase_low"] = date_after(fitted["lower"])
    out["next_purchase_high"] = date_after(fitted["upper"])
    overdue = (fitted["elapsed_days"] - fitted["usual_high"]).clip(lower=0).fillna(0)
    out["overdue_days"] = np.floor(overdue).astype("int64")
    out["days_since_last_order"] = np.floor(fitted["elapsed_days"]).astype("int64")
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
    per_time = t.group_by(["customer_id", "weekday", "hour", "month"]).aggregate(
        # an invoice has one timestamp, so its lines fall in one group and count once
        orders=t.invoice_id.nunique() if "invoice_id" in t.columns else t.count(),
        revenue=t.net_amount.sum().cast("float64"),
    )
    # Summed per segment in the engine: only segments x weekday x hour x month come back.
    segment_of = engine_memtable(
        pd.DataFrame(
            {
                "customer_id": as_text(labels["customer_id"]),
                "segment": labels["segment"].astype(str),
            }
        ),
        {"customer_id": "string", "segment": "string"},
        transactions,
        name="segmint_timing_labels",
    )
    joined = per_time.join(segment_of, "customer_id")
    by_time = (
        joined.group_by(["segment", "weekday", "hour", "month"])
        .aggregate(orders=joined.orders.sum(), revenue=joined.revenue.sum())
        .to_pandas()
    )
    by_time["revenue"] = by_time["revenue"].astype(float)
    per_customer = customers.merge(labels, on="customer_id", how="inner")
    sizes = labels["segment"].value_counts()
    out = []
    for s in segments:
        rows = by_time[by_time["segment"] == s]
        people = per_customer[per_customer["segment"] == s]
        weekday = rows.groupby("weekday")["orders"].sum().reindex(range(7), fill_value=0)
        hour = rows.groupby("hour")["orders"].sum().reindex(range(24), fill_value=0)
        month = rows.groupby("month")["revenue"].sum().reindex(range(1, 13), fill_value=0.0)
        cycle = people["median_gap"].dropna()
        out.append(
            {
                "segment": s,
                "customers": int(sizes.get(s, 0)),
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
        # built from `gaps`, row for row: no join needed
        customers = forecasts.assign(median_gap=gaps["median_gap"].to_numpy())
    else:
        customers = forecasts.merge(
            gaps[["customer_id", "median_gap"]], on="customer_id", how="left"
        )
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
    "gap_rows",
    "kaplan_meier",
    "purchase_days",
    "segment_timing",
    "timing",
    "timing_features",
]
