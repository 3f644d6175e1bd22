"""Properties of migration and segment changes on random pairs of snapshots (hypothesis)."""

from __future__ import annotations

import ibis
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segmint.analysis.changes import assignment_changes, compared_schemes
from segmint.analysis.migration import segment_sizes, transition_counts, transition_matrix
from segmint.engine import duckdb_backend

SEGMENTS = ["a", "b", "c", "d"]
# A snapshot: each of up to 30 customers is absent (None) or in one segment.
snapshots = st.lists(st.one_of(st.none(), st.sampled_from(SEGMENTS)), min_size=0, max_size=30)
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _frame(assigned: list[str | None], scheme: str = "s") -> pd.DataFrame:
    rows = [(f"c{i:02d}", scheme, seg) for i, seg in enumerate(assigned) if seg is not None]
    return pd.DataFrame(rows, columns=["customer_id", "scheme", "segment"]).astype("string")


def _order(frame: pd.DataFrame) -> list[str]:
    counts = frame["segment"].value_counts()
    return sorted(counts.index, key=lambda s: (-int(counts[s]), s))


def _matrix(before: pd.DataFrame, after: pd.DataFrame) -> list[dict]:
    con = duckdb_backend()
    counts = con.execute(transition_counts(ibis.memtable(before), ibis.memtable(after)))
    return transition_matrix(counts, before=_order(before), after=_order(after))


@PROPERTY_SETTINGS
@given(before=snapshots, after=snapshots)
def test_rows_sum_to_the_earlier_sizes_and_columns_to_the_later(before, after) -> None:
    early, late = _frame(before), _frame(after)
    matrix = _matrix(early, late)
    rows, cols = segment_sizes(matrix)
    new = len(set(late.customer_id) - set(early.customer_id))
    gone = len(set(early.customer_id) - set(late.customer_id))
    assert {k: v for k, v in rows.items() if k is not None} == (
        early["segment"].value_counts().to_dict()
    )
    assert {k: v for k, v in cols.items() if k is not None} == (
        late["segment"].value_counts().to_dict()
    )
    assert rows.get(None, 0) == new and cols.get(None, 0) == gone
    # Every customer of either snapshot is counted exactly once.
    assert sum(c["customers"] for c in matrix) == len(
        set(early.customer_id) | set(late.customer_id)
    )
    for cell in matrix:
        total = rows[cell["from"]]
        assert cell["share"] == (cell["customers"] / total if total else None)
        assert not (cell["from"] is None and cell["to"] is None)


@PROPERTY_SETTINGS
@given(assigned=snapshots)
def test_a_snapshot_compared_with_itself_is_the_identity(assigned) -> None:
    frame = _frame(assigned)
    matrix = _matrix(frame, frame)
    sizes = frame["segment"].value_counts().to_dict()
    for cell in matrix:
        if cell["from"] == cell["to"]:
            assert cell["customers"] == sizes[cell["from"]] and cell["share"] == 1.0
        else:
            assert cell["customers"] == 0
    changes = duckdb_backend().execute(
        assignment_changes(ibis.memtable(frame), ibis.memtable(frame))
    )
    assert changes.empty


@PROPERTY_SETTINGS
@given(before=snapshots, after=snapshots)
def test_changes_are_exactly_the_customers_whose_segment_differs(before, after) -> None:
    early, late = _frame(before), _frame(after)
    changes = duckdb_backend().execute(
        assignment_changes(ibis.memtable(early), ibis.memtable(late))
    )
    was = dict(zip(early.customer_id, early.segment, strict=True))
    now = dict(zip(late.customer_id, late.segment, strict=True))
    expected = {
        c: (was.get(c), now.get(c)) for c in set(was) | set(now) if was.get(c) != now.get(c)
    }
    got = {
        row.customer_id: (
            None if pd.isna(row.from_segment) else row.from_segment,
            None if pd.isna(row.to_segment) else row.to_segment,
        )
        for row in changes.itertuples()
    }
    assert got == expected
    # Each changed customer appears once per scheme.
    assert not changes.duplicated(["scheme", "customer_id"]).any()


def test_changes_keep_schemes_apart() -> None:
    early = pd.concat([_frame(["a", "b"], "s"), _frame(["a", "b"], "t")])
    late = pd.concat([_frame(["a", "a"], "s"), _frame(["a", "b"], "t")])
    changes = duckdb_backend().execute(
        assignment_changes(ibis.memtable(early), ibis.memtable(late))
    )
    assert changes[["scheme", "customer_id", "from_segment", "to_segment"]].values.tolist() == [
        ["s", "c01", "b", "a"]
    ]


def test_compared_schemes_skip_a_scheme_new_to_the_config_but_keep_tags() -> None:
    assert compared_schemes(["life", "tag:x"], ["life", "value", "tag:y"]) == [
        "life",
        "tag:x",
        "tag:y",
    ]


def test_a_matrix_lists_zero_cells_and_orders_new_and_gone_last() -> None:
    counts = pd.DataFrame(
        {"from": ["a", "a", None], "to": ["a", None, "b"], "customers": [2, 1, 3]}
    )
    matrix = transition_matrix(counts, before=["a"], after=["b", "a"])
    assert [(c["from"], c["to"], c["customers"]) for c in matrix] == [
        ("a", "b", 0),
        ("a", "a", 2),
        ("a", None, 1),
        (None, "b", 3),
        (None, "a", 0),
    ]
    assert matrix[1]["share"] == 2 / 3 and matrix[3]["share"] == 1.0
