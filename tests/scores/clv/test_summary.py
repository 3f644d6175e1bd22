"""rfm_summary: one transaction per customer-day, weeks, calibration/holdout split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.errors import InputError, MissingColumnError
from segmint.scores.clv import rfm_summary


def _tx(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "occurred_at", "amount"]).assign(
        occurred_at=lambda d: pd.to_datetime(d["occurred_at"], format="mixed")
    )


def test_summary_by_hand() -> None:
    tx = _tx(
        [
            ("a", "2024-01-01 09:00", 10.0),
            ("a", "2024-01-01 17:00", 5.0),  # same day: one transaction worth 15
            ("a", "2024-01-08", 20.0),
            ("a", "2024-01-15", 40.0),
            ("a", "2024-02-01", 99.0),  # holdout
            ("b", "2024-01-22", 7.0),
            ("c", "2024-02-05", 3.0),  # first purchase after calibration: not a customer yet
        ]
    )
    s = rfm_summary(tx, calibration_end="2024-01-29", holdout_end="2024-02-12").set_index(
        "customer_id"
    )
    assert list(s.index) == ["a", "b"]
    assert s.loc["a", "frequency"] == 2
    assert s.loc["a", "recency"] == pytest.approx(2.0)
    assert s.loc["a", "T"] == pytest.approx(4.0)
    assert s.loc["a", "monetary_value"] == pytest.approx(30.0)  # repeat days only
    assert s.loc["a", "frequency_holdout"] == 1
    assert s.loc["a", "monetary_value_holdout"] == pytest.approx(99.0)
    assert s.loc["b", "frequency"] == 0 and s.loc["b", "monetary_value"] == 0
    assert s.loc["b", "T"] == pytest.approx(1.0)
    assert s["duration_holdout"].iloc[0] == pytest.approx(2.0)


def test_cdnow_sample_matches_published_counts(cdnow_summary: pd.DataFrame) -> None:
    # Fader, Hardie & Lee (2005): 2,357 customers, 2,457 repeat purchases in weeks 1-39,
    # first customer T = 38.86 weeks; 1,882 repeat purchases in the 39-week holdout
    assert len(cdnow_summary) == 2357
    assert cdnow_summary["frequency"].sum() == 2457
    assert cdnow_summary["frequency_holdout"].sum() == 1882
    assert cdnow_summary["T"].max() == pytest.approx(272 / 7)
    assert (cdnow_summary["recency"] <= cdnow_summary["T"]).all()


def test_contract_errors() -> None:
    with pytest.raises(MissingColumnError, match="amount"):
        rfm_summary(
            pd.DataFrame({"customer_id": [], "occurred_at": []}), calibration_end="2024-01-01"
        )
    bad = _tx([("a", "2024-01-01", 1.0)])
    bad.loc[0, "occurred_at"] = pd.NaT
    with pytest.raises(InputError, match="occurred_at"):
        rfm_summary(bad, calibration_end="2024-01-02")
    with pytest.raises(ValueError, match="after"):
        rfm_summary(
            _tx([("a", "2024-01-01", 1.0)]), calibration_end="2024-01-02", holdout_end="2024-01-01"
        )


def test_returns_are_not_purchases() -> None:
    tx = _tx([("a", "2024-01-01", 10.0), ("a", "2024-01-05", -10.0), ("a", "2024-01-08", 0.0)])
    s = rfm_summary(tx, calibration_end="2024-01-15")
    assert s.loc[0, "frequency"] == 1  # the $0 order counts, the return does not
    assert s.loc[0, "recency"] == pytest.approx(1.0)


def _random_log(seed: int, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id": rng.integers(1000, 1400, n),
            "occurred_at": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 200 * 24, n), unit="h"),
            "amount": np.round(rng.lognormal(3, 1, n), 2),
        }
    )


def test_integer_ids_fast_path_equals_string_ids() -> None:
    # the lookup-table path for integer ids must give what hashing their strings gives
    tx = _random_log(1)
    as_int = rfm_summary(tx, calibration_end="2024-05-01", holdout_end="2024-07-01")
    as_text = rfm_summary(
        tx.assign(customer_id=tx["customer_id"].astype(str)),
        calibration_end="2024-05-01",
        holdout_end="2024-07-01",
    )
    pd.testing.assert_frame_equal(as_int, as_text)
    assert as_int["customer_id"].iloc[0] == str(tx["customer_id"].iloc[0])  # first appearance


def test_sparse_integer_ids_use_hashing_and_agree() -> None:
    tx = _random_log(2).assign(customer_id=lambda d: d["customer_id"] * 10**12)
    s = rfm_summary(tx, calibration_end="2024-05-01")
    text = rfm_summary(
        tx.assign(customer_id=tx["customer_id"].astype(str)), calibration_end="2024-05-01"
    )
    pd.testing.assert_frame_equal(s, text)
    assert s["customer_id"].str.endswith("0" * 12).all()


def test_sorted_and_shuffled_logs_give_the_same_summary() -> None:
    # sorted exports skip the sort; any row order must give the same numbers
    tx = _random_log(3).sort_values(["customer_id", "occurred_at"], ignore_index=True)
    shuffled = tx.sample(frac=1.0, random_state=7, ignore_index=True)
    a = rfm_summary(tx, calibration_end="2024-05-01").set_index("customer_id").sort_index()
    b = rfm_summary(shuffled, calibration_end="2024-05-01").set_index("customer_id").sort_index()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
