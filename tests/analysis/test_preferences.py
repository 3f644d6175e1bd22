"""Preferences: category shares and lift per segment, customer features, basket affinities."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from mlxtend.frequent_patterns import apriori, association_rules
from scipy import sparse
from scipy.stats import fisher_exact

from segmint.analysis import preferences as preferences_module
from segmint.analysis.preferences import (
    EXACT_RESAMPLING_MAX,
    PreferenceOptions,
    basket_items,
    basket_pairs,
    bootstrap_sums,
    customer_preferences,
    preferences,
)
from segmint.engine import duckdb_backend
from segmint.errors import InputError

AS_OF = datetime(2024, 7, 1)
ITEMS = ["bread", "butter", "cheese", "jam", "milk", "tea", "wine"]


def _baskets(seed: int = 3, n: int = 600) -> pd.DataFrame:
    """Line items of n invoices: butter follows bread, jam follows bread, the rest at random."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        customer = f"c{k % 150:03d}"
        chosen = {str(x) for x in rng.choice(ITEMS, size=rng.integers(1, 4), replace=False)}
        if "bread" in chosen and rng.random() < 0.6:
            chosen.add("butter")
        if "bread" in chosen and rng.random() < 0.3:
            chosen.add("jam")
        day = datetime(2024, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 170)))
        for item in sorted(chosen):
            rows.append(
                {"customer_id": customer, "invoice_id": f"i{k}", "occurred_at": day,
                 "amount": float(rng.integers(1, 40)), "category": item}
            )  # fmt: skip
    return pd.DataFrame(rows)


def _table(frame: pd.DataFrame):
    return duckdb_backend().create_table("transactions", frame)


