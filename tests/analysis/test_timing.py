"""Purchase timing: Kaplan-Meier curve, next-purchase forecasts, segment rhythm, backtest."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from segmint.analysis.timing import customer_gaps, customer_timing, gap_rows, kaplan_meier, timing
from segmint.analysis.timing_backtest import timing_backtest
from segmint.engine import duckdb_backend
from segmint.sources import read_source

AS_OF = datetime(2024, 7, 1)


def _table(frame: pd.DataFrame):
    return duckdb_backend().create_table("transactions", frame)


def test_kaplan_meier_agrees_with_lifelines():
    rng = np.random.default_rng(11)
    times = np.round(rng.exponential(20, 400), 1)
    events = (rng.random(400) < 0.7).astype(float)
    curve = kaplan_meier(times, events)
    oracle = KaplanMeierFitter().fit(times, events).survival_function_["KM_estimate"]
    grid = np.linspace(0, times.max() + 1, 500)
    expected = oracle.reindex(oracle.index.union(grid)).ffill().loc[grid].to_numpy()
    np.testing.assert_allclose(curve.at(grid), expected, rtol=0, atol=1e-9)


def _regular_buyers(seed: int = 5) -> pd.DataFrame:
    """Even customers buy about every 10 days, odd ones every 40; 20 fast ones lapsed 45 days ago."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(200):
        cycle = 10 if k % 2 == 0 else 40
        day = datetime(2023, 7, 1) + timedelta(days=int(rng.integers(0, 30)))
        stop = AS_OF - timedelta(days=45) if k % 10 == 0 else AS_OF
        while day < stop:
            rows.append({"customer_id": f"c{k:03d}", "occurred_at": day, "amount": 10.0})
            day += timedelta(days=max(1, int(round(rng.normal(cycle, cycle * 0.15)))))
    return pd.DataFrame(rows)


def test_forecasts_follow_each_customers_rhythm_and_the_time_elapsed():
    frame = _regular_buyers()
    out = customer_timing(_table(frame), as_of=AS_OF).set_index("customer_id")
    last = frame.groupby("customer_id")["occurred_at"].max()
    fast = [c for c in out.index if int(c[1:]) % 2 == 0]
    slow = [c for c in out.index if int(c[1:]) % 2 == 1]
    lapsed = [c for c in fast if int(c[1:]) % 10 == 0]
    active_fast = [c for c in fast if c not in lapsed]
    assert out.loc[active_fast, "p_purchase_7d"].mean() > 2 * out.loc[slow, "p_purchase_7d"].mean()
    assert (
        out.loc[lapsed, "p_purchase_30d"].max() < 0.2 < out.loc[active_fast, "p_purchase_30d"].min()
    )
    horizons = [
        "p_purchase_7d",
        "p_purchase_14d",
        "p_purchase_30d",
        "p_purchase_60d",
        "p_purchase_90d",
    ]
    for shorter, longer in zip(horizons, horizons[1:], strict=False):
        assert (out[shorter] <= out[longer] + 1e-12).all()
    dated = out.dropna(subset=["expected_next_purchase"])
    assert len(dated) > 150
    # conditioned on the elapsed time: never a date before as_of
    assert (pd.to_datetime(dated["next_purchase_low"]) >= pd.Timestamp(AS_OF.date())).all()
    assert (dated["next_purchase_low"] <= dated["expected_next_purchase"]).all()
    assert (dated["expected_next_purchase"] <= dated["next_purchase_high"]).all()
    # the lapsed fast buyers (45 days since a 10-day cycle) are overdue; the active ones are not
    assert (out.loc[lapsed, "overdue_days"] > 20).all()
    active_overdue = out.loc[active_fast, "overdue_days"]
    assert (active_overdue > 0).mean() <= 0.2 and active_overdue.max() <= 5
    assert (out["days_since_last_order"] == (pd.Timestamp(AS_OF) - last).dt.days).all()


def test_same_forecasts_whatever_the_row_order():
    frame = _regular_buyers()
    one = customer_timing(_table(frame), as_of=AS_OF)
    two = customer_timing(_table(frame.sample(frac=1, random_state=3)), as_of=AS_OF)
    pd.testing.assert_frame_equal(one, two)


