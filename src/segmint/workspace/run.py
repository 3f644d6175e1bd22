"""`segmint run`: features, scores and segments as of a date, stored as a snapshot, with a report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from segmint import __version__
from segmint.config import SegmintConfig, config_hash
from segmint.engine import duckdb_backend, spark_backend
from segmint.errors import InputError, ModelFitError, SegmintError
from segmint.i18n import t
from segmint.progress import OnStage, StagePlan
from segmint.store import Store

# Columns that identify or contact a person: never model inputs.
_NOT_MODEL_INPUTS = ("customer_id", "name", "email", "domain", "phone", "owner", "technologies")


@dataclass
class RunResult:
    """What a run computed: the customer table, scheme/tag assignments and model diagnostics."""

    run_id: int
    as_of: datetime
    customers: pd.DataFrame
    segments: pd.DataFrame
    tags: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    report_path: Path | None = None
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)

    def scheme_sizes(self) -> pd.DataFrame:
        """Return scheme, segment, customers and share, largest segments first within each scheme."""
        if self.segments.empty:
            return pd.DataFrame(columns=["scheme", "segment", "customers", "share"])
        sizes = (
            self.segments.groupby(["scheme", "segment"]).size().rename("customers").reset_index()
        )
        sizes["share"] = sizes["customers"] / max(len(self.customers), 1)
        order = {name: i for i, name in enumerate(dict.fromkeys(self.segments["scheme"]))}
        sizes["_order"] = sizes["scheme"].map(order)
        return (
            sizes.sort_values(["_order", "customers", "segment"], ascending=[True, False, True])
            .drop(columns="_order")
            .reset_index(drop=True)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary of the run."""
        sizes = self.scheme_sizes()
        return {
            "run_id": self.run_id,
            "as_of": self.as_of.isoformat(),
            "customers": len(self.customers),
            "schemes": {
                scheme: {
                    str(segment): int(count)
                    for segment, count in zip(group["segment"], group["customers"], strict=True)
                }
                for scheme, group in sizes.groupby("scheme", sort=False)
            },
            "tags": self.tags.groupby("tag").size().astype(int).to_dict() if len(self.tags) else {},
            "notes": self.notes,
            "diagnostics": self.diagnostics,
            "report": str(self.report_path) if self.report_path else None,
        }


def engine_tables(config: SegmintConfig, store: Store, root: Path) -> dict[str, Any]:
    """Return Ibis tables of the workspace on the configured engine (Spark reads Parquet exports)."""
    tables = store.logical_tables()
    if config.engine == "duckdb":
        return tables
    export_dir = root / ".segmint" / "parquet"
    export_dir.mkdir(parents=True, exist_ok=True)
    spark = spark_backend()
    out = {}
    for name in tables:
        path = export_dir / f"{name}.parquet"
        store.export_parquet(name, path)
        out[name] = spark.read_parquet(str(path), table_name=f"segmint_{name}")
    return out


def data_end(store: Store) -> datetime:
    """Return the newest timestamp in the workspace's event-like tables."""
    candidates = []
    for table, column in (
        ("transactions", "occurred_at"),
        ("events", "occurred_at"),
        ("tickets", "opened_at"),
        ("subscriptions", "started_at"),
        ("subscriptions", "ended_at"),
        ("customers", "created_at"),
    ):
        if (
            store.has_table(table)
            and column in store.frame(f"SELECT * FROM {table} LIMIT 0").columns
        ):
            row = store.con.execute(f"SELECT max({column}) FROM {table}").fetchone()
            if row and row[0] is not None:
                candidates.append(pd.Timestamp(row[0]))
    if not candidates:
        raise InputError("the workspace holds no dated rows; run `segmint ingest` first")
    return max(candidates).to_pydatetime()


def default_run_as_of(store: Store) -> datetime:
    """Return midnight after the newest data: every ingested row is then before as_of."""
    return (pd.Timestamp(data_end(store)).normalize() + timedelta(days=1)).to_pydatetime()


def run_stages(
    config: SegmintConfig, tables: Mapping[str, Any], *, write_report: bool = True
) -> list[str]:
    """Return the keys of the stages a run of `config` on `tables` goes through, in order."""
    clv = (
        config.clv.enabled != "no"
        and "transactions" in tables
        and (config.clv.enabled == "yes" or "subscriptions" not in tables)
    )
    wanted = {
        "features": True,
        "rfm": "transactions" in tables,
        "clv": clv,
        "contractual_clv": "subscriptions" in tables,
        "icp": config.icp is not None,
        "health": config.health is not None,
        "churn": config.churn.enabled and bool({"subscriptions", "transactions"} & set(tables)),
        "tiers": config.tiers is not None,
        "segments": True,
        "kpis": True,
        "report": write_report,
    }
    return [key for key, needed in wanted.items() if needed]


