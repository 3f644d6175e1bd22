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
    present = set(store.table_names())  # one catalogue query, not one per table
    for table in LOGICAL_TABLES:
        if table not in present:
            continue
        if "_source" not in store.frame(f"SELECT * FROM {table} LIMIT 0").columns:
            continue  # not loaded from sources (experiment assignments): no source rows to count
        counted = store.con.execute(
            f"SELECT _source, count(*) FROM {table} WHERE customer_id = ? GROUP BY _source ORDER BY _source",
            [customer_id],
        ).fetchall()
        if counted:
            rows[table] = int(sum(n for _, n in counted))
            records.extend({"table": table, "source": s, "rows": int(n)} for s, n in counted)
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
