"""Price sensitivity: discount figures per customer, beta-binomial shrinkage, labels, segments."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from segmint.analysis.price_sensitivity import (
    PriceOptions,
    beta_prior,
    price_sensitivity,
    shrink,
)
from segmint.engine import duckdb_backend
from segmint.errors import InputError

AS_OF = datetime(2024, 7, 1)


def _table(frame: pd.DataFrame):
    return duckdb_backend().create_table("transactions", frame)


def _shop(seed: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """'deals' customers use a discount on 70% of orders, 'full' on 5%; 60 customers each."""
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for seg, rate in (("deals", 0.7), ("full", 0.05)):
        for k in range(60):
            customer = f"{seg}{k:02d}"
            labels.append({"customer_id": customer, "segment": seg})
            for j in range(int(rng.integers(3, 12))):
                discounted = rng.random() < rate
                day = AS_OF - timedelta(days=int(rng.integers(1, 300)))
                invoice = f"{customer}-{j}"
                for line in range(2):
                    rows.append(
                        {"customer_id": customer, "invoice_id": invoice, "occurred_at": day,
                         "amount": 8.0, "discount": 2.0 if discounted and line == 0 else None,
                         "coupon": "SPRING" if discounted and line == 0 else ""}
                    )  # fmt: skip
    return pd.DataFrame(rows), pd.DataFrame(labels)


def test_figures_per_customer_and_labels():
    rows = [
        # c1: 4 orders, 2 with a discount (one a free line paid 0), 1 with a coupon
        ("c1", "i1", 10.0, 2.0, "X1"), ("c1", "i2", 10.0, None, ""), ("c1", "i3", 10.0, None, "0"),
        ("c1", "i4", 0.0, 5.0, None),
        # c2: 2 orders, too few for a label
        ("c2", "j1", 20.0, None, None), ("c2", "j2", 20.0, None, None),
    ]  # fmt: skip
    frame = pd.DataFrame(
        rows, columns=["customer_id", "invoice_id", "amount", "discount", "coupon"]
    )
    frame["occurred_at"] = AS_OF - timedelta(days=3)
    labels = pd.DataFrame({"customer_id": ["c1", "c2"], "segment": ["a", "a"]})
    result = price_sensitivity(
        _table(frame), labels, as_of=AS_OF, segments=["a"], options=PriceOptions()
    )
    out = result["customer_features"].set_index("customer_id")
    assert out.loc["c1", "orders"] == 4
    assert out.loc["c1", "discounted_order_share_raw"] == pytest.approx(0.5)
    assert out.loc["c1", "coupon_order_share_raw"] == pytest.approx(0.25)
    assert out.loc["c1", "discount_share_raw"] == pytest.approx(7.0 / 37.0, abs=1e-6)
    assert out.loc["c2", "price_sensitivity"] == "insufficient"
    assert out.loc["c1", "price_sensitivity"] in ("occasional", "deal seeker")
    [seg] = result["segments"]
    assert seg["discounted_order_share"]["numerator"] == 2
    assert seg["discounted_order_share"]["denominator"] == 6


def test_beta_prior_recovers_the_spread_and_shrinks_small_samples_most():
    rng = np.random.default_rng(4)
    true = rng.beta(2, 6, 4000)
    trials = rng.integers(3, 40, 4000)
    successes = rng.binomial(trials, true)
    a, b = beta_prior(successes, trials)
    assert a / (a + b) == pytest.approx(0.25, abs=0.01)
    assert a + b == pytest.approx(8, rel=0.15)
    shrunk = shrink(np.array([3.0, 30.0]), np.array([3.0, 30.0]), np.array(["g", "g"]))
    # both raw rates are 1; the customer with 3 orders is pulled much closer to the prior
    assert shrunk[0] < shrunk[1] < 1


def test_segments_differ_and_labels_name_deal_seekers():
    frame, labels = _shop()
    result = price_sensitivity(
        _table(frame), labels, as_of=AS_OF, segments=["deals", "full"], options=PriceOptions()
    )
    deals, full = result["segments"]
    assert deals["discounted_order_share"]["ci_low"] > 0.55
    assert full["discounted_order_share"]["ci_high"] < 0.15
    assert deals["discounted_order_share"]["p_value_adjusted"] < 1e-6
    assert deals["labels"]["deal seeker"]["share"] > 0.7
    assert full["labels"]["full price"]["share"] > 0.7
    again = price_sensitivity(
        _table(frame.sample(frac=1, random_state=1)), labels, as_of=AS_OF,
        segments=["deals", "full"], options=PriceOptions(),
    )  # fmt: skip
    assert again["segments"] == result["segments"]


def test_without_discount_or_coupon_columns_a_clear_error():
    frame, labels = _shop()
    plain = frame.drop(columns=["discount", "coupon"])
    with pytest.raises(InputError, match="needs a discount or coupon column"):
        price_sensitivity(
            _table(plain), labels, as_of=AS_OF, segments=["deals"], options=PriceOptions()
        )


def test_engine_features_match_the_population_shrinkage():
    from segmint.analysis.price_sensitivity import customer_price_sensitivity, price_inputs
    from segmint.features.build import compute_features

    frame, _labels = _shop()
    features = compute_features({"transactions": _table(frame)}, as_of=AS_OF)
    inputs = price_inputs(_table(frame), as_of=AS_OF, window_days=365)
    pandas_side = customer_price_sensitivity(inputs, None, options=PriceOptions())
    merged = features.merge(pandas_side, on="customer_id", suffixes=("", "_pandas"))
    assert len(merged) == 120
    assert (merged["price_orders_365d"] == merged["orders"]).all()
    for column in ("discounted_order_share", "coupon_order_share", "discount_share"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_pandas"], atol=1e-6)


def _offer_touches(seed: int = 3) -> pd.DataFrame:
    """'deals' redeem 60% of offers, 'full' 10%; plain touches always convert (must not count);
    one pending offer each (sent 2 days before as_of, its 7-day window still open)."""
    rng = np.random.default_rng(seed)
    rows = []
    for seg, rate in (("deals", 0.6), ("full", 0.1)):
        for k in range(60):
            customer = f"{seg}{k:02d}"
            for j in range(int(rng.integers(1, 8))):
                sent = AS_OF - timedelta(days=int(rng.integers(10, 200)), hours=j)
                won = rng.random() < rate
                rows.append({"customer_id": customer, "sent_at": sent, "channel": "email",
                             "offer": "SAVE10", "converted_at": sent + timedelta(days=1)
                             if won else None})  # fmt: skip
            plain = AS_OF - timedelta(days=50)
            rows.append({"customer_id": customer, "sent_at": plain, "channel": "push",
                         "offer": "", "converted_at": plain + timedelta(hours=2)})  # fmt: skip
            pending = AS_OF - timedelta(days=2)
            rows.append({"customer_id": customer, "sent_at": pending, "channel": "sms",
                         "offer": "SAVE10", "converted_at": None})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["converted_at"] = pd.to_datetime(frame["converted_at"])
    return frame


def test_redemption_rate_of_offers_shrunk_toward_the_segment():
    from segmint.analysis.channels import ChannelOptions, touch_outcomes

    frame, labels = _shop()
    raw = _offer_touches()
    touches = touch_outcomes(
        {"touches": duckdb_backend().create_table("touches", raw)},
        as_of=AS_OF,
        options=ChannelOptions(window_days=7),
    )
    result = price_sensitivity(
        _table(frame), labels, as_of=AS_OF, segments=["deals", "full"],
        options=PriceOptions(), touches=touches,
    )  # fmt: skip
    customers = result["customer_features"].set_index("customer_id")
    decided = raw[(raw["offer"] != "") & (raw["sent_at"] < AS_OF - timedelta(days=8))]
    received = decided.groupby("customer_id").size()
    redeemed = decided.groupby("customer_id")["converted_at"].count()
    assert (customers.loc[received.index, "offers_received"] == received).all()
    assert (customers.loc[received.index, "offers_redeemed"] == redeemed).all()
    # (k + a) / (n + a + b) with the beta prior fitted to the customer's segment
    seg = labels.set_index("customer_id")["segment"]
    for name in ("deals", "full"):
        ids = received.index[seg.loc[received.index] == name]
        a, b = beta_prior(redeemed.loc[ids].to_numpy(), received.loc[ids].to_numpy())
        expected = (redeemed.loc[ids] + a) / (received.loc[ids] + a + b)
        np.testing.assert_allclose(customers.loc[ids, "redemption_rate"], expected, atol=1e-6)
    one = customers[(customers["offers_received"] == 1)]
    assert (one["redemption_rate"].between(0.01, 0.99)).all()  # one offer never decides alone
    by_name = {s["segment"]: s["redemption_rate"] for s in result["segments"]}
    deals, full = by_name["deals"], by_name["full"]
    ids = received.index[seg.loc[received.index] == "deals"]
    assert deals["numerator"] == redeemed.loc[ids].sum()
    assert deals["denominator"] == received.loc[ids].sum()
    assert deals["value"] == pytest.approx(deals["numerator"] / deals["denominator"], abs=1e-6)
    assert deals["ci_low"] > 0.45 and full["ci_high"] < 0.25
    assert deals["p_value_adjusted"] < 0.001


def test_without_offers_no_redemption_figures():
    frame, labels = _shop()
    raw = _offer_touches().assign(offer="")
    from segmint.analysis.channels import ChannelOptions, touch_outcomes

    touches = touch_outcomes(
        {"touches": duckdb_backend().create_table("touches", raw)},
        as_of=AS_OF,
        options=ChannelOptions(window_days=7),
    )
    result = price_sensitivity(
        _table(frame), labels, as_of=AS_OF, segments=["deals", "full"],
        options=PriceOptions(), touches=touches,
    )  # fmt: skip
    assert "redemption_rate" not in result["customer_features"].columns
    assert all("redemption_rate" not in s for s in result["segments"])
