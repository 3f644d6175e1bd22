"""Acquisition cohorts: the real Online Retail II file against pandas, and the invariants."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segmint.analysis.cohorts import cohort_matrix
from segmint.engine import duckdb_backend
from segmint.sources import read_source

RETAIL_AS_OF = datetime(2010, 12, 10)


@pytest.fixture(scope="module")
def retail_raw(shared_data) -> pd.DataFrame:
    return pd.read_csv(
        shared_data / "online_retail_ii_2009_2010.csv.gz",
        dtype={"Invoice": str, "StockCode": str, "Customer ID": "Int64"},
        parse_dates=["InvoiceDate"],
        encoding="latin-1",
    )


@pytest.fixture(scope="module")
def retail_cohorts(shared_data) -> dict:
    loaded = read_source(shared_data / "online_retail_ii_2009_2010.csv.gz").loaded
    con = duckdb_backend()
    table = con.create_table("retail", loaded.drop(columns=["_line"]))
    return cohort_matrix({"transactions": table}, as_of=RETAIL_AS_OF, by="month")


def _pandas_cohorts(raw: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """Sizes, active customers and net revenue per (cohort, k), straight from the raw export."""
    rows = raw.dropna(subset=["Customer ID"]).copy()
    rows["customer"] = rows["Customer ID"].astype(str)
    rows["amount"] = (rows["Quantity"] * rows["Price"]).round(2)
    cancelled = rows["Invoice"].str.startswith("C")
    rows["net"] = np.where(cancelled, -rows["amount"].abs(), rows["amount"])
    purchase = ~cancelled & (rows["amount"] > 0)
    month = rows["InvoiceDate"].dt.year * 12 + rows["InvoiceDate"].dt.month - 1
    rows["month"] = month
    first = rows[purchase].groupby("customer")["month"].min().rename("cohort")
    rows = rows.join(first, on="customer", how="inner")
    rows["k"] = rows["month"] - rows["cohort"]
    rows = rows[rows["k"] >= 0]
    sizes = first.value_counts()
    active = rows[purchase.loc[rows.index]].groupby(["cohort", "k"])["customer"].nunique()
    revenue = rows.groupby(["cohort", "k"])["net"].sum()
    return sizes, active.unstack(fill_value=0), revenue.unstack(fill_value=0.0)


def test_online_retail_cohorts_match_pandas(retail_raw, retail_cohorts) -> None:
    sizes, active, revenue = _pandas_cohorts(retail_raw)
    cohorts = retail_cohorts["cohorts"]
    assert [c["cohort"] for c in cohorts][:2] == ["2009-12", "2010-01"]
    assert len(cohorts) == len(sizes) == 13
    assert sum(c["size"] for c in cohorts) == int(sizes.sum()) == 4312  # customers who bought
    for c in cohorts:
        year, month = map(int, c["cohort"].split("-"))
        index = year * 12 + month - 1
        assert c["size"] == sizes[index]
        observed = (2010 * 12 + 11) - index + 1
        assert len(c["retention"]) == 13
        for k in range(13):
            if k >= observed:
                assert c["retention"][k] is None and c["revenue_retention"][k] is None
                continue
            expected = active.loc[index].get(k, 0) / sizes[index]
            assert c["retention"][k] == pytest.approx(expected, abs=1e-12)
            base = revenue.loc[index, 0]
            assert c["revenue_retention"][k] == pytest.approx(
                revenue.loc[index].get(k, 0.0) / base, rel=1e-9
            )
        assert c["partial_last"] is True  # the data ends on 2010-12-09, inside December


def test_online_retail_december_2009_cohort_in_numbers(retail_cohorts) -> None:
    first = retail_cohorts["cohorts"][0]
    assert first["size"] == 955
    assert first["retention"][0] == 1.0
    assert first["retention"][1] == pytest.approx(337 / 955)
    # Unbounded retention: active in month k or later, so it never rises with k.
    unbounded = first["retention_unbounded"]
    assert all(a >= b for a, b in zip(unbounded, unbounded[1:], strict=False))
    assert all(u >= r for u, r in zip(unbounded, first["retention"], strict=True))


def _purchases(offsets: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"c{c}" for c, _d, _a in offsets],
            "occurred_at": [
                pd.Timestamp("2024-01-01") + pd.Timedelta(days=d) for _c, d, _a in offsets
            ],
            "amount": [a for _c, _d, a in offsets],
        }
    )


@given(
    st.lists(
        st.tuples(
            st.integers(0, 9),
            st.integers(0, 200),
            st.sampled_from([5.0, 19.99, -5.0, 0.0, 120.5]),
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(["month", "week"]),
)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_cohort_invariants(rows: list[tuple[int, int, float]], by: str) -> None:
    frame = _purchases(rows)
    table = duckdb_backend().create_table("purchases", frame)
    result = cohort_matrix({"transactions": table}, as_of=datetime(2024, 7, 20), by=by)
    buyers = frame.loc[frame["amount"] > 0, "customer_id"].nunique()
    assert sum(c["size"] for c in result["cohorts"]) == buyers
    widths = {len(c["retention"]) for c in result["cohorts"]}
    assert len(widths) <= 1
    for c in result["cohorts"]:
        assert c["retention"][0] == 1.0 and c["retention_unbounded"][0] == 1.0
        observed = [v for v in c["retention"] if v is not None]
        # Nulls only after the data ends: a (possibly empty) tail, never a gap.
        assert c["retention"][: len(observed)] == observed
        assert all(0.0 <= v <= 1.0 for v in observed)
    # Every cohort but the newest has more observed periods than the next one.
    lengths = [sum(v is not None for v in c["retention"]) for c in result["cohorts"]]
    assert lengths == sorted(lengths, reverse=True)


def test_subscription_cohorts_count_active_subscriptions() -> None:
    subs = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "c"],
            "started_at": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-10", "2024-04-01"]),
            "ended_at": pd.to_datetime(["2024-02-15", None, "2024-03-01", None]),
            "mrr": [10.0, 20.0, 30.0, 60.0],
        }
    )
    result = cohort_matrix(
        {"subscriptions": duckdb_backend().create_table("subs", subs)},
        as_of=datetime(2024, 5, 1),
        by="month",
    )
    assert result["source"] == "subscriptions"
    january, february = result["cohorts"]
    assert (january["cohort"], january["size"]) == ("2024-01", 2)
    # a active Jan-Feb (ended 15 Feb), b active throughout.
    assert january["retention"] == [1.0, 1.0, 0.5, 0.5]
    assert january["revenue_retention"] == pytest.approx([1.0, 1.0, 20 / 30, 20 / 30])
    # c: first subscription Feb (ended 1 Mar, so active on 1 Mar), a gap, then 60/month from April.
    assert february["retention"] == [1.0, 1.0, 1.0, None]
    assert february["revenue_retention"] == [1.0, 1.0, 2.0, None]
    assert february["partial_last"] is False  # as_of 1 May: April is complete
