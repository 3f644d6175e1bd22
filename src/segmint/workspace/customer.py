"""`segmint customer ID`: one customer's merged source records, segments (with reasons) and scores."""

from __future__ import annotations

from typing import Any

import pandas as pd

from segmint.contract import LOGICAL_TABLES
from segmint.errors import InputError
from segmint.store import Store


def resolve_customer_id(store: Store, any_id: str) -> str:
    """Return the unified customer_id for a unified id or any source id; raise InputError if unknown."""
    row = store.con.execute(
        "SELECT customer_id FROM identity_map WHERE customer_id = ? OR source_id = ? "
        "ORDER BY customer_id = ? DESC LIMIT 1",
        [any_id, any_id, any_id],
    ).fetchone()
    if row:
        return str(row[0])
    raise InputError(
        f"customer {any_id!r} not found in the workspace (neither a customer id nor a source id)"
    )


def customer_profile(store: Store, any_id: str, *, run: int | None = None) -> dict[str, Any]:
    """Return the customer's identity records, row counts per table, and the segments and values
    of run `run` (default: the run with the newest as_of)."""
    # The run is checked first: a wrong --run is reported whatever the customer.
    selected = store.snapshot_run(run) if run is not None or len(store.snapshot_runs()) else None
    customer_id = resolve_customer_id(store, any_id)
    identity = store.frame(
        "SELECT namespace, source_id, linked_by FROM identity_map WHERE customer_id = ? "
        "ORDER BY namespace, source_id",
        [customer_id],
    )
    rows: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    # Tables loaded from sources only (not experiment assignments): one query over all of them.
    loaded = set(store.source_tables())
    counted_tables = [t for t in LOGICAL_TABLES if t in loaded]
    if counted_tables:
        # The table names come from LOGICAL_TABLES, a constant; the customer id is bound.
        union = " UNION ALL ".join(
            f"SELECT '{t}' AS tbl, _source, count(*) AS n FROM {t} WHERE customer_id = ? "
            "GROUP BY _source"
            for t in counted_tables
        )
        counted = store.con.execute(
            f"SELECT tbl, _source, n FROM ({union})",
            [customer_id] * len(counted_tables),
        ).fetchall()
        order = {t: i for i, t in enumerate(counted_tables)}
        for table, source, n in sorted(counted, key=lambda r: (order[r[0]], r[1])):
            rows[table] = rows.get(table, 0) + int(n)
            records.append({"table": table, "source": source, "rows": int(n)})
    profile: dict[str, Any] = {
        "customer_id": customer_id,
        "looked_up_as": any_id,
        "identity": identity.to_dict(orient="records"),
        "source_rows": records,
        "rows": rows,
        "segments": [],
        "values": {},
        "run_id": None,
        "as_of": None,
    }
    if selected is None:
        return profile
    run_id, as_of = selected
    profile["run_id"] = run_id
    profile["as_of"] = as_of.isoformat(sep=" ")
    segments = store.frame(
        "SELECT scheme, segment, rule, reason FROM snapshot_segments WHERE run_id = ? AND customer_id = ? "
        "ORDER BY scheme",
        [run_id, customer_id],
    )
    profile["segments"] = segments.to_dict(orient="records")
    values = store.frame(
        "SELECT name, value_num, value_text FROM snapshot_values WHERE run_id = ? AND customer_id = ? "
        "ORDER BY name",
        [run_id, customer_id],
    )
    profile["values"] = {
        r.name: (r.value_text if pd.notna(r.value_text) else _clean_number(r.value_num))
        for r in values.itertuples(index=False)
    }
    return profile


def _clean_number(value: float) -> float | int | None:
    if value != value:  # NaN
        return None
    return int(value) if float(value).is_integer() else round(float(value), 4)
