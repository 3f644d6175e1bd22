"""Likelihoods and predictions of the BTYD models: identities, limits, recovery, contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from clv_data import simulate_bgnbd
from scipy.integrate import quad
from scipy.special import gammaln

from segmint.errors import InputError, ModelFitError, NotFittedError
from segmint.scores.clv import (
    BetaGeoModel,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
)
from segmint.scores.clv._likelihood import pareto_nbd_loglik

BTYD = [BetaGeoModel, ParetoNBDModel, ModifiedBetaGeoModel]


@pytest.mark.parametrize(
    ("params", "x", "t_x", "T"),
    [
        ((0.55, 10.6, 0.61, 11.7), 2.0, 30.4, 38.9),
        ((0.55, 10.6, 0.61, 11.7), 0.0, 0.0, 30.0),
        ((0.9, 2.0, 0.3, 40.0), 150.0, 50.0, 52.0),  # beta/alpha = 20, x large: overflow regime
        ((0.9, 40.0, 0.3, 2.0), 80.0, 10.0, 52.0),  # alpha > beta branch
    ],
)
def test_pareto_likelihood_matches_integral_form(params, x, t_x, T) -> None:  # type: ignore[no-untyped-def]
    r, alpha, s, beta = params

    def integrand(tau: float) -> float:
        return float((alpha + tau) ** -(r + x) * (beta + tau) ** -(s + 1.0))

    scale = (alpha + t_x) ** (r + x) * (beta + t_x) ** (s + 1.0)
    integral, _ = quad(lambda u: integrand(u) * scale, t_x, T, epsabs=0, epsrel=1e-12, limit=200)
    alive = (alpha + T) ** -(r + x) * (beta + T) ** -s
    expected = (
        gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        + np.log(alive + s * integral / scale)
    )  # fmt: skip
    got = pareto_nbd_loglik(r, alpha, s, beta, np.array([x]), np.array([t_x]), np.array([T]))
    assert got[0] == pytest.approx(expected, rel=1e-9, abs=1e-7)


@pytest.mark.parametrize("cls", BTYD)
def test_new_customer_identity_and_monotone(cls, cdnow_summary: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    model = cls().fit(cdnow_summary)
    grid = np.array([4.0, 13.0, 39.0, 78.0])
    if cls is not ModifiedBetaGeoModel:
        # a customer seen at their first purchase (x = 0, T = 0) is a new customer
        fresh = pd.DataFrame({"frequency": [0.0], "recency": [0.0], "T": [0.0]})
        for t in grid:
            assert model.expected_purchases(fresh, t=t)[0] == pytest.approx(
                model.expected_purchases_new(t), rel=1e-8
            )
    new = model.expected_purchases_new(grid)
    assert np.all(np.diff(new) > 0)
    alive = model.p_alive(cdnow_summary)
    assert np.all((alive >= 0) & (alive <= 1))
    ahead = [model.expected_purchases(cdnow_summary, t=t) for t in grid]
    assert all(np.all(b >= a - 1e-12) for a, b in zip(ahead, ahead[1:], strict=False))


def test_bgnbd_recovers_simulated_parameters() -> None:
    truth = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
    data = simulate_bgnbd(4000, T=52.0, seed=3, **truth)
    model = BetaGeoModel().fit(data)
    assert model.diagnosis_ is None
    for name, value in truth.items():
        se = model.summary()["stderr"][name]
        assert abs(model.params_[name] - value) < 3.5 * se, (name, model.params_[name], se)


def test_no_dropout_is_diagnosed_not_fitted_silently() -> None:
    data = simulate_bgnbd(3000, r=0.8, alpha=8.0, a=0.0, b=1.0, T=40.0, seed=1)
    model = BetaGeoModel().fit(data)
    assert not model.converged_
    assert model.diagnosis_ is not None and "no detectable dropout" in model.diagnosis_
    assert model.dropout_p_value_ > 0.05
    with pytest.raises(ModelFitError, match="no detectable dropout"):
        model.p_alive(data)
    with pytest.raises(ModelFitError, match="no detectable dropout"):
        BetaGeoModel(on_degenerate="raise").fit(data)


def test_intervals_bracket_point_estimate(cdnow_summary: pd.DataFrame) -> None:
    model = BetaGeoModel().fit(cdnow_summary)
    head = cdnow_summary.head(200)
    point = model.expected_purchases(head, t=39)
    lo, hi = model.expected_purchases_interval(head, t=39, n_draws=60, seed=1)
    assert np.all(lo <= point + 1e-9) and np.all(point <= hi + 1e-9)
    assert np.all(hi > lo)
    again = model.expected_purchases_interval(head, t=39, n_draws=60, seed=1)
    np.testing.assert_array_equal(lo, again[0])


def test_clv_discounting_and_margin(cdnow_summary: pd.DataFrame) -> None:
    model = BetaGeoModel().fit(cdnow_summary)
    head = cdnow_summary.head(50)
    plain = model.clv(head, average_value=10.0, horizon_weeks=52, discount_rate=0.0)
    np.testing.assert_allclose(plain, 10.0 * model.expected_purchases(head, t=52), rtol=1e-9)
    discounted = model.clv(
        head, average_value=10.0, horizon_days=364, discount_rate=0.2, margin=0.5
    )
    assert np.all(discounted < 0.5 * plain + 1e-12) and np.all(discounted > 0.5 * plain / 1.2)
    with pytest.raises(ValueError, match="exactly one"):
        model.clv(head, average_value=1.0)


def test_contract_errors(cdnow_summary: pd.DataFrame) -> None:
    with pytest.raises(NotFittedError):
        BetaGeoModel().p_alive(cdnow_summary)
    with pytest.raises(ValueError, match="flag, raise"):
        BetaGeoModel(on_degenerate="ignore").fit(cdnow_summary)
    bad = pd.DataFrame({"frequency": [1.0], "recency": [5.0], "T": [3.0]})
    with pytest.raises(InputError, match="recency"):
        BetaGeoModel().fit(bad)


def test_gamma_gamma_expected_value_shrinks_to_population(cdnow_summary: pd.DataFrame) -> None:
    model = GammaGammaModel().fit(cdnow_summary)
    value = model.expected_average_value(cdnow_summary)
    x, m = cdnow_summary["frequency"].to_numpy(), cdnow_summary["monetary_value"].to_numpy()
    pop = model.population_mean()
    assert np.allclose(value[x == 0], pop)
    rep = x > 0
    # the estimate lies between the customer's own mean and the population mean
    lo, hi = np.minimum(m[rep], pop), np.maximum(m[rep], pop)
    assert np.all((value[rep] >= lo - 1e-9) & (value[rep] <= hi + 1e-9))


@pytest.mark.parametrize(
    ("params", "x", "t_x", "T"),
    [
        ((0.8, 10.0, 160.0, 3e6), 5.0, 10.0, 52.0),  # beta ≫ alpha: quadrature branch
        ((0.8, 10.0, 0.5, 500.0), 0.0, 0.0, 40.0),
        ((0.8, 10.0, 0.5, 500.0), 30.0, 39.0, 40.0),
    ],
)
def test_pareto_quadrature_branch_matches_integral(params, x, t_x, T) -> None:  # type: ignore[no-untyped-def]
    r, alpha, s, beta = params
    log_scale = (r + x) * np.log(alpha + t_x) + (s + 1.0) * np.log(beta + t_x)
    integral, _ = quad(
        lambda tau: float(
            np.exp(log_scale - (r + x) * np.log(alpha + tau) - (s + 1.0) * np.log(beta + tau))
        ),
        t_x,
        T,
        epsabs=0,
        epsrel=1e-12,
        limit=200,
    )
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    dead = np.log(s) + np.log(integral) - log_scale
    expected = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
        + np.logaddexp(alive, dead)
    )
    got = pareto_nbd_loglik(r, alpha, s, beta, np.array([x]), np.array([t_x]), np.array([T]))
    assert got[0] == pytest.approx(expected, rel=1e-9, abs=1e-7)


def test_unique_rows_grid_key_matches_hash_grouping() -> None:
    # the integer-key path (days/7 grid) and the float hash path find the same groups
    from segmint.scores.clv._base import unique_rows

    rng = np.random.default_rng(5)
    x = rng.integers(0, 5, 5000).astype(float)
    t_x = rng.integers(0, 30, 5000) / 7.0
    T = t_x + rng.integers(0, 30, 5000) / 7.0
    (gx, gt, gT), g_counts, g_inverse = unique_rows(x, t_x, T)
    (hx, ht, hT), h_counts, h_inverse = unique_rows(x, t_x, T + 1e-9)  # off the grid: hashing
    assert g_counts.sum() == 5000 and len(g_counts) == len(h_counts)
    np.testing.assert_array_equal(g_counts, h_counts)
    np.testing.assert_array_equal(g_inverse, h_inverse)
    np.testing.assert_array_equal(gx[g_inverse], x)
    np.testing.assert_array_equal(gT[g_inverse], T)
