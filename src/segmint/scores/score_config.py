"""Pydantic models for the `health:`, `icp:` and `tiers:` sections of segmint.yaml."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from segmint.errors import ConfigError

DIRECTIONS = ("higher_is_better", "lower_is_better")
SCALINGS = ("thresholds", "percentile")
ICP_OPERATORS = ("in", "between", "equals", ">=", "<=", "contains")
DEFAULT_HEALTH_BANDS: dict[str, float] = {"red": 0.0, "yellow": 50.0, "green": 75.0}
DEFAULT_ICP_BANDS: dict[str, float] = {"low": 0.0, "medium": 40.0, "high": 70.0}
DEFAULT_TIER_NAMES: dict[str, str] = {"A": "high touch", "B": "low touch", "C": "tech touch"}

Scalar = str | int | float | bool


class _Strict(BaseModel):
    """Base model: unknown keys are rejected with the list of allowed keys."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        shown: list[str] = []
        accepted: set[str] = set(cls.model_fields)
        for name, field in cls.model_fields.items():
            choices = field.validation_alias
            if isinstance(choices, AliasChoices):
                names = [str(c) for c in choices.choices]
            else:
                names = [str(choices or field.alias or name)]
            shown.append(names[0])
            accepted.update(names)
        unknown = [key for key in data if key not in accepted]
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r}; allowed keys: {', '.join(shown)}")
        return data


def _check_bands(bands: dict[str, float]) -> dict[str, float]:
    """Validate band lower bounds: start at 0, strictly increasing, within 0..100."""
    if not bands:
        raise ValueError("bands must name at least one band, e.g. {red: 0, yellow: 50, green: 75}")
    bounds = list(bands.values())
    if bounds[0] != 0:
        raise ValueError(f"the first band must start at 0 (got {bounds[0]})")
    if any(b <= a for a, b in zip(bounds, bounds[1:], strict=False)):
        raise ValueError(f"band lower bounds must increase strictly (got {bounds})")
    if any(b < 0 or b > 100 for b in bounds):
        raise ValueError(f"band lower bounds must lie within 0..100 (got {bounds})")
    return bands


class Breakpoint(_Strict):
    """One point of a piecewise-linear scale: a feature value and the points it earns (0..100)."""

    value: float
    points: float = Field(ge=0, le=100)

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        if isinstance(data, (list, tuple)):
            if len(data) != 2:
                raise ValueError(f"a breakpoint is a [value, points] pair (got {list(data)})")
            return {"value": data[0], "points": data[1]}
        return data


class CutPoints(_Strict):
    """Simple scale: `bad` earns 0 points, `good` earns 100, linear in between."""

    good: float
    bad: float

    @model_validator(mode="after")
    def _distinct(self) -> CutPoints:
        if self.good == self.bad:
            raise ValueError(f"good and bad cut points must differ (both {self.good})")
        return self


class HealthMeasure(_Strict):
    """One scorecard measure: a feature scaled to 0..100 points and weighted."""

    feature: str
    name: str | None = None
    weight: float = Field(default=1.0, gt=0)
    direction: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    scaling: Literal["thresholds", "percentile"] | None = None
    thresholds: list[Breakpoint] | CutPoints | None = None
    group: str | None = None
    optional: bool = False

    @model_validator(mode="after")
    def _consistent_scale(self) -> HealthMeasure:
        scaling = self.scaling or ("thresholds" if self.thresholds is not None else None)
        if scaling is None:
            raise ValueError(
                f"measure {self.measure_name!r}: give `thresholds` (a list of [value, points] "
                "pairs or {good, bad}) or `scaling: percentile`"
            )
        if scaling == "percentile" and self.thresholds is not None:
            raise ValueError(
                f"measure {self.measure_name!r}: `scaling: percentile` takes no `thresholds`"
            )
        if scaling == "thresholds" and self.thresholds is None:
            raise ValueError(
                f"measure {self.measure_name!r}: `scaling: thresholds` needs `thresholds`"
            )
        self.scaling = scaling
        higher = self.direction == "higher_is_better"
        if isinstance(self.thresholds, list):
            if len(self.thresholds) < 2:
                raise ValueError(f"measure {self.measure_name!r}: give at least two breakpoints")
            values = [b.value for b in self.thresholds]
            if any(b <= a for a, b in zip(values, values[1:], strict=False)):
                raise ValueError(
                    f"measure {self.measure_name!r}: breakpoint values must increase strictly "
                    f"(got {values})"
                )
            points = [b.points for b in self.thresholds]
            steps = [b - a for a, b in zip(points, points[1:], strict=False)]
            if (higher and any(s < 0 for s in steps)) or (not higher and any(s > 0 for s in steps)):
                raise ValueError(
                    f"measure {self.measure_name!r}: points {points} contradict "
                    f"direction {self.direction!r}"
                )
        elif (
            isinstance(self.thresholds, CutPoints)
            and (self.thresholds.good > self.thresholds.bad) != higher
        ):
            raise ValueError(
                f"measure {self.measure_name!r}: good={self.thresholds.good}, "
                f"bad={self.thresholds.bad} contradict direction {self.direction!r}"
            )
        return self

    @property
    def measure_name(self) -> str:
        """The measure's name (defaults to its feature); output column is `health_<name>`."""
        return self.name or self.feature


