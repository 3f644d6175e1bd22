"""build_features on tiny hand-checked tables, on DuckDB and Spark from the same test code."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
from feature_frames import AS_OF, load_tables, tiny_frames

from segmint.engine import duckdb_backend
from segmint.errors import MissingColumnError
from segmint.features import (
    FEATURE_CATALOGUE,
    build_features,
    compute_features,
    feature_catalogue,
)

NAN = float("nan")
# Worked out by hand from tests/features/conftest.py::tiny_frames, as of 2024-03-31 00:00.
EXPECTED: dict[str, dict[str, object]] = {
    "a": {
        "industry": "retail",
        "customer_plan": "crm-gold",
        "tenure_days": 486,  # 2022-12-01 .. 2024-03-31
        "recency_days": 30,  # last order 2024-03-01
        "frequency": 2,  # i1, i2; the refund c2 is not an order; i6 is after as_of
        "monetary": 12.55,  # (10.10 + 20.00 - 5.00) / 2
        "total_amount": 25.10,
        "orders_30d": 1,  # the window starts 2024-03-01 00:00
        "orders_90d": 2,  # ... 2024-01-01 00:00
        "orders_365d": 2,
        "revenue_30d": 15.00,  # 20.00 - 5.00
        "revenue_90d": 25.10,
        "revenue_365d": 25.10,
        "avg_order_value": 15.05,  # gross: (10.10 + 20.00) / 2
        "mean_interpurchase_days": 60.0,  # 2024-01-01 .. 2024-03-01
        "days_since_first_order": 90,
        "refunds_count": 1,
        "mrr": 100.0,
        "mrr_change_90d": 0.0,
        "plan": "pro",
        "seats": 3.0,
        "subscription_tenure_months": 455 / 30.4375,
        "is_active_subscriber": True,
        "expansion_90d": False,
        "contraction_90d": False,
        "churned": False,
        "active_days_30d": 2,  # 03-25 (twice) and 03-05
        "events_30d": 3,
        "usage_trend": 3.0,  # 3 events vs 1 in the 30 days before
        "features_adopted": 3,  # core, export, reports
        "days_since_last_activity": 6,
        "tickets_90d": 1,
        "open_tickets": 2,  # one never closed, one closed after as_of
        "high_priority_tickets_90d": 1,  # the urgent one is older than 90 days
        "csat_mean": NAN,  # its only rating came with a close after as_of
    },
    "b": {
        "industry": "finance",
        "tenure_days": 486,
        "recency_days": 304,
        "frequency": 1,  # the 0.00 row is not an order
        "monetary": 7.5,
        "total_amount": 7.5,
        "orders_30d": 0,
        "orders_90d": 0,
        "orders_365d": 1,
        "revenue_365d": 7.5,
        "mean_interpurchase_days": NAN,
        "refunds_count": 0,
        "mrr": 0.0,
        "mrr_change_90d": -50.0,  # active on 2024-01-01, ended 2024-02-01
        "plan": "basic",
        "seats": NAN,
        "subscription_tenure_months": 396 / 30.4375,  # to its end
        "is_active_subscriber": False,
        "contraction_90d": False,  # going to 0 is churn, not contraction
        "churned": True,
        "events_30d": 0,
        "usage_trend": NAN,
        "tickets_90d": 0,
        "open_tickets": 0,
        "csat_mean": 4.0,
    },
    "d": {
        "industry": None,
        "tenure_days": NAN,
        "frequency": 0,
        "total_amount": 0.0,
        "recency_days": NAN,
        "mrr": 25.0,
        "mrr_change_90d": 15.0,  # starter 10 on 2024-01-01, basic 25 now
        "expansion_90d": True,
        "plan": "basic",
        "seats": 2.0,
        "subscription_tenure_months": 151 / 30.4375,
        "is_active_subscriber": True,
    },
    "e": {
        "frequency": 0,
        "mrr": 0.0,
        "is_active_subscriber": False,
        "churned": False,
        "plan": None,
        "active_days_30d": 1,
        "events_30d": 1,
        "usage_trend": NAN,  # nothing in the 30 days before: null, not inf
        "features_adopted": 0,  # its only feature is null
        "days_since_last_activity": 1,
    },
}


def _same(actual: object, expected: object) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return (
            actual is None or (isinstance(actual, float) and math.isnan(actual)) or actual is pd.NaT
        )
    if isinstance(expected, float):
        return isinstance(actual, float) and math.isclose(actual, expected, rel_tol=1e-12)
    return bool(actual == expected)


def test_tiny_tables_give_hand_checked_features(engine_con) -> None:
    frame = compute_features(load_tables(engine_con, tiny_frames()), as_of=AS_OF)
    # c bought exactly at as_of; z was created after as_of.
    assert frame.customer_id.tolist() == ["a", "b", "d", "e"]
    rows = frame.set_index("customer_id")
    wrong = {
        (cid, col): (rows.loc[cid, col], value)
        for cid, expected in EXPECTED.items()
        for col, value in expected.items()
        if not _same(rows.loc[cid, col], value)
    }
    assert wrong == {}


def test_every_catalogue_feature_is_built_and_documented() -> None:
    con = duckdb_backend()
    frame = compute_features(load_tables(con, tiny_frames()), as_of=AS_OF)
    attributes = {"customer_id", "created_at", "industry", "customer_plan"}
    produced = set(frame.columns) - attributes
    assert produced == {spec.name for spec in FEATURE_CATALOGUE}
    catalogue = feature_catalogue()
    assert list(catalogue.columns) == ["name", "description", "unit", "table"]
    assert catalogue.name.is_unique
    assert set(catalogue.table) == {
        "transactions",
        "subscriptions",
        "events",
        "tickets",
        "customers",
    }


def test_purchase_at_as_of_is_excluded_and_included_a_moment_later() -> None:
    con = duckdb_backend()
    tables = load_tables(con, {"transactions": tiny_frames()["transactions"]})
    at = compute_features(tables, as_of=AS_OF)
    assert "c" not in set(at.customer_id)
    later = compute_features(tables, as_of=AS_OF + timedelta(seconds=1)).set_index("customer_id")
    assert later.loc["c", "frequency"] == 1
    assert later.loc["c", "recency_days"] == 0


def test_moving_as_of_moves_the_windows() -> None:
    con = duckdb_backend()
    tables = load_tables(con, {"transactions": tiny_frames()["transactions"]})
    # The 30-day window of as_of 2024-03-31 10:00 starts 2024-03-01 10:00, the order's time.
    for as_of, orders_30d, recency in [
        (datetime(2024, 3, 31), 1, 30),
        (datetime(2024, 3, 31, 10, 0), 1, 30),
        (datetime(2024, 3, 31, 10, 1), 0, 30),
        (datetime(2024, 4, 3), 1, 1),  # i6 on 2024-04-02 is now visible
    ]:
        a = compute_features(tables, as_of=as_of).set_index("customer_id").loc["a"]
        assert (a.orders_30d, a.recency_days) == (orders_30d, recency), as_of
    before_everything = compute_features(tables, as_of=datetime(2023, 1, 1))
    assert before_everything.empty


def test_subscription_ending_at_as_of_is_still_active() -> None:
    con = duckdb_backend()
    subs = tiny_frames()["subscriptions"]
    tables = load_tables(con, {"subscriptions": subs})
    at_end = compute_features(tables, as_of=datetime(2024, 2, 1)).set_index("customer_id")
    assert at_end.loc["b", "is_active_subscriber"]
    assert at_end.loc["b", "mrr"] == 50.0
    after = compute_features(tables, as_of=datetime(2024, 2, 2)).set_index("customer_id")
    assert after.loc["b", "churned"] and after.loc["b", "mrr"] == 0.0
    # d before its second subscription: only the starter plan existed.
    early = compute_features(tables, as_of=datetime(2024, 1, 10)).set_index("customer_id")
    assert early.loc["d", "plan"] == "starter"
    assert early.loc["d", "mrr"] == 10.0


def test_features_of_absent_tables_and_columns_are_omitted() -> None:
    con = duckdb_backend()
    frames = tiny_frames()
    tickets = frames["tickets"].drop(columns=["closed_at", "csat"])
    frame = compute_features(
        load_tables(con, {"events": frames["events"], "tickets": tickets}), as_of=AS_OF
    )
    assert "frequency" not in frame.columns and "mrr" not in frame.columns
    assert {"tickets_90d", "high_priority_tickets_90d", "events_30d"} <= set(frame.columns)
    assert "open_tickets" not in frame.columns and "csat_mean" not in frame.columns
    assert frame.customer_id.tolist() == ["a", "b", "e"]


def test_decimal_and_float_money_give_the_same_features() -> None:
    con = duckdb_backend()
    tx = tiny_frames()["transactions"]
    as_float = compute_features(load_tables(con, {"transactions": tx}, "f"), as_of=AS_OF)
    table = con.create_table("dec", tx, overwrite=True)
    as_decimal = build_features(
        {"transactions": table.mutate(amount=table.amount.cast("decimal(18, 2)"))}, as_of=AS_OF
    ).to_pandas()
    pd.testing.assert_frame_equal(
        as_float, as_decimal.sort_values("customer_id").reset_index(drop=True)
    )


def test_refund_flags_and_status_net_out() -> None:
    con = duckdb_backend()
    tx = pd.DataFrame(
        {
            "customer_id": ["x", "x", "x", "x"],
            "occurred_at": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
            "amount": [100.0, 30.0, 20.0, 10.0],
            "status": ["paid", "Refunded", "paid", None],
            "is_refund": [False, False, True, None],
        }
    )
    x = compute_features(load_tables(con, {"transactions": tx}), as_of=AS_OF).iloc[0]
    assert x.frequency == 2  # 100 and 10 are orders
    assert x.refunds_count == 2
    assert x.total_amount == pytest.approx(100 - 30 - 20 + 10)
    assert x.avg_order_value == pytest.approx(55.0)


def test_input_errors_name_the_problem() -> None:
    con = duckdb_backend()
    with pytest.raises(ValueError, match="unknown tables"):
        build_features({"orders": con.create_table("o", pd.DataFrame({"x": [1]}))}, as_of=AS_OF)
    with pytest.raises(ValueError, match="at least one"):
        build_features({}, as_of=AS_OF)
    bad = con.create_table("bad", pd.DataFrame({"customer_id": ["a"], "amount": [1.0]}))
    with pytest.raises(MissingColumnError, match="occurred_at"):
        build_features({"transactions": bad}, as_of=AS_OF)


def test_aware_as_of_is_converted_to_utc() -> None:
    con = duckdb_backend()
    tables = load_tables(con, {"transactions": tiny_frames()["transactions"]})
    seoul = timezone(timedelta(hours=9))
    aware = compute_features(tables, as_of=datetime(2024, 3, 31, 9, 0, tzinfo=seoul))
    pd.testing.assert_frame_equal(aware, compute_features(tables, as_of=AS_OF))
    assert compute_features(tables, as_of="2024-03-31").equals(aware)
