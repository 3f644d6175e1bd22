"""Segment predictive validity: do a scheme's segments at a past date predict what happened next?

For every stored snapshot whose horizon the data covers, each segment's churn rate (Wilson
interval) and revenue per customer (seeded bootstrap interval) in [as_of, as_of + horizon): the
same "from as_of on" window as the churn labels. A summary per scheme pools every (customer,
as_of) pair: Pearson's chi-square of segment × churned, and the churn AUC of ranking customers by
their segment's pooled churn rate (0.5: the segments say nothing about churn; it is in-sample, the
best any order of these segments reaches on this history).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from segmint.analysis.kpis import BOOTSTRAP_MAX_N
from segmint.analysis.stats import (
    Moments,
    bootstrap_mean_interval,
    chi_square_independence,
    rank_auc,
    t_interval,
    wilson_interval,
)
from segmint.errors import InputError
from segmint.scores.churn import purchase_churn_labels, subscription_churn_labels
from segmint.store import Store

ChurnLabels = Callable[[datetime, datetime], pd.Series]


def churn_labels(store: Store) -> tuple[ChurnLabels, str]:
    """Return the workspace's churn labels (cut-off, horizon end) → 0/1 and what churn means."""
    if store.has_table("subscriptions"):
        subscriptions = store.frame(
            "SELECT customer_id, started_at, ended_at FROM subscriptions "
            "ORDER BY customer_id, started_at, ended_at NULLS LAST"
        )
        return lambda a, b: subscription_churn_labels(subscriptions, a, b), "subscription ends"
    if store.has_table("transactions"):
        purchases = store.frame(
            "SELECT customer_id, occurred_at FROM transactions WHERE amount > 0 "
            "ORDER BY customer_id, occurred_at"
        )
        return lambda a, b: purchase_churn_labels(purchases, a, b), "no purchase"
    raise InputError("validity needs subscriptions or transactions in the workspace")


def window_revenue(store: Store, start: datetime, end: datetime) -> pd.DataFrame | None:
    """Return customer_id, revenue (net) in [start, end), or None without transactions."""
    if not store.has_table("transactions"):
        return None
    return store.frame(
        "SELECT customer_id, CAST(sum(amount) AS DOUBLE) AS revenue FROM transactions "
        "WHERE occurred_at >= ? AND occurred_at < ? GROUP BY customer_id",
        [start, end],
    )


def segment_outcomes(
    labels: pd.DataFrame, churned: pd.Series, revenue: pd.DataFrame | None, *, seed: int
) -> list[dict[str, Any]]:
    """Return per segment: customers, at risk, churned, churn rate and revenue per customer.

    `labels`: customer_id, segment; `churned`: 0/1 indexed by customer_id (at-risk customers
    only); `revenue`: customer_id, revenue in the horizon (customers without rows have 0).
    """
    frame = labels.assign(customer_id=labels["customer_id"].astype(str))
    frame = frame.merge(
        churned.rename("churned").rename_axis("customer_id").reset_index(),
        on="customer_id",
        how="left",
    )
    if revenue is not None:
        money = revenue.assign(customer_id=revenue["customer_id"].astype(str))
        frame = frame.merge(money, on="customer_id", how="left")
        frame["revenue"] = frame["revenue"].fillna(0.0)
    rows = []
    sizes = frame["segment"].astype(str).value_counts()
    for segment in sorted(sizes.index, key=lambda s: (-int(sizes[s]), s)):
        group = frame[frame["segment"].astype(str) == segment]
        at_risk = group["churned"].notna()
        lost = int(group.loc[at_risk, "churned"].sum())
        n = int(at_risk.sum())
        low, high = wilson_interval(lost, n)
        rows.append(
            {
                "segment": segment,
                "customers": len(group),
                "at_risk": n,
                "churned": lost,
                "churn_rate": lost / n if n else None,
                "ci_low": _number(low),
                "ci_high": _number(high),
                "revenue_per_customer": _money_mean(
                    group["revenue"] if revenue is not None else None, seed, segment
                ),
            }
        )
    return rows


