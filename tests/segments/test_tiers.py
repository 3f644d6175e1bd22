"""Service tiers: capacity invariants, deterministic ranking, cut-off and coverage report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segmint.errors import ConfigError, MissingColumnError, NotFittedError
from segmint.scores.score_config import parse_tiers_config
from segmint.segments.tiers import TierAssigner


@pytest.fixture()
def accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": list("abcdefgh"),
            "arr": [100, 500, 500, 50, np.nan, 300, 20, 10],
            "clv": [1, 2, 3, 4, 5, 6, 7, 8],
        },
        index=range(20, 28),
    )


def test_fills_tiers_in_value_order_with_deterministic_ties(accounts: pd.DataFrame) -> None:
    assigner = TierAssigner(
        value="arr", capacity={"A": 2, "B": {"csms": 1, "accounts_per_csm": 3}}
    ).fit(accounts)
    out = assigner.assign(accounts)
    assert list(out.index) == list(accounts.index)
    out = out.set_index("customer_id")
    # b and c tie at 500: customer_id breaks the tie (b first)
    assert out.loc[["b", "c", "f", "a", "d", "g", "h", "e"], "tier_rank"].tolist() == list(
        range(1, 9)
    )
    assert out["tier"].to_dict() == {
        "a": "B", "b": "A", "c": "A", "d": "B", "e": "C", "f": "B", "g": "C", "h": "C",
    }  # fmt: skip
    assert out.loc["b", "tier_name"] == "high touch"
    assert out.loc["e", "tier_name"] == "tech touch"
    assert assigner.predict(accounts).tolist() == ["B", "A", "A", "B", "C", "B", "C", "C"]


def test_report_cutoffs_and_value_covered(accounts: pd.DataFrame) -> None:
    assigner = TierAssigner(value="arr", capacity={"A": 2, "B": 3}).fit(accounts)
    report = assigner.report(accounts, near=2)
    tiers = {t["tier"]: t for t in report["tiers"]}
    assert report["total_value"] == 1480.0
    assert tiers["A"]["value_sum"] == 1000.0
    assert tiers["A"]["value_share"] == pytest.approx(1000 / 1480, abs=1e-4)
    assert tiers["B"]["value_sum"] == 450.0
    assert tiers["C"]["value_sum"] == 30.0
    assert tiers["A"]["capacity_used"] == 1.0
    assert tiers["C"]["capacity"] is None
    below_a = report["below_cutoff"]["A"]
    assert [(r["customer_id"], r["tier_value"], r["gap"]) for r in below_a] == [
        ("f", 300.0, 200.0),
        ("a", 100.0, 400.0),
    ]
    below_b = report["below_cutoff"]["B"]
    assert [(r["customer_id"], r["gap"]) for r in below_b] == [("g", 30.0), ("h", 40.0)]


def test_under_capacity_and_min_value(accounts: pd.DataFrame) -> None:
    assigner = TierAssigner(value="arr", capacity={"A": 10, "B": 10}, min_value={"A": 300}).fit(
        accounts
    )
    tiers = assigner.assign(accounts).set_index("customer_id")["tier"]
    assert sorted(tiers[tiers == "A"].index) == ["b", "c", "f"]
    # no value → no capacity spent on it
    assert tiers["e"] == "C"
    report = assigner.report(accounts)
    assert {t["tier"]: t["capacity_used"] for t in report["tiers"]}["A"] == 0.3


def test_weighted_value_uses_percentiles(accounts: pd.DataFrame) -> None:
    assigner = TierAssigner(value={"arr": 1, "clv": 1}, capacity={"A": 1, "B": 2}).fit(accounts)
    values = assigner.tier_values(accounts)
    # f: arr 300 is rank 5 of 7 known (mid-rank 4.5/7); clv 6 is 5.5/8
    assert values.loc[25] == pytest.approx(50 * 4.5 / 7 * 100 / 100 + 50 * 5.5 / 8, abs=1e-5)
    assert assigner.predict(accounts).loc[25] == "A"
    report = assigner.report(accounts)
    arr_a = report["tiers"][0]["value_columns"]["arr"]
    assert arr_a == {"sum": 300.0, "share": pytest.approx(300 / 1480, abs=1e-4)}


def test_contract_and_errors(accounts: pd.DataFrame) -> None:
    assigner = TierAssigner(value="arr", capacity={"A": 1, "B": 1})
    with pytest.raises(NotFittedError):
        assigner.assign(accounts)
    assert assigner.fit(accounts) is assigner
    pd.testing.assert_frame_equal(assigner.assign(accounts), assigner.assign(accounts))
    with pytest.raises(MissingColumnError, match="mrr"):
        TierAssigner(value="mrr", capacity={"A": 1}).fit(accounts)
    only_a = TierAssigner(value="arr", capacity={"A": 1}).fit(accounts)
    assert only_a.tiers_ == ["A", "C"]
    assert set(only_a.predict(accounts)) == {"A", "C"}
    names = {"A": "high", "B": "low", "C": "tech"}
    with pytest.raises(ConfigError, match="no name for capacity tier 'D'"):
        TierAssigner(value="arr", capacity={"A": 1, "D": 1}, tier_names=names).fit(accounts)
    with pytest.raises(ConfigError, match="exactly one tier without capacity"):
        TierAssigner(value="arr", capacity={"A": 1}, tier_names=names).fit(accounts)
    with pytest.raises(ConfigError, match=r"capacity\.A: give a non-negative account count"):
        TierAssigner(value="arr", capacity={"A": -3}).fit(accounts)
    with pytest.raises(ConfigError, match=r"value\.arr: weight must be a positive number"):
        TierAssigner(value={"arr": 0}, capacity={"A": 1}).fit(accounts)
    with pytest.raises(ConfigError, match=r"tiers\.min_value: unknown tier 'Z'"):
        TierAssigner(value="arr", capacity={"A": 1, "B": 1}, min_value={"Z": 1}).fit(accounts)
    with pytest.raises(
        ConfigError,
        match=r"tiers\.capacity: capacity\.A: unknown key .per_csm.; allowed keys: csms, accounts_per_csm",
    ):
        parse_tiers_config({"value": "arr", "capacity": {"A": {"csms": 2, "per_csm": 25}}})


def test_from_config(accounts: pd.DataFrame) -> None:
    config = parse_tiers_config(
        {
            "value": "arr",
            "capacity": {"A": {"csms": 1, "accounts_per_csm": 2}, "B": 1},
            "tier_names": {"A": "strategic", "B": "pooled", "C": "digital"},
        }
    )
    out = TierAssigner.from_config(config).fit(accounts).assign(accounts).set_index("customer_id")
    assert out.loc["b", "tier_name"] == "strategic"
    assert (out["tier"] == "A").sum() == 2
    assert (out["tier"] == "B").sum() == 1


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.sampled_from([0.0, 1.0, 5.0]),
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        ),
        min_size=1,
        max_size=60,
    ),
    cap_a=st.integers(min_value=0, max_value=30),
    cap_b=st.integers(min_value=0, max_value=30),
)
def test_capacity_invariants(values: list[float | None], cap_a: int, cap_b: int) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": [f"id{(i * 7919) % 1000:03d}" for i in range(len(values))],
            "v": [np.nan if v is None else v for v in values],
        }
    )
    assigner = TierAssigner(value="v", capacity={"A": cap_a, "B": cap_b}).fit(frame)
    out = assigner.assign(frame)
    counts = out["tier"].value_counts()
    assert counts.get("A", 0) <= cap_a
    assert counts.get("B", 0) <= cap_b
    assert len(out) == len(frame)
    assert set(out["tier"]) <= {"A", "B", "C"}
    assert sorted(out["tier_rank"]) == list(range(1, len(frame) + 1))
    # rank = value descending, missing last, ties by customer_id
    expected = sorted(
        zip(frame["v"], frame["customer_id"], strict=True),
        key=lambda r: (np.isnan(r[0]), -r[0] if not np.isnan(r[0]) else 0.0, r[1]),
    )
    by_rank = out.sort_values("tier_rank")["customer_id"].tolist()
    assert by_rank == [cid for _, cid in expected]
    known = out["tier_value"].notna().sum()
    # capacity is used whenever there are valued accounts to fill it
    assert counts.get("A", 0) == min(cap_a, known)
    assert counts.get("B", 0) == min(cap_b, known - counts.get("A", 0))
    # nobody in a lower tier has more value than anybody in a higher tier
    order = {"A": 0, "B": 1, "C": 2}
    filled = out.assign(level=out["tier"].map(order), tv=out["tier_value"].fillna(-np.inf))
    for upper, lower in (("A", "B"), ("B", "C")):
        hi = filled.loc[filled["tier"] == upper, "tv"]
        lo = filled.loc[filled["tier"] == lower, "tv"]
        if len(hi) and len(lo):
            assert hi.min() >= lo.max()
    # shuffling the rows does not change anyone's tier
    shuffled = frame.sample(frac=1.0, random_state=1)
    again = assigner.assign(shuffled).set_index("customer_id")["tier"]
    assert again.sort_index().tolist() == out.set_index("customer_id")["tier"].sort_index().tolist()