class HealthConfig(_Strict):
    """The `health:` section: a customer-success scorecard."""

    measures: list[HealthMeasure] = Field(min_length=1)
    groups: dict[str, float] | None = None
    bands: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_HEALTH_BANDS))
    trend_tolerance: float = Field(default=2.0, ge=0)
    reasons: int = Field(default=3, ge=0)

    @field_validator("bands")
    @classmethod
    def _bands(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_bands(value)

    @field_validator("groups")
    @classmethod
    def _positive_groups(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None:
            for name, weight in value.items():
                if not weight > 0:
                    raise ValueError(f"group {name!r}: weight must be > 0 (got {weight})")
        return value

    @model_validator(mode="after")
    def _measures_and_groups(self) -> HealthConfig:
        names = [m.measure_name for m in self.measures]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"measure names must be unique; repeated: {', '.join(duplicates)}")
        if self.groups is not None:
            allowed = ", ".join(self.groups)
            for measure in self.measures:
                if measure.group is None:
                    raise ValueError(
                        f"measure {measure.measure_name!r}: `group` is required when `groups` "
                        f"is set; allowed: {allowed}"
                    )
                if measure.group not in self.groups:
                    raise ValueError(
                        f"measure {measure.measure_name!r}: unknown group {measure.group!r}; "
                        f"allowed: {allowed}"
                    )
        return self


class ICPCriterion(_Strict):
    """One ICP criterion: an attribute test with a weight; exactly one operator is given."""

    attribute: str
    weight: float = Field(default=1.0, gt=0)
    name: str | None = None
    in_: list[Scalar] | None = Field(default=None, validation_alias=AliasChoices("in", "in_"))
    between: tuple[float, float] | None = None
    equals: Scalar | None = None
    gte: float | None = Field(default=None, validation_alias=AliasChoices(">=", "gte"))
    lte: float | None = Field(default=None, validation_alias=AliasChoices("<=", "lte"))
    contains: str | list[str] | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> ICPCriterion:
        given = [op for op in ICP_OPERATORS if self._operand(op) is not None]
        if len(given) != 1:
            raise ValueError(
                f"criterion {self.criterion_name!r}: give exactly one operator out of "
                f"{', '.join(ICP_OPERATORS)} (got {', '.join(given) or 'none'})"
            )
        if self.between is not None and self.between[0] > self.between[1]:
            raise ValueError(
                f"criterion {self.criterion_name!r}: between needs lo <= hi (got {list(self.between)})"
            )
        if self.in_ is not None and not self.in_:
            raise ValueError(f"criterion {self.criterion_name!r}: `in` needs at least one value")
        return self

    def _operand(self, op: str) -> Any:
        return {
            "in": self.in_,
            "between": self.between,
            "equals": self.equals,
            ">=": self.gte,
            "<=": self.lte,
            "contains": self.contains,
        }[op]

    @property
    def operator(self) -> str:
        """The criterion's operator: one of in, between, equals, >=, <=, contains."""
        return next(op for op in ICP_OPERATORS if self._operand(op) is not None)

    @property
    def operand(self) -> Any:
        """The value the attribute is tested against."""
        return self._operand(self.operator)

    @property
    def criterion_name(self) -> str:
        """The criterion's name (defaults to its attribute); output column is `icp_<name>`."""
        return self.name or self.attribute


class SuccessRule(_Strict):
    """What counts as a successful customer: top value quantile and (optionally) retained."""

    value_quantile: float = Field(default=0.75, gt=0, lt=1)
    require_retained: bool = True


class ICPSimilarityConfig(_Strict):
    """The optional `icp.similarity:` section: the data-driven ICP model."""

    attributes: list[str] = Field(min_length=1)
    value_col: str
    retained_col: str | None = None
    success: SuccessRule = Field(default_factory=SuccessRule)
    model: Literal["hgb", "logistic"] = "hgb"
    random_state: int = 0


class ICPConfig(_Strict):
    """The `icp:` section: weighted criteria, bands and an optional similarity model."""

    criteria: list[ICPCriterion] = Field(min_length=1)
    bands: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_ICP_BANDS))
    similarity: ICPSimilarityConfig | None = None

    @field_validator("bands")
    @classmethod
    def _bands(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_bands(value)

    @model_validator(mode="after")
    def _unique_names(self) -> ICPConfig:
        names = [c.criterion_name for c in self.criteria]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"criterion names must be unique (set `name:`); repeated: {', '.join(duplicates)}"
            )
        return self


class TierCapacity(_Strict):
    """Capacity of a tier as staff: CSMs times accounts per CSM."""

    csms: int = Field(ge=0)
    accounts_per_csm: int = Field(ge=0)

    @property
    def accounts(self) -> int:
        """Total accounts the tier can serve."""
        return self.csms * self.accounts_per_csm


