"""One contract for every segmenter and scorer: fit before use, exactly one segment per customer,
sizes sum to the population, deterministic for a seed (the sklearn `parametrize_with_checks` idea)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

from segmint.errors import NotFittedError


def _customers(seed: int = 7, n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(n)],
            "mrr": np.round(rng.lognormal(5 + group, 0.4), 2),
            "active_days_30d": np.clip(rng.normal(5 + 7 * group, 2), 0, 30).round(),
            "tickets_90d": rng.poisson(3 - group),
            "features_adopted": rng.integers(0, 8, n),
            "industry": np.where(group == 2, "software", rng.choice(["retail", "finance"], n)),
            "employees": rng.integers(5, 2000, n),
        }
    )


def _transactions(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 2000
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in rng.integers(0, 200, n)],
            "occurred_at": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 360, n), unit="D"),
            "amount": np.round(rng.lognormal(3, 1, n), 2),
        }
    )


AS_OF = pd.Timestamp("2025-01-01")


@dataclass
class Case:
    """How to build, fit and predict one estimator; predict returns one label per customer."""

    name: str
    build: Callable[[], Any]
    fit: Callable[[Any], Any]
    predict: Callable[[Any], pd.Series]
    population: Callable[[], set[str]]


def _rule_case() -> Case:
    from segmint.segments.schemes import RuleSegmenter, Scheme, SegmentRule

    scheme = Scheme(
        "value",
        [SegmentRule("big", "mrr >= 1000"), SegmentRule("engaged", "active_days_30d >= 10")],
        default="other",
    )
    data = _customers()
    return Case(
        "rules",
        lambda: RuleSegmenter(scheme),
        lambda est: est.fit(data),
        lambda est: pd.Series(est.predict(data).to_numpy(), index=data["customer_id"]),
        lambda: set(data["customer_id"]),
    )


def _rfm_case() -> Case:
    from segmint.segments.rfm import RFMSegmenter

    tx = _transactions()
    return Case(
        "rfm",
        lambda: RFMSegmenter(bins=5),
        lambda est: est.fit(tx, as_of=AS_OF),
        lambda est: est.predict(),
        lambda: set(tx["customer_id"]),
    )


def _health_case() -> Case:
    from segmint.scores.health import HealthScorer

    card = {
        "measures": [
            {"feature": "active_days_30d", "thresholds": [[0, 0], [20, 100]]},
            {"feature": "tickets_90d", "direction": "lower_is_better", "scaling": "percentile"},
        ]
    }
    data = _customers()
    return Case(
        "health",
        lambda: HealthScorer(card),
        lambda est: est.fit(data),
        lambda est: pd.Series(est.predict(data).to_numpy(), index=data["customer_id"]),
        lambda: set(data["customer_id"]),
    )


def _icp_case() -> Case:
    from segmint.scores.icp import ICPScorer

    criteria = [
        {"attribute": "industry", "in": ["software"], "weight": 2},
        {"attribute": "employees", "between": [50, 500]},
    ]
    data = _customers()
    return Case(
        "icp",
        lambda: ICPScorer(criteria),
        lambda est: est.fit(data),
        lambda est: pd.Series(est.predict(data).to_numpy(), index=data["customer_id"]),
        lambda: set(data["customer_id"]),
    )


def _tier_case() -> Case:
    from segmint.segments.tiers import TierAssigner

    data = _customers()
    return Case(
        "tiers",
        lambda: TierAssigner(value="mrr", capacity={"A": 20, "B": 60}),
        lambda est: est.fit(data),
        lambda est: pd.Series(est.predict(data).to_numpy(), index=data["customer_id"]),
        lambda: set(data["customer_id"]),
    )


def _cluster_case() -> Case:
    from segmint.segments.clustering import ClusterSegmenter

    data = _customers()
    features = ["mrr", "active_days_30d", "tickets_90d", "features_adopted"]
    return Case(
        "clustering",
        lambda: ClusterSegmenter(features=features, k=3, n_bootstrap=3, random_state=0),
        lambda est: est.fit(data, id_col="customer_id"),
        lambda est: pd.Series(np.asarray(est.predict(data)), index=data["customer_id"]),
        lambda: set(data["customer_id"]),
    )


CASES = [_rule_case, _rfm_case, _health_case, _icp_case, _tier_case, _cluster_case]


@pytest.fixture(params=CASES, ids=lambda f: f.__name__.strip("_").removesuffix("_case"))
def case(request: pytest.FixtureRequest) -> Case:
    return request.param()


def test_use_before_fit_raises(case: Case) -> None:
    with pytest.raises((NotFittedError, ValueError)):
        case.predict(case.build())


def test_each_customer_exactly_one_segment_and_sizes_sum(case: Case) -> None:
    estimator = case.build()
    assert case.fit(estimator) is estimator  # fit returns self
    labels = case.predict(estimator)
    assert not labels.index.duplicated().any()
    assert set(labels.index) == case.population()
    assert labels.notna().all()
    assert labels.value_counts().sum() == len(case.population())


def test_deterministic_with_a_seed(case: Case) -> None:
    first = case.predict(case.fit(case.build()))
    second = case.predict(case.fit(case.build()))
    pd.testing.assert_series_equal(first.sort_index(), second.sort_index(), check_names=False)
