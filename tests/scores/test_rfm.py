"""RFM scores, named segments and RFMSegmenter; DuckDB and Spark from the same test code."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import ibis
import numpy as np
import pandas as pd
import pytest

from segmint.engine import duckdb_backend
from segmint.errors import NotFittedError
from segmint.features.transactions import rfm_base
from segmint.scores.rfm import quantile_cut_points
from segmint.segments.rfm import RFM_SEGMENT_COLUMNS as RFM_COLUMNS
from segmint.segments.rfm import RFMSegmenter, rfm_table
from segmint.segments.rfm_names import (
    DEFAULT_RFM_SEGMENT_MAP,
    rfm_segment_expr,
    segment_map_table,
    segment_name,
    validate_segment_map,
)

AS_OF = datetime(2024, 1, 1, 12, 0)  # noon: an order "d days before" falls on that date
CUTS = {"recency": [10, 30, 60, 90], "frequency": [1, 2, 3, 5], "monetary": [10, 20, 50, 100]}


def _view(con, frame: pd.DataFrame, name: str = "rfm_tx"):
    """Register a pandas frame as a view (Spark would write a table to spark-warehouse)."""
    return con.create_view(name, ibis.memtable(frame), overwrite=True)


def _orders(spec: dict[str, list[tuple[int, float]]]) -> pd.DataFrame:
    """Transactions from {customer: [(days before AS_OF, amount), ...]}."""
    rows = [
        (cid, AS_OF - timedelta(days=days, hours=1), amount)
        for cid, orders in spec.items()
        for days, amount in orders
    ]
    return pd.DataFrame(rows, columns=["customer_id", "occurred_at", "amount"])


# Values sit on and next to the cut points: a value equal to a cut stays in the lower bin.
TINY = _orders(
    {
        # recency 10 (= cut 1: r 5), 1 order, monetary 100 (= cut 4: m 4) -> 514
        "p1": [(10, 100.0)],
        # recency 11 (r 4), 2 orders (f 2), monetary 10.005 -> (10.00 + 10.01) / 2 (m 2) -> 422
        "p2": [(11, 10.00), (40, 10.01)],
        # recency 91 (r 1), 6 orders (f 5), monetary 100.01 (m 5) -> 155 "Can't Lose Them"
        "p3": [(91 + i, 100.01) for i in range(6)],
        # recency 0 (r 5), 5 orders (f 4), monetary 9.99 (m 1) -> 541, fm = (4+1+1)//2 = 3
        "p4": [(0, 9.99)] * 5,
        # a refund only: no order, not scored
        "p5": [(3, -20.0)],
        # recency 60 (r 3), 3 orders (f 3), refund nets monetary to (3*20 - 15) / 3 = 15 (m 2)
        "p6": [(60, 20.0), (70, 20.0), (80, 20.0), (65, -15.0)],
    }
)
EXPECTED = {
    "p1": (10, 1, 100.0, "514", "Potential Loyalists"),
    "p2": (11, 2, 10.005, "422", "Potential Loyalists"),
    "p3": (91, 6, 100.01, "155", "Can't Lose Them"),
    "p4": (0, 5, 9.99, "541", "Potential Loyalists"),
    "p6": (60, 3, 15.0, "332", "Need Attention"),
}


def test_rfm_with_fixed_cuts_is_hand_checkable(engine_con) -> None:
    table = rfm_table(_view(engine_con, TINY), as_of=AS_OF, cuts=CUTS)
    frame = table.to_pandas().sort_values("customer_id").reset_index(drop=True)
    assert list(frame.columns) == list(RFM_COLUMNS)
    got = {
        row.customer_id: (
            row.recency_days,
            row.frequency,
            round(row.monetary, 6),
            row.rfm_score,
            row.rfm_segment,
        )
        for row in frame.itertuples()
    }
    assert got == EXPECTED
    assert frame.set_index("customer_id").loc["p6", "total_amount"] == 45.0


def test_purchase_at_as_of_is_not_seen() -> None:
    con = duckdb_backend()
    tx = pd.DataFrame(
        {
            "customer_id": ["x", "y"],
            "occurred_at": [AS_OF, AS_OF - timedelta(seconds=1)],
            "amount": [5.0, 5.0],
        }
    )
    frame = rfm_table(_view(con, tx), as_of=AS_OF, cuts=CUTS).to_pandas()
    assert frame.customer_id.tolist() == ["y"]
    assert frame.recency_days.tolist() == [0]  # same calendar day as as_of


def test_equal_values_always_get_equal_scores() -> None:
    con = duckdb_backend()
    # 10 one-order customers, 3 with two orders, 2 with six: quintile cuts fall inside the ties.
    spec = {f"one{i}": [(5 * i, 10.0)] for i in range(10)}
    spec |= {f"two{i}": [(3, 10.0), (30, 10.0)] for i in range(3)}
    spec |= {f"six{i}": [(1 + d, 10.0) for d in range(6)] for i in range(2)}
    frame = rfm_table(_view(con, _orders(spec)), as_of=AS_OF).to_pandas()
    for value, score in [("recency_days", "r_score"), ("frequency", "f_score")]:
        assert (frame.groupby(value)[score].nunique() == 1).all()
    # Every customer has monetary 10.00: one score for all, not five bins of three.
    assert frame.m_score.nunique() == 1
    by_f = frame.groupby("frequency").f_score.first().to_dict()
    assert by_f == {1: 1, 2: 4, 6: 5}  # cuts 1, 1, 1.8, 2: one order never beats a cut
    assert sorted(frame.r_score.unique()) == [1, 2, 3, 4, 5]


def test_custom_recency_cuts_bucket_as_documented() -> None:
    con = duckdb_backend()
    recencies = [0, 30, 31, 90, 91, 180, 181, 365, 366]
    tx = _orders({f"c{d:03d}": [(d, 10.0)] for d in recencies})
    frame = rfm_table(
        _view(con, tx),
        as_of=AS_OF,
        cuts={"recency": [30, 90, 180, 365], "frequency": [1, 2, 3, 4], "monetary": [1, 2, 3, 4]},
    ).to_pandas()
    got = dict(zip(frame.recency_days, frame.r_score, strict=True))
    assert got == {0: 5, 30: 5, 31: 4, 90: 4, 91: 3, 180: 3, 181: 2, 365: 2, 366: 1}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bins": 1}, "bins must be an integer from 2 to 9"),
        ({"bins": 10}, "bins must be an integer from 2 to 9"),
        ({"cuts": {"recent": [1, 2, 3, 4]}}, "unknown RFM cut metric"),
        ({"cuts": {"recency": [1, 2, 3]}}, "need bins - 1 = 4 values"),
        ({"cuts": {"recency": [1, 3, 2, 4]}}, "must be increasing"),
        ({"cuts": {"recency": ["a", 1, 2, 3]}}, "must be numbers"),
    ],
)
def test_invalid_options_raise_value_error(kwargs, message) -> None:
    con = duckdb_backend()
    with pytest.raises(ValueError, match=message):
        rfm_table(_view(con, TINY), as_of=AS_OF, **kwargs)


def test_no_orders_before_as_of_is_a_clear_error() -> None:
    con = duckdb_backend()
    refunds_only = _orders({"r1": [(3, -20.0)], "r2": [(5, -1.0)]})
    with pytest.raises(ValueError, match="at least one customer with an order"):
        rfm_table(_view(con, refunds_only), as_of=AS_OF)


def _random_transactions(n_customers: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_customers * 4
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:05d}" for i in rng.integers(0, n_customers, n)],
            "occurred_at": pd.Timestamp(AS_OF)
            - pd.to_timedelta(rng.integers(1, 700 * 24, n), unit="h"),
            "amount": np.round(rng.gamma(2.0, 20.0, n), 2),
        }
    )


def _edge_only(exact: pd.DataFrame, other: pd.DataFrame, cuts_a: dict, cuts_b: dict) -> None:
    """Assert scores differ only for values between an exact and an approximate cut point."""
    merged = exact.merge(other, on="customer_id", suffixes=("", "_b"))
    assert len(merged) == len(exact) == len(other)
    for metric, value, score in [
        ("recency", "recency_days", "r_score"),
        ("frequency", "frequency", "f_score"),
        ("monetary", "monetary", "m_score"),
    ]:
        changed = merged[merged[score] != merged[f"{score}_b"]]
        assert ((changed[score] - changed[f"{score}_b"]).abs() == 1).all()
        for v in changed[value]:
            assert any(
                min(a, b) <= v <= max(a, b)
                for a, b in zip(cuts_a[metric], cuts_b[metric], strict=True)
            ), (metric, v)


def test_exact_and_approximate_cut_points_differ_only_at_edges() -> None:
    con = duckdb_backend()
    table = _view(con, _random_transactions(3000, seed=1))
    base = rfm_base(table, as_of=AS_OF)
    exact_cuts = quantile_cut_points(base, exact=True)
    approx_cuts = quantile_cut_points(base, exact=False)
    exact = rfm_table(table, as_of=AS_OF, cuts=exact_cuts).to_pandas()
    approx = rfm_table(table, as_of=AS_OF, cuts=approx_cuts).to_pandas()
    _edge_only(exact, approx, exact_cuts, approx_cuts)
    assert exact_cuts["monetary"] != approx_cuts["monetary"]  # t-digest is not exact here
    # The exact cut points are the 20/40/60/80 % quantiles (linear interpolation).
    values = exact.monetary.to_numpy()
    assert exact_cuts["monetary"] == pytest.approx(np.quantile(values, [0.2, 0.4, 0.6, 0.8]))


@pytest.mark.spark
def test_duckdb_and_spark_agree(spark_con) -> None:
    frame = _random_transactions(400, seed=3)
    duck_table = _view(duckdb_backend(), frame, "parity_tx")
    spark_table = _view(spark_con, frame, "parity_tx")
    cuts = quantile_cut_points(rfm_base(duck_table, as_of=AS_OF), exact=True)
    on_duckdb = rfm_table(duck_table, as_of=AS_OF, cuts=cuts).to_pandas()
    on_spark = rfm_table(spark_table, as_of=AS_OF, cuts=cuts).to_pandas()

    def order(f: pd.DataFrame) -> pd.DataFrame:
        return f.sort_values("customer_id").reset_index(drop=True)

    # Given the same cut points the results are identical, floats included.
    pd.testing.assert_frame_equal(order(on_duckdb), order(on_spark), check_exact=True)
    # Spark computes its own cut points approximately (no global window): edges only differ.
    segmenter = RFMSegmenter().fit(spark_table, as_of=AS_OF)
    _edge_only(order(on_duckdb), segmenter.table_, cuts, segmenter.cut_points_)


def test_default_segment_map_names_every_cell_once() -> None:
    grid = segment_map_table()
    assert grid.shape == (5, 5)
    assert grid.notna().all().all()
    names = {rule.name for rule in DEFAULT_RFM_SEGMENT_MAP}
    assert len(names) == 11
    assert set(grid.to_numpy().ravel()) == names
    assert grid.loc[5, 5] == "Champions" and grid.loc[1, 1] == "Lost"
    assert grid.loc[1, 5] == "Can't Lose Them" and grid.loc[5, 1] == "New Customers"
    assert validate_segment_map(DEFAULT_RFM_SEGMENT_MAP) == DEFAULT_RFM_SEGMENT_MAP


def test_segment_expression_matches_the_grid_for_all_125_scores() -> None:
    con = duckdb_backend()
    combos = pd.DataFrame(itertools.product(range(1, 6), repeat=3), columns=["r", "f", "m"])
    t = _view(con, combos, "combos")
    named = t.mutate(segment=rfm_segment_expr(t.r, t.f, t.m)).to_pandas()
    expected = [
        segment_name(r, (f + m + 1) // 2) for r, f, m in zip(named.r, named.f, named.m, strict=True)
    ]
    assert named.segment.tolist() == expected
    assert named.segment.notna().all()


def test_custom_segment_map_is_validated() -> None:
    half = [{"name": "Top", "r": [4, 5], "fm": [1, 5]}, {"name": "Rest", "r": [1, 2], "fm": [1, 5]}]
    with pytest.raises(ValueError, match=r"5 cell\(s\) without a name: \(r=3, fm=1\)"):
        validate_segment_map(half)
    shadowed = [
        {"name": "All", "r": [1, 5], "fm": [1, 5]},
        {"name": "Never", "r": [1, 1], "fm": [1, 1]},
    ]
    with pytest.raises(ValueError, match="never match.*'Never'"):
        validate_segment_map(shadowed)
    with pytest.raises(ValueError, match="outside scores 1..5"):
        validate_segment_map([{"name": "X", "r": [0, 5], "fm": [1, 5]}])
    with pytest.raises(ValueError, match="exactly the keys name, r, fm"):
        validate_segment_map([{"name": "X", "r": [1, 5], "fm": [1, 5], "m": [1, 2]}])
    two = [
        {"name": "Recent", "r": [4, 5], "fm": [1, 5]},
        {"name": "Older", "r": [1, 5], "fm": [1, 5]},
    ]
    con = duckdb_backend()
    frame = rfm_table(_view(con, TINY), as_of=AS_OF, cuts=CUTS, segment_map=two).to_pandas()
    got = dict(zip(frame.customer_id, frame.rfm_segment, strict=True))
    assert got == {"p1": "Recent", "p2": "Recent", "p3": "Older", "p4": "Recent", "p6": "Older"}


def test_three_bins_use_the_default_map_on_rescaled_scores() -> None:
    con = duckdb_backend()
    frame = rfm_table(
        _view(con, _random_transactions(200, seed=5)), as_of=AS_OF, bins=3
    ).to_pandas()
    assert set(frame.r_score) == {1, 2, 3}
    assert frame.rfm_segment.notna().all()
    # r 3 -> 5, f 3 and m 3 -> fm 5: Champions; r 1 -> 2 with fm 1 -> 2: Hibernating.
    top = frame[(frame.r_score == 3) & (frame.f_score == 3) & (frame.m_score == 3)]
    assert (top.rfm_segment == "Champions").all() and len(top) > 0
    low = frame[(frame.r_score == 1) & (frame.f_score == 1) & (frame.m_score == 1)]
    assert (low.rfm_segment == "Hibernating").all()


def test_segmenter_contract() -> None:
    segmenter = RFMSegmenter(bins=5, cuts={"frequency": [1, 2, 3, 5]})
    assert segmenter.get_params()["cuts"] == {"frequency": [1, 2, 3, 5]}
    assert not hasattr(segmenter, "table_")
    with pytest.raises(NotFittedError):
        segmenter.predict()
    with pytest.raises(NotFittedError):
        segmenter.transform()
    tx = _random_transactions(300, seed=9)
    assert segmenter.fit(tx, as_of=AS_OF) is segmenter
    assert list(segmenter.table_.columns) == list(RFM_COLUMNS)
    assert segmenter.table_.customer_id.is_monotonic_increasing
    assert segmenter.cut_points_["frequency"] == [1.0, 2.0, 3.0, 5.0]
    assert set(segmenter.cut_points_) == {"recency", "frequency", "monetary"}
    labels = segmenter.predict()
    assert labels.index.name == "customer_id" and len(labels) == len(segmenter.table_)
    # An Ibis table gives the same result as the pandas frame.
    from_ibis = RFMSegmenter(cuts={"frequency": [1, 2, 3, 5]}).fit(
        _view(duckdb_backend(), tx), as_of=AS_OF
    )
    pd.testing.assert_frame_equal(from_ibis.table_, segmenter.table_)
    # New data is scored with the fitted cut points: 30 days later nobody is more recent.
    later = segmenter.transform(tx, as_of=AS_OF + timedelta(days=30))
    merged = later.merge(segmenter.table_, on="customer_id", suffixes=("_later", ""))
    assert (merged.recency_days_later == merged.recency_days + 30).all()
    assert (merged.r_score_later <= merged.r_score).all()
    assert (merged.r_score_later < merged.r_score).any()


def test_cdnow_master_totals(shared_data) -> None:
    raw = pd.read_csv(shared_data / "cdnow_master.csv", dtype={"customer_id": str})
    tx = pd.DataFrame(
        {
            "customer_id": raw.customer_id,
            "occurred_at": pd.to_datetime(raw.date.astype(str), format="%Y%m%d"),
            "amount": raw.dollar_value.round(2),
        }
    )
    segmenter = RFMSegmenter().fit(tx, as_of=datetime(1998, 7, 1))
    table = segmenter.table_
    paying = raw[raw.dollar_value > 0]
    assert len(table) == paying.customer_id.nunique() == 23_502
    assert table.frequency.sum() == len(paying)
    # Summed as DECIMAL: the total is exact to the cent.
    assert round(table.total_amount.sum(), 2) == round(raw.dollar_value.sum(), 2) == 2_500_315.63
    assert table.recency_days.min() == 1  # the log ends 1998-06-30
    # Quintile cut points split recency roughly into fifths; ties on dates keep it approximate.
    shares = table.r_score.value_counts(normalize=True)
    assert shares.between(0.15, 0.25).all()
    mean_recency = table.groupby("r_score").recency_days.mean()
    assert mean_recency.is_monotonic_decreasing
    by_segment = table.groupby("rfm_segment").total_amount.mean()
    assert by_segment.idxmax() == "Champions" or by_segment.idxmax() == "Can't Lose Them"
    assert by_segment["Champions"] > by_segment["Hibernating"] > 0


def test_line_items_count_invoices_once_after_pre_grouping() -> None:
    # line items are collapsed per customer, day and invoice before the distinct count: an
    # invoice over two days, a refunded invoice and a free line must still count as in the rules
    day = AS_OF - timedelta(days=3)
    rows = [
        ("a", day, 10.0, "I1"),
        ("a", day, 5.0, "I1"),
        ("a", day - timedelta(days=1), 7.0, "I1"),  # same invoice, previous day
        ("a", day - timedelta(days=20), 4.0, "I2"),
        ("a", day - timedelta(days=20), -4.0, "I2"),  # partial refund on the same invoice
        ("b", day - timedelta(days=9), -8.0, "I3"),  # refund only: no order
        ("b", day - timedelta(days=10), 30.0, "I4"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "occurred_at", "amount", "invoice_id"])
    con = duckdb_backend()
    base = rfm_base(con.create_table("lines", frame), as_of=AS_OF).to_pandas()
    got = base.set_index("customer_id").sort_index()
    assert got.loc["a", "frequency"] == 2 and got.loc["b", "frequency"] == 1
    assert got.loc["a", "recency_days"] == 3 and got.loc["b", "recency_days"] == 13
    assert got.loc["a", "total_amount"] == pytest.approx(22.0)
    assert got.loc["a", "monetary"] == pytest.approx(11.0)
    assert got.loc["b", "total_amount"] == pytest.approx(22.0)