def test_segment_rhythm():
    frame = _regular_buyers()
    frame["occurred_at"] = frame["occurred_at"] + pd.Timedelta(hours=14)
    labels = pd.DataFrame({"customer_id": sorted(frame["customer_id"].unique())})
    labels["segment"] = np.where(labels["customer_id"].str[1:].astype(int) % 2 == 0, "fast", "slow")
    result = timing(_table(frame), labels, as_of=AS_OF, segments=["fast", "slow"])
    fast, slow = result["segments"]
    assert fast["median_cycle_days"] == pytest.approx(10, abs=1.5)
    assert slow["median_cycle_days"] == pytest.approx(40, abs=6)
    assert sum(fast["orders_by_weekday"]) == fast["orders_by_hour"][14]
    in_window = frame[frame["occurred_at"] >= AS_OF - timedelta(days=365)]
    fast_rows = in_window[
        labels.set_index("customer_id").loc[in_window["customer_id"], "segment"].to_numpy()
        == "fast"
    ]
    assert sum(fast["revenue_by_month"]) == pytest.approx(fast_rows["amount"].sum())


@pytest.fixture(scope="module")
def retail(shared_data):
    result = read_source(shared_data / "online_retail_ii_2009_2010.csv.gz")
    return _table(result.loaded.drop(columns=["_line"]))


def test_backtest_on_online_retail_beats_the_naive_rule(retail):
    result = timing_backtest(retail, as_of=datetime(2010, 12, 10), holdout_days=90)
    model, naive = result["rows"]
    assert (model["method"], naive["method"]) == ("model", "naive")
    assert model["mae_customers"] == naive["mae_customers"] > 1500
    assert model["mae"] < naive["mae"]
    assert model["brier_30d"] < naive["brier_30d"]
    assert 0.75 <= model["coverage_80"] <= 0.85
    assert model["coverage_customers"] > 300


def test_customer_gaps_agree_with_a_pandas_groupby_in_any_row_order():
    rng = np.random.default_rng(3)
    days = pd.DataFrame(
        {
            "customer_id": pd.Series([f"c{k}" for k in rng.integers(0, 300, 3000)], dtype="string"),
            "day": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 500, 3000), "D"),
        }
    ).drop_duplicates()
    out = customer_gaps(days.sample(frac=1.0, random_state=1), as_of=AS_OF)
    ordered = days.sort_values(["customer_id", "day"])
    gap = ordered.groupby("customer_id")["day"].diff().dt.days
    grouped = ordered.assign(gap=gap, log_gap=np.log(gap)).groupby("customer_id")
    np.testing.assert_array_equal(out["customer_id"], sorted(days["customer_id"].unique()))
    np.testing.assert_array_equal(out["orders"], grouped.size())
    np.testing.assert_array_equal(out["gaps"], grouped["gap"].count())
    np.testing.assert_array_equal(out["median_gap"], grouped["gap"].median())
    np.testing.assert_allclose(out["mean_log_gap"], grouped["log_gap"].mean(), rtol=1e-12)
    np.testing.assert_array_equal(out["last_day"], grouped["day"].max())
    expected_elapsed = (pd.Timestamp(AS_OF) - grouped["day"].max()).dt.total_seconds() / 86400
    np.testing.assert_array_equal(out["elapsed_days"], expected_elapsed)
    rows = gap_rows(out)
    assert len(rows) == int(gap.notna().sum())
    assert (rows.groupby("customer_id")["order_number"].min() == 1).all()


def test_customer_gaps_count_a_repeated_purchase_day_once():
    days = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b"],
            "day": pd.to_datetime(
                ["2025-01-01", "2025-01-01", "2025-01-11", "2025-01-11", "2025-01-05"]
            ),
        }
    )
    gaps = customer_gaps(days, as_of=datetime(2025, 2, 1)).set_index("customer_id")
    once = customer_gaps(days.drop_duplicates(), as_of=datetime(2025, 2, 1)).set_index(
        "customer_id"
    )
    pd.testing.assert_frame_equal(gaps, once)
    assert gaps.loc["a", "orders"] == 2 and gaps.loc["a", "median_gap"] == 10.0