def run_workspace(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    as_of: datetime | None = None,
    on_step: OnStage | None = None,
    write_report: bool = True,
) -> RunResult:
    """Compute features, scores, schemes and tags as of `as_of`; store a snapshot; write a report."""
    if store.unfinished_ingest():
        raise InputError("the last ingest did not finish; run `segmint ingest` again")
    tables = engine_tables(config, store, root)
    if not tables:
        raise InputError("the workspace has no data; run `segmint ingest` first")
    plan = StagePlan("run", run_stages(config, tables, write_report=write_report), on_step)
    cutoff = as_of or (
        pd.Timestamp(config.as_of).to_pydatetime() if config.as_of else default_run_as_of(store)
    )
    run_id = store.start_run(
        "run", as_of=cutoff, config_hash=config_hash(config), version=__version__
    )
    notes: list[str] = []
    diagnostics: dict[str, Any] = {}
    try:
        from segmint.features import compute_features

        plan.start("features")
        customers = decimals_to_float(compute_features(tables, as_of=cutoff))
        if customers.empty:
            raise InputError(f"no customers have data before {cutoff:%Y-%m-%d}")
        # Sorted by id so that no model sees the engine's row order (it varies between queries).
        customers = customers.sort_values("customer_id", ignore_index=True)
        # Trends compare with the newest snapshot of an earlier date: re-running a date gives the
        # same result however often it is repeated.
        previous_run = store.previous_snapshot_run(cutoff)
        previous = store.snapshot_values(previous_run) if previous_run else None

        n = len(customers)
        if "rfm" in plan:
            plan.start("rfm", customers=n)
            customers = _add_rfm(customers, tables["transactions"], config, cutoff)
        if "clv" in plan:
            plan.start("clv", customers=n)
            customers = _add_clv(customers, store, config, cutoff, notes)
        if "contractual_clv" in plan:
            plan.start("contractual_clv", customers=n)
            customers = _add_contractual_clv(customers, store, config, cutoff, notes)
            customers = _add_next_plan(customers, config, notes)
        if "icp" in plan:
            plan.start("icp", customers=n)
            customers = _add_icp(customers, config, diagnostics)
        if "health" in plan:
            plan.start("health", customers=n)
            customers = _add_health(customers, config, previous)
        if "churn" in plan:
            plan.start("churn", customers=n)
            customers = _add_churn(customers, tables, store, config, cutoff, notes, diagnostics)
        if "tiers" in plan:
            plan.start("tiers", customers=n)
            customers = _add_tiers(customers, config, diagnostics)

        plan.start("segments", customers=n)
        segments, tags = _assign_segments(customers, config, cutoff, notes)
        store.save_snapshot(run_id, segments=segments, values=_snapshot_values(customers))
        result = RunResult(run_id, cutoff, customers, segments, tags, notes, diagnostics)
        plan.start("kpis", customers=n)
        result.kpis = _segment_kpis(config, store, tables, result)
        if write_report:
            plan.start("report", customers=n)
            result.report_path = _write_report(root, config, result, store)
        store.finish_run(run_id, counts=result.to_dict())
        return result
    except Exception as exc:
        store.finish_run(run_id, status="failed", counts={}, message=str(exc)[:500])
        raise


def _segment_kpis(
    config: SegmintConfig, store: Store, tables: Mapping[str, Any], result: RunResult
) -> dict[str, dict[str, Any]]:
    from segmint.analysis.workspace import run_kpis

    schemes = list(dict.fromkeys(str(s) for s in result.segments["scheme"]))
    try:
        return run_kpis(
            config, store, dict(tables), run_id=result.run_id, as_of=result.as_of, schemes=schemes
        )
    except (SegmintError, ValueError) as exc:
        result.notes.append(f"KPIs not computed: {exc}")
        return {}


