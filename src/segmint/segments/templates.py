"""Built-in scheme templates: each expands into an ordinary, explainable Scheme of rules.

A template is named in segmint.yaml (`template: lifecycle`) and its parameters can be
overridden there (`params: {new_days: 30}`). `describe_templates()` lists them with defaults.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from segmint.errors import ConfigError
from segmint.segments.rfm_names import DEFAULT_RFM_SEGMENT_MAP
from segmint.segments.schemes import Scheme, SegmentRule

Params = dict[str, Any]

# The segment names of the RFM map used by segments.rfm; override with params.segments.
RFM_SEGMENTS = tuple(rule.name for rule in DEFAULT_RFM_SEGMENT_MAP)


@dataclass(frozen=True)
class Template:
    """A scheme template: its description, default parameters and the function that builds rules."""

    name: str
    description: str
    defaults: Mapping[str, Any]
    build: Callable[[Params], tuple[list[SegmentRule], str]]


def _lifecycle(p: Params) -> tuple[list[SegmentRule], str]:
    activated = (
        f"coalesce(features_adopted, 0) >= {p['activation_features']} "
        f"or coalesce(active_days_30d, 0) >= {p['activation_active_days']}"
    )
    return [
        SegmentRule("churned", p["churned_when"]),
        SegmentRule("new", f"tenure_days < {p['new_days']}"),
        SegmentRule(
            "dormant", f"coalesce(days_since_last_activity, tenure_days) >= {p['dormant_days']}"
        ),
        SegmentRule("at risk", f"days_since_last_activity >= {p['at_risk_days']}"),
        SegmentRule("onboarding", f"not ({activated})"),
        SegmentRule("established", f"tenure_days >= {p['established_days']}"),
    ], "activated"


def _value_tier(p: Params) -> tuple[list[SegmentRule], str]:
    feature = p["feature"]
    return [
        SegmentRule("high", f"{feature} >= {p['high']}"),
        SegmentRule("medium", f"{feature} >= {p['medium']}"),
        SegmentRule("low", f"{feature} > 0"),
    ], "no revenue"


def _health_band(p: Params) -> tuple[list[SegmentRule], str]:
    feature = p["feature"]
    return [
        SegmentRule("red", f"{feature} < {p['red_below']}"),
        SegmentRule("yellow", f"{feature} < {p['green_from']}"),
        SegmentRule("green", f"{feature} >= {p['green_from']}"),
    ], "unscored"


def _rfm_segment(p: Params) -> tuple[list[SegmentRule], str]:
    feature = p["feature"]
    segments = p["segments"]
    if isinstance(segments, str) or not all(isinstance(s, str) and s for s in segments):
        raise ConfigError("template rfm_segment: params.segments must be a list of segment names")
    return [
        SegmentRule(name, f"{feature} = '" + name.replace("'", "''") + "'") for name in segments
    ], "unscored"


def _churn_risk(p: Params) -> tuple[list[SegmentRule], str]:
    feature = p["feature"]
    return [
        SegmentRule("high", f"{feature} >= {p['high']}"),
        SegmentRule("medium", f"{feature} >= {p['medium']}"),
        SegmentRule("low", f"{feature} < {p['medium']}"),
    ], "unscored"


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "lifecycle",
            "new / onboarding / activated / established / at risk / dormant / churned, from "
            "tenure, activation (features adopted or active days) and activity",
            {
                "churned_when": "churned",
                "new_days": 14,
                "dormant_days": 60,
                "at_risk_days": 21,
                "activation_features": 3,
                "activation_active_days": 10,
                "established_days": 180,
            },
            _lifecycle,
        ),
        Template(
            "value_tier",
            "high / medium / low / no revenue by a value feature (revenue_365d by default)",
            {"feature": "revenue_365d", "high": 10000, "medium": 1000},
            _value_tier,
        ),
        Template(
            "health_band",
            "red / yellow / green on the health score (red < 50 <= yellow < 75 <= green)",
            {"feature": "health_score", "red_below": 50, "green_from": 75},
            _health_band,
        ),
        Template(
            "rfm_segment",
            "the named RFM segment of each customer (rfm_segment column) as a scheme",
            {"feature": "rfm_segment", "segments": list(RFM_SEGMENTS)},
            _rfm_segment,
        ),
        Template(
            "churn_risk",
            "high / medium / low on the predicted churn probability",
            {"feature": "churn_probability", "high": 0.5, "medium": 0.2},
            _churn_risk,
        ),
    )
}


def unknown_template_message(template: str) -> str:
    """Return "unknown template 'x'; allowed: ..." with the nearest name suggested."""
    close = difflib.get_close_matches(template, TEMPLATES, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown template {template!r}{hint}; allowed: {', '.join(TEMPLATES)}"


def _check_params(template: Template, params: Mapping[str, Any]) -> Params:
    unknown = sorted(set(params) - set(template.defaults))
    if unknown:
        raise ConfigError(
            f"template {template.name}: unknown params {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(template.defaults)}"
        )
    merged = {**template.defaults, **params}
    for key, default in template.defaults.items():
        value = merged[key]
        if isinstance(default, bool | int | float) and not isinstance(default, bool):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(
                    f"template {template.name}: params.{key} must be a number, got {value!r}"
                )
        elif isinstance(default, str) and not isinstance(value, str):
            raise ConfigError(f"template {template.name}: params.{key} must be text, got {value!r}")
        elif isinstance(default, list) and not isinstance(value, list):
            raise ConfigError(
                f"template {template.name}: params.{key} must be a list, got {value!r}"
            )
    if "feature" in merged and not str(merged["feature"]).isidentifier():
        raise ConfigError(
            f"template {template.name}: params.feature must be a feature name, got {merged['feature']!r}"
        )
    return merged


def expand_template(
    template: str,
    *,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    default: str | None = None,
    description: str = "",
) -> Scheme:
    """Return the Scheme a built-in template expands to, with `params` overriding its defaults."""
    if template not in TEMPLATES:
        raise ConfigError(unknown_template_message(template))
    spec = TEMPLATES[template]
    merged = _check_params(spec, params or {})
    rules, template_default = spec.build(merged)
    return Scheme(
        name or template,
        rules,
        default=default or template_default,
        description=description or spec.description,
    )


def describe_templates() -> list[dict[str, Any]]:
    """Return name, description and default params of every built-in template."""
    return [
        {"name": t.name, "description": t.description, "params": dict(t.defaults)}
        for t in TEMPLATES.values()
    ]
