"""Workspace entry points of the analysis: which run, which scheme, which window; then the numbers."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.analysis.kpi_inputs import KPIOptions
from segmint.analysis.kpis import VALUE_COLUMNS, kpi_inputs, scheme_kpis
from segmint.config import SegmintConfig
from segmint.errors import InputError
from segmint.store import Store

_WINDOW = re.compile(r"^\s*(\d+)\s*(d|w|days?|weeks?)?\s*$", re.IGNORECASE)
# Predicted CLV a run may have stored: purchase-process CLV (clv_<days>d) or contractual CLV.
_CLV_NAME = re.compile(r"^clv_\d+d$")


def parse_window(text: str) -> int:
    """Return the days of a window written like 90d, 12w or 90; raise InputError otherwise."""
    match = _WINDOW.match(text or "")
    if not match or int(match.group(1)) < 1:
        raise InputError(
            f"--window: expected a number of days or weeks like 90d or 12w, got {text!r}"
        )
    days = int(match.group(1))
    unit = (match.group(2) or "d").lower()
    return days * 7 if unit.startswith("w") else days


def snapshot_runs(store: Store) -> pd.DataFrame:
    """Return run_id and as_of of every run that stored a snapshot, oldest first."""
    return store.frame(
        "SELECT run_id, as_of FROM runs "
        "WHERE run_id IN (SELECT DISTINCT run_id FROM snapshot_segments) ORDER BY run_id"
    )


def resolve_run(store: Store, run_id: int | None) -> tuple[int, datetime]:
    """Return (run id, as_of) of the requested run, or of the latest; InputError lists the runs."""
    runs = snapshot_runs(store)
    if runs.empty:
        raise InputError("the workspace has no runs with segments yet; run `segmint run` first")
    records: list[dict[Any, Any]] = runs.to_dict(orient="records")
    if run_id is None:
        row = records[-1]
    else:
        matches = [r for r in records if int(r["run_id"]) == run_id]
        if not matches:
            listed = ", ".join(
                f"{int(r['run_id'])} ({pd.Timestamp(r['as_of']):%Y-%m-%d})" for r in records
            )
            raise InputError(f"--run: no run {run_id} with segments; runs: {listed}")
        row = matches[0]
    return int(row["run_id"]), pd.Timestamp(row["as_of"]).to_pydatetime()


def run_schemes(store: Store, run_id: int) -> list[str]:
    """Return the schemes (and `tag:` schemes) stored by a run, in a stable order."""
    rows = store.frame(
        "SELECT DISTINCT scheme FROM snapshot_segments WHERE run_id = ? ORDER BY scheme", [run_id]
    )
    names = [str(s) for s in rows["scheme"]]
    return sorted(names, key=lambda s: (s.startswith("tag:"), s))


def resolve_scheme(
    store: Store, run_id: int, scheme: str | None, config: SegmintConfig | None = None
) -> str:
    """Return the scheme to analyse (default: the first configured one in the run)."""
    available = run_schemes(store, run_id)
    if not available:
        raise InputError(f"run {run_id} stored no segments")
    if scheme is None:
        configured = [s.name for s in config.schemes] if config is not None else []
        return next((s for s in configured if s in available), available[0])
    if scheme not in available:
        raise InputError(
            f"--scheme: unknown scheme {scheme!r} in run {run_id}; schemes: {', '.join(available)}"
        )
    return scheme


def configured_segments(config: SegmintConfig | None, scheme: str) -> list[str]:
    """Return the segment names a rule scheme can assign (empty for templates and tags)."""
    if config is None:
        return []
    for s in config.schemes:
        if s.name == scheme and s.rules:
            names = [r.segment for r in s.rules] + ([s.default] if s.default else [])
            return list(dict.fromkeys(names))
    return []


def run_population(store: Store, run_id: int) -> pd.DataFrame:
    """Return every customer of a run with the predicted CLV and health score it stored, if any."""
    frame = store.frame(
        "SELECT DISTINCT customer_id FROM snapshot_values WHERE run_id = ? "
        "UNION SELECT DISTINCT customer_id FROM snapshot_segments WHERE run_id = ?",
        [run_id, run_id],
    )
    names = store.frame(
        "SELECT DISTINCT name FROM snapshot_values WHERE run_id = ? AND value_num IS NOT NULL",
        [run_id],
    )["name"].tolist()
    clv = sorted(n for n in names if _CLV_NAME.match(str(n))) or (
        ["contractual_clv"] if "contractual_clv" in names else []
    )
    wanted = {"predicted_clv": clv[0] if clv else None}
    wanted["health_score"] = "health_score" if "health_score" in names else None
    for column, name in wanted.items():
        if name is None:
            continue
        values = store.frame(
            "SELECT customer_id, value_num AS value FROM snapshot_values "
            "WHERE run_id = ? AND name = ?",
            [run_id, name],
        ).rename(columns={"value": column})
        frame = frame.merge(values, on="customer_id", how="left")
    assert set(frame.columns) <= {"customer_id", *VALUE_COLUMNS}
    return frame


def scheme_labels(store: Store, run_id: int, scheme: str) -> pd.DataFrame:
    """Return customer_id, segment of one scheme (or tag:NAME) in a run."""
    labels = store.frame(
        "SELECT customer_id, segment FROM snapshot_segments WHERE run_id = ? AND scheme = ?",
        [run_id, scheme],
    )
    if labels["customer_id"].duplicated().any():
        raise InputError(f"run {run_id} assigns some customers twice in {scheme!r}")
    return labels


def segment_order(labels: pd.DataFrame, config: SegmintConfig | None, scheme: str) -> list[str]:
    """Return the segments found (largest first), then configured segments nobody is in."""
    counts = labels["segment"].dropna().astype(str).value_counts()
    order = sorted(counts.index, key=lambda s: (-int(counts[s]), s))
    return order + [s for s in configured_segments(config, scheme) if s not in order]


def kpi_options(config: SegmintConfig, window_days: int | None = None) -> KPIOptions:
    """Return the KPI options of a workspace (the window may be overridden)."""
    k = config.kpis
    return KPIOptions(
        window_days=window_days or k.window_days,
        conversion_goal=k.conversion_goal,
        activation_event=k.activation_event,
        activation_days=k.activation_days,
    )


def run_kpis(
    config: SegmintConfig,
    store: Store,
    tables: dict[str, Any],
    *,
    run_id: int,
    as_of: datetime,
    schemes: list[str],
    window_days: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Return the KPI payload of each scheme of a run; the per-customer inputs are computed once."""
    options = kpi_options(config, window_days)
    inputs = kpi_inputs(tables, run_population(store, run_id), as_of=as_of, options=options)
    out = {}
    for scheme in schemes:
        labels = scheme_labels(store, run_id, scheme)
        result = scheme_kpis(
            inputs,
            labels,
            as_of=as_of,
            options=options,
            segments=segment_order(labels, config, scheme),
            seed=config.seed,
        )
        out[scheme] = {
            "scheme": scheme,
            "run_id": run_id,
            "as_of": as_of.isoformat(),
            "window_days": options.window_days,
            "segments": result["segments"],
            "population": result["population"],
        }
    return out


