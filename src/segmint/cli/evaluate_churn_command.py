"""`segmint evaluate churn FILE --label COL`: cross-validated churn models on a labelled customer table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import console, evaluate_app, print_json, user_errors


def _render(result: dict[str, Any], path: Path) -> None:
    table = Table(
        title=f"churn models on {path.name}: {result['rows']:,} rows, "
        f"positive rate {result['positive_rate']:.1%}, {result['folds']}-fold CV"
    )
    for column in ("model", "ROC AUC", "calibrated", "PR AUC", "Brier", "top-decile lift"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for name, metrics in result["models"].items():
        marker = " (best)" if name == result["best"] else ""

        def cell(value: Any, fmt: str = ".3f") -> str:
            return "–" if value is None else format(value, fmt)

        table.add_row(
            name + marker,
            cell(metrics["roc_auc"], ".4f"),
            cell(metrics["roc_auc_calibrated"], ".4f"),
            cell(metrics["pr_auc"]),
            cell(metrics["brier"]),
            cell(metrics["top_decile_lift"], ".2f"),
        )
    console.print(table)
    console.print(
        "ROC AUC ranks with the uncalibrated scores; 'calibrated' is the AUC of the calibrated "
        "probabilities that PR AUC, Brier and lift use",
        highlight=False,
    )
    coded = result["features"].get("coded_for_gbm")
    if coded:
        console.print(
            "many-level categoricals given to gradient boosting as codes: " + ", ".join(coded),
            highlight=False,
        )
    dropped = result["features"]["dropped"]
    if dropped:
        console.print(
            "dropped columns: " + ", ".join(f"{k} ({v})" for k, v in dropped.items()),
            highlight=False,
        )


@evaluate_app.command("churn")
def evaluate_churn(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet file: one row per customer.")],
    label: Annotated[
        str, typer.Option("--label", help="Label column (yes/no, 1/0, true/false...).")
    ],
    id_col: Annotated[
        str | None, typer.Option("--id-col", help="Customer id column (auto-detected if omitted).")
    ] = None,
    folds: Annotated[int, typer.Option("--folds", min=2, help="Cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the folds and the models.")] = 0,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="File encoding (detected if omitted).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Cross-validate a logistic baseline and gradient boosting on a labelled churn table."""
    from segmint.scores.churn import evaluate_churn_table
    from segmint.sources import read_table

    with user_errors():
        frame = read_table(file, encoding=encoding)
        result = evaluate_churn_table(frame, label=label, id_col=id_col, folds=folds, seed=seed)
    if as_json:
        print_json(result)
    else:
        _render(result, file)
