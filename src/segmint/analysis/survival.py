"""Kaplan–Meier retention of subscribers by a customer attribute, with log-rank tests.

A customer's life starts at their first subscription and ends when their last subscription ends;
customers still subscribed at as_of are censored there, so a young cohort is never counted as
retained beyond what was observed. Intervals are Greenwood's with the log(−log) transform (the
lifelines default); each group is compared with the rest by a log-rank test, BH-adjusted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy import special as _special

from segmint.analysis.stats import DEFAULT_LEVEL, benjamini_hochberg
from segmint.errors import InputError

MISSING_GROUP = "(missing)"
DEFAULT_CHECKPOINTS: tuple[int, ...] = (30, 90, 180, 365, 730)


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier curve at its event times: survival and the pointwise interval."""

    times: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    survival: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray

    def at(self, day: float) -> tuple[float, float, float]:
        """Return (survival, low, high) at `day` (the step function, right-continuous)."""
        index = int(np.searchsorted(self.times, day, side="right")) - 1
        if index < 0:
            return 1.0, 1.0, 1.0
        return float(self.survival[index]), float(self.ci_low[index]), float(self.ci_high[index])

    def median(self) -> float | None:
        """Return the first time the curve reaches 0.5 or below (None when it never does)."""
        below = np.flatnonzero(self.survival <= 0.5)
        return float(self.times[below[0]]) if len(below) else None


