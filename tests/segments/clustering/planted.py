"""Synthetic customer tables with planted groups, for testing that clustering recovers them."""

from __future__ import annotations

import numpy as np
import pandas as pd

INDUSTRIES = ["manufacturing", "retail", "finance", "software", "health"]
PLANS = ["basic", "pro", "enterprise"]


def planted_customers(
    n_groups: int, *, n_rows: int = 3000, seed: int = 0, missing_share: float = 0.02
) -> tuple[pd.DataFrame, np.ndarray]:
    """A customer table (mixed numeric/categorical, skewed spend, some missing) and the true group."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_groups, size=n_rows)
    # Group centres drawn at random, then spread so groups are distinct on several features.
    spend_mu = rng.permutation(np.linspace(3.0, 3.0 + 1.1 * n_groups, n_groups))
    orders_lam = rng.permutation(np.linspace(2.0, 2.0 + 5.0 * n_groups, n_groups))
    tickets_lam = rng.permutation(np.linspace(0.3, 0.3 + 2.5 * n_groups, n_groups))
    tenure_mu = rng.permutation(np.linspace(100.0, 100.0 + 250.0 * n_groups, n_groups))
    industry_p = rng.dirichlet(np.full(len(INDUSTRIES), 0.7), size=n_groups)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{seed:02d}{i:06d}" for i in range(n_rows)],
            "revenue_365d": np.round(rng.lognormal(spend_mu[truth], 0.35), 2),
            "orders_90d": rng.poisson(orders_lam[truth]),
            "tickets_90d": rng.poisson(tickets_lam[truth]),
            "tenure_days": np.clip(rng.normal(tenure_mu[truth], 60.0), 0, None).round(),
            "industry": [INDUSTRIES[rng.choice(len(INDUSTRIES), p=industry_p[g])] for g in truth],
            "plan": rng.choice(PLANS, size=n_rows),
            "email_consent": rng.random(n_rows) < 0.7,
            "email": [f"user{seed}_{i}@example.com" for i in range(n_rows)],
        }
    )
    for col in ("revenue_365d", "tickets_90d", "industry"):
        holes = rng.random(n_rows) < missing_share
        frame[col] = frame[col].astype("object" if col == "industry" else float)
        frame.loc[holes, col] = None if col == "industry" else np.nan
    return frame, truth


# Hand-written customer types, as a CS team would describe them:
# (log-spend mean, orders, tickets, tenure days, typical industry, typical plan).
PROFILES = [
    (7.5, 20, 1.0, 900, "manufacturing", "enterprise"),
    (4.0, 2, 0.2, 60, "retail", "basic"),
    (5.5, 8, 6.0, 400, "software", "pro"),
    (6.0, 4, 0.5, 1500, "finance", "pro"),
    (3.5, 12, 3.0, 200, "health", "basic"),
    (8.5, 30, 8.0, 700, "software", "enterprise"),
]


def profile_customers(
    n_groups: int, *, n_rows: int = 3000, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers drawn from `n_groups` of the hand-written PROFILES (chosen by seed) and the true group."""
    rng = np.random.default_rng(seed)
    chosen = [PROFILES[i] for i in rng.permutation(len(PROFILES))[:n_groups]]
    truth = rng.integers(0, n_groups, size=n_rows)

    def column(j: int) -> np.ndarray:
        return np.array([chosen[g][j] for g in truth])

    frame = pd.DataFrame(
        {
            "customer_id": [f"P{seed:02d}{i:06d}" for i in range(n_rows)],
            "spend": np.round(rng.lognormal(column(0).astype(float), 0.5), 2),
            "orders": rng.poisson(column(1).astype(float)),
            "tickets": rng.poisson(column(2).astype(float)),
            "tenure_days": np.clip(rng.normal(column(3).astype(float), 80), 0, None).round(),
            "industry": np.where(
                rng.random(n_rows) < 0.6, column(4), rng.choice(INDUSTRIES, size=n_rows)
            ),
            "plan": np.where(rng.random(n_rows) < 0.7, column(5), "basic"),
            "region": rng.choice(["north", "south", "east", "west"], size=n_rows),
        }
    )
    return frame, truth


def category_split_customers(
    n_groups: int, *, n_rows: int = 3000, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Profile customers plus a `channel` column that splits one true group in two by level only.

    The split group's rows are half "web", half "store" with the same numeric distribution;
    every other group is "phone". The right answer is still `n_groups` clusters.
    """
    frame, truth = profile_customers(n_groups, n_rows=n_rows, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    split = rng.integers(0, n_groups)
    half = rng.random(n_rows) < 0.5
    frame["channel"] = np.where(truth == split, np.where(half, "web", "store"), "phone")
    return frame, truth
