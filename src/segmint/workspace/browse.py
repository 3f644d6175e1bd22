"""What the dashboard and the REST API read: runs, scheme sizes, segment members, history, health.

Every function takes a Store and returns JSON-ready dicts and lists; the API returns them as they
are and the dashboard renders them, so the two always show the same numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from segmint.errors import InputError
from segmint.safe_output import csv_text
from segmint.store import Store

# The member columns a segment table shows: name in the snapshot → kind of value.
MEMBER_VALUES: dict[str, str] = {
    "name": "text",
    "health_score": "num",
    "churn_probability": "num",
    "mrr": "num",
    "revenue_365d": "num",
    "tier": "text",
}
MEMBER_SORTS: tuple[str, ...] = ("customer_id", *MEMBER_VALUES)
HEALTH_BANDS: tuple[str, ...] = ("red", "yellow", "green")


class NotFoundError(InputError):
    """A run, scheme, segment or customer the request names does not exist."""


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of a frame as plain dicts (column name → value)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _iso(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).isoformat()


def list_runs(store: Store) -> list[dict[str, Any]]:
    """Return every run (ingests and runs), newest first, with its status and customer count."""
    rows = store.frame(
        "SELECT run_id, kind, status, as_of, started_at, finished_at, message, "
        "try_cast(json_extract(counts, '$.customers') AS BIGINT) AS customers "
        "FROM runs ORDER BY run_id DESC"
    )
    return [
        {
            "run_id": int(r["run_id"]),
            "kind": str(r["kind"]),
            "status": str(r["status"]),
            "as_of": _iso(r["as_of"]),
            "started_at": _iso(r["started_at"]),
            "finished_at": _iso(r["finished_at"]),
            "customers": None if pd.isna(r["customers"]) else int(r["customers"]),
            "message": r["message"] or None,
        }
        for r in _records(rows)
    ]


def chosen_run(store: Store, run_id: int | None = None) -> tuple[int, datetime]:
    """Return (run id, as_of) of `run_id` or of the newest snapshot; NotFoundError otherwise."""
    try:
        return store.snapshot_run(run_id)
    except InputError as exc:
        raise NotFoundError(str(exc)) from None


def _sizes(store: Store, run_id: int) -> pd.DataFrame:
    return store.segment_sizes(run_id)


def scheme_overview(store: Store, run_id: int | None = None) -> dict[str, Any]:
    """Return every scheme of a run with segment sizes and shares, and changes since the run before."""
    run, as_of = chosen_run(store, run_id)
    previous = store.previous_snapshot_run(as_of)
    population = int(
        store.con.execute(
            "SELECT count(DISTINCT customer_id) FROM snapshot_segments WHERE run_id = ?", [run]
        ).fetchone()[0]  # type: ignore[index]
    )
    now = _sizes(store, run)
    before = _sizes(store, previous) if previous else now.iloc[0:0]
    merged = now.merge(
        before.rename(columns={"customers": "previous"}), on=["scheme", "segment"], how="outer"
    )
    schemes: list[dict[str, Any]] = []
    movements: list[dict[str, Any]] = []
    names = sorted(set(merged["scheme"]), key=lambda s: (s.startswith("tag:"), s))
    for scheme in names:
        group = merged[merged["scheme"] == scheme].fillna({"customers": 0})
        group = group.sort_values(["customers", "segment"], ascending=[False, True])
        segments = []
        for r in _records(group):
            customers = int(r["customers"])
            prior = None if previous is None or pd.isna(r["previous"]) else int(r["previous"])
            if previous is not None and prior is None:
                prior = 0
            row = {
                "segment": str(r["segment"]),
                "customers": customers,
                "share": customers / population if population else 0.0,
                "previous": prior,
                "change": None if prior is None else customers - prior,
            }
            segments.append(row)
            if row["change"]:
                movements.append({"scheme": scheme, **row})
        schemes.append(
            {
                "scheme": scheme,
                "is_tag": scheme.startswith("tag:"),
                "customers": int(group["customers"].sum()),
                "segments": segments,
            }
        )
    movements.sort(key=lambda m: (-abs(m["change"]), m["scheme"], m["segment"]))
    return {
        "run_id": run,
        "as_of": as_of.isoformat(),
        "previous_run_id": previous,
        "customers": population,
        "schemes": schemes,
        "movements": movements[:10],
    }


def scheme_summary(store: Store, scheme: str, run_id: int | None = None) -> dict[str, Any]:
    """Return one scheme of a run (sizes, changes) and its segment sizes in every earlier run."""
    overview = scheme_overview(store, run_id)
    match = [s for s in overview["schemes"] if s["scheme"] == scheme]
    if not match:
        known = ", ".join(s["scheme"] for s in overview["schemes"])
        raise NotFoundError(
            f"unknown scheme {scheme!r} in run {overview['run_id']}; schemes: {known}"
        )
    history = store.frame(
        "SELECT s.run_id, r.as_of, s.segment, count(*) AS customers FROM snapshot_segments s "
        "JOIN runs r USING (run_id) WHERE s.scheme = ? AND r.status <> 'failed' "
        "GROUP BY s.run_id, r.as_of, s.segment ORDER BY r.as_of, s.run_id, s.segment",
        [scheme],
    )
    return {
        "run_id": overview["run_id"],
        "as_of": overview["as_of"],
        "previous_run_id": overview["previous_run_id"],
        "population": overview["customers"],
        **match[0],
        "history": [
            {
                "run_id": int(r["run_id"]),
                "as_of": _iso(r["as_of"]),
                "segment": str(r["segment"]),
                "customers": int(r["customers"]),
            }
            for r in _records(history)
        ],
    }


def check_segment(store: Store, run_id: int, scheme: str, segment: str) -> int:
    """Return the size of a segment in a run; NotFoundError names the segments there are."""
    sizes = _sizes(store, run_id)
    in_scheme = sizes[sizes["scheme"] == scheme]
    if in_scheme.empty:
        raise NotFoundError(f"unknown scheme {scheme!r} in run {run_id}")
    match = in_scheme[in_scheme["segment"] == segment]
    if match.empty:
        known = ", ".join(sorted(in_scheme["segment"].astype(str)))
        raise NotFoundError(f"unknown segment {segment!r} in scheme {scheme!r}; segments: {known}")
    return int(match["customers"].iloc[0])


def _value_columns_sql() -> str:
    parts = []
    for name, kind in MEMBER_VALUES.items():
        column = "value_text" if kind == "text" else "value_num"
        # The names come from MEMBER_VALUES, a constant: nothing a request sends reaches the SQL.
        parts.append(f"max({column}) FILTER (WHERE name = '{name}') AS {name}")
    return ", ".join(parts)


def _member_names_sql() -> str:
    return ", ".join(f"'{name}'" for name in MEMBER_VALUES)


def segment_members(
    store: Store,
    scheme: str,
    segment: str,
    *,
    run_id: int | None = None,
    q: str | None = None,
    sort: str = "customer_id",
    descending: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Return one page of a segment's members as {"data": [...], "count": N} (N = all matches)."""
    if sort not in MEMBER_SORTS:
        raise InputError(f"sort: unknown column {sort!r}; allowed: {', '.join(MEMBER_SORTS)}")
    if not 1 <= limit <= 1000:
        raise InputError(f"limit: must be between 1 and 1000, got {limit}")
    if offset < 0:
        raise InputError(f"offset: must be 0 or more, got {offset}")
    run, _ = chosen_run(store, run_id)
    check_segment(store, run, scheme, segment)
    pattern = f"%{q.strip()}%" if q and q.strip() else None
    rows = _member_rows(store, run, scheme, segment, pattern, sort, descending, limit, offset)
    count = (
        int(rows["_count"].iloc[0])
        if len(rows)
        else _match_count(store, run, scheme, segment, pattern)
    )
    data = [
        {k: _json_value(v) for k, v in row.items() if k != "_count"}
        for row in rows.to_dict(orient="records")
    ]
    return {"run_id": run, "scheme": scheme, "segment": segment, "data": data, "count": count}


