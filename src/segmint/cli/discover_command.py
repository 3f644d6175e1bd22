"""`segmint discover FILE|--workspace DIR`: find customer clusters, label them, write assignments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import app, console, plain, print_json, resolve_lang, user_errors
from segmint.cli.workspace_commands import Lang
from segmint.errors import ConfigError
from segmint.i18n import t
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


def _load_workspace(folder: Path, run: int | None) -> Any:
    from segmint.workspace import load_snapshot_features

    return load_snapshot_features(folder, run=run, behaviour_only=True)


def _render(payload: dict[str, Any], lang: str) -> None:
    scores = Table(title=t("cli.discover.choosing_k", lang, method=payload["method"]))
    scores.add_column("k", justify="right")
    metrics = ("silhouette", "calinski_harabasz", "davies_bouldin", "stability", "mean_rank")
    for name in metrics:
        scores.add_column(t(f"cli.metric.{name}", lang), justify="right")
    scores.add_column("", justify="right")
    for k, row in payload["scores"].items():

        def cell(value: Any, fmt: str) -> str:
            return "–" if value is None else format(value, fmt)

        if row["chosen"]:
            mark = t("cli.discover.chosen", lang)
        else:
            mark = t("cli.discover.acceptable", lang) if row["acceptable"] else ""
            if row.get("category_split"):
                mark = t("cli.discover.category_split", lang)
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
    clusters = Table(
        title=t("cli.discover.clusters_title", lang, k=payload["k"], rows=f"{payload['rows']:,}")
    )
    for key in ("cluster", "label", "size", "share"):
        clusters.add_column(
            t(f"cli.col.{key}", lang), justify="left" if key == "label" else "right"
        )
    for c in payload["clusters"]:
        clusters.add_row(
            str(c["cluster"]), plain(c["label"]), f"{c['size']:,}", f"{c['share']:.1%}"
        )
    console.print(clusters)
    for split in payload.get("subsegments", []):
        levels = ", ".join(
            f"{s['level']} {s['share_of_cluster']:.0%}" for s in split["subsegments"][:6]
        )
        console.print(
            t("cli.discover.subsegments", lang, cluster=split["cluster"], column=split["column"],
              levels=levels),
            markup=False,
            highlight=False,
        )  # fmt: skip
    excluded = payload["preprocessing"]["excluded"]
    if excluded:
        items = "; ".join(f"{k} ({v})" for k, v in excluded.items())
        console.print(t("cli.discover.excluded", lang, items=items), markup=False, highlight=False)
    missing = {k: v for k, v in payload["missing"].items() if v}
    if missing:
        items = ", ".join(f"{k} {v:,}" for k, v in missing.items())
        console.print(t("cli.discover.imputed", lang, items=items), markup=False, highlight=False)
    if payload["noise_points_reassigned"]:
        count = f"{payload['noise_points_reassigned']:,}"
        console.print(t("cli.discover.noise", lang, count=count), markup=False, highlight=False)


def _save(
    folder: Path,
    shown: Any,
    result: Any,
    features: list[str] | None,
    k: str,
    method: str,
    seed: int,
) -> None:
    """Store the cluster profiles with the run they were found in (for the dashboard)."""
    from segmint.config import load_config
    from segmint.store import open_store
    from segmint.workspace.discovery import save_discovery

    options = {"features": features, "k": k, "method": method, "seed": seed}
    with open_store(folder / load_config(folder).database) as store:
        save_discovery(store, result, run_id=shown.run_id, as_of=shown.as_of, options=options)


@app.command("discover")
def discover_command(
    file: Annotated[
        Path | None, typer.Argument(help="CSV or Parquet file: one row per customer.")
    ] = None,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Cluster the features of a workspace run (the newest as_of, or --run).",
        ),
    ] = None,
    run_id: Annotated[
        int | None,
        typer.Option("--run", help="With --workspace: the stored run id to cluster.", min=1),
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
    lang: Lang = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", help="Seed for sampling and the models (default: the workspace seed, or 0)."
        ),
    ] = None,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="With --workspace: store the cluster profiles with the run (dashboard page "
            "/discovery, GET /api/v1/discovery).",
        ),
    ] = False,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="File encoding (detected if omitted).")
    ] = None,
) -> None:
    """Find customer clusters, choose k from several criteria, and label each cluster in plain words."""
    from segmint.segments.clustering import discover

    chosen_lang = resolve_lang(lang)
    with user_errors(chosen_lang):
        if (file is None) == (workspace is None):
            raise ConfigError("give either FILE or --workspace DIR (exactly one)")
        if run_id is not None and workspace is None:
            raise ConfigError("--run applies only with --workspace DIR")
        if save and workspace is None:
            raise ConfigError("--save applies only with --workspace DIR")
        shown: Any = None
        workspace_seed = 0
        if file is not None:
            from segmint.sources import read_table

            frame = read_table(file, encoding=encoding)
        else:
            assert workspace is not None
            from segmint.config import load_config

            config = load_config(workspace)
            chosen_lang = resolve_lang(lang, config)
            workspace_seed = config.seed
            shown = _load_workspace(workspace, run_id)
            frame = shown.values
            if id_col is None and "customer_id" in frame.columns:
                id_col = "customer_id"
        if id_col is not None and id_col not in frame.columns:
            raise ConfigError(
                f"--id-col {id_col!r} not found; columns: " + ", ".join(map(str, frame.columns))
            )
        chosen = [c.strip() for c in features.split(",") if c.strip()] if features else None
        try:
            result = discover(
                frame,
                id_col=id_col,
                features=chosen,
                k=_parse_k(k),
                method=method,
                seed=workspace_seed if seed is None else seed,
            )
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        payload = result.to_json(chosen_lang)
        payload["id_col"] = result.id_col
        if shown is not None:
            payload["run"] = {"run_id": shown.run_id, "as_of": shown.as_of.date().isoformat()}
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            labels = {c["cluster"]: c["label"] for c in payload["clusters"]}
            assignments = result.assignments.assign(
                cluster_label=result.assignments["cluster"].map(labels)
            )
            write_csv(assignments, output)
            payload["output"] = str(output)
        if save:
            assert workspace is not None
            _save(
                workspace,
                shown,
                result,
                chosen,
                k,
                method,
                workspace_seed if seed is None else seed,
            )
            payload["saved"] = True
        if as_json:
            print_json(payload)
            return
        if shown is not None:
            console.print(
                t(
                    "cli.clustering_run",
                    chosen_lang,
                    run=shown.run_id,
                    as_of=f"{shown.as_of:%Y-%m-%d}",
                ),
                highlight=False,
            )
        _render(payload, chosen_lang)
        if save:
            console.print(
                t("cli.discover.saved", chosen_lang, run=shown.run_id),
                markup=False,
                highlight=False,
            )
        if output is not None:
            rows = f"{len(result.assignments):,}"
            message = t("cli.discover.wrote", chosen_lang, rows=rows, path=output)
        elif save:
            return
        else:
            message = t("cli.discover.not_saved", chosen_lang)
        console.print(message, markup=False, highlight=False)
