"""KPIs per segment: values, intervals and tests agree with pandas + statsmodels on the same data."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kpi_frames import AS_OF, WINDOW, assignments, commerce_frames, oracle_per_customer
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest
from statsmodels.stats.weightstats import DescrStatsW, ttest_ind

from segmint.analysis.kpi_inputs import KPIOptions
from segmint.analysis.kpis import KPI_ORDER, segment_kpis
from segmint.engine import duckdb_backend


def _tables(con, frames: dict[str, pd.DataFrame], prefix: str = "k") -> dict:
    import ibis

    return {
        name: con.create_view(f"{prefix}_{name}", ibis.memtable(frame), overwrite=True)
        for name, frame in frames.items()
    }


@pytest.fixture(scope="module")
def computed():
    frames = commerce_frames()
    population = assignments()
    result = segment_kpis(
        _tables(duckdb_backend(), frames),
        population,
        as_of=AS_OF,
        options=KPIOptions(window_days=WINDOW),
        seed=1,
    )
    oracle = oracle_per_customer(frames, population)
    return result, oracle


def _segment(result, name):
    return next(s for s in result["segments"] if s["segment"] == name)


def test_sizes_and_shares_match_the_assignment(computed) -> None:
    result, oracle = computed
    counts = oracle["segment"].value_counts()
    assert [s["segment"] for s in result["segments"]] == ["bronze", "silver", "gold"]
    for seg in result["segments"]:
        assert seg["customers"] == counts[seg["segment"]]
        assert seg["share"] == pytest.approx(counts[seg["segment"]] / len(oracle))
    assert result["population"]["customers"] == len(oracle)


def _retained(frame: pd.DataFrame, *, subscriptions: bool) -> tuple[int, int]:
    if subscriptions:  # active at the window start and still active at its end
        start, end = frame.mrr_start > 0, frame.mrr_end > 0
    else:  # bought in the previous window and again in this one
        start, end = frame.bought_prev, frame.bought_now
    return int((start & end).sum()), int(start.sum())


def test_rates_agree_with_statsmodels(computed) -> None:
    result, oracle = computed
    for name in ("gold", "silver", "bronze"):
        mine, rest = oracle[oracle.segment == name], oracle[oracle.segment != name]
        kpi = _segment(result, name)["kpis"]["retention_rate"]
        num, den = _retained(mine, subscriptions=True)
        r_num, r_den = _retained(rest, subscriptions=True)
        assert (kpi["numerator"], kpi["denominator"]) == (num, den)
        assert kpi["value"] == pytest.approx(num / den)
        low, high = proportion_confint(num, den, alpha=0.05, method="wilson")
        assert (kpi["ci_low"], kpi["ci_high"]) == pytest.approx((low, high), abs=1e-9)
        _z, p = proportions_ztest([num, r_num], [den, r_den])
        assert kpi["p_value"] == pytest.approx(p, rel=1e-9)
        assert kpi["diff_vs_rest"] == pytest.approx(num / den - r_num / r_den)
        churn = _segment(result, name)["kpis"]["churn_rate"]
        assert churn["numerator"] == den - num and churn["denominator"] == den


def test_means_agree_with_statsmodels(computed) -> None:
    result, oracle = computed
    for name in ("gold", "silver", "bronze"):
        mine, rest = oracle[oracle.segment == name], oracle[oracle.segment != name]
        orders = _segment(result, name)["kpis"]["orders_per_customer"]
        assert orders["n"] == len(mine)
        assert orders["value"] == pytest.approx(mine.orders.mean(), rel=1e-12)
        low, high = DescrStatsW(mine.orders.astype(float)).tconfint_mean(alpha=0.05)
        assert (orders["ci_low"], orders["ci_high"]) == pytest.approx((low, high), rel=1e-9)
        _t, p, _df = ttest_ind(
            mine.orders.astype(float), rest.orders.astype(float), usevar="unequal"
        )
        assert orders["p_value"] == pytest.approx(p, rel=1e-9)

        revenue = _segment(result, name)["kpis"]["revenue_per_customer"]
        assert revenue["value"] == pytest.approx(mine.revenue.mean(), rel=1e-12)
        _t, p, _df = ttest_ind(mine.revenue, rest.revenue, usevar="unequal")
        assert revenue["p_value"] == pytest.approx(p, rel=1e-9)
        # Money: a seeded bootstrap interval around the mean, not the symmetric t interval.
        assert revenue["ci_low"] < revenue["value"] < revenue["ci_high"]
        t_low, t_high = DescrStatsW(mine.revenue).tconfint_mean()
        assert (revenue["ci_low"], revenue["ci_high"]) != pytest.approx((t_low, t_high))

        aov = _segment(result, name)["kpis"]["average_order_value"]
        buyers = mine[mine.orders > 0]
        assert aov["n"] == len(buyers)
        assert aov["value"] == pytest.approx((buyers.order_total / buyers.orders).mean(), rel=1e-9)


def test_p_values_are_bh_adjusted_across_segments(computed) -> None:
    result, _ = computed
    for kpi in ("orders_per_customer", "retention_rate", "revenue_per_customer"):
        raw = [s["kpis"][kpi]["p_value"] for s in result["segments"]]
        _r, adjusted, _s, _b = multipletests(raw, method="fdr_bh")
        got = [s["kpis"][kpi]["p_value_adjusted"] for s in result["segments"]]
        assert got == pytest.approx(list(adjusted), rel=1e-12)
        assert [s["kpis"][kpi]["significant"] for s in result["segments"]] == [
            bool(p < 0.05) for p in adjusted
        ]


def test_nrr_and_grr_follow_their_definitions(computed) -> None:
    result, oracle = computed
    for name in ("gold", "silver", "bronze"):
        mine = oracle[(oracle.segment == name) & (oracle.mrr_start > 0)]
        nrr = _segment(result, name)["kpis"]["nrr"]
        grr = _segment(result, name)["kpis"]["grr"]
        assert nrr["n"] == len(mine)
        assert nrr["value"] == pytest.approx(mine.mrr_end.sum() / mine.mrr_start.sum())
        capped = np.minimum(mine.mrr_end, mine.mrr_start).sum()
        assert grr["value"] == pytest.approx(capped / mine.mrr_start.sum())
        assert grr["value"] <= nrr["value"] + 1e-12 or nrr["value"] < 1


def test_revenue_shares_sum_to_one_and_totals_are_exact(computed) -> None:
    result, oracle = computed
    shares = [s["kpis"]["revenue_share"]["value"] for s in result["segments"]]
    assert sum(shares) == pytest.approx(1.0)
    assert result["population"]["kpis"]["revenue"]["value"] == round(oracle.revenue.sum(), 2)


def test_output_is_json_without_nan_and_in_the_documented_order(computed) -> None:
    result, _ = computed
    json.dumps(result, allow_nan=False)
    names = list(result["segments"][0]["kpis"])
    assert names == [k for k in KPI_ORDER if k in names]
    for kpi in result["segments"][0]["kpis"].values():
        assert {"value", "ci_low", "ci_high", "diff_vs_rest", "p_value", "p_value_adjusted",
                "significant"} <= set(kpi)  # fmt: skip


def test_kpis_that_cannot_be_computed_are_null_with_a_reason() -> None:
    frames = commerce_frames()
    del frames["subscriptions"]
    population = assignments()
    result = segment_kpis(
        _tables(duckdb_backend(), frames, "n"),
        population,
        as_of=AS_OF,
        segments=["gold", "silver", "bronze", "platinum"],
    )
    json.dumps(result, allow_nan=False)
    empty = _segment(result, "platinum")
    assert empty["customers"] == 0 and empty["share"] == 0
    assert empty["kpis"]["orders_per_customer"]["value"] is None
    assert empty["kpis"]["orders_per_customer"]["reason"]
    assert empty["kpis"]["retention_rate"]["reason"]
    for seg in result["segments"]:
        assert seg["kpis"]["nrr"]["value"] is None
        assert "subscriptions" in seg["kpis"]["nrr"]["reason"]
        assert "activation_event" in seg["kpis"]["activation_rate"]["reason"]
    # Without subscriptions retention is the commerce definition: bought in both windows.
    oracle = oracle_per_customer(commerce_frames(), population)
    for name in ("gold", "silver", "bronze"):
        kpi = _segment(result, name)["kpis"]["retention_rate"]
        expected = _retained(oracle[oracle.segment == name], subscriptions=False)
        assert (kpi["numerator"], kpi["denominator"]) == expected
        assert expected[1] > 0


def test_results_do_not_depend_on_row_order() -> None:
    frames = commerce_frames(seed=4)
    shuffled = {k: v.sample(frac=1.0, random_state=9) for k, v in frames.items()}
    population = assignments()
    one = segment_kpis(_tables(duckdb_backend(), frames, "o1"), population, as_of=AS_OF, seed=3)
    two = segment_kpis(
        _tables(duckdb_backend(), shuffled, "o2"), population.iloc[::-1], as_of=AS_OF, seed=3
    )
    # Counts, sums and choices identical; float variances may differ in the last bits with the
    # engine's summation order (threads), so statistics are compared to 1e-9.
    _assert_same(one, two)


def _assert_same(a, b) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _assert_same(a[key], b[key])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    else:
        assert a == b


@given(st.lists(st.sampled_from(["a", "b", "c", None]), min_size=20, max_size=20))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_segment_sizes_sum_to_the_population(labels: list[str | None]) -> None:
    frames = commerce_frames(n_customers=20, seed=2)
    population = pd.DataFrame({"customer_id": [f"c{i:03d}" for i in range(20)], "segment": labels})
    result = segment_kpis(_tables(duckdb_backend(), frames, "h"), population, as_of=AS_OF)
    assert result["population"]["customers"] == 20
    in_segments = sum(s["customers"] for s in result["segments"])
    assert in_segments == sum(label is not None for label in labels)
    for seg in result["segments"]:
        for kpi in seg["kpis"].values():
            for key in ("value", "ci_low", "ci_high", "p_value"):
                assert kpi[key] is None or math.isfinite(kpi[key])