def validity_summary(pairs: pd.DataFrame) -> dict[str, Any]:
    """Return the chi-square test and churn AUC of segment × churned over (customer, as_of) pairs."""
    at_risk = pairs[pairs["churned"].notna()]
    if at_risk.empty:
        return {"observations": 0, "churned": 0, "chi_square": None, "auc": None,
                "segment_order": []}  # fmt: skip
    churned = at_risk["churned"].astype(int)
    table = pd.crosstab(at_risk["segment"].astype(str), churned).reindex(
        columns=[0, 1], fill_value=0
    )
    test = chi_square_independence(table.to_numpy())
    rates = churned.groupby(at_risk["segment"].astype(str)).mean()
    score = at_risk["segment"].astype(str).map(rates)
    return {
        "observations": len(at_risk),
        "churned": int(churned.sum()),
        "chi_square": {
            "statistic": _number(test.statistic),
            "dof": test.dof,
            "p_value": _number(test.p_value),
        },
        "auc": _number(rank_auc(score.to_numpy(), churned.to_numpy())),
        "segment_order": sorted(rates.index, key=lambda s: (-float(rates[s]), s)),
    }


def workspace_validity(
    store: Store,
    *,
    scheme: str,
    horizon_days: int,
    seed: int = 0,
    data_end: datetime,
) -> dict[str, Any]:
    """Return the predictive validity of `scheme` over every snapshot the horizon lets us judge.

    `data_end`: the first instant after the data (a horizon ending later is not observed yet).
    """
    label_fn, definition = churn_labels(store)
    runs = store.dated_snapshot_runs().iloc[::-1]
    known = sorted(
        {str(s) for s in store.frame("SELECT DISTINCT scheme FROM snapshot_segments")["scheme"]}
    )
    if scheme not in known:
        raise InputError(f"--scheme: unknown scheme {scheme!r}; schemes: {', '.join(known)}")
    horizon = timedelta(days=horizon_days)
    judged, unobserved, pooled = [], [], []
    for run_id, as_of in zip(runs["run_id"], runs["as_of"], strict=True):
        start = pd.Timestamp(as_of).to_pydatetime()
        labels = store.frame(
            "SELECT customer_id, segment FROM snapshot_segments WHERE run_id = ? AND scheme = ?",
            [int(run_id), scheme],
        )
        if labels.empty:
            continue
        if start + horizon > data_end:
            unobserved.append({"run_id": int(run_id), "as_of": start.isoformat()})
            continue
        churned = label_fn(start, start + horizon)
        rows = segment_outcomes(
            labels, churned, window_revenue(store, start, start + horizon), seed=seed
        )
        pairs = labels.assign(customer_id=labels["customer_id"].astype(str)).merge(
            churned.rename("churned").rename_axis("customer_id").reset_index(),
            on="customer_id",
            how="left",
        )
        summary = validity_summary(pairs)
        pooled.append(pairs)
        judged.append(
            {
                "run_id": int(run_id),
                "as_of": start.isoformat(),
                "at_risk": summary["observations"],
                "churned": summary["churned"],
                "chi_square": summary["chi_square"],
                "segments": rows,
            }
        )
    if not judged:
        raise InputError(
            f"no snapshot of {scheme!r} is {horizon_days} days before the data end "
            f"({data_end:%Y-%m-%d}); run `segmint backfill` for earlier dates or shorten --horizon"
        )
    return {
        "scheme": scheme,
        "horizon_days": horizon_days,
        "churn_definition": definition,
        "as_ofs": judged,
        "unobserved": unobserved,
        "summary": validity_summary(pd.concat(pooled, ignore_index=True)),
    }


def _money_mean(values: pd.Series | None, seed: int, segment: str) -> dict[str, Any] | None:
    if values is None:
        return None
    moments = Moments.of(values.to_numpy(dtype=float))
    if moments.n > BOOTSTRAP_MAX_N:
        low, high = t_interval(moments)
    else:
        low, high = bootstrap_mean_interval(
            values.to_numpy(dtype=float),
            seed=(seed * 1_000_003) ^ zlib.crc32(segment.encode("utf-8")),
        )
    return {
        "value": _number(moments.mean),
        "n": moments.n,
        "ci_low": _number(low),
        "ci_high": _number(high),
    }


def _number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)
