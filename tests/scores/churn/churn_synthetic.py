"""Synthetic purchase histories with a known churn signal, for the churn tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

START = datetime(2023, 1, 1)


def make_transactions(n_customers: int = 400, seed: int = 0) -> pd.DataFrame:
    """Customers buy at a personal rate until a personal, rate-dependent end date (then churn)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_customers):
        rate = rng.gamma(2.0, 2.0)  # purchases per 30 days
        # frequent buyers stay longer: the planted signal
        life = rng.exponential(120 + 60 * rate)
        t = START + timedelta(days=float(rng.uniform(0, 90)))
        end = t + timedelta(days=float(life))
        while t < min(end, START + timedelta(days=730)):
            rows.append((f"c{i:04d}", t, float(rng.gamma(2.0, 20.0))))
            t += timedelta(days=float(rng.exponential(30 / rate)))
    return pd.DataFrame(rows, columns=["customer_id", "occurred_at", "amount"])


def features_as_of(transactions: pd.DataFrame, cutoff: datetime) -> pd.DataFrame:
    """Per-customer features from purchases strictly before `cutoff`."""
    past = transactions[transactions["occurred_at"] < cutoff]
    grouped = past.groupby("customer_id")
    last = grouped["occurred_at"].max()
    recent = past[past["occurred_at"] >= cutoff - timedelta(days=90)]
    return pd.DataFrame(
        {
            "recency_days": (pd.Timestamp(cutoff) - last).dt.days.astype(float),
            "frequency": grouped.size().astype(float),
            "orders_90d": recent.groupby("customer_id").size().reindex(last.index, fill_value=0),
            "monetary": grouped["amount"].mean(),
            "tier": np.where(grouped.size() > 10, "gold", "basic"),
        }
    ).rename_axis("customer_id")