def _member_rows(
    store: Store,
    run: int,
    scheme: str,
    segment: str,
    pattern: str | None,
    sort: str,
    descending: bool,
    limit: int | None,
    offset: int = 0,
) -> pd.DataFrame:
    """Return the matching members with their shown values (all of them when limit is None)."""
    direction = "DESC" if descending else "ASC"
    # `sort` was checked against MEMBER_SORTS; the LIMIT of "all" is the largest BIGINT.
    return store.frame(
        f"WITH members AS (SELECT customer_id, rule, reason FROM snapshot_segments "
        f"WHERE run_id = ? AND scheme = ? AND segment = ?), "
        f"vals AS (SELECT customer_id, {_value_columns_sql()} FROM snapshot_values "
        f"WHERE run_id = ? AND name IN ({_member_names_sql()}) "
        f"AND customer_id IN (SELECT customer_id FROM members) "
        f"GROUP BY customer_id) "
        f"SELECT m.customer_id, v.* EXCLUDE (customer_id), m.rule, m.reason, "
        f"count(*) OVER () AS _count FROM members m LEFT JOIN vals v USING (customer_id) "
        f"WHERE ?::VARCHAR IS NULL OR m.customer_id ILIKE ? OR v.name ILIKE ? "
        f"ORDER BY {sort} {direction} NULLS LAST, m.customer_id LIMIT ? OFFSET ?",
        [run, scheme, segment, run, pattern, pattern, pattern, limit or 2**63 - 1, offset],
    )


