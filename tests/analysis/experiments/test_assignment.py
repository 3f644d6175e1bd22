"""Assignment is a hash: stable, independent of who else is assigned, balanced when stratified."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from segmint.analysis.experiments.assignment import assign_variants, bucket, parse_variants
from segmint.errors import InputError


def customers(n: int, *, segments: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "segment": [f"s{i % segments}" for i in range(n)],
        }
    )


def test_weights_are_parsed_and_normalised() -> None:
    v = parse_variants("control:50, treatment:30,offer:20")
    assert v.names == ("control", "treatment", "offer")
    assert v.weights == pytest.approx((0.5, 0.3, 0.2))
    assert parse_variants(v.spec()) == v


@pytest.mark.parametrize(
    ("text", "match"),
    [("control", "NAME:WEIGHT"), ("control:50", "at least two"), ("a:1,a:2", "twice"),
     ("a:x,b:1", "not a number"), ("a:0,b:1", "positive"), ("a:-1,b:1", "positive")],
)  # fmt: skip
def test_bad_weights_are_one_line_errors(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_variants(text)


def test_bucket_is_a_fixed_function_of_experiment_and_customer() -> None:
    assert bucket("exp", "C1") == bucket("exp", "C1")
    assert bucket("exp", "C1") != bucket("exp2", "C1")
    # pinned to the documented formula: a change between releases would reshuffle running
    # experiments (SHA-256 of "experiment<US>customer", first 8 bytes big-endian, over 2^64)
    digest = hashlib.sha256(b"onboarding\x1fACC-00001").digest()
    assert bucket("onboarding", "ACC-00001") == int.from_bytes(digest[:8], "big") / 2**64
    assert bucket("onboarding", "ACC-00001") == pytest.approx(0.80215735, abs=1e-8)


def test_hash_assignment_follows_the_weights_and_ignores_row_order() -> None:
    frame = customers(20_000)
    v = parse_variants("control:70,treatment:30")
    first = assign_variants("exp", frame, v)
    shuffled = assign_variants("exp", frame.sample(frac=1, random_state=1), v)
    pd.testing.assert_frame_equal(first, shuffled)
    share = (first["variant"] == "treatment").mean()
    assert share == pytest.approx(0.30, abs=0.015)


def test_customers_added_later_do_not_move_anyone() -> None:
    v = parse_variants("control:50,treatment:50")
    early = assign_variants("exp", customers(1_000), v)
    later = assign_variants("exp", customers(1_500), v, existing=early)
    assert len(later) == 500 and set(later["customer_id"]).isdisjoint(early["customer_id"])
    everyone_at_once = assign_variants("exp", customers(1_500), v)
    combined = pd.concat([early, later]).sort_values("customer_id", ignore_index=True)
    pd.testing.assert_frame_equal(
        combined, everyone_at_once.sort_values("customer_id", ignore_index=True)
    )


def test_stratified_assignment_balances_every_segment_within_one() -> None:
    v = parse_variants("control:50,treatment:50")
    frame = customers(1_001, segments=7)
    first = assign_variants("exp", frame.iloc[:600], v, stratify=True)
    second = assign_variants("exp", frame, v, existing=first, stratify=True)
    both = pd.concat([first, second])
    counts = both.groupby(["segment", "variant"]).size().unstack()
    assert (np.abs(counts["control"] - counts["treatment"]) <= 1).all()
    # re-running assigns nobody new and nobody moved
    assert assign_variants("exp", frame, v, existing=both, stratify=True).empty
