"""Backtest of the next-purchase forecasts: fit before a cut-off, compare with what happened after."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from ibis.expr import types as ir

from segmint.analysis.timing import INTERVAL, customer_gaps, fit_timing, gap_rows, purchase_days
from segmint.errors import InputError


def timing_backtest(
    transactions: ir.Table, *, as_of: datetime, holdout_days: int = 90
) -> dict[str, Any]:
    """Return MAE, 80%-interval coverage and Brier (30 days) of the model and the naive rule.

    The cut-off is as_of − holdout. Customers with a purchase before the cut-off are scored there.
    MAE counts customers who bought in the holdout and have a model forecast (the same customers
    for both rows); coverage counts customers whose interval ends inside the holdout, so that
    whether it was hit is known from the data whatever happened; the Brier score counts every
    customer (bought within 30 days of the cut-off or not).
    """
    cut = as_of - timedelta(days=holdout_days)
    all_days = purchase_days(transactions, as_of=as_of)
    before = all_days[all_days["day"] < pd.Timestamp(cut)]
    if before.empty:
        raise InputError(
            f"--holdout {holdout_days}d: no purchases before the cut-off {cut:%Y-%m-%d}; "
            "choose a shorter holdout"
        )
    after = all_days[all_days["day"] >= pd.Timestamp(cut)]
    first_after = after.groupby("customer_id")["day"].min()

    gaps = customer_gaps(before, as_of=cut)
    # Segments of the later run would leak the holdout (recency); everybody is one group here.
    fitted = fit_timing(gaps, pd.Series("all", index=gaps["customer_id"].to_numpy()))
    fitted["actual"] = fitted["customer_id"].map(first_after)
    cut_ts = pd.Timestamp(cut)
    end_ts = pd.Timestamp(as_of)

    last = fitted["last_day"]
    # Whole days, as the forecast dates are shown (timing_features rounds the same way).
    model = {
        "point": last + pd.to_timedelta(fitted["median"].round(), unit="D"),
        "low": last + pd.to_timedelta(fitted["lower"].round(), unit="D"),
        "high": last + pd.to_timedelta(fitted["upper"].round(), unit="D"),
        "p30": fitted["p_30"],
    }
    naive = _naive(fitted, gaps, before, cut_ts)
    bought = fitted["actual"].notna()
    scored = bought & model["point"].notna()
    within_30 = (fitted["actual"] < cut_ts + pd.Timedelta(days=30)).fillna(False)
    rows = []
    for method, forecast in (("model", model), ("naive", naive)):
        error = (forecast["point"] - fitted["actual"]).dt.total_seconds().abs() / 86400
        known = bought & forecast["high"].notna() & (forecast["high"] < end_ts)
        hit = (fitted["actual"] >= forecast["low"]) & (fitted["actual"] <= forecast["high"])
        brier = (forecast["p30"].astype(float) - within_30.astype(float)) ** 2
        rows.append(
            {
                "method": method,
                "customers": int(len(fitted)),
                "mae_customers": int(scored.sum()),
                "mae": _round(error[scored].mean()),
                "coverage_customers": int(known.sum()),
                "coverage_80": _round(hit[known].fillna(False).mean()),
                "brier_30d": _round(brier.mean()),
            }
        )
    return {
        "holdout_days": holdout_days,
        "cutoff": cut.date().isoformat(),
        "as_of": as_of.date().isoformat(),
        "customers_bought_in_holdout": int(bought.sum()),
        "rows": rows,
    }


def _naive(
    fitted: pd.DataFrame, gaps: pd.DataFrame, days: pd.DataFrame, cut: pd.Timestamp
) -> dict[str, pd.Series]:
    """Last purchase + the population's median gap (moved to the cut-off), constant 30-day rate."""
    gap_values = gap_rows(gaps)["gap"].to_numpy(float)
    median, low, high = np.quantile(gap_values, [0.5, *INTERVAL]) if len(gap_values) else (0, 0, 0)
    last = fitted["last_day"]

    late = cut - (last + pd.Timedelta(days=float(median)))
    shift = late.where(late > pd.Timedelta(0), pd.Timedelta(0))

    def moved(days_after: float) -> pd.Series:
        return last + pd.Timedelta(days=float(days_after)) + shift

    month_before = cut - pd.Timedelta(days=30)
    seen = days.loc[days["day"] < month_before, "customer_id"].unique()
    recent = days.loc[days["day"] >= month_before, "customer_id"].unique()
    rate = len(np.intersect1d(seen, recent)) / len(seen) if len(seen) else 0.0
    point = moved(median)
    lower = moved(low)
    lower = lower.where(lower >= cut, cut)
    upper = moved(high)
    return {
        "point": point,
        "low": lower,
        "high": upper,
        "p30": pd.Series(rate, index=fitted.index),
    }


def _round(value: Any) -> float | None:
    number = float(value)
    return round(number, 4) if np.isfinite(number) else None


__all__ = ["timing_backtest"]