def _add_rfm(
    customers: pd.DataFrame, transactions: Any, config: SegmintConfig, as_of: datetime
) -> pd.DataFrame:
    from segmint.scores.rfm import rfm_table

    segment_map = [s.model_dump() for s in config.rfm.segments] if config.rfm.segments else None
    rfm = rfm_table(
        transactions,
        as_of=as_of,
        bins=config.rfm.bins,
        cuts={str(k): v for k, v in config.rfm.cuts.items()} or None,
        exact_quantiles=config.engine == "duckdb",
        segment_map=segment_map,
    ).to_pandas()
    keep = ["customer_id", "r_score", "f_score", "m_score", "rfm_score", "rfm_segment"]
    return customers.merge(rfm[keep], on="customer_id", how="left")


def _add_clv(
    customers: pd.DataFrame, store: Store, config: SegmintConfig, as_of: datetime, notes: list[str]
) -> pd.DataFrame:
    from segmint.scores.clv import score_customers

    purchases = store.frame(
        "SELECT customer_id, occurred_at, CAST(amount AS DOUBLE) AS amount FROM transactions "
        "WHERE amount <> 0 AND occurred_at < ? ORDER BY customer_id, occurred_at, amount",
        [as_of],
    )
    try:
        scores = score_customers(
            purchases,
            as_of=as_of,
            clv_horizon_days=config.clv.horizon_days,
            discount_rate=config.clv.discount_rate,
            margin=config.clv.margin,
            seed=config.seed,
        )
    except ModelFitError as exc:
        notes.append(t("note.clv_not_computed", config.language, reason=exc))
        return customers
    if scores.attrs.get("clv_note"):
        notes.append(scores.attrs["clv_note"])
    return customers.merge(scores, on="customer_id", how="left")


def _add_icp(
    customers: pd.DataFrame, config: SegmintConfig, diagnostics: dict[str, Any]
) -> pd.DataFrame:
    from segmint.scores.icp import ICPScorer

    assert config.icp is not None
    scored = ICPScorer(config.icp).fit(customers).score(customers)
    customers = customers.merge(scored, on="customer_id", how="left")
    if config.icp.similarity is not None:
        from segmint.scores.icp_similarity import ICPSimilarityModel, compare_with_rules

        model = ICPSimilarityModel.from_config(config.icp.similarity)
        if "random_state" not in config.icp.similarity.model_fields_set:
            model.random_state = config.seed  # seeded from the workspace seed
        model = model.fit(customers)
        similarity = model.score(customers)[["customer_id", "icp_similarity"]]
        diagnostics["icp_similarity"] = _plain(
            {
                "cv_auc": model.cv_auc_,
                "drivers": model.drivers_,
                **compare_with_rules(scored, model.score(customers)),
            }
        )
        customers = customers.merge(similarity, on="customer_id", how="left")
    return customers


def _add_contractual_clv(
    customers: pd.DataFrame, store: Store, config: SegmintConfig, as_of: datetime, notes: list[str]
) -> pd.DataFrame:
    from segmint.scores.clv import contractual_clv_frame

    subscriptions = store.frame(
        "SELECT customer_id, started_at, ended_at, CAST(mrr AS DOUBLE) AS mrr, plan "
        "FROM subscriptions WHERE started_at < ? "
        "ORDER BY customer_id, started_at, ended_at NULLS LAST, mrr, plan",
        [as_of],
    )
    if "plan" not in subscriptions or subscriptions.empty:
        return customers
    try:
        per_subscription = contractual_clv_frame(
            subscriptions,
            as_of=as_of,
            margin=config.clv.margin,
            discount_rate=config.clv.discount_rate,
        )
    except (ModelFitError, SegmintError, ValueError) as exc:
        notes.append(t("note.contractual_clv_not_computed", config.language, reason=exc))
        return customers
    per_customer = (
        per_subscription.groupby("customer_id")
        .agg(
            contractual_clv=("contractual_clv", lambda v: v.sum(min_count=1)),
            expected_lifetime_months=("derl_periods", "max"),
        )
        .reset_index()
    )
    return customers.merge(per_customer, on="customer_id", how="left")


_USAGE_FEATURES = (
    "active_days_30d", "events_30d", "features_adopted", "seats", "usage_trend", "tickets_90d",
    "subscription_tenure_months",
)  # fmt: skip


def _add_next_plan(
    customers: pd.DataFrame, config: SegmintConfig, notes: list[str]
) -> pd.DataFrame:
    from segmint.scores.propensity import next_plan_propensity

    subscribers = customers[customers.get("plan", pd.Series(index=customers.index)).notna()]
    usage = [c for c in _USAGE_FEATURES if c in customers.columns]
    if subscribers["plan"].nunique() < 2 or not usage:
        return customers
    try:
        scored = next_plan_propensity(subscribers, feature_cols=usage, random_state=config.seed)
    except (SegmintError, ValueError) as exc:
        notes.append(t("note.next_plan_not_computed", config.language, reason=exc))
        return customers
    keep = ["customer_id", "upgrade_propensity", "next_plan", "next_plan_probability"]
    return customers.merge(scored[keep], on="customer_id", how="left")


