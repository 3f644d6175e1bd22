"""Migration between two snapshots: the transition matrix of one scheme, with new and gone rows.

Row `from: null` holds the customers new in the later run, column `to: null` those gone from it;
every row's counts sum to the earlier segment's size and every column's to the later one's. The
share of a cell is its count over its row's total.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.store import Store


def transition_counts(before: ir.Table, after: ir.Table) -> ir.Table:
    """Return from, to, customers: customers per (earlier, later) segment; null = new or gone.

    `before` and `after` hold customer_id and segment (one row per customer) of one scheme.
    """
    left = before.select(before.customer_id, from_segment=before.segment.cast("string"))
    right = after.select(
        after.customer_id.name("customer_id_after"), to_segment=after.segment.cast("string")
    )
    joined = left.outer_join(right, left.customer_id == right.customer_id_after)
    return (
        joined.group_by([joined.from_segment, joined.to_segment])
        .aggregate(customers=ibis._.count())
        .rename({"from": "from_segment", "to": "to_segment"})
    )


def transition_matrix(
    counts: pd.DataFrame, *, before: list[str], after: list[str]
) -> list[dict[str, Any]]:
    """Return every cell of the matrix (earlier segments then new × later segments then gone).

    `counts` has from, to, customers (null from/to = new/gone); `before` and `after` give the
    segment order. Cells with no customers are kept (customers 0) so the matrix is complete.
    """
    cells: dict[tuple[str | None, str | None], int] = {}
    for row in counts.itertuples(index=False):
        key = (_name(row[0]), _name(row[1]))
        cells[key] = cells.get(key, 0) + int(row[2])
    row_names: list[str | None] = [*before, None]
    col_names: list[str | None] = [*after, None]
    for frm, to in cells:
        if frm not in row_names:
            row_names.insert(-1, frm)
        if to not in col_names:
            col_names.insert(-1, to)
    matrix = []
    for frm in row_names:
        row_total = sum(n for (f, _t), n in cells.items() if f == frm)
        for to in col_names:
            if frm is None and to is None:
                continue
            customers = cells.get((frm, to), 0)
            share = customers / row_total if row_total else None
            matrix.append({"from": frm, "to": to, "customers": customers, "share": share})
    return matrix


def snapshot_migration(store: Store, scheme: str, *, from_run: int, to_run: int) -> dict[str, Any]:
    """Return the migration JSON of `scheme` between two stored runs (see the module docstring)."""
    snapshots = store.ibis().table("snapshot_segments")
    chosen = snapshots.filter(snapshots.scheme == scheme)
    before = chosen.filter(chosen.run_id == from_run)
    after = chosen.filter(chosen.run_id == to_run)
    counts = transition_counts(before, after).to_pandas()
    return {
        "scheme": scheme,
        "from_run": from_run,
        "to_run": to_run,
        "matrix": transition_matrix(
            counts, before=_segment_order(store, from_run, scheme),
            after=_segment_order(store, to_run, scheme),
        ),
    }  # fmt: skip


def segment_sizes(matrix: list[dict[str, Any]]) -> tuple[dict[Any, int], dict[Any, int]]:
    """Return (row totals, column totals) of a matrix: the earlier and later segment sizes."""
    rows: dict[Any, int] = {}
    cols: dict[Any, int] = {}
    for cell in matrix:
        rows[cell["from"]] = rows.get(cell["from"], 0) + cell["customers"]
        cols[cell["to"]] = cols.get(cell["to"], 0) + cell["customers"]
    return rows, cols


def _segment_order(store: Store, run_id: int, scheme: str) -> list[str]:
    sizes = store.frame(
        "SELECT segment, count(*) AS n FROM snapshot_segments WHERE run_id = ? AND scheme = ? "
        "GROUP BY segment ORDER BY n DESC, segment",
        [run_id, scheme],
    )
    return [str(s) for s in sizes["segment"] if s is not None]


def _name(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)
