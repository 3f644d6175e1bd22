"""What the stages of `segmint run` share: the run's inputs, the tables they build, the result.

A run is a list of named stages (see `segmint.workspace.stages.RUN_STAGES`). Each stage is a
function that takes the `RunContext`, reads what earlier stages left in it and adds its own
tables. This module sits at the bottom of the layers so that a stage function can live in the
package it belongs to (analysis, activation, ...) without importing the orchestrator.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.config import SegmintConfig
from segmint.store import Store


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
    outputs: dict[str, Any] = field(default_factory=dict)

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

    def to_dict(self, *, outputs: bool = True) -> dict[str, Any]:
        """Return a JSON-ready summary of the run (with what later stages computed, unless told)."""
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
            **({"outputs": self.outputs} if outputs else {}),
        }


def _no_segments() -> pd.DataFrame:
    return pd.DataFrame(columns=["customer_id", "scheme", "segment", "rule", "reason"])


def _no_tags() -> pd.DataFrame:
    return pd.DataFrame(columns=["customer_id", "tag", "reason"])


@dataclass
class RunContext:
    """The state one run's stages pass along: inputs first, then what each stage added."""

    root: Path
    config: SegmintConfig
    store: Store
    tables: Mapping[str, Any]
    as_of: datetime
    run_id: int
    write_report: bool = True
    previous: pd.DataFrame | None = None  # feature/score values of the newest earlier snapshot
    customers: pd.DataFrame = field(default_factory=pd.DataFrame)
    segments: pd.DataFrame = field(default_factory=_no_segments)
    tags: pd.DataFrame = field(default_factory=_no_tags)
    notes: list[str] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)
    report_path: Path | None = None
    # What later stages (actions, syncs, ...) report, by stage name, for the report and the JSON.
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def language(self) -> str:
        """Return the language of the run's notes and report."""
        return self.config.language

    def add_customer_columns(self, columns: pd.DataFrame) -> None:
        """Left-join per-customer columns (customer_id plus new columns) onto the customer table."""
        self.customers = self.customers.merge(columns, on="customer_id", how="left")

    def result(self) -> RunResult:
        """Return the run's result as it stands after the stages run so far."""
        return RunResult(
            run_id=self.run_id,
            as_of=self.as_of,
            customers=self.customers,
            segments=self.segments,
            tags=self.tags,
            notes=self.notes,
            diagnostics=self.diagnostics,
            report_path=self.report_path,
            kpis=self.kpis,
            outputs=self.outputs,
        )


@dataclass(frozen=True)
class RunPlanInputs:
    """What decides which stages a run needs: its config, its table names, whether it reports."""

    config: SegmintConfig
    tables: Collection[str]
    write_report: bool = True


def always(_inputs: RunPlanInputs) -> bool:
    """Return True: a stage every run goes through."""
    return True


@dataclass(frozen=True)
class RunStage:
    """One named stage of `segmint run`: the function that does it and when a run needs it.

    `name` is also the progress label's catalogue key (`cli.stage.<name>` in segmint.i18n).
    """

    name: str
    run: Callable[[RunContext], None]
    needed: Callable[[RunPlanInputs], bool] = always


__all__ = ["RunContext", "RunPlanInputs", "RunResult", "RunStage", "always"]
