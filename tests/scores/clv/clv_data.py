"""Test data for the CLV tests: CDNOW as canonical transactions; simulated BG/NBD summaries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path("/work/shared/data")


def cdnow_transactions(
    name: str = "cdnow_sample_2357.csv", id_col: str = "master_id"
) -> pd.DataFrame:
    """Return a CDNOW file as canonical transactions (customer_id, occurred_at, amount)."""
    raw = pd.read_csv(DATA / name, dtype={id_col: str})
    return pd.DataFrame(
        {
            "customer_id": raw[id_col],
            "occurred_at": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "amount": raw["dollar_value"].astype(float),
        }
    )


def simulate_bgnbd(
    n: int, *, r: float, alpha: float, a: float, b: float, T: float, seed: int
) -> pd.DataFrame:
    """Return an RFM summary simulated from the BG/NBD process (a = 0 means no drop-out)."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(r, 1.0 / alpha, size=n)
    drop = rng.beta(a, b, size=n) if a > 0 else np.zeros(n)
    rows = []
    for lam, p in zip(rates, drop, strict=True):
        t, x, last = 0.0, 0, 0.0
        while True:
            t += rng.exponential(1.0 / lam)
            if t > T:
                break
            x, last = x + 1, t
            if rng.random() < p:
                break
        rows.append((float(x), last, T))
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"])
