"""Run stage `churn`: a churn model trained on past cut-offs, scoring the customers still at risk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

import pandas as pd

from segmint.errors import InputError, ModelFitError, SegmintError
from segmint.i18n import t
from segmint.run_context import RunContext, RunPlanInputs
from segmint.store import Store
from segmint.workspace.stages.json_ready import json_ready

# Columns that identify or contact a person: never model inputs.
_NOT_MODEL_INPUTS = ("customer_id", "name", "email", "domain", "phone", "owner", "technologies")


def churn_needed(inputs: RunPlanInputs) -> bool:
    """Return whether the run trains a churn model (enabled, with subscriptions or purchases)."""
    return inputs.config.churn.enabled and bool(
        {"subscriptions", "transactions"} & set(inputs.tables)
    )


def model_inputs(features: pd.DataFrame) -> pd.DataFrame:
    """Return the feature columns a model may learn from (no ids, contact data or timestamps)."""
    drop = [c for c in features.columns if c in _NOT_MODEL_INPUTS]
    drop += [c for c in features.columns if pd.api.types.is_datetime64_any_dtype(features[c])]
    return features.drop(columns=drop)


def add_churn(ctx: RunContext) -> None:
    """Train on past cut-offs and add churn probability, risk band and drivers per customer."""
    from segmint.features import build_features
    from segmint.scores.churn import (
        ChurnModel,
        build_churn_training_set,
        churn_cutoffs,
        score_churn,
    )
    from segmint.scores.churn.training import LABEL_COLUMN

    config = ctx.config
    horizon = config.churn.horizon_days
    label_fn, label_kind = churn_label_fn(ctx.store)

    def feature_fn(cutoff: datetime) -> pd.DataFrame:
        frame = build_features(ctx.tables, as_of=cutoff).to_pandas()
        # `churned` (ended before the cut-off) is constant among customers still at risk.
        return model_inputs(frame.set_index("customer_id")).drop(
            columns=["churned"], errors="ignore"
        )

    cutoffs = churn_cutoffs(ctx.as_of, horizon_days=horizon, count=config.churn.cutoffs)
    try:
        training = build_churn_training_set(
            feature_fn, label_fn, cutoffs=cutoffs, horizon_days=horizon, data_end=ctx.as_of
        )
        model = ChurnModel(model=config.churn.model, random_state=config.seed)
        model.fit_time_split(training)
    except (ModelFitError, SegmintError, ValueError) as exc:
        ctx.notes.append(t("note.churn_not_trained", ctx.language, reason=exc))
        return
    ctx.diagnostics["churn"] = {
        "label": f"{label_kind} within {horizon} days",
        "cutoffs": [c.date().isoformat() for c in sorted(cutoffs)],
        "training_rows": len(training),
        "positive_rate": round(float(training[LABEL_COLUMN].mean()), 4),
        "validation": json_ready(model.metrics_),
    }
    current = label_fn(ctx.as_of - timedelta(days=1), ctx.as_of).index  # still at risk
    customers = ctx.customers
    at_risk = customers[customers["customer_id"].astype(str).isin(set(current))]
    if at_risk.empty:
        return
    inputs = model_inputs(at_risk.set_index("customer_id")).drop(
        columns=["churned"], errors="ignore"
    )
    scored = score_churn(model, inputs, top_drivers=3, thresholds=config.churn.risk_thresholds)
    ctx.add_customer_columns(scored)


def churn_label_fn(store: Store) -> tuple[Callable[[datetime, datetime], pd.Series], str]:
    """Return the workspace's churn label function (cut-off, horizon end) and what churn means."""
    from segmint.scores.churn import purchase_churn_labels, subscription_churn_labels

    if store.has_table("subscriptions"):
        subscriptions = store.frame(
            "SELECT customer_id, started_at, ended_at FROM subscriptions "
            "ORDER BY customer_id, started_at, ended_at NULLS LAST"
        )
        return partial(subscription_churn_labels, subscriptions), "subscription ends"
    if store.has_table("transactions"):
        purchases = store.frame(
            "SELECT customer_id, occurred_at FROM transactions WHERE amount > 0 "
            "ORDER BY customer_id, occurred_at"
        )
        return partial(purchase_churn_labels, purchases), "no purchase"
    raise InputError("churn labels need subscriptions or transactions in the workspace")


def churn_outcomes(store: Store, start: datetime, end: datetime) -> pd.DataFrame:
    """Return customer_id, churned for customers at risk at `start`: who churned before `end`."""
    label_fn, _ = churn_label_fn(store)
    return label_fn(start, end).rename("churned").reset_index()
