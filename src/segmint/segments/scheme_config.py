"""The `schemes:` and `tags:` sections of segmint.yaml as pydantic models, and their validation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import ibis
import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from segmint.errors import ConfigError, SegmintError
from segmint.segments.rules.compiler import check_features, compile_rule
from segmint.segments.rules.errors import RuleError, rule_excerpt
from segmint.segments.rules.parser import parse_rule
from segmint.segments.schemes import Scheme, SegmentRule, Tag
from segmint.segments.templates import TEMPLATES, expand_template, unknown_template_message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SegmentRuleConfig(_Strict):
    """One rule of a scheme: `{segment: strategic, when: "mrr >= 2000"}`."""

    segment: str = Field(min_length=1)
    when: str = Field(min_length=1)


class SchemeConfig(_Strict):
    """A scheme: either `template` (+ `params`) or a list of `rules` with a `default` segment."""

    name: str = Field(min_length=1)
    description: str | None = None
    template: str | None = None
    params: dict[str, Any] | None = None
    rules: list[SegmentRuleConfig] | None = None
    default: str | None = Field(default=None, min_length=1)

    @field_validator("template")
    @classmethod
    def _known_template(cls, value: str | None) -> str | None:
        if value is not None and value not in TEMPLATES:
            raise ValueError(unknown_template_message(value))
        return value

    @model_validator(mode="after")
    def _template_or_rules(self) -> SchemeConfig:
        if self.template is None:
            if not self.rules:
                raise ValueError(
                    f"scheme {self.name!r} needs either 'template' "
                    f"({', '.join(TEMPLATES)}) or a non-empty 'rules' list"
                )
            if self.params:
                raise ValueError(f"scheme {self.name!r}: 'params' only applies with 'template'")
        elif self.rules:
            raise ValueError(f"scheme {self.name!r}: give either 'template' or 'rules', not both")
        return self


class TagConfig(_Strict):
    """A tag: `{name: expansion_ready, when: "seats >= 20 and usage_trend >= 1.2"}`."""

    name: str = Field(min_length=1)
    when: str = Field(min_length=1)
    description: str | None = None


def _model_error(section: str, error: pydantic.ValidationError) -> ConfigError:
    """Return a one-line ConfigError naming the key of the first problem."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    key = f"{section}.{where}" if where else section
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    return ConfigError(f"{key}: {message}")


def _as_scheme_config(value: SchemeConfig | Mapping[str, Any], index: int) -> SchemeConfig:
    if isinstance(value, SchemeConfig):
        return value
    try:
        return SchemeConfig.model_validate(value)
    except pydantic.ValidationError as error:
        raise _model_error(f"schemes[{index}]", error) from None


def _as_tag_config(value: TagConfig | Mapping[str, Any], index: int) -> TagConfig:
    if isinstance(value, TagConfig):
        return value
    try:
        return TagConfig.model_validate(value)
    except pydantic.ValidationError as error:
        raise _model_error(f"tags[{index}]", error) from None


def scheme_from_config(cfg: SchemeConfig | Mapping[str, Any]) -> Scheme:
    """Return the Scheme a `schemes:` entry describes (templates expanded)."""
    config = _as_scheme_config(cfg, 0)
    if config.template is not None:
        return expand_template(
            config.template,
            name=config.name,
            params=config.params,
            default=config.default,
            description=config.description or "",
        )
    rules = [SegmentRule(r.segment, r.when) for r in config.rules or []]
    return Scheme(
        config.name, rules, default=config.default or "other", description=config.description or ""
    )


def tag_from_config(cfg: TagConfig | Mapping[str, Any]) -> Tag:
    """Return the Tag a `tags:` entry describes."""
    config = _as_tag_config(cfg, 0)
    return Tag(config.name, config.when, description=config.description or "")


def _checker(feature_names: Iterable[str] | Mapping[str, Any] | ibis.Schema) -> Any:
    """Return a function checking one rule node: full type check with types, names otherwise."""
    if isinstance(feature_names, ibis.Schema | Mapping):
        table = ibis.table(ibis.schema(dict(feature_names)), name="features")

        def typed(node: Any, text: str, as_of: Any) -> None:
            compile_rule(node, table, as_of=as_of)

        return typed
    names = list(feature_names)

    def named(node: Any, text: str, as_of: Any) -> None:
        check_features(node, names, rule=text)

    return named


def validate_rules(
    scheme_configs: Iterable[SchemeConfig | Mapping[str, Any]],
    feature_names: Iterable[str] | Mapping[str, Any] | ibis.Schema,
    *,
    tag_configs: Iterable[TagConfig | Mapping[str, Any]] = (),
) -> list[str]:
    """Return every problem in the schemes and tags (empty when all is well), one line each.

    With only feature names, rules are checked for syntax and unknown features; with a
    name → type mapping (or an Ibis schema) they are also type-checked.
    """
    check = _checker(feature_names)
    problems: list[str] = []
    seen_schemes: set[str] = set()
    for index, raw in enumerate(scheme_configs):
        try:
            config = _as_scheme_config(raw, index)
            rules = _rules_of(config)
        except SegmintError as error:
            problems.append(str(error))
            continue
        if config.name in seen_schemes:
            problems.append(f"schemes[{index}]: duplicate scheme name '{config.name}'")
        seen_schemes.add(config.name)
        for number, (segment, when) in enumerate(rules, start=1):
            context = f"scheme '{config.name}', segment '{segment}' (rule {number})"
            problems.extend(_check_one(check, when, context))
    seen_tags: set[str] = set()
    for index, raw_tag in enumerate(tag_configs):
        try:
            tag = _as_tag_config(raw_tag, index)
        except SegmintError as error:
            problems.append(str(error))
            continue
        if tag.name in seen_tags:
            problems.append(f"tags[{index}]: duplicate tag name '{tag.name}'")
        seen_tags.add(tag.name)
        problems.extend(_check_one(check, tag.when, f"tag '{tag.name}'"))
    return problems


def _rules_of(config: SchemeConfig) -> list[tuple[str, str]]:
    """Return (segment, rule text) pairs of a scheme config, templates expanded."""
    if config.template is not None:
        scheme = expand_template(config.template, name=config.name, params=config.params)
        return [(r.segment, r.when) for r in scheme.rules]
    return [(r.segment, r.when) for r in config.rules or []]


def _check_one(check: Any, text: str, context: str) -> list[str]:
    # A fixed as_of lets days_since() type-check; validation never evaluates data.
    try:
        check(parse_rule(text), text, "2000-01-01")
    except RuleError as error:
        located = type(error)(error.reason, rule=text, position=error.position, hint=error.hint)
        return [f'{context}: {located} in "{rule_excerpt(text, error.position)}"']
    return []
