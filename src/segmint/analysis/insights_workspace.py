"""Workspace entry points of the channels, behaviours and survival insights: config → options → payload."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from segmint.analysis.behaviours import BehaviourOptions, behaviours_analysis, hypothesis_analysis
from segmint.analysis.channels import ChannelOptions, channels_analysis
from segmint.analysis.survival import survival_analysis
from segmint.analysis.workspace import resolve_run, resolve_scheme, scheme_labels, segment_order
from segmint.config import SegmintConfig
from segmint.store import Store


def behaviour_options(
    config: SegmintConfig,
    *,
    outcome: str,
    first_days: int | None = None,
    horizon_days: int | None = None,
    adjust_for: list[str] | None = None,
) -> BehaviourOptions:
    """Return the behaviours options of a workspace; command-line values override the config."""
    b = config.behaviours
    return BehaviourOptions(
        outcome=outcome,
        first_days=first_days or b.first_days,
        horizon_days=horizon_days or b.horizon_days,
        min_doers=b.min_doers,
        adjust_for=list(adjust_for if adjust_for is not None else b.adjust_for),
        trim=b.trim,
        retention_activity_days=b.retention_activity_days,
    )


def _tables_and_as_of(
    root: Path, config: SegmintConfig, store: Store
) -> tuple[dict[str, Any], Any]:
    from segmint.workspace_data import default_run_as_of, engine_tables

    return engine_tables(config, store, root), default_run_as_of(store)


def workspace_behaviours(
    root: Path, config: SegmintConfig, store: Store, *, options: BehaviourOptions
) -> dict[str, Any]:
    """Return which first-days behaviours go with the outcome, as of the day after the newest data."""
    tables, as_of = _tables_and_as_of(root, config, store)
    return behaviours_analysis(tables, as_of=as_of, options=options)


def workspace_hypothesis(
    root: Path, config: SegmintConfig, store: Store, rule: str, *, options: BehaviourOptions
) -> dict[str, Any]:
    """Return the behaviours payload of one written hypothesis (rule language plus did())."""
    tables, as_of = _tables_and_as_of(root, config, store)
    return hypothesis_analysis(tables, rule, as_of=as_of, options=options)


def workspace_survival(
    root: Path, config: SegmintConfig, store: Store, *, attribute: str
) -> dict[str, Any]:
    """Return Kaplan–Meier retention of subscribers by a customer attribute."""
    tables, as_of = _tables_and_as_of(root, config, store)
    return survival_analysis(tables, as_of=as_of, attribute=attribute)


def workspace_channels(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    scheme: str | None = None,
    run_id: int | None = None,
    by: str = "channel",
    window_days: int | None = None,
) -> dict[str, Any]:
    """Return touch response per segment of a scheme × channel (or campaign) as of the run."""
    from segmint.workspace_data import engine_tables

    run, as_of = resolve_run(store, run_id)
    name = resolve_scheme(store, run, scheme, config)
    labels = scheme_labels(store, run, name)
    c = config.channels
    options = ChannelOptions(
        window_days=c.window_days if window_days is None else window_days,
        min_touches=c.min_touches,
        preferred_probability=c.preferred_probability,
        fatigue_days=c.fatigue_days,
    )
    payload = channels_analysis(
        engine_tables(config, store, root),
        labels,
        as_of=as_of,
        by=by,
        segments=segment_order(labels, config, name),
        options=options,
        seed=config.seed,
    )
    return {"scheme": name, "run_id": run, "as_of": as_of.isoformat()} | payload


def understand_payloads(
    config: SegmintConfig,
    store: Store,
    tables: dict[str, Any],
    *,
    run_id: int,
    as_of: datetime,
) -> dict[str, Any]:
    """Return the run report's Understand payloads: channels (first scheme) and behaviours.

    Each part is computed only when the workspace has its data: touches for channels; events and
    customers old enough for behaviours (churn when there are subscriptions, else retention).
    """
    out: dict[str, Any] = {}
    if "touches" in tables and store.has_table("snapshot_segments"):
        scheme = resolve_scheme(store, run_id, None, config)
        labels = scheme_labels(store, run_id, scheme)
        c = config.channels
        options = ChannelOptions(
            c.window_days, c.min_touches, c.preferred_probability, c.fatigue_days
        )
        payload = channels_analysis(
            tables, labels, as_of=as_of, by="channel",
            segments=segment_order(labels, config, scheme), options=options, seed=config.seed,
        )  # fmt: skip
        out["channels"] = {"scheme": scheme, "run_id": run_id} | payload
    if "events" in tables:
        outcome = "churned" if "subscriptions" in tables else "retained"
        options_b = behaviour_options(config, outcome=outcome)
        payload_b = behaviours_analysis(tables, as_of=as_of, options=options_b)
        if payload_b["population"]:
            out["behaviours"] = payload_b
    return out