def segment_members_csv(
    store: Store,
    scheme: str,
    segment: str,
    *,
    run_id: int | None = None,
    q: str | None = None,
    sort: str = "customer_id",
    descending: bool = False,
) -> str:
    """Return every (matching) member of a segment as CSV, safe to open in a spreadsheet."""
    if sort not in MEMBER_SORTS:
        raise InputError(f"sort: unknown column {sort!r}; allowed: {', '.join(MEMBER_SORTS)}")
    run, _ = chosen_run(store, run_id)
    check_segment(store, run, scheme, segment)
    pattern = f"%{q.strip()}%" if q and q.strip() else None
    rows = _member_rows(store, run, scheme, segment, pattern, sort, descending, None)
    return csv_text(rows.drop(columns="_count"))


def _match_count(store: Store, run: int, scheme: str, segment: str, pattern: str | None) -> int:
    """Count the matches when the page is empty (an offset past the end still knows the total)."""
    row = store.con.execute(
        "SELECT count(*) FROM snapshot_segments s WHERE run_id = ? AND scheme = ? AND segment = ? "
        "AND (?::VARCHAR IS NULL OR customer_id ILIKE ? OR EXISTS (SELECT 1 FROM snapshot_values v "
        "WHERE v.run_id = s.run_id AND v.customer_id = s.customer_id AND v.name = 'name' "
        "AND v.value_text ILIKE ?))",
        [run, scheme, segment, pattern, pattern, pattern],
    ).fetchone()
    return int(row[0]) if row else 0


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        return None if value != value else round(value, 4)
    if hasattr(value, "item"):
        return _json_value(value.item())
    return value


def search_customers(store: Store, q: str, *, limit: int = 20) -> dict[str, Any]:
    """Return customers of the newest run whose id, source id or name contains `q`."""
    text = (q or "").strip()
    if not text:
        raise InputError("q: type part of a customer id or name")
    if not 1 <= limit <= 200:
        raise InputError(f"limit: must be between 1 and 200, got {limit}")
    run, _ = chosen_run(store)
    pattern = f"%{text}%"
    rows = store.frame(
        "WITH found AS ("
        "  SELECT DISTINCT customer_id FROM identity_map WHERE customer_id ILIKE ? OR source_id ILIKE ?"
        "  UNION SELECT customer_id FROM snapshot_values WHERE run_id = ? AND name = 'name' "
        "  AND value_text ILIKE ?) "
        "SELECT f.customer_id, v.value_text AS name, count(*) OVER () AS _count FROM found f "
        "LEFT JOIN snapshot_values v ON v.run_id = ? AND v.customer_id = f.customer_id "
        "AND v.name = 'name' ORDER BY f.customer_id LIMIT ?",
        [pattern, pattern, run, pattern, run, limit],
    )
    return {
        "data": [
            {
                "customer_id": str(r["customer_id"]),
                "name": None if pd.isna(r["name"]) else str(r["name"]),
            }
            for r in _records(rows)
        ],
        "count": int(rows["_count"].iloc[0]) if len(rows) else 0,
    }


def customer_history(store: Store, customer_id: str) -> list[dict[str, Any]]:
    """Return the customer's segment in every scheme of every stored run, oldest run first."""
    rows = store.frame(
        "SELECT s.run_id, r.as_of, s.scheme, s.segment, s.reason FROM snapshot_segments s "
        "JOIN runs r USING (run_id) WHERE s.customer_id = ? AND r.status <> 'failed' "
        "ORDER BY r.as_of, s.run_id, s.scheme",
        [customer_id],
    )
    return [
        {
            "run_id": int(r["run_id"]),
            "as_of": _iso(r["as_of"]),
            "scheme": str(r["scheme"]),
            "segment": str(r["segment"]),
            "reason": None if pd.isna(r["reason"]) else str(r["reason"]),
        }
        for r in _records(rows)
    ]


