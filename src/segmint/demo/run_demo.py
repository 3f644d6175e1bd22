"""`segmint demo`: build a SaaS workspace from generated data and analyse a real commerce export."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segmint.activation.actions import action_queue_view
from segmint.analyze import AnalyzeResult, analyze_file
from segmint.config import load_config
from segmint.progress import OnStage, StagePlan
from segmint.store import open_store
from segmint.workspace.ingest import IngestSummary, ingest_workspace
from segmint.workspace.init import commerce_sample_path, init_workspace
from segmint.workspace.run import RunResult, run_workspace

ACTIONS_SHOWN = 10


@dataclass
class DemoResult:
    """The demo's two halves: the SaaS workspace run and the commerce analysis."""

    saas_dir: Path
    ingest: IngestSummary
    run: RunResult
    commerce: AnalyzeResult
    # What `segmint actions` shows for the SaaS workspace (the first rows of the queue).
    actions: dict[str, Any] = field(default_factory=dict)


def run_demo(
    folder: str | Path,
    /,
    *,
    n_accounts: int = 2000,
    seed: int = 0,
    lang: str = "en",
    on_step: OnStage | None = None,
) -> DemoResult:
    """Run the whole product on bundled data; return what it produced (reports included)."""
    plan = StagePlan("demo", ["generate", "ingest", "run", "analyze"], on_step)
    root = Path(folder)
    saas_dir = root / "saas"
    plan.start("generate", customers=n_accounts)
    init_workspace(saas_dir, example="saas", n_accounts=n_accounts, seed=seed, force=True)
    set_workspace_language(saas_dir, lang)
    config = load_config(saas_dir)
    with open_store(saas_dir / config.database) as store:
        plan.start("ingest")
        ingest = ingest_workspace(saas_dir, config, store, on_step=plan.nested())
        plan.start("run", customers=ingest.customers)
        run = run_workspace(saas_dir, config, store, on_step=plan.nested())
        actions = action_queue_view(store, config, limit=ACTIONS_SHOWN, lang=lang)
    plan.start("analyze")
    commerce = analyze_file(
        commerce_sample_path(), out_dir=root / "commerce", lang=lang, on_step=plan.nested()
    )
    return DemoResult(saas_dir, ingest, run, commerce, actions)


def set_workspace_language(folder: Path, lang: str) -> None:
    """Write `language: <lang>` into the workspace's segmint.yaml, keeping its comments."""
    path = folder / "segmint.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("language:"):
            comment = line[line.index("#") :] if "#" in line else "\n"
            lines[i] = f"language: {lang}".ljust(26) + comment
            break
    else:
        lines.append(f"language: {lang}\n")
    path.write_text("".join(lines), encoding="utf-8")
