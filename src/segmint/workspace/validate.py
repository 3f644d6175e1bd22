"""`segmint validate`: check the whole configuration before anything runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis

from segmint.analysis.timing_stage import TIMING_COLUMNS
from segmint.config import SegmintConfig
from segmint.contract import CONTRACTS
from segmint.i18n import t
from segmint.store import Store

_LOGICAL_TYPES = {
    "string": "string",
    "timestamp": "timestamp",
    "money": "decimal(18,2)",
    "float": "float64",
    "int": "int64",
    "bool": "boolean",
}
# Columns the scores add to the feature table (what rules may read besides features).
SCORE_COLUMNS: dict[str, str] = {
    "r_score": "int64", "f_score": "int64", "m_score": "int64", "rfm_score": "string",
    "rfm_segment": "string", "p_alive": "float64", "expected_purchases_90d": "float64",
    "expected_avg_value": "float64", "clv_365d": "float64", "icp_score": "float64",
    "icp_band": "string", "health_score": "float64", "health_band": "string",
    "health_change": "float64", "health_trend": "string", "churn_probability": "float64",
    "churn_risk": "string", "tier": "string", "tier_name": "string", "tier_value": "float64",
    "tier_rank": "int64", "icp_similarity": "float64", "contractual_clv": "float64",
    "expected_lifetime_months": "float64", "upgrade_propensity": "float64", "next_plan": "string",
    "next_plan_probability": "float64", "churn_driver_1": "string", "churn_driver_2": "string",
    "churn_driver_3": "string", **TIMING_COLUMNS,
}  # fmt: skip


def expected_feature_schema(config: SegmintConfig, store: Store | None = None) -> dict[str, Any]:
    """Return name → type of every column rules can read after `segmint run` with this config."""
    from segmint.features import build_features

    tables = {}
    for logical in {s.table for s in config.sources} & set(CONTRACTS):
        columns = {c: _LOGICAL_TYPES[k] for c, k in CONTRACTS[logical].columns.items()}
        if store is not None and store.has_table(logical):
            # Columns actually loaded (customer attributes beyond the contract included).
            present = store.frame(f"SELECT * FROM {logical} LIMIT 0")
            columns.update(
                {c: "string" for c in present.columns if c not in columns and not c.startswith("_")}
            )
        tables[logical] = ibis.table(columns, name=logical)
    schema: dict[str, Any] = {}
    if tables.keys() & {"customers", "transactions", "subscriptions", "events", "tickets"}:
        schema.update(dict(build_features(tables, as_of="2000-01-01").schema().items()))
    schema.update({k: ibis.dtype(v) for k, v in SCORE_COLUMNS.items()})
    return schema


def validate_workspace(
    root: Path, config: SegmintConfig, store: Store | None = None, *, lang: str = "en"
) -> list[str]:
    """Return every problem found in the configuration (empty when it is ready to run).

    Problems of the workspace's own kinds are worded in `lang`; a rule's syntax or type error
    keeps the parser's wording, which quotes the rule.
    """
    from segmint.segments.scheme_config import validate_rules

    problems: list[str] = []
    for source in config.sources:
        if source.path and not (root / source.path).is_file():  # root / absolute = absolute
            problems.append(
                t("validate.file_not_found", lang, source=source.name, path=root / source.path)
            )
    schema = expected_feature_schema(config, store)
    problems.extend(validate_rules(config.schemes, schema, tag_configs=config.tags))
    problems.extend(_playbook_problems(config, schema, lang))
    if config.destinations:
        from segmint.activation.checks import destination_problems

        problems.extend(destination_problems(config, schema, lang=lang))
    if config.health is not None:
        missing = [
            m.feature for m in config.health.measures if m.feature not in schema and not m.optional
        ]
        problems.extend(t("validate.unknown_health_feature", lang, feature=f) for f in missing)
    return problems


def _playbook_problems(config: SegmintConfig, schema: dict[str, Any], lang: str) -> list[str]:
    from segmint.activation.playbook_checks import playbook_problems

    schemes = {s.name for s in config.schemes} | ({"tier"} if config.tiers is not None else set())
    return playbook_problems(
        config.playbooks,
        fields=set(schema),
        # Without schemes there is nothing to check segment names against.
        segments=_known_segments(config) if config.schemes else None,
        schemes=schemes,
        tags={tag.name for tag in config.tags},
        lang=lang,
    )


def _known_segments(config: SegmintConfig) -> set[str]:
    from segmint.segments.rfm_names import DEFAULT_RFM_SEGMENT_MAP
    from segmint.segments.scheme_config import scheme_from_config

    names: set[str] = set()
    for scheme_config in config.schemes:
        try:
            names.update(scheme_from_config(scheme_config).segments)
        except Exception:  # reported by validate_rules already
            continue
    names.update(str(getattr(entry, "name", entry)) for entry in DEFAULT_RFM_SEGMENT_MAP)
    names.update({"A", "B", "C"})
    if config.tiers is not None:
        names.update(config.tiers.capacity)
    return names
