"""The experiment statistics agree with GrowthBook's stats engine (gbstats) on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.analysis.experiments.analysis import AnalysisOptions, analyze_units
from segmint.analysis.experiments.arms import MEAN, PROPORTION
from segmint.analysis.experiments.srm import srm_p_value

gb_freq = pytest.importorskip("gbstats.frequentist.tests")
gb_bayes = pytest.importorskip("gbstats.bayesian.tests")
gb_stats = pytest.importorskip("gbstats.models.statistics")
gb_utils = pytest.importorskip("gbstats.utils")


def units(
    kind: str, seed: int, *, n_a: int = 700, n_b: int = 650, lift: float = 0.08
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pre = (
        (rng.random(n_a + n_b) < 0.3).astype(float)
        if kind == PROPORTION
        else rng.gamma(2.0, 30.0, n_a + n_b)
    )
    variant = np.array(["control"] * n_a + ["treatment"] * n_b)
    if kind == PROPORTION:
        base = 0.2 + 0.3 * pre
        p = np.where(variant == "treatment", base * (1 + lift), base)
        value = (rng.random(n_a + n_b) < p).astype(float)
    else:
        value = 0.6 * pre + rng.gamma(1.5, 20.0, n_a + n_b)
        value = np.where(variant == "treatment", value * (1 + lift), value)
    return pd.DataFrame(
        {"customer_id": [f"c{i}" for i in range(n_a + n_b)], "variant": variant,
         "value": value, "pre": pre}
    )  # fmt: skip


def gb_statistic(frame: pd.DataFrame, kind: str, *, cuped: bool) -> object:
    x = frame["value"].to_numpy(float)
    n = len(x)
    if kind == PROPORTION:
        post = gb_stats.ProportionStatistic(n=n, sum=float(x.sum()))
    else:
        post = gb_stats.SampleMeanStatistic(
            n=n, sum=float(x.sum()), sum_squares=float((x * x).sum())
        )
    if not cuped:
        return post
    p = frame["pre"].to_numpy(float)
    if kind == PROPORTION:
        pre = gb_stats.ProportionStatistic(n=n, sum=float(p.sum()))
    else:
        pre = gb_stats.SampleMeanStatistic(
            n=n, sum=float(p.sum()), sum_squares=float((p * p).sum())
        )
    return gb_stats.RegressionAdjustedStatistic(
        n=n, post_statistic=post, pre_statistic=pre,
        post_pre_sum_of_products=float((x * p).sum()), theta=0,
    )  # fmt: skip


def ours(frame: pd.DataFrame, kind: str, *, cuped: bool, sequential: bool = False) -> dict:
    options = AnalysisOptions(kind=kind, cuped=cuped, sequential=sequential)
    payload = analyze_units("exp", "m", frame if cuped else frame.drop(columns="pre"), options)
    return next(r for r in payload["results"] if r["variant"] == "treatment")


def theirs(frame: pd.DataFrame, kind: str, *, cuped: bool, test: type) -> object:
    a = gb_statistic(frame[frame["variant"] == "control"], kind, cuped=cuped)
    b = gb_statistic(frame[frame["variant"] == "treatment"], kind, cuped=cuped)
    return test(a, b).compute_result()


CASES = [(kind, seed) for kind in (MEAN, PROPORTION) for seed in (1, 2, 3)]


@pytest.mark.parametrize(("kind", "seed"), CASES)
@pytest.mark.parametrize("cuped", [False, True], ids=["plain", "cuped"])
def test_frequentist_relative_uplift_matches_gbstats(kind: str, seed: int, cuped: bool) -> None:
    frame = units(kind, seed)
    row = ours(frame, kind, cuped=cuped)
    gb = theirs(frame, kind, cuped=cuped, test=gb_freq.TwoSidedTTest)
    assert row["uplift_rel"] == pytest.approx(gb.expected, abs=1e-6)
    assert row["ci_low"] == pytest.approx(gb.ci[0], abs=1e-6)
    assert row["ci_high"] == pytest.approx(gb.ci[1], abs=1e-6)
    assert row["p_value"] == pytest.approx(gb.p_value, abs=1e-6)
    assert (row["cuped"] is not None) == cuped


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_cuped_reduces_variance_and_changes_the_estimate(kind: str, seed: int) -> None:
    frame = units(kind, seed)
    row = ours(frame, kind, cuped=True)
    plain = ours(frame, kind, cuped=False)
    assert row["cuped"]["variance_reduction"] > 0.01
    assert row["cuped"]["uplift_rel_unadjusted"] == pytest.approx(plain["uplift_rel"], abs=1e-12)
    assert row["ci_high"] - row["ci_low"] < plain["ci_high"] - plain["ci_low"]


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_sequential_interval_matches_gbstats(kind: str, seed: int) -> None:
    frame = units(kind, seed)
    row = ours(frame, kind, cuped=False, sequential=True)
    fixed = ours(frame, kind, cuped=False)
    gb = theirs(frame, kind, cuped=False, test=gb_freq.SequentialTwoSidedTTest)
    assert row["ci_low"] == pytest.approx(gb.ci[0], abs=1e-6)
    assert row["ci_high"] == pytest.approx(gb.ci[1], abs=1e-6)
    assert row["p_value"] == pytest.approx(gb.p_value, abs=1e-6)
    # always-valid intervals are wider than the fixed-horizon one at the same data
    assert row["ci_high"] - row["ci_low"] > fixed["ci_high"] - fixed["ci_low"]


@pytest.mark.parametrize(("kind", "seed"), CASES)
@pytest.mark.parametrize("cuped", [False, True], ids=["plain", "cuped"])
def test_bayesian_chance_to_win_and_loss_match_gbstats(kind: str, seed: int, cuped: bool) -> None:
    frame = units(kind, seed, lift=0.03)
    row = ours(frame, kind, cuped=cuped)
    gb = theirs(frame, kind, cuped=cuped, test=gb_bayes.EffectBayesianABTest)
    assert row["chance_to_win"] == pytest.approx(gb.chance_to_win, abs=1e-4)
    # gbstats' risk[1] is the expected loss of shipping the treatment
    assert row["expected_loss"] == pytest.approx(gb.risk[1], abs=1e-6)


@pytest.mark.parametrize(
    ("users", "weights"),
    [([5000, 5000], [0.5, 0.5]), ([5200, 4800], [0.5, 0.5]), ([3300, 3400, 3100], [1, 1, 1]),
     ([900, 100], [0.9, 0.1]), ([0, 10], [0.5, 0.5])],
)  # fmt: skip
def test_srm_p_value_matches_gbstats(users: list[int], weights: list[float]) -> None:
    assert srm_p_value(users, weights) == pytest.approx(
        gb_utils.check_srm(users, weights), abs=1e-6
    )


def test_no_relative_uplift_over_a_negative_control_mean() -> None:
    """Refunds exceeding sales: a relative change of a negative baseline means nothing."""
    frame = pd.DataFrame(
        {"customer_id": [f"c{i}" for i in range(8)], "variant": ["control"] * 4 + ["treatment"] * 4,
         "value": [-50.0, -10.0, 5.0, 1.0, 10.0, 20.0, -5.0, 3.0]}
    )  # fmt: skip
    payload = analyze_units("exp", "revenue", frame, AnalysisOptions(kind=MEAN))
    row = payload["results"][1]
    assert row["uplift_rel"] is None and row["uplift_abs"] == pytest.approx(7.0 - (-13.5))
    assert [w["code"] for w in payload["warnings"]] == ["not_computed"]
    assert "control mean is not positive" in payload["warnings"][0]["message"]
