"""Results of an experiment from per-customer values: per variant, against control, per segment."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from segmint.analysis.experiments.arms import MEAN, ArmStats
from segmint.analysis.experiments.cuped import Adjusted, adjust, pooled_theta, unadjusted
from segmint.analysis.experiments.effects import (
    DEFAULT_ALPHA,
    SEQUENTIAL_TUNING,
    chance_to_win,
    expected_loss,
    fixed_horizon,
    relative_uplift,
    sequential,
    welch_dof,
)
from segmint.analysis.experiments.power import minimum_detectable_effect
from segmint.analysis.experiments.srm import SRM_THRESHOLD, srm_p_value
from segmint.analysis.stats import benjamini_hochberg
from segmint.errors import InputError

ALL = "all"
DEFAULT_MIN_USERS = 100


@dataclass(frozen=True)
class AnalysisOptions:
    """How to read an experiment: metric kind, control, weights, CUPED, sequential, alpha."""

    kind: str = MEAN
    control: str | None = None
    weights: Mapping[str, float] | None = None
    cuped: bool = True
    sequential: bool = False
    alpha: float = DEFAULT_ALPHA
    tuning: float = SEQUENTIAL_TUNING
    min_users: int = DEFAULT_MIN_USERS


@dataclass
class Warnings:
    """Named warnings collected while analysing (code, message, and the segment they concern)."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, code: str, message: str, **detail: Any) -> None:
        """Record one warning."""
        self.items.append({"code": code, "message": message, **detail})


def variant_order(units: pd.DataFrame, options: AnalysisOptions) -> tuple[str, list[str]]:
    """Return (control, variants with control first); InputError for an unknown control."""
    seen = sorted(str(v) for v in units["variant"].dropna().unique())
    configured = list(options.weights) if options.weights else []
    names = configured + [v for v in seen if v not in configured]
    if options.control is not None:
        if options.control not in names:
            raise InputError(
                f"--control: no variant {options.control!r}; variants: {', '.join(names)}"
            )
        control = options.control
    else:
        control = "control" if "control" in names else names[0] if names else ""
    if not names:
        raise InputError("the experiment has no assigned customers")
    return control, [control] + [n for n in names if n != control]


def analyze_units(
    experiment: str, metric: str, units: pd.DataFrame, options: AnalysisOptions
) -> dict[str, Any]:
    """Return the experiment's results from one row per assigned customer.

    `units` has customer_id, variant, value, and optionally pre (the CUPED covariate) and
    segment. The payload: experiment, metric, srm_p_value, srm_flag, results (one row per
    segment and variant: "all" first), and warnings.
    """
    warnings = Warnings()
    control, names = variant_order(units, options)
    weights = _weights(names, options.weights)
    counts = units["variant"].astype(str).value_counts()
    users = [int(counts.get(name, 0)) for name in names]
    srm_p = srm_p_value(users, [weights[n] for n in names])
    srm_flag = bool(srm_p < SRM_THRESHOLD)
    if srm_flag:
        split = ", ".join(f"{n} {u:,}" for n, u in zip(names, users, strict=True))
        warnings.add(
            "srm",
            f"SAMPLE RATIO MISMATCH (p = {srm_p:.2g}): users per variant ({split}) do not match "
            f"the weights {_spec(names, weights)}; assignment or logging is broken and these "
            "results are not trustworthy",
        )
    if users[0] == 0:
        raise InputError(f"control variant {control!r} has no users: nothing to compare against")
    for name, n in zip(names, users, strict=True):
        if n == 0:
            warnings.add(
                "empty_arm", f"variant {name!r} has no users; it is not compared", variant=name
            )
    has_pre = bool(options.cuped and "pre" in units.columns and units["pre"].notna().any())
    rows = _segment_rows(ALL, units, names, options, has_pre, warnings)
    segments_info: list[dict[str, Any]] = []
    if "segment" in units.columns and units["segment"].notna().any():
        labels = units["segment"].fillna("(none)").astype(str)
        sizes = labels.value_counts()
        for segment in sorted(sizes.index, key=lambda s: (-int(sizes[s]), s)):
            part = units[labels == segment]
            rows += _segment_rows(segment, part, names, options, has_pre, warnings)
            segments_info.append(_segment_info(segment, part, names, options, warnings))
    _adjust_p_values(rows)
    return {
        "experiment": experiment,
        "metric": metric,
        "control": control,
        "weights": weights,
        "method": "sequential" if options.sequential else "fixed_horizon",
        "srm_p_value": srm_p,
        "srm_flag": srm_flag,
        "results": rows,
        "segments": segments_info,
        "warnings": warnings.items,
    }


def _weights(names: Sequence[str], given: Mapping[str, float] | None) -> dict[str, float]:
    if not given:
        return {n: 1 / len(names) for n in names}
    return {n: float(given.get(n, 0.0)) for n in names}


def _spec(names: Sequence[str], weights: Mapping[str, float]) -> str:
    return ",".join(f"{n}:{weights[n] * 100:.4g}" for n in names)


def arm_stats(part: pd.DataFrame, name: str, kind: str, with_pre: bool) -> ArmStats:
    """Return the sufficient statistics of one variant's rows."""
    rows = part[part["variant"].astype(str) == name]
    pre = rows["pre"].fillna(0.0).to_numpy(float) if with_pre else None
    return ArmStats.of(rows["value"].to_numpy(float), kind=kind, pre=pre)


