"""2×2 figures and the adjusted difference against statsmodels and scipy; coverage with a confounder."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import confint_proportions_2indep

from segmint.analysis.association import (
    TwoByTwo,
    adjusted_difference,
    covariate_matrix,
    fisher_p_value,
    logistic_fit,
    odds_ratio,
    phi_coefficient,
    rate_difference_interval,
    relative_risk,
)


def test_two_by_two_figures_match_statsmodels_and_scipy() -> None:
    table = TwoByTwo(a=42, b=58, c=90, d=310)
    diff, low, high = rate_difference_interval(table)
    ref_low, ref_high = confint_proportions_2indep(
        42, 100, 90, 400, method="newcomb", compare="diff"
    )
    assert diff == pytest.approx(0.42 - 0.225, abs=1e-12)
    assert (low, high) == pytest.approx((ref_low, ref_high), abs=1e-9)
    assert relative_risk(table) == pytest.approx(0.42 / 0.225)
    assert odds_ratio(table) == pytest.approx(42 * 310 / (58 * 90))
    did = np.repeat([1, 1, 0, 0], [42, 58, 90, 310])
    out = np.repeat([1, 0, 1, 0], [42, 58, 90, 310])
    assert phi_coefficient(table) == pytest.approx(np.corrcoef(did, out)[0, 1], abs=1e-12)
    assert TwoByTwo.of(did.astype(bool), out.astype(bool)) == table
    assert fisher_p_value(table) == pytest.approx(
        scipy_stats.fisher_exact([[42, 58], [90, 310]]).pvalue, rel=1e-12
    )


def test_empty_cells_give_nan_not_errors() -> None:
    table = TwoByTwo(a=5, b=0, c=0, d=20)
    assert math.isnan(odds_ratio(table)) and math.isnan(relative_risk(table))
    assert math.isnan(rate_difference_interval(TwoByTwo(0, 0, 3, 4))[0])
    assert math.isnan(phi_coefficient(TwoByTwo(0, 0, 3, 4)))


def _confounded(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """Plan (the confounder) raises both the behaviour and retention; the behaviour adds +0.10."""
    plan = rng.integers(0, 3, n)  # 0 basic, 1 pro, 2 enterprise
    size = rng.normal(0, 1, n)
    did = rng.random(n) < np.array([0.25, 0.5, 0.75])[plan]
    base = np.array([0.25, 0.45, 0.65])[plan] + 0.04 * np.clip(size, -2, 2)
    outcome = rng.random(n) < base + 0.10 * did
    return plan, size, did, outcome


def test_standardised_and_aipw_estimates_agree_with_statsmodels_logit() -> None:
    rng = np.random.default_rng(7)
    plan, size, did, outcome = _confounded(rng, 3000)
    x = np.column_stack([plan == 1, plan == 2, size]).astype(float)
    result = adjusted_difference(did, outcome, x, trim=0.0)
    ones = np.ones((len(did), 1))
    outcome_model = sm.Logit(outcome.astype(float), np.hstack([ones, did[:, None], x])).fit(
        disp=0, tol=1e-12, maxiter=200
    )
    m1 = outcome_model.predict(np.hstack([ones, ones, x]))
    m0 = outcome_model.predict(np.hstack([ones, 0 * ones, x]))
    assert result.standardised == pytest.approx(float((m1 - m0).mean()), abs=1e-6)
    e = sm.Logit(did.astype(float), np.hstack([ones, x])).fit(disp=0, tol=1e-12).predict()
    a, y = did.astype(float), outcome.astype(float)
    psi = m1 - m0 + a * (y - m1) / e - (1 - a) * (y - m0) / (1 - e)
    assert result.aipw == pytest.approx(float(psi.mean()), abs=1e-6)
    assert result.standard_error == pytest.approx(
        float(psi.std(ddof=1) / np.sqrt(len(psi))), abs=1e-6
    )
    assert result.trimmed == 0 and result.customers == 3000


def test_logistic_fit_matches_statsmodels_coefficients() -> None:
    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(500), rng.normal(size=500), rng.random(500) < 0.3])
    y = rng.random(500) < 1 / (1 + np.exp(-(0.3 + 0.8 * x[:, 1] - 0.5 * x[:, 2])))
    ours = logistic_fit(x, y)
    theirs = sm.Logit(y.astype(float), x).fit(disp=0, tol=1e-12).params
    assert ours == pytest.approx(theirs, abs=1e-6)


def test_adjusted_interval_covers_the_planted_effect_while_the_raw_difference_does_not() -> None:
    true_effect = 0.10  # constant on the risk-difference scale, so it is also the average effect
    runs, adjusted_hits, raw_hits = 200, 0, 0
    rng = np.random.default_rng(2026)
    for _ in range(runs):
        plan, size, did, outcome = _confounded(rng, 1500)
        x = np.column_stack([plan == 1, plan == 2, size]).astype(float)
        result = adjusted_difference(did, outcome, x)
        adjusted_hits += result.ci_low <= true_effect <= result.ci_high
        _diff, low, high = rate_difference_interval(TwoByTwo.of(did, outcome))
        raw_hits += low <= true_effect <= high
    assert adjusted_hits / runs >= 0.93
    assert raw_hits / runs < 0.5  # the confounder pushes the raw difference far above 0.10


def test_covariate_matrix_is_independent_of_row_order() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {"plan": ["pro", "basic", "pro", None, "basic", "pro"], "seats": [3, 5, None, 1, 2, 8]}
    )
    x, names = covariate_matrix(frame, ["plan", "seats"])
    assert names == ["plan=(missing)", "plan=basic", "seats", "seats=missing"]
    shuffled = frame.iloc[[5, 3, 1, 0, 2, 4]]
    x2, names2 = covariate_matrix(shuffled, ["plan", "seats"])
    assert names2 == names
    assert np.allclose(x2, x[[5, 3, 1, 0, 2, 4]])
