"""Small seeded commerce and subscription tables for the KPI tests, with a pandas oracle."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

AS_OF = datetime(2024, 6, 1)
WINDOW = 90


def commerce_frames(n_customers: int = 80, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Return transactions (refunds as negative amounts) and subscriptions over ~300 days."""
    rng = np.random.default_rng(seed)
    ids = [f"c{i:03d}" for i in range(n_customers)]
    n = n_customers * 5
    tx = pd.DataFrame(
        {
            "customer_id": rng.choice(ids, n),
            "occurred_at": pd.Timestamp(AS_OF)
            - pd.to_timedelta(rng.integers(1, 300 * 24, n), unit="h"),
            "amount": np.round(rng.lognormal(3, 1, n), 2),
        }
    )
    tx.loc[rng.random(n) < 0.07, "amount"] *= -1
    subs = pd.DataFrame(
        {
            "customer_id": rng.choice(ids, n_customers),
            "started_at": pd.Timestamp(AS_OF)
            - pd.to_timedelta(rng.integers(1, 400, n_customers), "D"),
            "mrr": rng.choice([10.0, 49.99, 100.0], n_customers),
        }
    )
    subs["ended_at"] = subs["started_at"] + pd.to_timedelta(rng.integers(20, 400, n_customers), "D")
    subs.loc[rng.random(n_customers) < 0.5, "ended_at"] = pd.NaT
    return {"transactions": tx, "subscriptions": subs}


def assignments(n_customers: int = 80) -> pd.DataFrame:
    """Three segments of unequal size, by customer number."""
    ids = [f"c{i:03d}" for i in range(n_customers)]
    segment = [
        "gold" if i % 5 == 0 else "silver" if i % 5 in (1, 2) else "bronze"
        for i in range(n_customers)
    ]
    return pd.DataFrame({"customer_id": ids, "segment": segment})


def oracle_per_customer(frames: dict[str, pd.DataFrame], population: pd.DataFrame) -> pd.DataFrame:
    """Per-customer KPI inputs computed directly with pandas (the test's independent oracle)."""
    tx = frames["transactions"]
    start = pd.Timestamp(AS_OF) - timedelta(days=WINDOW)
    prev = start - timedelta(days=WINDOW)
    visible = tx[tx["occurred_at"] < pd.Timestamp(AS_OF)]
    window = visible[visible["occurred_at"] >= start]
    orders = window[window["amount"] > 0]
    out = population[["customer_id", "segment"]].copy().set_index("customer_id")
    out["revenue"] = window.groupby("customer_id")["amount"].sum().round(2)
    out["orders"] = orders.groupby("customer_id").size()
    out["order_total"] = orders.groupby("customer_id")["amount"].sum()
    before = visible[(visible["occurred_at"] >= prev) & (visible["occurred_at"] < start)]
    out["bought_prev"] = out.index.isin(before.loc[before["amount"] > 0, "customer_id"])
    out["bought_now"] = out.index.isin(orders["customer_id"])
    subs = frames["subscriptions"]

    def mrr_at(moment: pd.Timestamp) -> pd.Series:
        active = (subs["started_at"] < moment) & (
            subs["ended_at"].isna() | (subs["ended_at"] >= moment)
        )
        return subs[active].groupby("customer_id")["mrr"].sum()

    out["mrr_start"] = mrr_at(start)
    out["mrr_end"] = mrr_at(pd.Timestamp(AS_OF))
    out = out.fillna({"revenue": 0.0, "orders": 0, "mrr_start": 0.0, "mrr_end": 0.0})
    return out.reset_index()
