"""`segmint discover FILE|--workspace DIR`: find customer clusters, label them, write assignments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import app, console, print_json, user_errors
from segmint.errors import ConfigError
from segmint.safe_output import write_csv


def _parse_k(value: str) -> int | str:
    if value.strip().lower() == "auto":
        return "auto"
    try:
        k = int(value)
    except ValueError:
        raise ConfigError(f"--k must be 'auto' or an integer ≥ 2; got {value!r}") from None
    if k < 2:
        raise ConfigError(f"--k must be 'auto' or an integer ≥ 2; got {value!r}")
    return k


def _load_workspace(folder: Path) -> Any:
    from segmint.workspace import load_latest_features

    return load_latest_features(folder, behaviour_only=True)


def _render(payload: dict[str, Any]) -> None:
    scores = Table(title=f"choosing k ({payload['method']})")
    for column in (
        "k",
        "silhouette",
        "CH",
        "DB",
        "stability",
        "mean rank",
        "",
    ):
        scores.add_column(column, justify="right")
    for k, row in payload["scores"].items():

        def cell(value: Any, fmt: str) -> str:
            return "–" if value is None else format(value, fmt)

        mark = "← chosen" if row["chosen"] else ("ok" if row["acceptable"] else "")
        scores.add_row(
            k,
            cell(row["silhouette"], ".3f"),
            cell(row["calinski_harabasz"], ",.0f"),
            cell(row["davies_bouldin"], ".3f"),
            cell(row["stability_ari"], ".3f"),
            cell(row["mean_rank"], ".2f"),
            mark,
        )
    console.print(scores)
    clusters = Table(title=f"{payload['k']} clusters, {payload['rows']:,} customers")
    for column in ("cluster", "label", "size", "share"):
        clusters.add_column(column, justify="left" if column == "label" else "right")
    for c in payload["clusters"]:
        clusters.add_row(str(c["cluster"]), c["label"], f"{c['size']:,}", f"{c['share']:.1%}")
    console.print(clusters)
    excluded = payload["preprocessing"]["excluded"]
    if excluded:
        console.print(
            "not clustered on: " + "; ".join(f"{k} ({v})" for k, v in excluded.items()),
            highlight=False,
        )
    missing = {k: v for k, v in payload["missing"].items() if v}
    if missing:
        console.print(
            "missing values imputed: " + ", ".join(f"{k} {v:,}" for k, v in missing.items()),
            highlight=False,
        )
    if payload["noise_points_reassigned"]:
        console.print(
            f"hdbscan noise points assigned to the nearest cluster: {payload['noise_points_reassigned']:,}",
            highlight=False,
        )


@app.command("discover")
def discover_command(
    file: Annotated[
        Path | None, typer.Argument(help="CSV or Parquet file: one row per customer.")
    ] = None,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace", "-w", help="Cluster the features of the workspace's latest run."
        ),
    ] = None,
    features: Annotated[
        str | None,
        typer.Option("--features", help="Comma-separated columns to cluster on (default: all)."),
    ] = None,
    k: Annotated[str, typer.Option("--k", help="Number of clusters, or 'auto'.")] = "auto",
    method: Annotated[
        str, typer.Option("--method", help="kmeans, gmm, hierarchical or hdbscan.")
    ] = "kmeans",
    id_col: Annotated[
        str | None, typer.Option("--id-col", help="Customer id column (auto-detected if omitted).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write id, cluster, cluster_label to this CSV."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed for sampling and the models.")] = 0,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="File encoding (detected if omitted).")
    ] = None,
) -> None:
    """Find customer clusters, choose k from several criteria, and label each cluster in plain words."""
    from segmint.segments.clustering import discover

    with user_errors():
        if (file is None) == (workspace is None):
            raise ConfigError("give either FILE or --workspace DIR (exactly one)")
        if file is not None:
            from segmint.sources import read_table

            frame = read_table(file, encoding=encoding)
        else:
            assert workspace is not None
            frame = _load_workspace(workspace)
            if id_col is None and "customer_id" in frame.columns:
                id_col = "customer_id"
        if id_col is not None and id_col not in frame.columns:
            raise ConfigError(
                f"--id-col {id_col!r} not found; columns: " + ", ".join(map(str, frame.columns))
            )
        chosen = [c.strip() for c in features.split(",") if c.strip()] if features else None
        try:
            result = discover(
                frame, id_col=id_col, features=chosen, k=_parse_k(k), method=method, seed=seed
            )
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        payload = result.to_json()
        payload["id_col"] = result.id_col
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            write_csv(result.assignments, output)
            payload["output"] = str(output)
        if as_json:
            print_json(payload)
            return
        _render(payload)
        if output is not None:
            console.print(f"wrote {len(result.assignments):,} rows to {output}", highlight=False)
