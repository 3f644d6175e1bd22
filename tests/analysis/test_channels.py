"""Touch outcomes (window, pending, revenue), rates with evidence, fatigue and preferred channels."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from segmint.analysis.channels import (
    ChannelOptions,
    channels_analysis,
    preferred_channel_backtest,
    preferred_channels,
    touch_outcomes,
)
from segmint.errors import InputError

AS_OF = pd.Timestamp("2025-03-01")


def _tables(touches: pd.DataFrame, transactions: pd.DataFrame | None = None) -> dict:
    con = ibis.duckdb.connect()
    tables = {"touches": con.create_table("touches", touches)}
    if transactions is not None:
        tables["transactions"] = con.create_table("transactions", transactions)
    return tables


def test_conversion_window_pending_and_revenue_from_purchases() -> None:
    touches = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "C"],
            "sent_at": pd.to_datetime(
                ["2025-01-01 10:00", "2025-01-20 09:00", "2025-01-01 12:00", "2025-02-25 08:00"]
            ),
            "channel": ["email", "kakao", "email", "email"],
        }
    )
    transactions = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            # A buys on day 7 after the send (counts); B on day 8 (too late); C's window is open.
            "occurred_at": pd.to_datetime(
                ["2025-01-08 23:00", "2025-01-09 00:30", "2025-02-26 00:00"]
            ),
            "amount": [40.0, 10.0, 5.0],
        }
    )
    out = touch_outcomes(_tables(touches, transactions), as_of=AS_OF, options=ChannelOptions())
    out = out.set_index(["customer_id", "channel"])
    assert bool(out.loc[("A", "email"), "converted"]) is True
    assert out.loc[("A", "email"), "revenue"] == 40.0
    assert bool(out.loc[("A", "kakao"), "converted"]) is False
    assert out.loc[("A", "kakao"), "earlier_touches"] == 1
    assert bool(out.loc[("B", "email"), "converted"]) is False
    assert bool(out.loc[("C", "email"), "pending"]) is True


def _many(seed: int) -> pd.DataFrame:
    """200 customers × 12 touches; segment 'loyal' converts by kakao, the rest do not."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(200):
        loyal = i < 100
        for k in range(12):
            channel = ("email", "kakao")[k % 2]
            rate = 0.6 if (loyal and channel == "kakao") else 0.1
            sent = pd.Timestamp("2024-06-01") + pd.Timedelta(days=10 * k + i % 5)
            converted = sent + pd.Timedelta(days=2) if rng.random() < rate else pd.NaT
            rows.append((f"C{i:03d}", sent, channel, converted))
    return pd.DataFrame(rows, columns=["customer_id", "sent_at", "channel", "converted_at"])


def test_rates_are_tested_against_other_segments_and_preferred_channels_found() -> None:
    touches = _many(1)
    labels = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(200)],
            "segment": ["loyal"] * 100 + ["other"] * 100,
        }  # fmt: skip
    )
    payload = channels_analysis(
        _tables(touches), labels, as_of=AS_OF, by="channel", segments=["loyal", "other"],
        options=ChannelOptions(), seed=0,
    )  # fmt: skip
    loyal = {r["channel"]: r for r in payload["segments"][0]["rows"]}
    rate = loyal["kakao"]["conversion_rate"]
    assert rate["denominator"] == 600 and rate["ci_low"] < rate["value"] < rate["ci_high"]
    assert rate["p_value_adjusted"] < 0.001
    assert loyal["email"]["open_rate"] is None  # no opened_at column: unknown, not 0
    assert payload["pending_touches"] == 0
    print(payload["preferred_channel"])
    assert payload["preferred_channel"]["kakao"] >= 60
    assert payload["preferred_channel"]["undetermined"] >= 100  # "other" shows no real difference
    again = channels_analysis(
        _tables(touches.sample(frac=1, random_state=3)), labels, as_of=AS_OF, by="channel",
        segments=["loyal", "other"], options=ChannelOptions(), seed=0,
    )  # fmt: skip
    assert again["customers"] == payload["customers"]  # row order does not matter


def test_one_lucky_touch_does_not_decide_and_few_touches_give_null() -> None:
    touches = pd.DataFrame(
        {
            "customer_id": ["L"] * 6 + ["F"] * 2,
            "sent_at": pd.date_range("2024-01-01", periods=8, freq="10D"),
            "channel": ["sms", "email", "email", "email", "email", "email", "sms", "email"],
            "converted_at": [pd.Timestamp("2024-01-02")] + [pd.NaT] * 7,
        }
    )
    out = touch_outcomes(_tables(touches), as_of=AS_OF, options=ChannelOptions())
    labels = pd.DataFrame({"customer_id": ["L", "F"], "segment": ["s", "s"]})
    preferred = preferred_channels(out, labels, options=ChannelOptions(), seed=0)
    by = preferred.set_index("customer_id")["preferred_channel"]
    assert by["L"] == "undetermined" and by["F"] is None


def test_missing_touches_table_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="table: touches"):
        touch_outcomes({}, as_of=AS_OF, options=ChannelOptions())


def test_backtest_beats_the_most_sent_rule_when_a_segment_prefers_a_rarer_channel() -> None:
    touches = _many(2)
    # email is sent twice as often: the "most-sent channel" rule picks it for everyone
    extra = touches[touches["channel"] == "email"].assign(
        sent_at=lambda f: f["sent_at"] + pd.Timedelta(days=5), converted_at=pd.NaT
    )
    touches = pd.concat([touches, extra], ignore_index=True)
    labels = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(200)],
            "segment": ["loyal"] * 100 + ["other"] * 100,
        }  # fmt: skip
    )
    out = touch_outcomes(
        _tables(touches), as_of=pd.Timestamp("2024-10-10"), options=ChannelOptions()
    )
    result = preferred_channel_backtest(
        out, labels, as_of=pd.Timestamp("2024-10-10"), options=ChannelOptions(), seed=0
    )
    assert result is not None
    assert result["preferred_channel"]["value"] > result["most_sent_channel"]["value"]
    assert result["ci_low"] > 0
    again = preferred_channel_backtest(
        out.sample(frac=1, random_state=1), labels, as_of=pd.Timestamp("2024-10-10"),
        options=ChannelOptions(), seed=0,
    )  # fmt: skip
    assert again == result