def test_pairs_agree_with_mlxtend_association_rules_and_scipy_fisher():
    frame = _baskets()
    options = PreferenceOptions(min_support=0.02, max_pairs=1000)
    baskets = basket_items(_table(frame), as_of=AS_OF, level="category", window_days=365)
    result = basket_pairs(baskets, options=options)

    onehot = pd.crosstab(frame["invoice_id"], frame["category"]).gt(0)
    frequent = apriori(onehot, min_support=0.02, use_colnames=True, max_len=2)
    rules = association_rules(frequent, metric="lift", min_threshold=0.0)
    oracle = {(next(iter(r.antecedents)), next(iter(r.consequents))): r for r in rules.itertuples()}
    ours = {(p["antecedent"], p["consequent"]): p for p in result["pairs"]}
    assert result["baskets"] == frame["invoice_id"].nunique()
    assert set(ours) == set(oracle) and len(ours) > 10
    for key, p in ours.items():
        r = oracle[key]
        assert p["support"] == pytest.approx(r.support, abs=1e-9)
        assert p["confidence"] == pytest.approx(r.confidence, abs=1e-9)
        assert p["lift"] == pytest.approx(r.lift, abs=1e-9)
        a, b = key
        n_ab = int((onehot[a] & onehot[b]).sum())
        n_a, n_b, n = int(onehot[a].sum()), int(onehot[b].sum()), len(onehot)
        table = [[n_ab, n_a - n_ab], [n_b - n_ab, n - n_a - n_b + n_ab]]
        expected = fisher_exact(table, alternative="greater").pvalue
        assert p["p_value"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    best = max(result["pairs"], key=lambda p: p["lift"])
    assert {best["antecedent"], best["consequent"]} & {"butter", "jam"}
    assert best["p_value_adjusted"] < 0.05


def test_large_baskets_are_left_out_and_counted():
    frame = _baskets(n=200)
    huge = pd.DataFrame(
        {"customer_id": "c999", "invoice_id": "huge", "occurred_at": datetime(2024, 3, 1),
         "amount": 1.0, "category": ITEMS}
    )  # fmt: skip
    table = _table(pd.concat([frame, huge], ignore_index=True))
    baskets = basket_items(table, as_of=AS_OF, level="category", window_days=365)
    result = basket_pairs(baskets, options=PreferenceOptions(max_basket_size=5, min_support=0.0))
    assert result["baskets_left_out"] == 1
    assert result["baskets"] == frame["invoice_id"].nunique()


def _segment_frame() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segment A spends mostly on wine, segment B on tea; 40 customers each."""
    rng = np.random.default_rng(7)
    rows, labels = [], []
    for seg, favourite in (("A", "wine"), ("B", "tea")):
        for k in range(40):
            customer = f"{seg}{k:02d}"
            labels.append({"customer_id": customer, "segment": seg})
            for j in range(6):
                item = favourite if j < 4 else str(rng.choice(["bread", "milk"]))
                rows.append(
                    {"customer_id": customer, "occurred_at": datetime(2024, 5, 1 + j),
                     "amount": float(rng.integers(5, 15)), "category": item}
                )  # fmt: skip
    return pd.DataFrame(rows), pd.DataFrame(labels)


def test_segment_lift_interval_and_adjusted_p_find_each_segments_favourite():
    frame, labels = _segment_frame()
    result = preferences(
        _table(frame), labels, as_of=AS_OF, segments=["A", "B"],
        options=PreferenceOptions(), seed=1,
    )  # fmt: skip
    a, b = result["segments"]
    assert a["customers"] == 40 and a["top_categories"][0] == "wine"
    assert b["top_categories"][0] == "tea"
    wine = next(c for c in a["categories"] if c["category"] == "wine")
    revenue = frame.groupby([frame["customer_id"].str[0], "category"])["amount"].sum()
    share = revenue["A"]["wine"] / revenue["A"].sum()
    population = revenue.xs("wine", level="category").sum() / revenue.sum()
    assert wine["revenue_share"] == pytest.approx(share, abs=1e-6)
    assert wine["population_share"] == pytest.approx(population, abs=1e-6)
    assert wine["lift"] == pytest.approx(share / population, abs=1e-5)
    assert 1 < wine["lift_ci_low"] < wine["lift"] < wine["lift_ci_high"]
    assert wine["p_value_adjusted"] < 1e-6
    again = preferences(
        _table(frame.sample(frac=1, random_state=5)), labels, as_of=AS_OF,
        segments=["A", "B"], options=PreferenceOptions(), seed=1,
    )  # fmt: skip
    assert again["segments"] == result["segments"]


def test_few_buyers_are_shown_but_not_ranked():
    frame, labels = _segment_frame()
    result = preferences(
        _table(frame), labels, as_of=AS_OF, segments=["A", "B"],
        options=PreferenceOptions(min_buyers=41), seed=1,
    )  # fmt: skip
    for seg in result["segments"]:
        assert seg["categories"] and not any(c["ranked"] for c in seg["categories"])
        assert all(c["p_value_adjusted"] is None for c in seg["categories"])
        assert seg["top_categories"] == []


def test_customer_features():
    revenue = pd.DataFrame(
        {"customer_id": ["a", "a", "a", "b"], "item": ["x", "y", "z", "x"],
         "revenue": [10.0, 30.0, 10.0, 5.0]}
    )  # fmt: skip
    out = customer_preferences(revenue).set_index("customer_id")
    assert out.loc["a", "top_category"] == "y"
    assert out.loc["a", "category_breadth"] == 3
    assert out.loc["a", "top_category_share"] == pytest.approx(0.6)
    assert out.loc["b", "category_breadth"] == 1 and out.loc["b", "top_category_share"] == 1


def test_missing_level_column_is_a_clear_error():
    frame, labels = _segment_frame()
    with pytest.raises(InputError, match="no department column"):
        preferences(
            _table(frame), labels, as_of=AS_OF, segments=["A"],
            options=PreferenceOptions(level="department"), seed=1,
        )  # fmt: skip


def _revenue_matrix(n: int, seed: int = 4) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Skewed revenue of n customers in 3 items (item 2 rare), and each customer's total."""
    rng = np.random.default_rng(seed)
    dense = rng.lognormal(2.0, 1.0, (n, 3)) * (rng.random((n, 3)) < [0.8, 0.4, 0.05])
    return sparse.csr_matrix(dense), dense.sum(axis=1)


def test_normal_limit_bootstrap_has_the_moments_of_multinomial_resampling(monkeypatch):
    matrix, totals = _revenue_matrix(EXACT_RESAMPLING_MAX + 500)
    normal = bootstrap_sums(matrix, totals, resamples=4000, rng=np.random.default_rng(1))
    monkeypatch.setattr(preferences_module, "EXACT_RESAMPLING_MAX", 10**9)
    exact = bootstrap_sums(matrix, totals, resamples=4000, rng=np.random.default_rng(1))
    (item_n, total_n), (item_e, total_e) = normal, exact
    assert total_n.mean() == pytest.approx(total_e.mean(), rel=2e-3)
    assert item_n.mean(axis=0) == pytest.approx(item_e.mean(axis=0), rel=1e-2)
    for j in range(3):
        share_n, share_e = item_n[:, j] / total_n, item_e[:, j] / total_e
        # the interval of a share: same centre and width within Monte Carlo error
        assert np.quantile(share_n, [0.025, 0.975]) == pytest.approx(
            np.quantile(share_e, [0.025, 0.975]), rel=0.05
        )
        assert share_n.std() == pytest.approx(share_e.std(), rel=0.08)


def test_normal_limit_bootstrap_is_seeded_and_row_order_free():
    matrix, totals = _revenue_matrix(EXACT_RESAMPLING_MAX + 10, seed=5)
    first = bootstrap_sums(matrix, totals, resamples=200, rng=np.random.default_rng(3))
    order = np.random.default_rng(0).permutation(len(totals))
    again = bootstrap_sums(
        matrix[order], totals[order], resamples=200, rng=np.random.default_rng(3)
    )
    np.testing.assert_allclose(first[0], again[0], rtol=1e-9)
    np.testing.assert_allclose(first[1], again[1], rtol=1e-9)
    assert (first[0] >= 0).all() and (first[1] >= 0).all()