def _add_health(
    customers: pd.DataFrame, config: SegmintConfig, previous: pd.DataFrame | None
) -> pd.DataFrame:
    from segmint.scores.health import HealthScorer

    assert config.health is not None
    prior = previous if previous is not None and "health_score" in previous.columns else None
    scored = HealthScorer(config.health).fit(customers).score(customers, previous=prior)
    return customers.merge(scored, on="customer_id", how="left")


def model_inputs(features: pd.DataFrame) -> pd.DataFrame:
    """Return the feature columns a model may learn from (no ids, contact data or timestamps)."""
    drop = [c for c in features.columns if c in _NOT_MODEL_INPUTS]
    drop += [c for c in features.columns if pd.api.types.is_datetime64_any_dtype(features[c])]
    return features.drop(columns=drop)


def _add_churn(
    customers: pd.DataFrame,
    tables: Mapping[str, Any],
    store: Store,
    config: SegmintConfig,
    as_of: datetime,
    notes: list[str],
    diagnostics: dict[str, Any],
) -> pd.DataFrame:
    from segmint.features import build_features
    from segmint.scores.churn import (
        ChurnModel,
        build_churn_training_set,
        churn_cutoffs,
        score_churn,
    )
    from segmint.scores.churn.training import LABEL_COLUMN

    horizon = config.churn.horizon_days
    label_fn, label_kind = churn_label_fn(store)

    def feature_fn(cutoff: datetime) -> pd.DataFrame:
        frame = build_features(tables, as_of=cutoff).to_pandas()
        # `churned` (ended before the cut-off) is constant among customers still at risk.
        return model_inputs(frame.set_index("customer_id")).drop(
            columns=["churned"], errors="ignore"
        )

    cutoffs = churn_cutoffs(as_of, horizon_days=horizon, count=config.churn.cutoffs)
    try:
        training = build_churn_training_set(
            feature_fn, label_fn, cutoffs=cutoffs, horizon_days=horizon, data_end=as_of
        )
        model = ChurnModel(model=config.churn.model, random_state=config.seed)
        model.fit_time_split(training)
    except (ModelFitError, SegmintError, ValueError) as exc:
        notes.append(t("note.churn_not_trained", config.language, reason=exc))
        return customers
    diagnostics["churn"] = {
        "label": f"{label_kind} within {horizon} days",
        "cutoffs": [c.date().isoformat() for c in sorted(cutoffs)],
        "training_rows": len(training),
        "positive_rate": round(float(training[LABEL_COLUMN].mean()), 4),
        "validation": _plain(model.metrics_),
    }
    current = label_fn(as_of - timedelta(days=1), as_of).index  # the population still at risk
    at_risk = customers[customers["customer_id"].astype(str).isin(set(current))]
    if at_risk.empty:
        return customers
    inputs = model_inputs(at_risk.set_index("customer_id")).drop(
        columns=["churned"], errors="ignore"
    )
    scored = score_churn(model, inputs, top_drivers=3, thresholds=config.churn.risk_thresholds)
    return customers.merge(scored, on="customer_id", how="left")


def _add_tiers(
    customers: pd.DataFrame, config: SegmintConfig, diagnostics: dict[str, Any]
) -> pd.DataFrame:
    from segmint.segments.tiers import TierAssigner

    assert config.tiers is not None
    tiers = config.tiers
    assigner = TierAssigner(
        value=tiers.value,
        capacity={
            k: (v.model_dump() if hasattr(v, "model_dump") else v)
            for k, v in tiers.capacity.items()
        },
        tier_names=tiers.tier_names,
        min_value=tiers.min_value,
        near_cutoff=tiers.near_cutoff,
    ).fit(customers)
    assigned = assigner.assign(customers)
    diagnostics["tiers"] = _plain(assigner.report(customers))
    return customers.merge(assigned, on="customer_id", how="left")


