"""Persona cards and five-criteria validation for the schemes of a workspace's latest run."""

from __future__ import annotations

from typing import Any

import pandas as pd

from segmint.activation.playbook_config import playbooks_by_segment
from segmint.config import SegmintConfig
from segmint.errors import InputError
from segmint.store import Store

# KPIs compared between a segment and the rest when present (distinctness beyond the rule inputs).
KEY_KPIS = (
    "mrr", "revenue_365d", "total_amount", "health_score", "churn_probability", "clv_365d",
    "active_days_30d", "tickets_90d",
)  # fmt: skip
# Columns that are outputs, ids or text, never traits of a persona.
_NOT_TRAITS = ("customer_id", "name", "email", "domain", "phone", "owner", "technologies")


VALUE_COLUMNS = ("mrr", "total_amount", "revenue_365d")


def value_column(frame: pd.DataFrame) -> str | None:
    """Return the column that best measures a customer's value (MRR, else revenue)."""
    return next((c for c in VALUE_COLUMNS if c in frame.columns), None)


def with_scheme_columns(values: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Return `values` with one `segment__<scheme>` column per scheme in `segments`."""
    wide = segments.pivot(index="customer_id", columns="scheme", values="segment")
    wide.columns = [f"segment__{c}" for c in wide.columns]
    return values.merge(wide.reset_index(), on="customer_id", how="left")


def latest_scheme_frame(
    store: Store, scheme: str | None = None, *, run: int | None = None
) -> tuple[int, pd.DataFrame]:
    """Return the run id (`run`, default the newest as_of) and its values with one
    `segment__<scheme>` column per scheme."""
    run_id, _ = store.snapshot_run(run)
    values = store.snapshot_values(run_id)
    segments = store.snapshot_segments(run_id)
    segments = segments[~segments["scheme"].str.startswith("tag:")]
    schemes = list(dict.fromkeys(segments["scheme"]))
    if scheme is not None and scheme not in schemes:
        raise InputError(
            f"unknown scheme {scheme!r}; schemes in run {run_id}: {', '.join(schemes)}"
        )
    return run_id, with_scheme_columns(values, segments)


def _schemes(frame: pd.DataFrame, scheme: str | None) -> list[str]:
    names = [c.removeprefix("segment__") for c in frame.columns if c.startswith("segment__")]
    return [scheme] if scheme else names


def _defining_features(config: SegmintConfig, scheme: str, frame: pd.DataFrame) -> list[str]:
    from segmint.segments.rules import rule_features
    from segmint.segments.scheme_config import scheme_from_config

    for cfg in config.schemes:
        if cfg.name == scheme:
            built = scheme_from_config(cfg)
            used: set[str] = set()
            for rule in built.rules:
                used |= rule_features(rule.when)
            return sorted(c for c in used if c in frame.columns)
    if scheme == "tier" and config.tiers is not None:
        value = config.tiers.value
        columns = [value] if isinstance(value, str) else list(value)
        return [c for c in columns if c in frame.columns]
    return []


def validate_workspace_segments(
    config: SegmintConfig, store: Store, *, scheme: str | None = None, run: int | None = None
) -> list[dict[str, Any]]:
    """Return, per scheme, the five-criteria validation of its segments in run `run` (JSON-ready)."""
    from segmint.segments.validation import validate_segments, validation_to_json

    run_id, frame = latest_scheme_frame(store, scheme, run=run)
    _, as_of = store.snapshot_run(run_id)
    playbooks = playbooks_by_segment(config.playbooks)
    out = []
    for name in _schemes(frame, scheme):
        features = _defining_features(config, name, frame)
        kpis = [k for k in KEY_KPIS if k in frame.columns and k not in features]
        table = validate_segments(
            frame,
            segment_col=f"segment__{name}",
            features=features or kpis[:1],
            key_kpis=kpis,
            value_col=value_column(frame),
            playbooks=playbooks,
        )
        out.append(
            {
                "run_id": run_id,
                "as_of": as_of.date().isoformat(),
                **validation_to_json(table, scheme=name),
            }
        )
    return out


def workspace_personas(
    config: SegmintConfig,
    store: Store,
    *,
    scheme: str | None = None,
    lang: str = "en",
    run: int | None = None,
) -> dict[str, list[Any]]:
    """Return persona cards for every segment of each scheme (or one) of run `run` (default newest)."""

    _, frame = latest_scheme_frame(store, scheme, run=run)
    return scheme_personas(frame, _schemes(frame, scheme), config=config, lang=lang)


def scheme_personas(
    frame: pd.DataFrame, schemes: list[str], *, config: SegmintConfig, lang: str = "en"
) -> dict[str, list[Any]]:
    """Return persona cards per scheme for a frame holding `segment__<scheme>` columns."""
    from segmint.segments.personas import persona_cards

    playbooks = playbooks_by_segment(config.playbooks)
    traits = [
        c
        for c in frame.columns
        if c not in _NOT_TRAITS
        and not c.startswith(("segment__", "icp_", "health_", "churn_driver", "rec_", "tier"))
        and c not in ("missing_measures", "missing_attributes", "rfm_score", "created_at")
    ]
    cards: dict[str, list[Any]] = {}
    for name in schemes:
        cards[name] = persona_cards(
            frame,
            segment_col=f"segment__{name}",
            value_col=value_column(frame),
            features=traits,
            playbooks=playbooks,
            lang=lang,
        )
    return cards