def kaplan_meier(
    durations: np.ndarray, observed: np.ndarray, *, level: float = DEFAULT_LEVEL
) -> Curve:
    """Return the Kaplan–Meier curve of durations (observed = the event happened, else censored)."""
    t = np.asarray(durations, float)
    e = np.asarray(observed, bool)
    times = np.unique(t)
    # Counts per distinct time: events there, and all leaving (events + censored) there.
    index = np.searchsorted(times, t)
    deaths = np.bincount(index, weights=e, minlength=len(times))
    leaving = np.bincount(index, minlength=len(times)).astype(float)
    at_risk = len(t) - np.concatenate([[0.0], np.cumsum(leaving)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - deaths / at_risk)
        greenwood = np.cumsum(deaths / (at_risk * (at_risk - deaths)))
        z = float(_special.ndtri(1 - (1 - level) / 2))
        log_s = np.log(survival)
        low = np.exp(-np.exp(np.log(-log_s) - z * np.sqrt(greenwood) / log_s))
        high = np.exp(-np.exp(np.log(-log_s) + z * np.sqrt(greenwood) / log_s))
    # Before the first event the curve is 1 and the interval collapses onto it.
    untouched = np.cumsum(deaths) == 0
    low = np.where(untouched, 1.0, low)
    high = np.where(untouched, 1.0, high)
    return Curve(times, at_risk, deaths, survival, low, high)


@dataclass(frozen=True)
class LogRank:
    """A two-group log-rank test: chi-square statistic (1 df) and p-value."""

    statistic: float
    p_value: float


def logrank_test(
    durations_a: np.ndarray, observed_a: np.ndarray, durations_b: np.ndarray, observed_b: np.ndarray
) -> LogRank:
    """Return the log-rank test of two groups' survival (the Mantel–Cox statistic)."""
    t = np.concatenate([durations_a, durations_b]).astype(float)
    e = np.concatenate([observed_a, observed_b]).astype(bool)
    in_a = np.concatenate([np.ones(len(durations_a), bool), np.zeros(len(durations_b), bool)])
    times = np.unique(t[e])
    if len(times) == 0:
        return LogRank(math.nan, math.nan)
    at_risk = (t[None, :] >= times[:, None]).astype(float)
    n = at_risk.sum(axis=1)
    n_a = at_risk[:, in_a].sum(axis=1)
    died = (t[None, :] == times[:, None]) & e[None, :]
    d = died.sum(axis=1).astype(float)
    d_a = died[:, in_a].sum(axis=1).astype(float)
    expected = d * n_a / n
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.where(n > 1, d * (n_a / n) * (1 - n_a / n) * (n - d) / (n - 1), 0.0)
    total_var = float(variance.sum())
    if total_var <= 0:
        return LogRank(math.nan, math.nan)
    statistic = float((d_a - expected).sum() ** 2 / total_var)
    return LogRank(statistic, float(_special.chdtrc(1, statistic)))


def subscriber_lifetimes(
    tables: dict[str, ir.Table], *, as_of: datetime, attribute: str
) -> pd.DataFrame:
    """Return customer_id, group, duration_days, churned: one row per subscriber, censored at as_of."""
    subscriptions = tables.get("subscriptions")
    if subscriptions is None:
        raise InputError("survival needs a subscriptions table (started_at, ended_at)")
    customers = tables.get("customers")
    if customers is None or attribute not in customers.columns or attribute == "customer_id":
        available = (
            sorted(c for c in customers.columns if c != "customer_id" and not c.startswith("_"))
            if customers is not None
            else []
        )
        raise InputError(
            f"--by-attribute: unknown customer attribute {attribute!r}; "
            f"available: {', '.join(available) or '(no customers table)'}"
        )
    as_of_ts = pd.Timestamp(as_of)
    subs = subscriptions.filter(subscriptions.started_at < as_of_ts)
    ended = subs.ended_at.isnull() | (subs.ended_at > as_of_ts)
    lives = (
        subs.group_by("customer_id")
        .aggregate(
            started=subs.started_at.min(),
            last_end=subs.ended_at.max(),
            still_active=ended.cast("int64").max(),
        )
        .execute()
    )
    lives["customer_id"] = lives["customer_id"].astype(str)
    churned = lives["still_active"].fillna(0).astype(int) == 0
    end = pd.to_datetime(lives["last_end"]).where(churned, as_of_ts)
    started = pd.to_datetime(lives["started"])
    lives["duration_days"] = (end - started).dt.total_seconds() / 86_400
    lives["churned"] = churned
    attrs = customers.select("customer_id", attribute).execute().drop_duplicates("customer_id")
    attrs["customer_id"] = attrs["customer_id"].astype(str)
    frame = lives.merge(attrs, on="customer_id", how="left")
    frame["group"] = frame[attribute].astype("string").fillna(MISSING_GROUP)
    frame = frame[frame["duration_days"] >= 0]
    return frame[["customer_id", "group", "duration_days", "churned"]].sort_values(
        "customer_id", ignore_index=True
    )


def survival_by_group(
    lives: pd.DataFrame,
    *,
    attribute: str,
    checkpoints: tuple[int, ...] = DEFAULT_CHECKPOINTS,
    level: float = DEFAULT_LEVEL,
) -> dict[str, Any]:
    """Return the KM curve of each group (retention at checkpoints, median) and log-rank vs the rest."""
    groups: list[dict[str, Any]] = []
    names = sorted(lives["group"].unique(), key=lambda g: (-(lives["group"] == g).sum(), str(g)))
    durations = lives["duration_days"].to_numpy(float)
    churned = lives["churned"].to_numpy(bool)
    horizon = float(durations.max()) if len(durations) else 0.0
    for name in names:
        mine = (lives["group"] == name).to_numpy()
        curve = kaplan_meier(durations[mine], churned[mine], level=level)
        test = (
            logrank_test(durations[mine], churned[mine], durations[~mine], churned[~mine])
            if (~mine).any()
            else LogRank(math.nan, math.nan)
        )
        observed_to = float(durations[mine].max())
        retention = []
        for day in checkpoints:
            if day > horizon:
                continue
            s, low, high = curve.at(day)
            # Past the group's longest follow-up the curve says nothing: null, not its last value.
            seen = day <= observed_to
            retention.append(
                {
                    "day": day,
                    "retention": s if seen else None,
                    "ci_low": low if seen else None,
                    "ci_high": high if seen else None,
                    "at_risk": int((durations[mine] >= day).sum()),
                }
            )
        groups.append(
            {
                "group": str(name),
                "customers": int(mine.sum()),
                "churned": int(churned[mine].sum()),
                "censored": int((~churned[mine]).sum()),
                "median_days": curve.median(),
                "retention": retention,
                "logrank_statistic": _finite(test.statistic),
                "p_value": _finite(test.p_value),
                "curve": {
                    "days": curve.times.tolist(),
                    "retention": curve.survival.tolist(),
                    "ci_low": curve.ci_low.tolist(),
                    "ci_high": curve.ci_high.tolist(),
                },
            }
        )
    p_values: list[float | None] = [g["p_value"] for g in groups]
    for group, p in zip(groups, benjamini_hochberg(p_values), strict=True):
        group["p_value_adjusted"] = p
    return {
        "attribute": attribute,
        "customers": int(len(lives)),
        "churned": int(churned.sum()),
        "level": level,
        "groups": groups,
    }


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def survival_analysis(
    tables: dict[str, ir.Table], *, as_of: datetime, attribute: str
) -> dict[str, Any]:
    """Return Kaplan–Meier retention by a customer attribute, with BH-adjusted log-rank tests."""
    lives = subscriber_lifetimes(tables, as_of=as_of, attribute=attribute)
    if lives.empty:
        raise InputError("no subscriptions started before as_of: nothing to follow")
    payload = survival_by_group(lives, attribute=attribute)
    payload["as_of"] = pd.Timestamp(as_of).isoformat()
    return payload


__all__ = [
    "DEFAULT_CHECKPOINTS",
    "MISSING_GROUP",
    "Curve",
    "LogRank",
    "kaplan_meier",
    "logrank_test",
    "subscriber_lifetimes",
    "survival_analysis",
    "survival_by_group",
]
