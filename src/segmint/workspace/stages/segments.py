"""Run stage `segments`: every scheme and tag assigned, and the run's snapshot stored."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from segmint.engine import duckdb_backend
from segmint.i18n import t
from segmint.run_context import RunContext


def assign_segments(ctx: RunContext) -> None:
    """Assign every scheme and tag of the config, then store the run's snapshot."""
    ctx.segments, ctx.tags = _schemes_and_tags(ctx)
    ctx.store.save_snapshot(
        ctx.run_id, segments=ctx.segments, values=_snapshot_values(ctx.customers)
    )


def _schemes_and_tags(ctx: RunContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    from segmint.segments.scheme_config import scheme_from_config, tag_from_config
    from segmint.segments.schemes import assign_scheme, assign_tags
    from segmint.workspace.validate import SCORE_COLUMNS

    config, customers = ctx.config, ctx.customers
    features = duckdb_backend().create_table("features", _typed_for_engine(customers))
    frames = []
    for scheme_config in config.schemes:
        scheme = scheme_from_config(scheme_config)
        missing_scores = sorted((scheme.features() - set(customers.columns)) & set(SCORE_COLUMNS))
        if missing_scores:
            # A score an optional step did not produce (see the notes): skip, don't fail the run.
            ctx.notes.append(
                t(
                    "note.scheme_skipped_scores",
                    ctx.language,
                    scheme=scheme.name,
                    scores=", ".join(missing_scores),
                )
            )
            continue
        frames.append(assign_scheme(features, scheme, as_of=ctx.as_of).to_pandas())
    if "tier" in customers.columns:
        frames.append(_column_scheme(customers, "tier", "tier_name"))
    segments = pd.concat(frames, ignore_index=True) if frames else ctx.segments
    tags = (
        assign_tags(
            features, [tag_from_config(t) for t in config.tags], as_of=ctx.as_of
        ).to_pandas()
        if config.tags
        else ctx.tags
    )
    if len(tags):
        tag_rows = tags.assign(scheme="tag:" + tags["tag"], segment=tags["tag"], rule="tag")
        segments = pd.concat(
            [segments, tag_rows[["customer_id", "scheme", "segment", "rule", "reason"]]],
            ignore_index=True,
        )
    return segments, tags


def _typed_for_engine(customers: pd.DataFrame) -> pd.DataFrame:
    """Give entirely empty object columns a type (DuckDB cannot create a column typed NULL).

    The timing dates are empty when nobody has a forecast yet (e.g. one purchase each); they stay
    dates so that a rule comparing them with a date still type-checks. Other empty columns (e.g.
    clv_note when every fit went well) get the text type they would have had.
    """
    from segmint.analysis.timing_stage import TIMING_COLUMNS

    empty = [
        c for c in customers.columns if customers[c].dtype == object and customers[c].isna().all()
    ]
    if not empty:
        return customers
    typed = customers.copy()
    for column in empty:
        if TIMING_COLUMNS.get(column) == "date":
            typed[column] = pd.Series(typed[column], dtype=pd.ArrowDtype(pa.date32()))
        else:
            typed[column] = typed[column].astype("string")
    return typed


def _column_scheme(customers: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "scheme": "tier",
            "segment": customers[column].astype("string"),
            "rule": "capacity-aware ranking by value",
            "reason": customers[label].astype("string") if label in customers else "",
        }
    )


def _snapshot_values(customers: pd.DataFrame) -> pd.DataFrame:
    values = customers.copy()
    for column in values.columns:
        if pd.api.types.is_datetime64_any_dtype(values[column]):
            values[column] = values[column].dt.strftime("%Y-%m-%d %H:%M:%S")
    return values