def _assign_segments(
    customers: pd.DataFrame, config: SegmintConfig, as_of: datetime, notes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from segmint.segments.scheme_config import scheme_from_config, tag_from_config
    from segmint.segments.schemes import assign_scheme, assign_tags
    from segmint.workspace.validate import SCORE_COLUMNS

    backend = duckdb_backend()
    features = backend.create_table("features", customers)
    frames = []
    for scheme_config in config.schemes:
        scheme = scheme_from_config(scheme_config)
        missing_scores = sorted((scheme.features() - set(customers.columns)) & set(SCORE_COLUMNS))
        if missing_scores:
            # A score an optional step did not produce (see the notes): skip, don't fail the run.
            notes.append(
                t(
                    "note.scheme_skipped_scores",
                    config.language,
                    scheme=scheme.name,
                    scores=", ".join(missing_scores),
                )
            )
            continue
        frames.append(assign_scheme(features, scheme, as_of=as_of).to_pandas())
    if "tier" in customers.columns:
        frames.append(_column_scheme(customers, "tier", "tier_name"))
    segments = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["customer_id", "scheme", "segment", "rule", "reason"])
    )
    tags = (
        assign_tags(features, [tag_from_config(t) for t in config.tags], as_of=as_of).to_pandas()
        if config.tags
        else pd.DataFrame(columns=["customer_id", "tag", "reason"])
    )
    if len(tags):
        tag_rows = tags.assign(scheme="tag:" + tags["tag"], segment=tags["tag"], rule="tag")
        segments = pd.concat(
            [segments, tag_rows[["customer_id", "scheme", "segment", "rule", "reason"]]],
            ignore_index=True,
        )
    return segments, tags


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


def decimals_to_float(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with DECIMAL (Python Decimal object) columns as float64 for modelling."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            non_null = out[column].dropna()
            if len(non_null) and all(isinstance(v, Decimal) for v in non_null.head(50)):
                out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out


def _snapshot_values(customers: pd.DataFrame) -> pd.DataFrame:
    values = customers.copy()
    for column in values.columns:
        if pd.api.types.is_datetime64_any_dtype(values[column]):
            values[column] = values[column].dt.strftime("%Y-%m-%d %H:%M:%S")
    return values


def _plain(value: Any) -> Any:
    """Return JSON-ready data (frames become records, numpy scalars become Python numbers)."""
    if isinstance(value, pd.DataFrame):
        return [_plain(r) for r in value.to_dict(orient="records")]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _write_report(root: Path, config: SegmintConfig, result: RunResult, store: Store) -> Path:
    """Write reports/run-<id>-<as_of>.html; copy it to report.html only if this run is the newest.

    report.html always shows the snapshot with the newest as_of: a run for an earlier date (a
    backfill) keeps its own file and says so in the notes.
    """
    from segmint.workspace.run_report import previous_run_of, workspace_report

    previous = previous_run_of(store, store.previous_snapshot_run(result.as_of))
    reports = root / "reports"
    reports.mkdir(exist_ok=True)
    path = reports / f"run-{result.run_id:04d}-{result.as_of:%Y-%m-%d}.html"
    newest_run, newest_as_of = store.snapshot_run()
    if newest_run != result.run_id:
        result.notes.append(
            f"run {result.run_id} is as of {result.as_of:%Y-%m-%d}, before run {newest_run} "
            f"(as of {newest_as_of:%Y-%m-%d}): report.html still shows run {newest_run}; "
            f"this run's report is {path}"
        )
    html = workspace_report(config, result, lang=config.language, previous=previous)
    path.write_text(html, encoding="utf-8")
    if newest_run != result.run_id:
        return path
    latest = root / "report.html"
    latest.write_text(html, encoding="utf-8")
    return latest


__all__ = ["RunResult", "default_run_as_of", "engine_tables", "model_inputs", "run_workspace"]


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


def health_backtest_workspace(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    days: int = 90,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """Score health `days` before `as_of` and report how well it separated who churned by `as_of`."""
    from segmint.features import compute_features
    from segmint.scores.health import HealthScorer
    from segmint.scores.health_backtest import health_backtest

    if config.health is None:
        raise InputError("segmint.yaml has no `health:` section to backtest")
    end = as_of or default_run_as_of(store)
    start = end - timedelta(days=days)
    features = compute_features(engine_tables(config, store, root), as_of=start).sort_values(
        "customer_id", ignore_index=True
    )
    scores = HealthScorer(config.health).fit(features).score(features)
    report = health_backtest(scores, churn_outcomes(store, start, end), horizon_days=days)
    return {
        "scored_as_of": start.date().isoformat(),
        "outcome_until": end.date().isoformat(),
        **_plain(report),
    }