class TiersConfig(_Strict):
    """The `tiers:` section: value definition, capacity per tier and tier names."""

    value: str | dict[str, float]
    capacity: dict[str, Any]
    tier_names: dict[str, str] | None = None
    min_value: float | dict[str, float] | None = None
    near_cutoff: int = Field(default=5, ge=0)

    @field_validator("capacity")
    @classmethod
    def _capacity(cls, value: dict[str, Any]) -> dict[str, Any]:
        resolve_capacity(value)
        return {
            tier: TierCapacity.model_validate(spec) if isinstance(spec, dict) else spec
            for tier, spec in value.items()
        }

    @field_validator("value")
    @classmethod
    def _value_weights(cls, value: str | dict[str, float]) -> str | dict[str, float]:
        return validate_tier_value(value)

    @model_validator(mode="after")
    def _tiers(self) -> TiersConfig:
        capacity = resolve_capacity(self.capacity)
        validate_tier_names(capacity, self.tier_names or default_tier_names(capacity))
        if isinstance(self.min_value, dict):
            unknown = [t for t in self.min_value if t not in capacity]
            if unknown:
                raise ValueError(
                    f"min_value: unknown tier {unknown[0]!r}; allowed: {', '.join(capacity)}"
                )
        return self


def validate_tier_value(value: str | dict[str, float]) -> str | dict[str, float]:
    """Return `value` if it is a column name or positive finite weights over columns."""
    if isinstance(value, str):
        if not value:
            raise ValueError("value: give a column name or weights over columns")
        return value
    if not value:
        raise ValueError("value: weights must name at least one column, e.g. {arr: 1}")
    for column, weight in value.items():
        if not (isinstance(weight, (int, float)) and math.isfinite(weight) and weight > 0):
            raise ValueError(f"value.{column}: weight must be a positive number (got {weight!r})")
    return value


def resolve_capacity(capacity: dict[str, Any]) -> dict[str, int]:
    """Return accounts per capacity-limited tier from counts or {csms, accounts_per_csm}."""
    if not capacity:
        raise ValueError("capacity: name at least one tier, e.g. {A: 50, B: 450}")
    out: dict[str, int] = {}
    for tier, spec in capacity.items():
        if isinstance(spec, TierCapacity):
            out[tier] = spec.accounts
        elif isinstance(spec, dict):
            try:
                out[tier] = TierCapacity.model_validate(spec).accounts
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                message = first["msg"].removeprefix("Value error, ")
                raise ValueError(
                    f"capacity.{tier}{'.' + where if where else ''}: {message}"
                ) from None
        elif isinstance(spec, bool) or not isinstance(spec, int) or spec < 0:
            raise ValueError(
                f"capacity.{tier}: give a non-negative account count or "
                f"{{csms, accounts_per_csm}} (got {spec!r})"
            )
        else:
            out[tier] = spec
    return out


def default_tier_names(capacity: dict[str, Any]) -> dict[str, str]:
    """Return default names: A high touch, B low touch, C tech touch; the catch-all is the last free one."""
    names = {t: DEFAULT_TIER_NAMES.get(t, t) for t in capacity}
    free = [t for t in DEFAULT_TIER_NAMES if t not in capacity]
    rest = free[-1] if free else "rest"
    names[rest] = DEFAULT_TIER_NAMES.get(rest, "tech touch")
    return names


def validate_tier_names(capacity: dict[str, Any], tier_names: dict[str, str]) -> str:
    """Check tier names cover the capacity tiers plus one catch-all tier; return the catch-all."""
    missing = [t for t in capacity if t not in tier_names]
    if missing:
        raise ValueError(
            f"tier_names: no name for capacity tier {missing[0]!r}; tiers named: "
            f"{', '.join(tier_names)}"
        )
    rest = [t for t in tier_names if t not in capacity]
    if len(rest) != 1:
        raise ValueError(
            "tier_names: name exactly one tier without capacity (the catch-all, e.g. C); "
            f"got {', '.join(rest) or 'none'}"
        )
    return rest[0]


def _describe(section: str, error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in (section, *first["loc"]))
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "literal_error":
        message = f"{message} (got {first.get('input')!r})"
    more = f" (+{len(error.errors()) - 1} more problems)" if len(error.errors()) > 1 else ""
    return f"{key}: {message}{more}"


def parse_health_config(data: Any) -> HealthConfig:
    """Return a validated `health:` section; raise ConfigError naming the key."""
    try:
        return HealthConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe("health", exc)) from None


def parse_icp_config(data: Any) -> ICPConfig:
    """Return a validated `icp:` section; raise ConfigError naming the key."""
    try:
        return ICPConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe("icp", exc)) from None


def parse_tiers_config(data: Any) -> TiersConfig:
    """Return a validated `tiers:` section; raise ConfigError naming the key."""
    try:
        return TiersConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe("tiers", exc)) from None
