"""`segmint evaluate churn FILE --label COL`: cross-validated churn models on a labelled customer table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import console, evaluate_app, print_json, resolve_lang, user_errors
from segmint.cli.workspace_commands import Lang
from segmint.i18n import t


def _render(result: dict[str, Any], path: Path, lang: str) -> None:
    table = Table(
        title=t(
            "cli.eval.churn.title",
            lang,
            file=path.name,
            rows=f"{result['rows']:,}",
            rate=f"{result['positive_rate']:.1%}",
            folds=result["folds"],
        )  # fmt: skip
    )
    # ROC AUC, PR AUC and Brier are names of metrics, the same in every language
    headers = [t("cli.eval.col.model", lang), "ROC AUC", t("cli.eval.col.calibrated", lang),
               "PR AUC", "Brier", t("cli.eval.col.lift", lang)]  # fmt: skip
    for i, column in enumerate(headers):
        table.add_column(column, justify="left" if i == 0 else "right")
    best_mark = t("cli.eval.best_mark", lang)
    for name, metrics in result["models"].items():
        marker = f" {best_mark}" if name == result["best"] else ""

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
    console.print(t("cli.eval.churn.auc_note", lang), highlight=False)
    coded = result["features"].get("coded_for_gbm")
    if coded:
        console.print(t("cli.eval.churn.coded", lang, columns=", ".join(coded)), highlight=False)
    dropped = result["features"]["dropped"]
    if dropped:
        columns = ", ".join(f"{k} ({v})" for k, v in dropped.items())
        console.print(t("cli.eval.churn.dropped", lang, columns=columns), highlight=False)


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
    lang: Lang = None,
) -> None:
    """Cross-validate a logistic baseline and gradient boosting on a labelled churn table."""
    from segmint.scores.churn import evaluate_churn_table
    from segmint.sources import read_table

    lang = resolve_lang(lang)
    with user_errors(lang):
        frame = read_table(file, encoding=encoding)
        result = evaluate_churn_table(frame, label=label, id_col=id_col, folds=folds, seed=seed)
    if as_json:
        print_json(result)
    else:
        _render(result, file, lang)
