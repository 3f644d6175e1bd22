"""Preferences, price sensitivity and timing give the same figures on DuckDB and Spark."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
import pytest

from segmint.analysis.preferences import PreferenceOptions, preferences
from segmint.analysis.price_sensitivity import PriceOptions, price_sensitivity
from segmint.analysis.timing import timing
from segmint.demo.synthetic_shop import generate_shop
from segmint.engine import duckdb_backend

AS_OF = datetime(2025, 7, 1)


def _lines() -> pd.DataFrame:
    """The demo shop's line items (120 customers) in contract columns."""
    raw = generate_shop(n_customers=120, seed=4)["orders"]
    return pd.DataFrame(
        {
            "customer_id": raw["Customer ID"],
            "invoice_id": raw["Invoice"],
            "occurred_at": pd.to_datetime(raw["Order Date"]),
            "amount": raw["Amount"].astype(float),
            "discount": pd.to_numeric(raw["Discount"].replace("", None)),
            "coupon": raw["Coupon"],
            "category": raw["Category"],
            "department": raw["Department"],
        }
    )


def _labels(lines: pd.DataFrame) -> pd.DataFrame:
    ids = sorted(lines["customer_id"].unique())
    return pd.DataFrame(
        {"customer_id": ids, "segment": [["a", "b", "c"][i % 3] for i in range(len(ids))]}
    )


def _understand(con, name: str) -> dict:
    import ibis

    lines = _lines()
    table = con.create_view(name, ibis.memtable(lines), overwrite=True)
    labels, order = _labels(lines), ["a", "b", "c"]
    prefs = preferences(
        table, labels, as_of=AS_OF, segments=order, seed=3,
        options=PreferenceOptions(min_buyers=5, min_support=0.01),
    )  # fmt: skip
    price = price_sensitivity(table, labels, as_of=AS_OF, segments=order, options=PriceOptions())
    timed = timing(table, labels, as_of=AS_OF, segments=order)
    frames = {
        "preferences": prefs.pop("customer_features"),
        "price": price.pop("customer_features"),
        "timing": timed.pop("customer_features"),
    }
    return {"payloads": [prefs, price, timed], "frames": frames}


def _assert_close(a, b, path="") -> None:
    """Equal structure; counts exact, floats to 1e-9 (summation order differs between engines)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _assert_close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), f"{path}: {a} != {b}"
    else:
        assert a == b, path


@pytest.mark.spark
def test_understand_is_identical_on_duckdb_and_spark(spark_con) -> None:
    duck = _understand(duckdb_backend(), "understand_duck")
    spark = _understand(spark_con, "understand_spark")
    _assert_close(duck["payloads"], spark["payloads"])
    for name, frame in duck["frames"].items():
        other = spark["frames"][name]
        key = ["customer_id"]
        pd.testing.assert_frame_equal(
            frame.sort_values(key, ignore_index=True),
            other.sort_values(key, ignore_index=True)[frame.columns],
            check_dtype=False,
            rtol=1e-9,
        )
    prefs = duck["payloads"][0]
    assert prefs["pairs"] and any(c["ranked"] for s in prefs["segments"] for c in s["categories"])


def test_trimmed_strips_whitespace_and_keeps_letters(engine_con) -> None:
    import ibis

    from segmint.engine import trimmed

    values = ["  filters \t", "tea", "\tvoid\n", "false", "  ", None]
    table = engine_con.create_view(
        f"trim_{engine_con.name}", ibis.memtable({"a": values}), overwrite=True
    )
    got = engine_con.execute(table.select(b=trimmed(table.a)))["b"].tolist()
    assert got[:5] == ["filters", "tea", "void", "false", ""]
    assert got[5] is None or (isinstance(got[5], float) and math.isnan(got[5]))
