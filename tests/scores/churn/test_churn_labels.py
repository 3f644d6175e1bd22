"""Label mapping and leak-free churn labels from subscriptions and purchases."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from segmint.scores.churn import (
    LabelError,
    map_churn_labels,
    purchase_churn_labels,
    subscription_churn_labels,
)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Yes", "No", "yes "], [1, 0, 1]),
        (["TRUE", "false", "True"], [1, 0, 1]),
        ([1, 0, 0], [1, 0, 0]),
        ([1.0, 0.0, 1.0], [1, 0, 1]),
        (["Y", "N", "N"], [1, 0, 0]),
        (["churned", "active", "Churned"], [1, 0, 1]),
        (["예", "아니오", "예"], [1, 0, 1]),
        (["Attrited Customer", "Existing Customer", "Existing Customer"], [1, 0, 0]),
        ([True, False, False], [1, 0, 0]),
        # two values, one known: the other takes the opposite class
        (["gone_away", "no", "no"], [1, 0, 0]),
    ],
)
def test_map_churn_labels_understands_common_vocabularies(values, expected):
    assert map_churn_labels(pd.Series(values, name="y")).tolist() == expected


def test_map_churn_labels_keeps_missing_as_na():
    out = map_churn_labels(pd.Series(["Yes", None, "No"], name="y"))
    assert out.isna().tolist() == [False, True, False]
    assert out.dropna().tolist() == [1, 0]


def test_map_churn_labels_names_the_values_it_cannot_map():
    with pytest.raises(LabelError, match=r"'gold', 'silver'") as info:
        map_churn_labels(pd.Series(["gold", "silver", "bronze"], name="tier"))
    assert "bronze" in str(info.value)
    with pytest.raises(LabelError):
        map_churn_labels(pd.Series(["yes", "yes"], name="y"))


def _subs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e", "e", "f"],
            "started_at": pd.to_datetime(
                [
                    "2023-01-01",
                    "2023-01-01",
                    "2023-01-01",
                    "2024-02-01",
                    "2023-01-01",
                    "2024-01-20",
                    "2023-01-01",
                ]
            ),  # fmt: skip
            "ended_at": pd.to_datetime(
                [None, "2024-01-15", "2024-06-01", None, "2024-01-10", None, "2023-12-01"]
            ),
        }
    )


def test_subscription_labels_cover_customers_active_at_cutoff_only():
    labels = subscription_churn_labels(_subs(), datetime(2024, 1, 1), datetime(2024, 3, 1))
    # a: still active; b: ended in horizon; c: ends after the horizon; d: started after the
    # cut-off (not in population); e: ended and re-subscribed within the horizon; f: gone before
    assert labels.to_dict() == {"a": 0, "b": 1, "c": 0, "e": 0}
    assert labels.name == "churn_label"


def test_purchase_labels_use_half_open_horizon():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b", "c", "d", "e"],
            "occurred_at": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-02-10",
                    "2024-01-20",
                    "2024-03-01",
                    "2024-01-10",
                    "2024-02-15",
                    "2024-01-31",
                ]
            ),  # fmt: skip
        }
    )
    labels = purchase_churn_labels(tx, datetime(2024, 2, 1), datetime(2024, 3, 1))
    # a: bought again in the horizon; b: next purchase exactly at horizon end (outside);
    # c: nothing after; d: first purchase in the horizon (not in population); e: last purchase
    # just before the cut-off and none after
    assert labels.to_dict() == {"a": 0, "b": 1, "c": 1, "e": 1}


def test_purchase_at_the_cutoff_counts_in_the_horizon():
    tx = pd.DataFrame(
        {"customer_id": ["a", "a"], "occurred_at": pd.to_datetime(["2024-01-01", "2024-02-01"])}
    )
    assert purchase_churn_labels(tx, datetime(2024, 2, 1), datetime(2024, 3, 1)).to_dict() == {
        "a": 0
    }
