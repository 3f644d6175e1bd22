"""attach_customer_columns gives what a left merge on customer_id gives, by position or by join."""

from __future__ import annotations

import pandas as pd

from segmint.analysis.customer_columns import attach_customer_columns


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"c{k:03d}" for k in range(50)]
    left = pd.DataFrame({"customer_id": ids, "frequency": range(50)})
    right = pd.DataFrame({"customer_id": ids, "p_purchase_30d": [k / 50 for k in range(50)]})
    return left, right


def test_same_rows_in_the_same_order_join_by_position():
    left, right = _frames()
    expected = left.merge(right, on="customer_id", how="left")
    pd.testing.assert_frame_equal(attach_customer_columns(left, right), expected)


def test_other_orders_missing_rows_and_duplicates_fall_back_to_the_merge():
    left, right = _frames()
    cases = [
        right.sample(frac=1.0, random_state=2),
        right.iloc[:40],
        pd.concat([right.iloc[:25], right.iloc[:25]]),
        right.assign(frequency=1),  # a clashing column gets merge's suffixes
    ]
    for other in cases:
        expected = left.merge(other, on="customer_id", how="left")
        pd.testing.assert_frame_equal(attach_customer_columns(left, other), expected)
