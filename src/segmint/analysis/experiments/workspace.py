"""Experiments in a workspace: assign customers of a segment, list experiments, analyse one."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.analysis.experiments.analysis import AnalysisOptions
from segmint.analysis.experiments.assignment import Variants, assign_variants, parse_variants
from segmint.analysis.experiments.metrics import check_metric, metric_kind, metric_table
from segmint.analysis.experiments.units import analyze, experiment_units, measurement_window
from segmint.config import SegmintConfig
from segmint.errors import InputError
from segmint.safe_output import write_csv
from segmint.store import Store
from segmint.workspace_data import default_run_as_of, engine_tables

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
ASSIGNMENT_COLUMNS = ["customer_id", "experiment", "variant", "assigned_at", "scheme", "segment"]


def check_experiment_name(name: str) -> str:
    """Return the name if it is usable (letters, digits, _ . -; up to 63), else raise InputError."""
    if not _NAME.match(name or ""):
        raise InputError(
            f"experiment name {name!r} must start with a letter or digit and use only letters, "
            "digits, _ . and - (max 63)"
        )
    return name


def _population(
    store: Store, run_id: int, *, scheme: str | None, segment: str | None, tag: str | None
) -> tuple[pd.DataFrame, str]:
    """Return the customers to assign (customer_id) and a description of who they are."""
    labels = store.snapshot_segments(run_id)
    schemes = sorted(set(labels["scheme"].astype(str)))
    if segment is not None and scheme is None:
        raise InputError("--segment needs --scheme: the scheme the segment belongs to")
    if tag is not None and scheme is not None:
        raise InputError("--tag and --scheme are alternatives: give one")
    if tag is not None:
        members = labels[labels["scheme"] == f"tag:{tag}"]
        if members.empty:
            tags = [s[4:] for s in schemes if s.startswith("tag:")]
            raise InputError(
                f"--tag: no customer has tag {tag!r} in run {run_id}; tags: {', '.join(tags) or 'none'}"
            )
        return members[["customer_id"]].drop_duplicates(), f"tag:{tag}"
    everyone = labels[["customer_id"]].drop_duplicates()
    if scheme is None:
        return everyone, "all"
    in_scheme = labels[labels["scheme"] == scheme]
    if in_scheme.empty:
        raise InputError(
            f"--scheme: unknown scheme {scheme!r} in run {run_id}; schemes: "
            + ", ".join(s for s in schemes if not s.startswith("tag:"))
        )
    if segment is None:
        return everyone, "all"
    members = in_scheme[in_scheme["segment"].astype(str) == segment]
    if members.empty:
        found = sorted(set(in_scheme["segment"].astype(str)))
        raise InputError(
            f"--segment: no customer is in {segment!r} of {scheme} in run {run_id}; segments: "
            + ", ".join(found)
        )
    return members[["customer_id"]], f"{scheme}={segment}"


def assign_experiment(
    root: Path,
    store: Store,
    name: str,
    *,
    variants: str,
    assigned_at: datetime,
    scheme: str | None = None,
    segment: str | None = None,
    tag: str | None = None,
    stratify: str | None = None,
    metric: str = "conversion",
    output: Path | None = None,
) -> dict[str, Any]:
    """Assign the customers of a segment (or tag, or everyone) to variants; return the summary.

    Customers already assigned keep their variant; new ones (added by later runs) are assigned
    the same way. Weights cannot change once an experiment has assignments.
    """
    check_experiment_name(name)
    metric = check_metric(metric)
    wanted = parse_variants(variants)
    run_id, _as_of = store.snapshot_run()
    population, described = _population(store, run_id, scheme=scheme, segment=segment, tag=tag)
    existing_def = store.experiment(name)
    existing = store.assignments(name)
    if existing_def is not None:
        _check_same_definition(name, existing_def, wanted, described, stratify is not None)
    split_by = stratify or scheme
    population = population.copy()
    if split_by is not None:
        labels = store.snapshot_segments(run_id)
        labels = labels[labels["scheme"] == split_by][["customer_id", "segment"]]
        if labels.empty:
            raise InputError(f"--stratify: unknown scheme {split_by!r} in run {run_id}")
        population = population.merge(labels, on="customer_id", how="left")
    else:
        population["segment"] = None
    fresh = assign_variants(
        name, population, wanted, existing=existing, stratify=stratify is not None
    )
    fresh["assigned_at"] = assigned_at
    fresh["scheme"] = split_by
    definition = {
        "variants": wanted.spec(),
        "population": described,
        "scheme": split_by,
        "stratified": stratify is not None,
        "metric": metric,
        "created_at": assigned_at,
    }
    store.add_assignments(name, definition=definition, rows=fresh)
    everyone = store.assignments(name)
    path = output or root / "experiments" / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(everyone.assign(experiment=name)[ASSIGNMENT_COLUMNS], path)
    counts = everyone["variant"].value_counts()
    return {
        "experiment": name,
        "variants": dict(zip(wanted.names, wanted.weights, strict=True)),
        "population": described,
        "scheme": split_by,
        "stratified": stratify is not None,
        "metric": str((existing_def or definition).get("metric") or metric),
        "run_id": run_id,
        "assigned_new": len(fresh),
        "users": len(everyone),
        "users_per_variant": {v: int(counts.get(v, 0)) for v in wanted.names},
        "file": str(path),
    }


def _check_same_definition(
    name: str, stored: dict[str, Any], wanted: Variants, population: str, stratified: bool
) -> None:
    before = parse_variants(str(stored["variants"]))
    if before.names != wanted.names or any(
        abs(a - b) > 1e-9 for a, b in zip(before.weights, wanted.weights, strict=True)
    ):
        raise InputError(
            f"experiment {name!r} already has assignments with --variants {before.spec()}; "
            "changing the weights would move customers between variants and bias the result. "
            "Keep the weights, or start a new experiment under another name"
        )
    if stored["population"] != population or bool(stored["stratified"]) != stratified:
        raise InputError(
            f"experiment {name!r} was assigned from {stored['population']}"
            f"{' (stratified)' if stored['stratified'] else ''}; re-run it with the same "
            "--scheme/--segment/--tag/--stratify, or start a new experiment"
        )


def list_experiments(store: Store) -> dict[str, Any]:
    """Return every experiment: variants and weights, population, users, when it started."""
    frame = store.experiments()
    items = []
    for row in frame.to_dict(orient="records"):
        variants = parse_variants(str(row["variants"]))
        items.append(
            {
                "experiment": row["experiment"],
                "variants": dict(zip(variants.names, variants.weights, strict=True)),
                "population": row["population"],
                "scheme": row["scheme"],
                "stratified": bool(row["stratified"]),
                "metric": row["metric"],
                "users": int(row["users"]),
                "first_assigned_at": _iso(row["first_assigned_at"]),
                "last_assigned_at": _iso(row["last_assigned_at"]),
            }
        )
    return {"experiments": items, "count": len(items)}


def _iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def analyze_experiment(
    root: Path,
    config: SegmintConfig,
    store: Store,
    name: str,
    *,
    metric: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    pre_start: datetime | None = None,
    scheme: str | None = None,
    options: AnalysisOptions | None = None,
    tables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the results of a workspace experiment over [start, end) (default: since assignment).

    The metric defaults to the one recorded when the experiment was assigned.

    The metric and its CUPED pre-period come from the workspace's transactions (or events for
    an event metric). Segments are those at assignment; another --scheme takes the newest run's.
    """
    stored = store.experiment(name)
    if stored is None:
        known = [str(e) for e in store.experiments()["experiment"]]
        raise InputError(
            f"no experiment {name!r} in this workspace; experiments: {', '.join(known) or 'none'}"
            " (create one with `segmint experiment assign`)"
        )
    metric = check_metric(metric or str(stored.get("metric") or "conversion"))
    assignments = store.assignments(name)
    notes: list[dict[str, Any]] = []
    if scheme is not None and scheme != stored["scheme"]:
        run_id, _as_of = store.snapshot_run()
        labels = store.snapshot_segments(run_id)
        labels = labels[labels["scheme"] == scheme][["customer_id", "segment"]]
        if labels.empty:
            raise InputError(f"--scheme: unknown scheme {scheme!r} in run {run_id}")
        assignments = assignments.drop(columns="segment").merge(
            labels, on="customer_id", how="left"
        )
        notes.append(
            {
                "code": "segments_after_assignment",
                "message": f"segments of {scheme} are from run {run_id}, not from the time of "
                "assignment: a variant that moves customers between segments biases them",
                "scheme": scheme,
                "run": run_id,
            }
        )
    first = pd.Timestamp(assignments["assigned_at"].min()).to_pydatetime()
    window = measurement_window(start or first, end or default_run_as_of(store), pre_start)
    table_name = metric_table(metric)
    tables = tables if tables is not None else engine_tables(config, store, root)
    if table_name not in tables:
        raise InputError(
            f"--metric {metric}: the workspace has no {table_name} table to measure it from"
        )
    units, _outside = experiment_units(assignments, tables[table_name], metric, window)
    base = options or AnalysisOptions()
    weights = parse_variants(str(stored["variants"]))
    chosen = dataclasses.replace(
        base,
        kind=metric_kind(metric),
        weights=dict(zip(weights.names, weights.weights, strict=True)),
    )
    # Customers outside the experiment buy too: in a workspace that is expected, not a warning.
    return analyze(name, metric, units, chosen, window, notes=notes)
