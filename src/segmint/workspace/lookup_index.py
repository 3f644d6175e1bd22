"""In-memory indexes a server keeps of stored runs, for customer lookups and member pages.

A stored run never changes, and `segmint serve` is the database's only writer, so the server can
read a run's per-customer rows once and answer each lookup from memory instead of scanning
snapshot_values, snapshot_segments and every source table per request (measured: about 10 ms a
scan at 1,000 accounts, growing with the data). The answers are exactly those of
`segmint.workspace.browse.customer_detail` and `segment_members` (tests compare both paths); a
workspace with more customers than `MEMORY_INDEX_LIMIT` keeps the SQL path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from segmint.contract import LOGICAL_TABLES
from segmint.errors import InputError
from segmint.store import Store
from segmint.workspace.browse import (
    MEMBER_SORTS,
    NotFoundError,
    _iso,
    _json_value,
    _member_rows,
)
from segmint.workspace.customer import _clean_number

# Beyond this many customers in a run the server reads per request from the database: the index
# holds every stored value of the run in memory (about 24 bytes per value: 100 values of 100,000
# customers take some 240 MB).
MEMORY_INDEX_LIMIT = 100_000


class RowsByCustomer:
    """The rows of a frame sorted by customer_id, found per customer by offsets."""

    def __init__(self, frame: pd.DataFrame) -> None:
        ids = frame["customer_id"].astype(str).to_numpy()
        self.columns = {str(c): frame[c].to_numpy() for c in frame.columns if c != "customer_id"}
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.array([])
        stops = np.r_[starts[1:], len(ids)] if len(ids) else np.array([])
        self.offsets = {str(ids[a]): (int(a), int(b)) for a, b in zip(starts, stops, strict=True)}

    def rows(self, customer_id: str) -> Iterator[dict[str, Any]]:
        """Yield the customer's rows as dicts (in the frame's order)."""
        start, stop = self.offsets.get(customer_id, (0, 0))
        for i in range(start, stop):
            yield {name: values[i] for name, values in self.columns.items()}


def _text(value: Any) -> str | None:
    """Return a stored text as str, None when missing (as the DataFrame path gives it)."""
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


@dataclass
class WorkspaceIndex:
    """What does not change between runs: identities and source row counts per customer."""

    identity: RowsByCustomer
    by_source_id: dict[str, str]
    source_rows: RowsByCustomer
    history: RowsByCustomer
    table_order: dict[str, int]

    @classmethod
    def read(cls, store: Store) -> WorkspaceIndex:
        """Read the identity map, the source row counts and every run's segments once."""
        identity = store.frame(
            "SELECT customer_id, namespace, source_id, linked_by FROM identity_map "
            "ORDER BY customer_id, namespace, source_id"
        )
        # Source ids shared by several customers resolve like the SQL path's ORDER BY ... LIMIT 1
        # leaves open; the smallest customer id is chosen so the answer is stable.
        by_source_id: dict[str, str] = {}
        for source_id, customer_id in zip(
            identity["source_id"].astype(str), identity["customer_id"].astype(str), strict=True
        ):
            by_source_id.setdefault(source_id, customer_id)
        loaded = set(store.source_tables())
        tables = [t for t in LOGICAL_TABLES if t in loaded]
        if tables:
            # Table names from LOGICAL_TABLES, a constant.
            union = " UNION ALL ".join(
                f"SELECT customer_id, '{t}' AS tbl, _source, count(*) AS n FROM {t} "
                "GROUP BY customer_id, _source"
                for t in tables
            )
            counts = store.frame(f"SELECT * FROM ({union}) ORDER BY customer_id")
        else:
            counts = pd.DataFrame(columns=["customer_id", "tbl", "_source", "n"])
        history = store.frame(
            "SELECT s.customer_id, s.run_id, r.as_of, s.scheme, s.segment, s.reason "
            "FROM snapshot_segments s JOIN runs r USING (run_id) WHERE r.status <> 'failed' "
            "ORDER BY s.customer_id, r.as_of, s.run_id, s.scheme"
        )
        return cls(
            identity=RowsByCustomer(identity),
            by_source_id=by_source_id,
            source_rows=RowsByCustomer(counts),
            history=RowsByCustomer(history),
            table_order={t: i for i, t in enumerate(tables)},
        )

    def resolve(self, any_id: str) -> str:
        """Return the unified customer id of a customer id or source id (NotFoundError if neither)."""
        if any_id in self.identity.offsets:
            return any_id
        found = self.by_source_id.get(any_id)
        if found is None:
            raise NotFoundError(
                f"customer {any_id!r} not found in the workspace "
                "(neither a customer id nor a source id)"
            )
        return found