def customer_detail(store: Store, any_id: str, *, run_id: int | None = None) -> dict[str, Any]:
    """Return a customer's profile (records, segments with reasons, values) and segment history."""
    from segmint.workspace.customer import customer_profile

    try:
        profile = customer_profile(store, any_id, run=run_id)
    except InputError as exc:
        raise NotFoundError(str(exc)) from None
    profile["history"] = customer_history(store, profile["customer_id"])
    return profile


def health_summary(store: Store, run_id: int | None = None) -> dict[str, Any]:
    """Return the health score distribution (10-point bins), band counts, and the trend per run."""
    run, as_of = chosen_run(store, run_id)
    scores = store.frame(
        "SELECT value_num AS score FROM snapshot_values WHERE run_id = ? AND name = 'health_score' "
        "AND value_num IS NOT NULL",
        [run],
    )["score"]
    if scores.empty:
        raise NotFoundError(
            f"run {run} stored no health score (configure `health:` in segmint.yaml)"
        )
    bins = [
        {
            "low": low,
            "high": low + 10,
            "customers": int(((scores >= low) & (scores < low + 10)).sum()),
        }
        for low in range(0, 100, 10)
    ]
    bins[-1]["customers"] += int((scores >= 100).sum())
    bands = store.frame(
        "SELECT value_text AS band, count(*) AS customers FROM snapshot_values "
        "WHERE run_id = ? AND name = 'health_band' GROUP BY value_text",
        [run],
    )
    trend = store.frame(
        "SELECT v.run_id, r.as_of, avg(v.value_num) AS mean, median(v.value_num) AS median, "
        "count(*) AS customers FROM snapshot_values v JOIN runs r USING (run_id) "
        "WHERE v.name = 'health_score' AND v.value_num IS NOT NULL AND r.status <> 'failed' "
        "GROUP BY v.run_id, r.as_of ORDER BY r.as_of, v.run_id"
    )
    counts = {str(b): int(n) for b, n in zip(bands["band"], bands["customers"], strict=True)}
    return {
        "run_id": run,
        "as_of": as_of.isoformat(),
        "customers": int(len(scores)),
        "mean": round(float(scores.mean()), 2),
        "median": round(float(scores.median()), 2),
        "bins": bins,
        "bands": [{"band": b, "customers": counts.get(b, 0)} for b in HEALTH_BANDS]
        + [{"band": b, "customers": n} for b, n in sorted(counts.items()) if b not in HEALTH_BANDS],
        "trend": [
            {
                "run_id": int(r["run_id"]),
                "as_of": _iso(r["as_of"]),
                "mean": round(float(r["mean"]), 2),
                "median": round(float(r["median"]), 2),
                "customers": int(r["customers"]),
            }
            for r in _records(trend)
        ],
    }


def check_scheme(store: Store, run_id: int, scheme: str) -> None:
    """Raise NotFoundError naming the schemes of the run when `scheme` is not one of them."""
    names = store.frame(
        "SELECT DISTINCT scheme FROM snapshot_segments WHERE run_id = ? ORDER BY scheme", [run_id]
    )["scheme"].tolist()
    if scheme not in names:
        raise NotFoundError(
            f"unknown scheme {scheme!r} in run {run_id}; schemes: {', '.join(names)}"
        )


def segment_detail(
    kpis: dict[str, Any], personas: list[Any], segment: str, *, size: int
) -> dict[str, Any]:
    """Return one segment: its size, its KPIs next to the population's, and its persona card."""
    row = next((s for s in kpis["segments"] if str(s.get("segment")) == segment), None)
    card = next((c for c in personas if c.segment == segment), None)
    return {
        "run_id": kpis["run_id"],
        "as_of": kpis["as_of"],
        "scheme": kpis["scheme"],
        "segment": segment,
        "customers": size,
        "share": row.get("share") if row else None,
        "window_days": kpis["window_days"],
        "kpis": row["kpis"] if row else {},
        "population_kpis": kpis["population"].get("kpis", {}),
        "persona": card.to_dict() if card is not None else None,
    }
