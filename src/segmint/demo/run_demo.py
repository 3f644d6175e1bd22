"""`segmint demo`: build a SaaS workspace from generated data and analyse a real commerce export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from segmint.analyze import AnalyzeResult, analyze_file
from segmint.config import load_config
from segmint.store import open_store
from segmint.workspace.ingest import IngestSummary, ingest_workspace
from segmint.workspace.init import commerce_sample_path, init_workspace
from segmint.workspace.run import RunResult, run_workspace


@dataclass
class DemoResult:
    """The demo's two halves: the SaaS workspace run and the commerce analysis."""

    saas_dir: Path
    ingest: IngestSummary
    run: RunResult
    commerce: AnalyzeResult


def run_demo(
    folder: str | Path,
    /,
    *,
    n_accounts: int = 2000,
    seed: int = 0,
    lang: str = "en",
    on_step: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the whole product on bundled data; return what it produced (reports included)."""
    step = on_step or (lambda _message: None)
    root = Path(folder)
    saas_dir = root / "saas"
    step("generating the SaaS data set")
    init_workspace(saas_dir, example="saas", n_accounts=n_accounts, seed=seed, force=True)
    config = load_config(saas_dir)
    if lang != config.language:
        config = config.model_copy(update={"language": lang})
    with open_store(saas_dir / config.database) as store:
        ingest = ingest_workspace(saas_dir, config, store, on_step=step)
        run = run_workspace(saas_dir, config, store, on_step=step)
    step("analysing the commerce export")
    commerce = analyze_file(commerce_sample_path(), out_dir=root / "commerce", lang=lang)
    return DemoResult(saas_dir, ingest, run, commerce)
