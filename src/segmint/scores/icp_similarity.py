"""Data-driven ICP: how similar each customer is to the successful ones (high value and retained)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from segmint.errors import InputError, MissingColumnError, ModelFitError, NotFittedError
from segmint.scores.customer_frame import check_customer_frame, numeric_column
from segmint.scores.score_config import ICPSimilarityConfig, SuccessRule
from segmint.threads import fit_threads

MODELS = ("hgb", "logistic")
_MISSING = "(missing)"
_MAX_IMPORTANCE_ROWS = 5000
# On small frames, extra OpenMP/BLAS threads only contend (10x slower on a busy 2-core machine).
_SINGLE_THREAD_ROWS = 100_000


def _is_categorical(series: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _truthy(series: pd.Series, column: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series):
        return series.fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(series):
        return series.fillna(0).to_numpy(dtype=float) != 0
    text = series.astype("string").str.strip().str.lower()
    known = {"true", "yes", "y", "1", "t", "false", "no", "n", "0", "f"}
    bad = text.notna() & ~text.isin(known)
    if bad.any():
        raise InputError(
            f"icp similarity: column {column!r} must be true/false, yes/no or 1/0 "
            f"(found {series[bad].iloc[0]!r})"
        )
    return text.isin({"true", "yes", "y", "1", "t"}).fillna(False).to_numpy(dtype=bool)


class ICPSimilarityModel:
    """Score 0-100 how much a customer's firmographics resemble those of successful customers."""

    def __init__(
        self,
        *,
        attributes: Sequence[str],
        success_rule: SuccessRule | None = None,
        value_col: str,
        retained_col: str | None = None,
        model: str = "hgb",
        cv_folds: int = 5,
        random_state: int = 0,
    ) -> None:
        self.attributes = attributes
        self.success_rule = success_rule
        self.value_col = value_col
        self.retained_col = retained_col
        self.model = model
        self.cv_folds = cv_folds
        self.random_state = random_state

    @classmethod
    def from_config(cls, config: ICPSimilarityConfig) -> ICPSimilarityModel:
        """Return a model for the `icp.similarity:` section of segmint.yaml."""
        return cls(
            attributes=list(config.attributes),
            success_rule=config.success,
            value_col=config.value_col,
            retained_col=config.retained_col,
            model=config.model,
            random_state=config.random_state,
        )

    # -- labels ------------------------------------------------------------------------------
    def success_labels(
        self, frame: pd.DataFrame, *, value_threshold: float | None = None
    ) -> pd.Series:
        """Return True for successful customers: value in the top quantile and (if required) retained."""
        rule = self.success_rule or SuccessRule()
        for column in (self.value_col, *([self.retained_col] if self.retained_col else [])):
            if column not in frame.columns:
                raise MissingColumnError("icp similarity", column, [str(c) for c in frame.columns])
        value = numeric_column(frame, self.value_col, source="icp similarity")
        if value_threshold is None:
            known = value[~np.isnan(value)]
            if known.size == 0:
                raise ModelFitError(f"icp similarity: column {self.value_col!r} has no values")
            value_threshold = float(np.quantile(known, rule.value_quantile))
        with np.errstate(invalid="ignore"):
            successful = value > value_threshold
        if rule.require_retained:
            if self.retained_col is None:
                raise ValueError(
                    "icp similarity: success rule requires retained customers; set retained_col "
                    "or success_rule=SuccessRule(require_retained=False)"
                )
            successful &= _truthy(frame[self.retained_col], self.retained_col)
        return pd.Series(successful, index=frame.index, name="successful")

    # -- fitting -----------------------------------------------------------------------------
    def _pipeline(self, categorical: list[str], numeric: list[str]) -> Pipeline:
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)} (got {self.model!r})")
        numeric_steps: list[tuple[str, Any]] = [
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            )
        ]
        if self.model == "logistic":
            numeric_steps.append(("scale", StandardScaler()))
        prepare = ColumnTransformer(
            [
                ("numeric", Pipeline(numeric_steps), numeric),
                (
                    "categorical",
                    OneHotEncoder(handle_unknown="ignore", min_frequency=5, sparse_output=False),
                    categorical,
                ),
            ],
            remainder="drop",
        )
        classifier: Any
        if self.model == "hgb":
            classifier = HistGradientBoostingClassifier(
                max_depth=3,
                max_iter=150,
                learning_rate=0.1,
                min_samples_leaf=20,
                l2_regularization=1.0,
                early_stopping=False,
                random_state=self.random_state,
            )
        else:
            classifier = LogisticRegression(C=1.0, max_iter=2000)
        return Pipeline([("prepare", prepare), ("classify", classifier)])

    def _design(self, frame: pd.DataFrame) -> pd.DataFrame:
        data = {}
        for column in self.attributes_:
            if column in self.categorical_:
                series = frame[column]
                text = series.astype(object).where(series.notna(), _MISSING)
                data[column] = text.map(lambda v: str(v).strip().casefold()).to_numpy(dtype=object)
            else:
                data[column] = numeric_column(frame, column, source="icp similarity")
        return pd.DataFrame(data, index=frame.index)

    def fit(self, frame: pd.DataFrame, y: Any = None) -> ICPSimilarityModel:
        """Label successful customers, cross-validate and fit the classifier; return self."""
        with fit_threads(len(frame), single_thread_below=_SINGLE_THREAD_ROWS):
            return self._fit(frame)

    def _fit(self, frame: pd.DataFrame) -> ICPSimilarityModel:
        check_customer_frame(frame, source="icp similarity")
        # folds and trees depend on row order; engines return rows in any order
        frame = _by_customer(frame)
        attributes = list(self.attributes)
        if not attributes:
            raise ValueError("icp similarity: give at least one attribute")
        for column in attributes:
            if column not in frame.columns:
                raise MissingColumnError("icp similarity", column, [str(c) for c in frame.columns])
        leaking = sorted(c for c in (self.value_col, self.retained_col) if c in attributes)
        if leaking:
            raise ValueError(
                f"icp similarity: attribute {leaking[0]!r} defines success; "
                "use firmographic attributes only"
            )
        rule = self.success_rule or SuccessRule()
        labels = self.success_labels(frame)
        known = numeric_column(frame, self.value_col, source="icp similarity")
        threshold = float(np.quantile(known[~np.isnan(known)], rule.value_quantile))
        positives = int(labels.sum())
        negatives = len(labels) - positives
        folds = min(self.cv_folds, positives, negatives)
        if folds < 2:
            raise ModelFitError(
                f"icp similarity: need at least 2 successful and 2 other customers "
                f"(found {positives} successful, {negatives} other)"
            )
        self.attributes_ = attributes
        self.categorical_ = [c for c in attributes if _is_categorical(frame[c])]
        numeric = [c for c in attributes if c not in self.categorical_]
        design = self._design(frame)
        target = labels.to_numpy(dtype=int)
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        fold_auc = cross_val_score(
            self._pipeline(self.categorical_, numeric), design, target, cv=cv, scoring="roc_auc"
        )
        pipeline = self._pipeline(self.categorical_, numeric).fit(design, target)
        self.pipeline_ = pipeline
        self.value_threshold_ = threshold
        self.cv_auc_ = round(float(np.mean(fold_auc)), 4)
        self.cv_auc_folds_ = [round(float(a), 4) for a in fold_auc]
        self.n_successful_ = positives
        self.success_rate_ = round(positives / len(labels), 4)
        self.drivers_ = self._drivers(design, target)
        return self

    def _drivers(self, design: pd.DataFrame, target: np.ndarray) -> pd.DataFrame:
        """Permutation importance (AUC drop) per attribute, with the values where success concentrates."""
        sample = design
        sample_target = target
        if len(design) > _MAX_IMPORTANCE_ROWS:
            rng = np.random.default_rng(self.random_state)
            rows = np.sort(rng.choice(len(design), size=_MAX_IMPORTANCE_ROWS, replace=False))
            sample, sample_target = design.iloc[rows], target[rows]
        result = permutation_importance(
            self.pipeline_,
            sample,
            sample_target,
            scoring="roc_auc",
            n_repeats=5,
            random_state=self.random_state,
        )
        rows_out = []
        base_rate = float(target.mean())
        for i, column in enumerate(self.attributes_):
            rows_out.append(
                {
                    "attribute": column,
                    "importance": round(float(result.importances_mean[i]), 4),
                    "evidence": self._evidence(design[column], target, base_rate, column),
                }
            )
        return (
            pd.DataFrame(rows_out)
            .sort_values(["importance", "attribute"], ascending=[False, True], kind="stable")
            .reset_index(drop=True)
        )

    def _evidence(
        self, values: pd.Series, target: np.ndarray, base_rate: float, column: str
    ) -> str:
        """Describe where successful customers concentrate: the best category or value range."""
        if column in self.categorical_:
            groups = pd.Series(values.to_numpy(), dtype=object)
        else:
            numbers = values.to_numpy(dtype=float)
            known = ~np.isnan(numbers)
            if known.sum() < 10:
                return "too few values"
            edges = np.unique(np.quantile(numbers[known], np.linspace(0, 1, 6)))
            if edges.size < 2:
                return "constant"
            bins = np.clip(np.searchsorted(edges, numbers, side="right") - 1, 0, edges.size - 2)
            labels = [f"{_short(edges[b])}–{_short(edges[b + 1])}" for b in range(edges.size - 1)]
            groups = pd.Series(
                [labels[b] if k else _MISSING for b, k in zip(bins, known, strict=True)],
                dtype=object,
            )
        table = pd.DataFrame({"group": groups, "success": target}).groupby("group")["success"]
        stats = pd.DataFrame({"n": table.size(), "rate": table.mean()})
        stats = stats[stats["n"] >= max(5, int(0.02 * len(target)))]
        if stats.empty:
            return "no group large enough"
        ranked = stats.sort_values(["rate", "n"], ascending=[False, False])
        return (
            f"{column} {ranked.index[0]}: {ranked['rate'].iloc[0]:.0%} successful "
            f"vs {base_rate:.0%} overall"
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "pipeline_"):
            raise NotFittedError("ICPSimilarityModel is not fitted; call fit(frame) first")

    # -- scoring -----------------------------------------------------------------------------
    def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return customer_id and icp_similarity (100 × P(successful-like)); plus `successful` if labels exist."""
        self._check_fitted()
        check_customer_frame(frame, source="icp similarity")
        for column in self.attributes_:
            if column not in frame.columns:
                raise MissingColumnError("icp similarity", column, [str(c) for c in frame.columns])
        with fit_threads(len(frame), single_thread_below=_SINGLE_THREAD_ROWS):
            proba = self.pipeline_.predict_proba(self._design(frame))[:, 1]
        out = pd.DataFrame({"customer_id": frame["customer_id"].to_numpy()}, index=frame.index)
        out["icp_similarity"] = np.round(100.0 * proba, 2)
        has_labels = self.value_col in frame.columns and (
            self.retained_col is None or self.retained_col in frame.columns
        )
        if has_labels:
            out["successful"] = self.success_labels(
                frame, value_threshold=self.value_threshold_
            ).to_numpy()
        return out

    def predict(self, frame: pd.DataFrame) -> pd.Series:
        """Return each customer's similarity band (low < 40 ≤ medium < 70 ≤ high), indexed like the input."""
        scores = self.score(frame)["icp_similarity"]
        bands = np.select([scores >= 70, scores >= 40], ["high", "medium"], default="low")
        return pd.Series(bands, index=frame.index, name="icp_similarity_band", dtype=object)


