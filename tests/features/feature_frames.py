"""Tiny hand-checkable source tables for the feature and RFM tests, loadable on any engine."""

from __future__ import annotations

from datetime import datetime

import ibis
import numpy as np
import pandas as pd

AS_OF = datetime(2024, 3, 31)
T = pd.Timestamp


def tiny_frames() -> dict[str, pd.DataFrame]:
    """Return the tiny tables; expected feature values are worked out in test_build_features.py."""
    transactions = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b", "c", "a"],
            "occurred_at": [
                T("2024-01-01 09:00"),  # a: order, 90 days before as_of
                T("2024-03-01 10:00"),  # a: order, 30 days before as_of (inside 30d window)
                T("2024-03-10 12:00"),  # a: refund of 5.00
                T("2023-06-01"),  # b: order, 304 days before as_of
                T("2024-02-01"),  # b: zero amount: neither order nor refund
                T("2024-03-31"),  # c: exactly at as_of: not visible
                T("2024-04-02"),  # a: after as_of: not visible
            ],
            "amount": [10.10, 20.00, -5.00, 7.50, 0.00, 3.33, 99.99],
            "invoice_id": ["i1", "i2", "c2", "i3", "i4", "i5", "i6"],
        }
    )
    subscriptions = pd.DataFrame(
        {
            "customer_id": ["a", "b", "d", "d"],
            "started_at": [T("2023-01-01"), T("2023-01-01"), T("2023-11-01"), T("2024-01-15")],
            "ended_at": [pd.NaT, T("2024-02-01"), T("2024-01-15"), pd.NaT],
            "mrr": [100.00, 50.00, 10.00, 25.00],
            "plan": ["pro", "basic", "starter", "basic"],
            "seats": [3.0, 1.0, 1.0, 2.0],
        }
    )
    events = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "e", "e"],
            "occurred_at": [
                T("2024-03-25 08:00"),
                T("2024-03-25 17:00"),  # same day: one active day
                T("2024-03-05"),  # last 30 days start 2024-03-01
                T("2024-02-20"),  # prior 30 days: 2024-01-31 .. 2024-03-01
                T("2024-03-30"),
                T("2024-04-01"),  # after as_of
            ],
            "event": ["login", "export", "login", "report", "login", "login"],
            "feature": ["core", "export", "core", "reports", None, "core"],
        }
    )
    tickets = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "opened_at": [T("2024-03-01"), T("2023-10-01"), T("2023-01-01")],
            "closed_at": [pd.NaT, T("2024-04-05"), T("2023-01-02")],
            "priority": ["High", "urgent", "low"],
            "csat": [np.nan, 5.0, 4.0],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "z"],
            "created_at": [T("2022-12-01"), T("2022-12-01"), T("2024-05-01")],
            "industry": ["retail", "finance", "media"],
            "plan": ["crm-gold", "crm-silver", "crm-none"],
        }
    )
    return {
        "transactions": transactions,
        "subscriptions": subscriptions,
        "events": events,
        "tickets": tickets,
        "customers": customers,
    }


def load_tables(con, frames: dict[str, pd.DataFrame], prefix: str = "t") -> dict:
    """Register each frame as a view on the backend and return name -> Ibis table.

    Views, not tables: on Spark a table would be written to a spark-warehouse folder.
    """
    return {
        name: con.create_view(f"{prefix}_{name}", ibis.memtable(frame), overwrite=True)
        for name, frame in frames.items()
    }


def random_frames(n_customers: int = 120, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Return seeded random tables with ties, refunds and cents, for engine parity tests."""
    rng = np.random.default_rng(seed)
    ids = [f"c{i:04d}" for i in range(n_customers)]
    start = T("2023-01-01")
    n_tx = n_customers * 6
    tx = pd.DataFrame(
        {
            "customer_id": rng.choice(ids, n_tx),
            "occurred_at": start + pd.to_timedelta(rng.integers(0, 500 * 24, n_tx), unit="h"),
            "amount": np.round(rng.choice([9.99, 10.0, 25.5, 0.1, 0.2, 133.33], n_tx), 2),
        }
    )
    refund = rng.random(n_tx) < 0.08
    tx.loc[refund, "amount"] = -tx.loc[refund, "amount"]
    subs = pd.DataFrame(
        {
            "customer_id": rng.choice(ids, n_customers),
            "started_at": start + pd.to_timedelta(rng.integers(0, 400, n_customers), unit="D"),
            "mrr": rng.choice([10.0, 49.99, 0.1, 0.2, 100.0], n_customers),
            "plan": rng.choice(["basic", "pro"], n_customers),
            "seats": rng.integers(1, 20, n_customers).astype(float),
        }
    )
    subs["ended_at"] = subs.started_at + pd.to_timedelta(rng.integers(30, 600, n_customers), "D")
    subs.loc[rng.random(n_customers) < 0.5, "ended_at"] = pd.NaT
    n_ev = n_customers * 10
    events = pd.DataFrame(
        {
            "customer_id": rng.choice(ids, n_ev),
            "occurred_at": start + pd.to_timedelta(rng.integers(0, 500 * 24, n_ev), unit="h"),
            "event": rng.choice(["login", "export", "share"], n_ev),
            "feature": rng.choice(["core", "export", "api", "sso"], n_ev),
        }
    )
    n_tk = n_customers * 2
    opened = start + pd.to_timedelta(rng.integers(0, 500, n_tk), unit="D")
    tickets = pd.DataFrame(
        {
            "customer_id": rng.choice(ids, n_tk),
            "opened_at": opened,
            "closed_at": opened + pd.to_timedelta(rng.integers(0, 20, n_tk), unit="D"),
            "priority": rng.choice(["low", "high", "Urgent"], n_tk),
            "csat": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0, np.nan], n_tk),
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "created_at": start + pd.to_timedelta(rng.integers(-300, 480, n_customers), "D"),
            "industry": rng.choice(["retail", "finance"], n_customers),
            "employees": rng.integers(1, 500, n_customers).astype(float),
        }
    )
    return {
        "transactions": tx,
        "subscriptions": subs,
        "events": events,
        "tickets": tickets,
        "customers": customers,
    }