def compare(a: Adjusted, b: Adjusted, options: AnalysisOptions) -> dict[str, Any]:
    """Return uplift (absolute and relative), interval, p-value, chance to win and expected loss."""
    arm_a, arm_b = a.arm, b.arm
    estimate, variance = relative_uplift(
        arm_a.mean, a.variance, arm_a.n, arm_b.mean, b.variance, arm_b.n,
        adjusted_a=a.mean, adjusted_b=b.mean,
    )  # fmt: skip
    dof = welch_dof(a.variance, arm_a.n, b.variance, arm_b.n)
    # A relative change needs a positive baseline: over a negative control mean (refunds
    # exceeding sales) its sign flips and it means nothing. GrowthBook only guards against 0.
    usable = arm_a.n > 1 and arm_b.n > 1 and arm_a.mean > 0 and a.variance > 0 and b.variance > 0
    result: dict[str, Any] = {"uplift_abs": _num(b.mean - a.mean)}
    if not usable:
        return result | dict.fromkeys(
            ("uplift_rel", "ci_low", "ci_high", "p_value", "chance_to_win", "expected_loss")
        )
    if options.sequential:
        test = sequential(
            estimate, variance, dof, arm_a.n + arm_b.n, alpha=options.alpha, tuning=options.tuning
        )
    else:
        test = fixed_horizon(estimate, variance, dof, alpha=options.alpha)
    return result | {
        "uplift_rel": _num(estimate),
        "ci_low": _num(test.ci_low),
        "ci_high": _num(test.ci_high),
        "p_value": _num(test.p_value),
        "chance_to_win": _num(chance_to_win(estimate, variance)),
        "expected_loss": _num(expected_loss(estimate, variance)),
        "_variance": float(variance),
    }


def _segment_rows(
    segment: str,
    part: pd.DataFrame,
    names: Sequence[str],
    options: AnalysisOptions,
    has_pre: bool,
    warnings: Warnings,
) -> list[dict[str, Any]]:
    arms = {name: arm_stats(part, name, options.kind, has_pre) for name in names}
    present = [arm for arm in arms.values() if arm.n]
    theta = pooled_theta(present) if has_pre and present else 0.0
    control = arms[names[0]]
    rows = []
    for name in names:
        arm = arms[name]
        row: dict[str, Any] = {
            "segment": segment,
            "variant": name,
            "users": arm.n,
            "mean": _num(arm.mean),
            "std": _num(math.sqrt(arm.variance)) if arm.n and arm.variance >= 0 else None,
            "uplift_abs": None,
            "uplift_rel": None,
            "ci_low": None,
            "ci_high": None,
            "p_value": None,
            "p_value_adjusted": None,
            "chance_to_win": None,
            "expected_loss": None,
            "cuped": None,
        }
        if name != names[0] and arm.n and control.n:
            plain = compare(unadjusted(control), unadjusted(arm), options)
            if theta:
                adjusted = compare(adjust(control, theta), adjust(arm, theta), options)
                reduction = _reduction(plain.get("_variance"), adjusted.get("_variance"))
                row.update(adjusted)
                row["cuped"] = {
                    "theta": theta,
                    "variance_reduction": reduction,
                    "uplift_rel_unadjusted": plain["uplift_rel"],
                }
            else:
                row.update(plain)
            row.pop("_variance", None)
            if row["uplift_rel"] is None and control.n:
                reason = (
                    "control mean is not positive" if control.mean <= 0 else "no variance in an arm"
                )
                warnings.add(
                    "not_computed",
                    f"{segment} · {name}: relative uplift not computed ({reason})",
                    segment=segment,
                    variant=name,
                    zero_control=bool(control.mean <= 0),
                )
        rows.append(row)
    return rows


def _segment_info(
    segment: str,
    part: pd.DataFrame,
    names: Sequence[str],
    options: AnalysisOptions,
    warnings: Warnings,
) -> dict[str, Any]:
    arms = [arm_stats(part, name, options.kind, False) for name in names]
    control = arms[0]
    smallest = min((a.n for a in arms[1:] if a.n), default=0)
    mde = minimum_detectable_effect(
        control.n, smallest, control.mean, control.variance, alpha=options.alpha
    )
    small = min(a.n for a in arms) < options.min_users
    if small:
        detect = "no effect can be detected" if math.isnan(mde) else f"MDE {mde:.1%} at 80% power"
        warnings.add(
            "small_segment",
            f"segment {segment!r}: {min(a.n for a in arms):,} users in its smallest arm, below "
            f"the minimum of {options.min_users:,} ({detect})",
            segment=segment,
            users=min(a.n for a in arms),
            minimum=options.min_users,
            mde=_num(mde),
        )
    return {
        "segment": segment,
        "users": int(sum(a.n for a in arms)),
        "mde": _num(mde),
        "small": small,
    }


def _adjust_p_values(rows: list[dict[str, Any]]) -> None:
    """BH across treatment variants for "all"; across every segment and variant for segments."""
    for family in (
        [r for r in rows if r["segment"] == ALL],
        [r for r in rows if r["segment"] != ALL],
    ):
        adjusted = benjamini_hochberg([r["p_value"] for r in family])
        for row, p in zip(family, adjusted, strict=True):
            row["p_value_adjusted"] = p


def _reduction(plain: float | None, adjusted: float | None) -> float | None:
    if plain is None or adjusted is None or not plain > 0:
        return None
    return 1 - adjusted / plain


def _num(value: Any) -> float | None:
    number = float(np.asarray(value))
    return number if math.isfinite(number) else None