def _by_customer(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame sorted by customer_id (as text when ids of mixed types do not compare)."""
    try:
        return frame.sort_values("customer_id", kind="stable")
    except TypeError:
        return frame.iloc[np.argsort(frame["customer_id"].astype(str).to_numpy(), kind="stable")]


def _short(value: float) -> str:
    """A number in at most 3 significant digits with a k/M/B suffix: 50.6M, 261, 0.75."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e4, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def _auc(labels: np.ndarray, score: np.ndarray) -> float | None:
    if labels.all() or not labels.any():
        return None
    return round(float(roc_auc_score(labels, score)), 4)


def compare_with_rules(icp_scores: pd.DataFrame, similarity: pd.DataFrame) -> dict[str, Any]:
    """Return how the configured ICP agrees with the evidence: correlation, success by band, AUCs."""
    for column in ("customer_id", "icp_score", "icp_band"):
        if column not in icp_scores.columns:
            raise MissingColumnError("icp scores", column, [str(c) for c in icp_scores.columns])
    for column in ("customer_id", "icp_similarity"):
        if column not in similarity.columns:
            raise MissingColumnError("icp similarity", column, [str(c) for c in similarity.columns])
    keep = ["customer_id", "icp_similarity"] + (
        ["successful"] if "successful" in similarity.columns else []
    )
    merged = icp_scores.merge(similarity[keep], on="customer_id", how="inner")
    report: dict[str, Any] = {"customers": len(merged)}
    rho: float | None = None
    if (
        len(merged) > 2
        and merged["icp_score"].nunique() > 1
        and merged["icp_similarity"].nunique() > 1
    ):
        rho = round(float(spearmanr(merged["icp_score"], merged["icp_similarity"]).statistic), 4)
    report["spearman"] = rho
    has_success = "successful" in merged.columns
    bands = []
    grouped = merged.groupby("icp_band", sort=False)
    order = grouped["icp_score"].mean().sort_values().index
    for band in order:
        part = merged[merged["icp_band"] == band]
        row: dict[str, Any] = {
            "icp_band": str(band),
            "customers": len(part),
            "mean_icp_score": round(float(part["icp_score"].mean()), 2),
            "mean_similarity": round(float(part["icp_similarity"].mean()), 2),
        }
        if has_success:
            row["success_rate"] = round(float(part["successful"].mean()), 4)
        bands.append(row)
    report["by_icp_band"] = bands
    if has_success:
        labels = merged["successful"].to_numpy(dtype=bool)
        report["success_rate"] = round(float(labels.mean()), 4) if len(labels) else None
        report["auc_icp_rules"] = _auc(labels, merged["icp_score"].to_numpy(dtype=float))
        report["auc_similarity"] = _auc(labels, merged["icp_similarity"].to_numpy(dtype=float))
        criteria = []
        reserved = {"icp_score", "icp_band", "icp_reasons", "icp_similarity"}
        for column in icp_scores.columns:
            if not column.startswith("icp_") or column in reserved:
                continue
            if not pd.api.types.is_bool_dtype(merged[column]):
                continue
            matched = merged[column].to_numpy(dtype=bool)
            rate_in = float(labels[matched].mean()) if matched.any() else None
            rate_out = float(labels[~matched].mean()) if (~matched).any() else None
            criteria.append(
                {
                    "criterion": column.removeprefix("icp_"),
                    "matched": int(matched.sum()),
                    "success_rate_matched": None if rate_in is None else round(rate_in, 4),
                    "success_rate_unmatched": None if rate_out is None else round(rate_out, 4),
                    "lift": (
                        round(rate_in / rate_out, 2)
                        if rate_in is not None and rate_out not in (None, 0.0)
                        else None
                    ),
                }
            )
        report["criteria"] = criteria
    return report
