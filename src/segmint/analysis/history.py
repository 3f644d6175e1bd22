"""Workspace history: segment changes of a run, migration between runs, sizes and KPIs over time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from segmint.analysis.changes import change_summary, changes_between
from segmint.analysis.migration import snapshot_migration
from segmint.analysis.workspace import resolve_run, resolve_scheme, run_kpis, run_schemes
from segmint.config import SegmintConfig
from segmint.errors import InputError
from segmint.store import Store, describe_runs


def workspace_changes(
    store: Store,
    *,
    scheme: str | None = None,
    run_id: int | None = None,
    segment: str | None = None,
    config: SegmintConfig | None = None,
) -> dict[str, Any]:
    """Return who entered and left the segments of a scheme at a run (default: the newest).

    The run is compared with the newest snapshot of an earlier as_of (the `segment_changes`
    table holds the same rows for every run). `segment` keeps the rows entering or leaving it.
    """
    run, as_of = resolve_run(store, run_id)
    name = resolve_scheme(store, run, scheme, config)
    previous = store.previous_snapshot_run(as_of)
    if previous is None:
        changes = pd.DataFrame(columns=["scheme", "customer_id", "from_segment", "to_segment"])
        previous_as_of = None
    else:
        changes = changes_between(store, previous, run)
        changes = changes[changes["scheme"] == name]
        previous_as_of = _as_of(store, previous)
    if segment is not None:
        known = _segments_of(store, [r for r in (previous, run) if r is not None], name)
        if segment not in known:
            raise InputError(
                f"--segment: unknown segment {segment!r} in scheme {name!r}; "
                f"segments: {', '.join(known) or '(none)'}"
            )
        changes = changes[(changes["from_segment"] == segment) | (changes["to_segment"] == segment)]
    return {
        "scheme": name,
        "run_id": run,
        "as_of": as_of.isoformat(),
        "previous_run": previous,
        "previous_as_of": previous_as_of,
        "summary": change_summary(changes),
        "changes": [
            {"customer_id": str(c), "from_segment": _text(f), "to_segment": _text(t)}
            for c, f, t in zip(
                changes["customer_id"], changes["from_segment"], changes["to_segment"], strict=True
            )
        ],
    }


def workspace_migration(
    store: Store,
    *,
    scheme: str | None = None,
    from_run: int | None = None,
    to_run: int | None = None,
    config: SegmintConfig | None = None,
) -> dict[str, Any]:
    """Return the transition matrix of a scheme between two runs (default: the two newest)."""
    later, earlier = migration_runs(store, from_run=from_run, to_run=to_run)
    name = resolve_scheme(store, later, scheme, config)
    if name not in run_schemes(store, earlier):
        raise InputError(
            f"--scheme: run {earlier} has no scheme {name!r}; its schemes: "
            f"{', '.join(run_schemes(store, earlier))}"
        )
    return snapshot_migration(store, name, from_run=earlier, to_run=later)


def migration_runs(store: Store, *, from_run: int | None, to_run: int | None) -> tuple[int, int]:
    """Return (later run, earlier run) for a migration; InputError when they cannot be compared."""
    runs = store.snapshot_runs()
    if to_run is None and from_run is None and len(runs) < 2:
        raise InputError(
            "migration compares two runs but the workspace has "
            f"{len(runs)}: {describe_runs(runs) or '(none)'}; run `segmint run --as-of` or "
            "`segmint backfill` for another date"
        )
    later, later_as_of = store.snapshot_run(to_run) if to_run is not None else store.snapshot_run()
    if from_run is None:
        earlier_run = store.previous_snapshot_run(later_as_of)
        if earlier_run is None:
            raise InputError(
                f"run {later} (as of {later_as_of:%Y-%m-%d}) is the earliest snapshot; "
                f"runs: {describe_runs(runs)}"
            )
        from_run = earlier_run
    earlier, earlier_as_of = store.snapshot_run(from_run)
    if earlier_as_of > later_as_of:
        raise InputError(
            f"--from run {earlier} (as of {earlier_as_of:%Y-%m-%d}) is after --to run {later} "
            f"(as of {later_as_of:%Y-%m-%d}); swap them"
        )
    return later, earlier


def workspace_history(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    scheme: str | None = None,
    with_kpis: bool = True,
    window_days: int | None = None,
    tables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a scheme's segment sizes (and KPIs) at every stored run, oldest as_of first."""
    from segmint.analysis.workspace import kpi_options, options_key
    from segmint.workspace_data import engine_tables

    runs = store.dated_snapshot_runs().iloc[::-1]
    if runs.empty:
        raise InputError("the workspace has no runs with segments yet; run `segmint run` first")
    newest = int(runs["run_id"].iloc[-1])
    name = resolve_scheme(store, newest, scheme, config) if scheme is None else scheme
    known = sorted({s for r in runs["run_id"] for s in run_schemes(store, int(r))})
    if name not in known:
        raise InputError(f"--scheme: unknown scheme {name!r}; schemes: {', '.join(known)}")
    key = options_key(kpi_options(config, window_days), config.seed)
    entries = []
    for run_id, as_of in zip(runs["run_id"], runs["as_of"], strict=True):
        run = int(run_id)
        if name not in run_schemes(store, run):
            continue
        stamp = pd.Timestamp(as_of).to_pydatetime()
        entry: dict[str, Any] = {"run_id": run, "as_of": stamp.isoformat()}
        if with_kpis:
            # The KPIs the run stored with these options, else computed now (older runs).
            kpis = store.run_kpis(run, name, options=key)
            entry["kpis_source"] = "stored" if kpis is not None else "recomputed"
            if kpis is None:
                tables = tables if tables is not None else engine_tables(config, store, root)
                kpis = run_kpis(config, store, tables, run_id=run, as_of=stamp, schemes=[name],
                                window_days=window_days)[name]  # fmt: skip
            entry["customers"] = kpis["population"]["customers"]
            entry["segments"] = kpis["segments"]
            entry["population"] = kpis["population"]
        else:
            entry.update(_sizes(store, run, name))
        entries.append(entry)
    return {
        "scheme": name,
        "window_days": kpi_options(config, window_days).window_days if with_kpis else None,
        "runs": entries,
    }


def _sizes(store: Store, run_id: int, scheme: str) -> dict[str, Any]:
    population = store.con.execute(
        "SELECT count(DISTINCT customer_id) FROM snapshot_values WHERE run_id = ?", [run_id]
    ).fetchone()
    sizes = store.frame(
        "SELECT segment, count(*) AS customers FROM snapshot_segments "
        "WHERE run_id = ? AND scheme = ? GROUP BY segment ORDER BY customers DESC, segment",
        [run_id, scheme],
    )
    total = int(population[0]) if population and population[0] else int(sizes["customers"].sum())
    return {
        "customers": total,
        "segments": [
            {"segment": str(s), "customers": int(n), "share": int(n) / total if total else None}
            for s, n in zip(sizes["segment"], sizes["customers"], strict=True)
        ],
    }


def _segments_of(store: Store, run_ids: list[int], scheme: str) -> list[str]:
    frame = store.frame(
        "SELECT DISTINCT segment FROM snapshot_segments WHERE scheme = ? AND list_contains(?, run_id) "
        "ORDER BY segment",
        [scheme, run_ids],
    )
    return [str(s) for s in frame["segment"] if s is not None]


def _as_of(store: Store, run_id: int) -> str:
    row = store.con.execute("SELECT as_of FROM runs WHERE run_id = ?", [run_id]).fetchone()
    return pd.Timestamp(row[0]).isoformat() if row and row[0] is not None else ""


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)
