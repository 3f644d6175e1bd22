"""segmint.analysis.stats agrees with statsmodels on the same inputs (to ~1e-9)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest
from statsmodels.stats.weightstats import DescrStatsW, ttest_ind

from segmint.analysis.stats import (
    Moments,
    RatioMoments,
    benjamini_hochberg,
    bootstrap_mean_interval,
    combine_moments,
    ratio_interval,
    t_interval,
    two_proportion_ztest,
    welch_ttest,
    wilson_interval,
)


@pytest.mark.parametrize(("x", "n"), [(0, 10), (3, 10), (10, 10), (417, 1234), (1, 100000)])
def test_wilson_matches_statsmodels(x: int, n: int) -> None:
    low, high = proportion_confint(x, n, alpha=0.05, method="wilson")
    ours = wilson_interval(x, n)
    assert ours == pytest.approx((low, high), abs=1e-12)


def test_wilson_with_no_trials_is_nan_not_an_error() -> None:
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"), [(30, 100, 45, 120), (5, 9, 1, 40), (0, 50, 3, 60)]
)
def test_two_proportion_z_matches_statsmodels(x1: int, n1: int, x2: int, n2: int) -> None:
    z, p = proportions_ztest([x1, x2], [n1, n2])
    ours = two_proportion_ztest(x1, n1, x2, n2)
    assert ours.statistic == pytest.approx(z, rel=1e-9)
    assert ours.p_value == pytest.approx(p, rel=1e-9)
    assert ours.diff == pytest.approx(x1 / n1 - x2 / n2)


def test_two_proportion_z_with_identical_degenerate_rates_has_no_p_value() -> None:
    result = two_proportion_ztest(0, 10, 0, 20)
    assert result.diff == 0 and math.isnan(result.p_value)


@given(
    st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=2, max_size=40),
    st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=2, max_size=40),
)
@settings(max_examples=60, deadline=None)
def test_welch_matches_statsmodels(a: list[float], b: list[float]) -> None:
    if np.var(a) == 0 and np.var(b) == 0:
        return
    t, p, _df = ttest_ind(np.array(a), np.array(b), usevar="unequal")
    ours = welch_ttest(Moments.of(a), Moments.of(b))
    assert ours.statistic == pytest.approx(t, rel=1e-9, abs=1e-9)
    assert ours.p_value == pytest.approx(p, rel=1e-9, abs=1e-12)


def test_t_interval_matches_statsmodels() -> None:
    values = np.random.default_rng(1).lognormal(3, 1, 200)
    low, high = DescrStatsW(values).tconfint_mean(alpha=0.05)
    assert t_interval(Moments.of(values)) == pytest.approx((low, high), rel=1e-12)


@given(st.lists(st.lists(st.floats(-1e3, 1e3, allow_nan=False), max_size=15), max_size=6))
@settings(max_examples=60, deadline=None)
def test_combined_moments_equal_moments_of_the_union(groups: list[list[float]]) -> None:
    union = [v for g in groups for v in g]
    combined = combine_moments(Moments.of(g) for g in groups)
    direct = Moments.of(union)
    assert combined.n == direct.n
    if direct.n:
        assert combined.mean == pytest.approx(direct.mean, rel=1e-9, abs=1e-9)
    if direct.n > 1:
        assert combined.var == pytest.approx(direct.var, rel=1e-7, abs=1e-7)


@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=30))
@settings(max_examples=80, deadline=None)
def test_bh_matches_statsmodels(p_values: list[float]) -> None:
    _reject, expected, _s, _b = multipletests(p_values, method="fdr_bh")
    assert benjamini_hochberg(p_values) == pytest.approx(list(expected), rel=1e-9, abs=1e-12)


def test_bh_skips_missing_p_values() -> None:
    adjusted = benjamini_hochberg([0.01, None, float("nan"), 0.04])
    _r, expected, _s, _b = multipletests([0.01, 0.04], method="fdr_bh")
    assert adjusted[1] is None and adjusted[2] is None
    assert [adjusted[0], adjusted[3]] == pytest.approx(list(expected))


def test_bootstrap_is_seeded_order_free_and_covers_the_mean() -> None:
    values = np.random.default_rng(0).lognormal(3, 1.2, 300)
    first = bootstrap_mean_interval(values, seed=7)
    shuffled = bootstrap_mean_interval(values[::-1], seed=7)
    assert first == shuffled
    assert first[0] < values.mean() < first[1]
    assert first != bootstrap_mean_interval(values, seed=8)
    # Skewed money: the interval is asymmetric, wider above the mean.
    assert first[1] - values.mean() > values.mean() - first[0]


def test_ratio_interval_matches_a_direct_delta_method() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(10, 100, 80)
    y = x * rng.uniform(0.5, 1.5, 80)
    m = RatioMoments(len(x), x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum())
    r = y.sum() / x.sum()
    se = np.sqrt(np.var(y - r * x, ddof=1) / len(x)) / x.mean()
    low, high = ratio_interval(m)
    assert m.ratio == pytest.approx(r)
    assert (high - low) / 2 == pytest.approx(1.959963984540054 * se, rel=1e-9)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=2, max_size=6).filter(
        lambda rows: sum(a for a, _ in rows) > 0 and sum(b for _, b in rows) > 0
    )
)
def test_chi_square_agrees_with_scipy_and_statsmodels(rows) -> None:
    import scipy.stats
    from statsmodels.stats.contingency_tables import Table

    from segmint.analysis.stats import chi_square_independence

    table = np.array(rows, dtype=float)
    result = chi_square_independence(table)
    kept = table[table.sum(axis=1) > 0]
    if len(kept) < 2:
        assert math.isnan(result.statistic)
        return
    expected = scipy.stats.chi2_contingency(kept, correction=False)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-9, abs=1e-12)
    assert result.dof == expected.dof
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-15)
    association = Table(kept, shift_zeros=False).test_nominal_association()
    assert result.statistic == pytest.approx(association.statistic, rel=1e-9, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.booleans()), min_size=2, max_size=60))
def test_rank_auc_agrees_with_sklearn_including_ties(pairs) -> None:
    from sklearn.metrics import roc_auc_score

    from segmint.analysis.stats import rank_auc

    scores = [float(s) for s, _ in pairs]
    labels = [int(b) for _, b in pairs]
    if len(set(labels)) < 2:
        assert math.isnan(rank_auc(scores, labels))
        return
    assert rank_auc(scores, labels) == pytest.approx(roc_auc_score(labels, scores), rel=1e-12)