def workspace_kpis(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    scheme: str | None = None,
    run_id: int | None = None,
    window_days: int | None = None,
    tables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the KPIs of every segment of a scheme in a run (default: latest run, first scheme)."""
    from segmint.workspace_data import engine_tables

    run, as_of = resolve_run(store, run_id)
    name = resolve_scheme(store, run, scheme, config)
    tables = tables if tables is not None else engine_tables(config, store, root)
    return run_kpis(
        config, store, tables, run_id=run, as_of=as_of, schemes=[name], window_days=window_days
    )[name]


SEGMENT_AT: tuple[str, ...] = ("latest", "acquisition")


def cohort_segments(store: Store, scheme: str, *, at: str = "latest") -> pd.DataFrame:
    """Return customer_id, segment in `scheme`: from the latest run, or each customer's first run.

    `acquisition` takes, for each customer, the earliest snapshot (by as_of) that holds them in
    the scheme: the segment they had when they were first seen after acquisition.
    """
    if at not in SEGMENT_AT:
        raise InputError(f"--segment-at: unknown value {at!r}; allowed: {', '.join(SEGMENT_AT)}")
    run, _as_of = resolve_run(store, None)
    resolve_scheme(store, run, scheme)
    if at == "latest":
        return store.frame(
            "SELECT customer_id, segment FROM snapshot_segments WHERE run_id = ? AND scheme = ?",
            [run, scheme],
        )
    return store.frame(
        "SELECT s.customer_id, s.segment FROM snapshot_segments s JOIN runs r USING (run_id) "
        "WHERE s.scheme = ? QUALIFY row_number() OVER "
        "(PARTITION BY s.customer_id ORDER BY r.as_of, s.run_id) = 1",
        [scheme],
    )


def workspace_cohorts(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    by: str = "month",
    scheme: str | None = None,
    segment_at: str = "latest",
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """Return the acquisition cohorts of a workspace, optionally split by a scheme's segments."""
    from segmint.analysis.cohorts import check_period, cohort_matrix
    from segmint.workspace_data import default_run_as_of, engine_tables

    try:
        check_period(by)
    except ValueError as exc:
        raise InputError(f"--by: {exc}") from None
    segments = cohort_segments(store, scheme, at=segment_at) if scheme is not None else None
    cutoff = as_of or default_run_as_of(store)
    result = cohort_matrix(
        engine_tables(config, store, root), as_of=cutoff, by=by, segments=segments
    )
    if scheme is not None:
        result = {"by": result["by"], "scheme": scheme, "segment_at": segment_at} | {
            k: v for k, v in result.items() if k != "by"
        }
    return result