@dataclass
class RunIndex:
    """One stored run's segments and values per customer."""

    run_id: int
    as_of: datetime
    segments: RowsByCustomer
    values: RowsByCustomer

    @classmethod
    def read(cls, store: Store, run_id: int, as_of: datetime) -> RunIndex:
        """Read the run's segments and values once, sorted by customer."""
        segments = store.frame(
            "SELECT customer_id, scheme, segment, rule, reason FROM snapshot_segments "
            "WHERE run_id = ? ORDER BY customer_id, scheme",
            [run_id],
        )
        values = store.frame(
            "SELECT customer_id, name, value_num, value_text FROM snapshot_values "
            "WHERE run_id = ? ORDER BY customer_id, name",
            [run_id],
        )
        return cls(run_id, as_of, RowsByCustomer(segments), RowsByCustomer(values))


def indexed_customer_detail(
    workspace: WorkspaceIndex, run: RunIndex | None, any_id: str
) -> dict[str, Any]:
    """Return what `browse.customer_detail` returns, read from the indexes."""
    customer_id = workspace.resolve(any_id)
    records = sorted(
        (
            {"table": str(r["tbl"]), "source": r["_source"], "rows": int(r["n"])}
            for r in workspace.source_rows.rows(customer_id)
        ),
        key=lambda r: (workspace.table_order[r["table"]], r["source"]),
    )
    rows: dict[str, int] = {}
    for record in records:
        rows[record["table"]] = rows.get(record["table"], 0) + record["rows"]
    profile: dict[str, Any] = {
        "customer_id": customer_id,
        "looked_up_as": any_id,
        "identity": [
            {"namespace": r["namespace"], "source_id": r["source_id"], "linked_by": r["linked_by"]}
            for r in workspace.identity.rows(customer_id)
        ],
        "source_rows": records,
        "rows": rows,
        "segments": [],
        "values": {},
        "run_id": None,
        "as_of": None,
    }
    if run is not None:
        profile["run_id"] = run.run_id
        profile["as_of"] = run.as_of.isoformat(sep=" ")
        profile["segments"] = [
            {
                "scheme": r["scheme"],
                "segment": r["segment"],
                "rule": _text(r["rule"]),
                "reason": _text(r["reason"]),
            }
            for r in run.segments.rows(customer_id)
        ]
        profile["values"] = {
            r["name"]: (
                r["value_text"]
                if _text(r["value_text"]) is not None
                else _clean_number(r["value_num"])
            )
            for r in run.values.rows(customer_id)
        }
    profile["history"] = [
        {
            "run_id": int(r["run_id"]),
            "as_of": _iso(r["as_of"]),
            "scheme": str(r["scheme"]),
            "segment": str(r["segment"]),
            "reason": _text(r["reason"]),
        }
        for r in workspace.history.rows(customer_id)
    ]
    return profile


class SegmentMembers:
    """A segment's members with their shown values, JSON-ready, and their orders per sort."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame.reset_index(drop=True)
        self.rows = [
            {k: _json_value(v) for k, v in row.items()}
            for row in self.frame.to_dict(orient="records")
        ]
        self.ids = [str(i) for i in self.frame["customer_id"]]
        names = self.frame["name"] if "name" in self.frame else [None] * len(self.frame)
        self.names = [n if isinstance(n, str) else None for n in names]
        self._orders: dict[tuple[str, bool], list[int]] = {}

    @classmethod
    def read(cls, store: Store, run: int, scheme: str, segment: str) -> SegmentMembers:
        """Read every member of a segment with the values a member page shows."""
        frame = _member_rows(store, run, scheme, segment, None, "customer_id", False, None)
        return cls(frame.drop(columns="_count"))

    def order(self, sort: str, descending: bool) -> list[int]:
        """Return the row positions sorted as the SQL sorts (NULLS LAST, ties by customer id)."""
        key = (sort, descending)
        if key not in self._orders:  # a race computes the same list twice: harmless
            if sort == "customer_id":
                ordered = self.frame.sort_values(
                    "customer_id", ascending=not descending, kind="stable"
                )
            else:
                ordered = self.frame.sort_values(
                    [sort, "customer_id"],
                    ascending=[not descending, True],
                    na_position="last",
                    kind="stable",
                )
            self._orders[key] = [int(i) for i in ordered.index]
        return self._orders[key]


def _like(pattern: str) -> re.Pattern[str]:
    """Return the regex of an ILIKE pattern (% any text, _ one character, case-insensitive)."""
    parts = (".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _matches(like: re.Pattern[str], text: str | None) -> bool:
    """Return True when a text is there and matches (NULL ILIKE anything is not true in SQL)."""
    return text is not None and like.fullmatch(text) is not None


def members_page(
    members: SegmentMembers,
    *,
    run: int,
    scheme: str,
    segment: str,
    q: str | None,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """Return what `browse.segment_members` returns, filtered, sorted and paged in memory."""
    if sort not in MEMBER_SORTS:
        raise InputError(f"sort: unknown column {sort!r}; allowed: {', '.join(MEMBER_SORTS)}")
    order = members.order(sort, descending)
    if q and q.strip():
        like = _like(f"%{q.strip()}%")
        ids, names = members.ids, members.names
        order = [i for i in order if like.fullmatch(ids[i]) or _matches(like, names[i])]
    data = [dict(members.rows[i]) for i in order[offset : offset + limit]]
    return {"run_id": run, "scheme": scheme, "segment": segment, "data": data, "count": len(order)}
