"""segmint.yaml → validated pydantic models. Errors name the key and the allowed values."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from segmint.activation.destination_config import Destination, PrivacyConfig
from segmint.activation.playbook_config import OwnerConfig, PlaybookConfig
from segmint.contract import LOGICAL_TABLES, SUMMED_COLUMNS, contract_for
from segmint.engine import ENGINES
from segmint.errors import ConfigError
from segmint.scores.score_config import HealthConfig, ICPConfig, TiersConfig
from segmint.segments.scheme_config import SchemeConfig, TagConfig

CONFIG_FILE_NAME = "segmint.yaml"


_NAMED_DELIMITERS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def delimiter_character(value: str) -> str:
    """Return the one-character delimiter named by `value` (`;`, `tab`, `comma`...); else ValueError."""
    character = _NAMED_DELIMITERS.get(value.lower(), value)
    if len(character) != 1 or character in '\r\n"':
        raise ValueError(
            f"delimiter must be one character (or tab, comma, semicolon, pipe), got {value!r}"
        )
    return character


def check_date_format(value: str) -> str:
    """Return a strftime format that writes and reads back a date; else ValueError naming it."""
    sample = datetime(2024, 1, 31, 13, 45, 30)
    try:
        if "%" not in value:
            raise ValueError
        datetime.strptime(sample.strftime(value), value)
    except ValueError:
        raise ValueError(
            f"date_format {value!r} is not a usable strftime format (e.g. %d/%m/%Y)"
        ) from None
    return value


def check_inside_workspace(value: str) -> str:
    """Return a path that is absolute or stays inside the workspace; else ValueError."""
    if not Path(value).is_absolute() and os.path.normpath(value).split(os.sep)[0] == "..":
        raise ValueError(
            f"{value!r} leaves the workspace folder; a relative path must stay inside it "
            "(use an absolute path for files kept elsewhere)"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceConfig(_Strict):
    """One input: a file (CSV/Parquet) or a database table, mapped onto a logical table."""

    name: str
    table: str
    path: str | None = None
    database: str | None = None
    db_table: str | None = None
    columns: dict[str, str | list[str]] = Field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    decimal: Literal[".", ","] | None = None
    date_format: str | None = None
    dayfirst: bool | None = None
    quantity_col: str | None = None
    price_col: str | None = None
    invoice_col: str | None = None
    cancel_prefix: str = "C"
    namespace: str = "customer"
    links: dict[str, str] = Field(default_factory=dict)
    # Canonical columns holding personal data: dropped or hashed by exports and destinations.
    pii: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _column_tags(cls, data: Any) -> Any:
        # `columns: {email: {from: E-Mail, pii: true}}` = `columns: {email: E-Mail}` + `pii: [email]`.
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            return data
        columns: dict[str, Any] = {}
        pii = list(data.get("pii") or [])
        for canonical, spec in data["columns"].items():
            if not isinstance(spec, dict):
                columns[canonical] = spec
                continue
            unknown = sorted(set(spec) - {"from", "pii"})
            if unknown:
                raise ValueError(
                    f"columns.{canonical}: unknown key(s) {', '.join(unknown)}; allowed: from, pii"
                )
            if "from" in spec:
                columns[canonical] = spec["from"]
            if spec.get("pii") is True and canonical not in pii:
                pii.append(canonical)
        return {**data, "columns": columns, "pii": pii}

    @field_validator("table")
    @classmethod
    def _known_table(cls, value: str) -> str:
        if value not in LOGICAL_TABLES:
            raise ValueError(f"unknown table {value!r}; allowed: {', '.join(LOGICAL_TABLES)}")
        return value

    @field_validator("path", "database")
    @classmethod
    def _inside_workspace(cls, value: str | None) -> str | None:
        if value is not None and "://" not in value:
            check_inside_workspace(value)
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None:
            delimiter_character(value)
        return value

    @field_validator("date_format")
    @classmethod
    def _usable_date_format(cls, value: str | None) -> str | None:
        if value is not None:
            check_date_format(value)
        return value

    @field_validator("columns")
    @classmethod
    def _known_columns(
        cls, value: dict[str, str | list[str]], info: Any
    ) -> dict[str, str | list[str]]:
        table = info.data.get("table")
        for column, given in value.items():
            if not isinstance(given, str) and (table, column) not in SUMMED_COLUMNS:
                raise ValueError(
                    f"column {column!r} takes one header, not a list (only discount of "
                    "transactions sums several columns)"
                )
            if not isinstance(given, str) and not given:
                raise ValueError(f"column {column!r}: the list of headers is empty")
        if table in LOGICAL_TABLES:
            allowed = contract_for(table).columns
            unknown = [c for c in value if c not in allowed]
            if unknown and table != "customers":
                raise ValueError(
                    f"unknown column(s) {', '.join(unknown)} for table {table}; "
                    f"allowed: {', '.join(allowed)}"
                )
        return value

    @model_validator(mode="after")
    def _one_location(self) -> SourceConfig:
        if bool(self.path) == bool(self.database):
            raise ValueError("give exactly one of 'path' (a file) or 'database' (+ 'db_table')")
        if self.database and not self.db_table:
            raise ValueError("'database' needs 'db_table' (the table to read)")
        return self


class IdentityConfig(_Strict):
    """How records from different sources are linked into one customer."""

    match_keys: list[Literal["email", "domain", "phone"]] = Field(default_factory=list)


class RFMSegmentRule(_Strict):
    """One named RFM segment: R score range and mean(F, M) score range."""

    name: str
    r: tuple[int, int]
    fm: tuple[int, int]


class RFMConfig(_Strict):
    """RFM scoring options."""

    bins: int = Field(default=5, ge=2, le=10)
    cuts: dict[Literal["recency", "frequency", "monetary"], list[float]] = Field(
        default_factory=dict
    )
    segments: list[RFMSegmentRule] | None = None
    # Segment name → what to do; replaces the report's default action for that RFM segment.
    playbooks: dict[str, str] = Field(default_factory=dict)


class ChurnConfig(_Strict):
    """Workspace churn model: leak-free labels at past cut-offs, time-based validation."""

    enabled: bool = True
    horizon_days: int = Field(default=90, ge=7, le=730)
    cutoffs: int = Field(default=4, ge=2, le=24)
    model: Literal["gbm", "logistic", "spline_logistic", "average"] = "gbm"
    risk_thresholds: tuple[float, float] = (0.3, 0.6)


class CLVConfig(_Strict):
    """Purchase-process CLV (BG/NBD family + Gamma-Gamma) for transaction data."""

    enabled: Literal["auto", "yes", "no"] = "auto"
    horizon_days: int = Field(default=365, ge=1)
    discount_rate: float = Field(default=0.1, ge=0, lt=1)
    margin: float = Field(default=1.0, gt=0, le=1)


class KPIsConfig(_Strict):
    """KPIs per segment: the window and what counts as conversion and activation."""

    window_days: int = Field(default=90, ge=1, le=3650)
    conversion_goal: str = Field(default="first_purchase", min_length=1)
    activation_event: str | None = None
    activation_days: int = Field(default=14, ge=1, le=365)


class DiscoveryConfig(_Strict):
    """Clusters found in every run's behaviour features and stored for the dashboard."""

    k: int | Literal["auto"] = "auto"
    method: Literal["kmeans", "gmm", "hierarchical", "hdbscan"] = "kmeans"
    features: list[str] | None = None

    @field_validator("k")
    @classmethod
    def _at_least_two(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 2:
            raise ValueError(f"k must be 'auto' or an integer >= 2, got {value}")
        return value


class GoalConfig(_Strict):
    """A target for one KPI of one segment by a date, e.g. churn_rate of "SMB new" below 0.10."""

    kpi: str = Field(min_length=1)
    scheme: str = Field(min_length=1)
    segment: str = Field(min_length=1)
    target: float
    by: date
    direction: Literal["below", "above"] | None = None  # default: below for churn, else above
    name: str | None = None


class BehavioursConfig(_Strict):
    """`segmint insights behaviours`: the windows, who counts, and what is adjusted for."""

    first_days: int = Field(default=7, ge=1, le=365)
    horizon_days: int = Field(default=180, ge=2, le=3650)
    min_doers: int = Field(default=30, ge=1)
    adjust_for: list[str] = Field(default_factory=list)
    trim: float = Field(default=0.01, ge=0, lt=0.5)
    retention_activity_days: int = Field(default=30, ge=1, le=3650)


class ChannelsConfig(_Strict):
    """`segmint insights channels`: the conversion window and the preferred-channel rule."""

    window_days: int = Field(default=7, ge=0, le=365)
    min_touches: int = Field(default=5, ge=1)
    preferred_probability: float = Field(default=0.8, gt=0.5, lt=1)
    fatigue_days: int = Field(default=30, ge=1, le=365)


class SegmintConfig(_Strict):
    """The whole segmint.yaml."""

    version: Literal[1] = 1
    name: str = "segmint workspace"
    engine: str = "duckdb"
    database: str = "segmint.duckdb"
    as_of: str | None = None
    language: Literal["en", "ko"] = "en"
    sources: list[SourceConfig] = Field(default_factory=list)
    identity: IdentityConfig = IdentityConfig()
    rfm: RFMConfig = RFMConfig()
    schemes: list[SchemeConfig] = Field(default_factory=list)
    tags: list[TagConfig] = Field(default_factory=list)
    health: HealthConfig | None = None
    icp: ICPConfig | None = None
    tiers: TiersConfig | None = None
    churn: ChurnConfig = ChurnConfig()
    clv: CLVConfig = CLVConfig()
    kpis: KPIsConfig = KPIsConfig()
    discovery: DiscoveryConfig | None = None
    behaviours: BehavioursConfig = BehavioursConfig()
    channels: ChannelsConfig = ChannelsConfig()
    playbooks: dict[str, PlaybookConfig] = Field(default_factory=dict)
    goals: list[GoalConfig] = Field(default_factory=list)
    owners: dict[str, OwnerConfig] = Field(default_factory=dict)
    destinations: dict[str, Destination] = Field(default_factory=dict)
    privacy: PrivacyConfig = PrivacyConfig()
    seed: int = 0

    @field_validator("health", mode="before")
    @classmethod
    def _expand_default_scorecard(cls, value: Any) -> Any:
        # `health: {default: saas, bands: ...}` = the bundled scorecard with these keys replaced.
        if isinstance(value, dict) and "default" in value:
            from segmint.scores.health import load_default_scorecard

            overrides = {k: v for k, v in value.items() if k != "default"}
            base = load_default_scorecard(str(value["default"])).model_dump(
                mode="json", by_alias=True, exclude_none=True
            )
            return {**base, **overrides}
        return value

    @field_validator("database")
    @classmethod
    def _database_inside_workspace(cls, value: str) -> str:
        return check_inside_workspace(value)

    @field_validator("as_of")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                datetime.fromisoformat(str(value))
            except ValueError:
                raise ValueError(f"expected a date like 2024-03-15, got {value!r}") from None
        return value

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value not in ENGINES:
            raise ValueError(f"unknown engine {value!r}; allowed: {', '.join(ENGINES)}")
        return value

    @model_validator(mode="after")
    def _one_set_of_churn_thresholds(self) -> SegmintConfig:
        # The churn_risk scheme and the churn model's churn_risk band must count the same
        # customers: both use one pair of thresholds (whichever the config states).
        explicit = "risk_thresholds" in self.churn.model_fields_set
        for scheme in self.schemes:
            params = dict(scheme.params or {})
            if scheme.template != "churn_risk" or params.get("feature", "churn_probability") != (
                "churn_probability"
            ):
                continue
            if {"medium", "high"} & set(params):
                stated = (
                    float(params.get("medium", self.churn.risk_thresholds[0])),
                    float(params.get("high", self.churn.risk_thresholds[1])),
                )
                if explicit and stated != tuple(self.churn.risk_thresholds):
                    raise ValueError(
                        f"scheme {scheme.name!r} uses churn thresholds medium={stated[0]}, "
                        f"high={stated[1]} but churn.risk_thresholds is "
                        f"{list(self.churn.risk_thresholds)}; state them in one place"
                    )
                self.churn = self.churn.model_copy(update={"risk_thresholds": stated})
                explicit = True
            medium, high = self.churn.risk_thresholds
            scheme.params = {**params, "medium": medium, "high": high}
        return self

    @field_validator("destinations")
    @classmethod
    def _destination_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not name or not name.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"destination name {name!r}: use letters, digits, _ and -")
        return value

    def pii_columns(self) -> list[str]:
        """Return the canonical columns any source tags `pii: true`, in config order."""
        return list(dict.fromkeys(c for s in self.sources for c in s.pii))

    @model_validator(mode="after")
    def _unique_source_names(self) -> SegmintConfig:
        names = [s.name for s in self.sources]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicates)}")
        return self


def _describe_validation_error(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] == "literal_error":
        message = f"{message} (got {first.get('input')!r})"
    more = f" (+{len(error.errors()) - 1} more problems)" if len(error.errors()) > 1 else ""
    return f"{path}: {key}: {message}{more}"


def parse_config(data: dict[str, Any], *, path: Path = Path(CONFIG_FILE_NAME)) -> SegmintConfig:
    """Return a validated config from a parsed YAML mapping; raise ConfigError naming the key."""
    try:
        return SegmintConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(path, exc)) from None


def load_config(path: str | Path) -> SegmintConfig:
    """Read and validate segmint.yaml (a file, or a workspace folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / CONFIG_FILE_NAME
    if not path.is_file():
        raise ConfigError(f"{path}: no {CONFIG_FILE_NAME} found (create one with `segmint init`)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}:{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    return parse_config(data, path=path)


def config_hash(config: SegmintConfig) -> str:
    """Return a short stable hash of the config's content (recorded with every run)."""
    # Goals only judge snapshots, they never change one: a new goal keeps the hash (and backfill's
    # "same config" replacement) as it was.
    content = config.model_dump(mode="json", exclude={"goals"})
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
