"""Seeded simulations: A/A false positives near alpha, power as the MDE formula predicts, SRM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.analysis.experiments.analysis import AnalysisOptions, analyze_units
from segmint.analysis.experiments.effects import fixed_horizon, relative_uplift, welch_dof
from segmint.analysis.experiments.power import minimum_detectable_effect, power_of

EXPERIMENTS = 1_000


def relative_tests(a: np.ndarray, b: np.ndarray, *, proportion: bool) -> np.ndarray:
    """Return the p-values of many experiments at once (rows of a and b are experiments)."""
    n_a, n_b = a.shape[1], b.shape[1]
    mean_a, mean_b = a.mean(axis=1), b.mean(axis=1)
    if proportion:
        var_a, var_b = mean_a * (1 - mean_a), mean_b * (1 - mean_b)
    else:
        var_a, var_b = a.var(axis=1, ddof=1), b.var(axis=1, ddof=1)
    estimate, variance = relative_uplift(mean_a, var_a, n_a, mean_b, var_b, n_b)
    return np.asarray(fixed_horizon(estimate, variance, welch_dof(var_a, n_a, var_b, n_b)).p_value)


@pytest.mark.parametrize("proportion", [True, False], ids=["conversion", "revenue"])
def test_aa_false_positive_rate_is_near_alpha(proportion: bool) -> None:
    rng = np.random.default_rng(11)
    n = 1_000
    if proportion:
        a, b = (
            (rng.random((EXPERIMENTS, n)) < 0.1).astype(float),
            (rng.random((EXPERIMENTS, n)) < 0.1).astype(float),
        )
    else:
        # revenue-like: most spend nothing, the rest a skewed amount
        def draw() -> np.ndarray:
            return (rng.random((EXPERIMENTS, n)) < 0.3) * rng.lognormal(3.0, 1.0, (EXPERIMENTS, n))

        a, b = draw(), draw()
    rate = float((relative_tests(a, b, proportion=proportion) < 0.05).mean())
    assert 0.03 <= rate <= 0.07, rate


def test_aa_through_the_whole_analysis_with_hash_assignment() -> None:
    """100 experiments (names differ) over one population: the same machinery users run."""
    from segmint.analysis.experiments.assignment import assign_variants, parse_variants

    rng = np.random.default_rng(5)
    population = pd.DataFrame({"customer_id": [f"C{i}" for i in range(1_000)], "segment": None})
    values = pd.Series((rng.random(1_000) < 0.2).astype(float), index=population["customer_id"])
    v = parse_variants("control:50,treatment:50")
    p_values, srm_flags = [], []
    for i in range(100):
        assigned = assign_variants(f"aa-{i}", population, v)
        assigned["value"] = values.loc[assigned["customer_id"]].to_numpy()
        payload = analyze_units(
            f"aa-{i}", "conversion", assigned, AnalysisOptions(kind="proportion")
        )
        p_values.append(payload["results"][1]["p_value"])
        srm_flags.append(payload["srm_flag"])
    assert sum(srm_flags) <= 1  # a fair hash split almost never looks broken at p < 0.001
    rate = float((np.array(p_values) < 0.05).mean())
    assert 0.0 < rate <= 0.10, rate  # 100 runs: the binomial spread is wider than at 1,000


def test_power_of_a_planted_uplift_matches_the_formula() -> None:
    rng = np.random.default_rng(7)
    p, lift, n = 0.2, 0.05, 12_000
    predicted = power_of(
        lift, n, n, p, p * (1 - p), variant_variance=p * (1 + lift) * (1 - p * (1 + lift))
    )
    assert 0.4 < predicted < 0.8  # a size where power is informative, not 0 or 1
    # conversion counts are all the statistics need: draw them directly (binomial)
    successes_a = rng.binomial(n, p, EXPERIMENTS)
    successes_b = rng.binomial(n, p * (1 + lift), EXPERIMENTS)
    mean_a, mean_b = successes_a / n, successes_b / n
    var_a, var_b = mean_a * (1 - mean_a), mean_b * (1 - mean_b)
    estimate, variance = relative_uplift(mean_a, var_a, n, mean_b, var_b, n)
    result = fixed_horizon(estimate, variance, welch_dof(var_a, n, var_b, n))
    found = float(((result.p_value < 0.05) & (estimate > 0)).mean())
    assert found == pytest.approx(predicted, abs=0.05)
    # and the MDE at this size is the uplift found with 80% power
    mde = minimum_detectable_effect(n, n, p, p * (1 - p))
    assert power_of(mde, n, n, p, p * (1 - p)) == pytest.approx(0.8, abs=0.01)


def test_a_broken_split_is_flagged_as_srm() -> None:
    rng = np.random.default_rng(3)
    variant = np.array(["control"] * 5_300 + ["treatment"] * 4_700)
    units = pd.DataFrame(
        {"customer_id": [f"C{i}" for i in range(10_000)], "variant": variant,
         "value": (rng.random(10_000) < 0.1).astype(float)}
    )  # fmt: skip
    options = AnalysisOptions(kind="proportion", weights={"control": 0.5, "treatment": 0.5})
    payload = analyze_units("broken", "conversion", units, options)
    assert payload["srm_flag"] and payload["srm_p_value"] < 0.001
    assert payload["warnings"][0]["code"] == "srm"
    fair = analyze_units(
        "fair",
        "conversion",
        units,
        AnalysisOptions(kind="proportion", weights={"control": 0.53, "treatment": 0.47}),
    )
    assert not fair["srm_flag"]
