"""Cross-sell recommendations (planted rule, Online Retail II) and next-plan propensity."""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from segmint.errors import InputError, MissingColumnError, NotFittedError
from segmint.scores.propensity import CrossSellRecommender, item_keys, next_plan_propensity

AS_OF = datetime(2024, 1, 1)


def _planted_baskets(n: int = 5000, seed: int = 0) -> pd.DataFrame:
    """10% buy A; half of A's buyers and 250 others buy B: P(B) = 0.1, P(B | A) = 0.5, lift 5."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"c{i:05d}" for i in range(n)])
    order = rng.permutation(n)
    a = set(ids[order[:500]])
    b = set(ids[order[:250]]) | set(ids[order[500:750]])
    rows = [(c, "A") for c in a] + [(c, "B") for c in b]
    for cat, share in (("C", 0.3), ("D", 0.2), ("E", 0.4), ("F", 0.25)):
        rows += [(c, cat) for c in ids[rng.random(n) < share]]
    rows += [(c, "G") for c in ids]  # everybody buys G, so every customer has a basket
    frame = pd.DataFrame(rows, columns=["customer_id", "category"])
    frame["occurred_at"] = pd.Timestamp("2023-06-01") + pd.to_timedelta(
        rng.integers(0, 180, len(frame)), unit="D"
    )
    frame["amount"] = 10.0
    # after as_of: A-buyers without B buy B, and a new category appears; both must be ignored
    late = [(c, "B") for c in sorted(a - b)] + [("c00000", "Z")]
    late_frame = pd.DataFrame(late, columns=["customer_id", "category"])
    late_frame["occurred_at"] = pd.Timestamp("2024-02-01")
    late_frame["amount"] = 10.0
    return pd.concat([frame, late_frame], ignore_index=True).sort_values("occurred_at")


def test_planted_rule_is_recovered_with_its_lift():
    tx = _planted_baskets()
    model = CrossSellRecommender(top=3).fit(tx, as_of=AS_OF)
    assert "Z" not in model.items_
    rule = model.rules_.query("antecedent == 'A' and consequent == 'B'").iloc[0]
    assert rule["lift"] == pytest.approx(5.0, abs=1e-9)
    assert rule["confidence"] == pytest.approx(0.5) and rule["support"] == pytest.approx(0.05)
    recs = model.recommend().set_index("customer_id")
    baskets = tx[tx["occurred_at"] < AS_OF].groupby("customer_id")["category"].agg(set)
    a_not_b = [c for c, s in baskets.items() if "A" in s and "B" not in s]
    assert len(a_not_b) == 250
    assert (recs.loc[a_not_b, "rec_1"] == "B").all()
    evidence = recs.loc[a_not_b[0], "rec_1_evidence"]
    assert re.search(r"customers who buy A buy B 5\.0× more often", evidence), evidence
    # B is not pushed to those who lack A: it ranks below their first recommendation
    neither = [c for c, s in baskets.items() if "A" not in s and "B" not in s]
    assert (recs.loc[neither, "rec_1"] != "B").mean() > 0.95


def test_recommendations_never_repeat_a_purchase_and_are_ordered():
    tx = _planted_baskets(1000)
    recs = CrossSellRecommender(top=3).fit(tx, as_of=AS_OF).recommend()
    baskets = tx[tx["occurred_at"] < AS_OF].groupby("customer_id")["category"].agg(set)
    for row in recs.itertuples():
        picked = [r for r in (row.rec_1, row.rec_2, row.rec_3) if r is not None]
        assert not set(picked) & baskets[row.customer_id]
    scores = recs[["rec_1_score", "rec_2_score", "rec_3_score"]].to_numpy()
    assert (np.nan_to_num(scores[:, 0]) >= np.nan_to_num(scores[:, 1])).all()
    assert (np.nan_to_num(scores[:, 1]) >= np.nan_to_num(scores[:, 2])).all()


def test_options_and_contract_errors():
    tx = _planted_baskets(300)
    with pytest.raises(NotFittedError):
        CrossSellRecommender().recommend()
    with pytest.raises(ValueError, match="model_weight"):
        CrossSellRecommender(model_weight=2.0).fit(tx, as_of=AS_OF)
    with pytest.raises(MissingColumnError, match="'category' not found"):
        CrossSellRecommender().fit(tx.drop(columns="category"), as_of=AS_OF)
    model = CrossSellRecommender()
    assert model.fit(tx, as_of=AS_OF) is model


def test_online_retail_products_beat_popularity_on_later_purchases(shared_data):
    raw = pd.read_csv(
        shared_data / "online_retail_ii_2009_2010.csv.gz",
        usecols=["Description", "Quantity", "InvoiceDate", "Price", "Customer ID"],
        dtype={"Customer ID": str},
    ).dropna(subset=["Customer ID"])
    tx = pd.DataFrame(
        {
            "customer_id": raw["Customer ID"],
            "occurred_at": pd.to_datetime(raw["InvoiceDate"]),
            "product": raw["Description"].str.strip(),
            "amount": raw["Quantity"] * raw["Price"],
        }
    )
    as_of = pd.Timestamp("2010-09-01")
    model = CrossSellRecommender(max_items=200).fit(tx, as_of=as_of)
    assert len(model.items_) == 200
    recs = model.recommend().set_index("customer_id")
    assert recs["rec_1"].notna().all()
    assert recs["rec_1_evidence"].str.contains("customers who buy").mean() > 0.9
    # hit rate @3 on new products bought after as_of, against "most popular not yet bought"
    owned = {c: set(np.array(model.items_)[model.basket_[i]]) for i, c in enumerate(recs.index)}
    later = tx[(tx["occurred_at"] >= as_of) & tx["product"].isin(set(model.items_))]
    new = {
        c: s - owned[c]
        for c, s in later.groupby("customer_id")["product"].agg(set).items()
        if c in owned and s - owned[c]
    }
    popular = [model.items_[i] for i in np.argsort(-model.prevalence_, kind="stable")]

    def hits(pick) -> float:
        return float(np.mean([bool(set(pick(c)) & bought) for c, bought in new.items()]))

    ours = hits(lambda c: list(recs.loc[c, ["rec_1", "rec_2", "rec_3"]]))
    baseline = hits(lambda c: [p for p in popular if p not in owned[c]][:3])
    assert len(new) > 1000
    assert ours > baseline + 0.05, (ours, baseline)


def _saas(n: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    plan = rng.choice(["starter", "growth", "scale"], n, p=[0.5, 0.3, 0.2])
    level = pd.Series(plan).map({"starter": 0, "growth": 1, "scale": 2}).to_numpy()
    return pd.DataFrame(
        {
            "customer_id": [f"s{i}" for i in range(n)],
            "plan": plan,
            "mrr": 50.0 * 4**level,
            "seats": rng.poisson(3 + 6 * level).astype(float),
            "features_adopted": rng.normal(3 + 4 * level, 1.5),
            "events_30d": rng.normal(100, 30, n),
        }
    )


def test_next_plan_propensity_points_heavy_users_up():
    table = _saas()
    # two starter customers: one using like a scale customer, one like a starter
    table.loc[0, ["plan", "seats", "features_adopted"]] = ["starter", 15.0, 11.0]
    table.loc[1, ["plan", "seats", "features_adopted"]] = ["starter", 2.0, 2.5]
    out = next_plan_propensity(table).set_index("customer_id")
    assert out.loc["s0", "next_plan"] == "scale" and out.loc["s0", "upgrade_propensity"] > 0.8
    assert out.loc["s1", "upgrade_propensity"] < 0.2
    top = out[out["plan"] == "scale"]
    assert top["next_plan"].isna().all() and (top["upgrade_propensity"] == 0).all()
    growth = out[out["plan"] == "growth"]
    assert growth["p_growth"].isna().all() and growth["p_scale"].between(0, 1).all()
    # plan order came from mrr; mrr itself is not a usage feature (it would give plans away)
    assert list(out.columns[-2:]) == ["p_growth", "p_scale"]


def test_next_plan_needs_an_order_without_mrr():
    table = _saas().drop(columns="mrr")
    with pytest.raises(InputError, match="plan_order"):
        next_plan_propensity(table)
    out = next_plan_propensity(table, plan_order=["starter", "growth", "scale"])
    assert out["upgrade_propensity"].between(0, 1).all()
    with pytest.raises(InputError, match="not in plan_order"):
        next_plan_propensity(table, plan_order=["starter", "growth"])


def test_item_keys_ignore_case_spaces_and_punctuation():
    names = pd.Series(
        [
            "DOOR MAT UNION FLAG",
            "DOORMAT UNION FLAG",
            " Doormat union-flag ",
            "도어 매트",
            "DOORMAT RED",
        ]
    )
    keys = item_keys(names)
    assert keys.iloc[0] == keys.iloc[1] == keys.iloc[2] == "doormatunionflag"
    assert keys.iloc[3] == "도어매트" and keys.iloc[4] != keys.iloc[0]


def test_spellings_of_one_product_are_one_item():
    tx = _planted_baskets(n=2000)
    # the same product B under three spellings, spread over B's buyers
    b_rows = tx.index[tx["category"] == "B"]
    spellings = np.array(["B FLAG", "BFLAG", "b-flag"])
    tx.loc[b_rows, "category"] = spellings[np.arange(len(b_rows)) % 3]
    model = CrossSellRecommender(top=3).fit(tx, as_of=AS_OF)
    flags = [item for item in model.items_ if item_keys(pd.Series([item])).iloc[0] == "bflag"]
    assert len(flags) == 1
    recs = model.recommend().set_index("customer_id")
    bought = tx[tx["occurred_at"] < AS_OF]
    b_buyers = set(bought.loc[bought["category"].isin(spellings), "customer_id"])
    shown = recs.loc[sorted(b_buyers), ["rec_1", "rec_2", "rec_3"]]
    assert not shown.isin(list(spellings)).any().any()
