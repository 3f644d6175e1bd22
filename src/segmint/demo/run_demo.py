"""`segmint demo`: a SaaS workspace and a shop workspace from generated data, a real commerce export."""

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
class ShopDemo:
    """The shop workspace of the demo: categories, discounts, channels and touches."""

    folder: Path
    ingest: IngestSummary
    run: RunResult


@dataclass
class DemoResult:
    """The demo's parts: the SaaS workspace run, the commerce analysis and the shop workspace."""

    saas_dir: Path
    ingest: IngestSummary
    run: RunResult
    commerce: AnalyzeResult
    shop: ShopDemo
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
    plan = StagePlan("demo", ["generate", "ingest", "run", "analyze", "shop"], on_step)
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
    # the shop has half as many customers as the SaaS company has accounts (1,000 by default)
    shop_customers = max(n_accounts // 2, 50)
    plan.start("shop", customers=shop_customers)
    shop = run_shop(
        root / "shop", n_customers=shop_customers, seed=seed, lang=lang, on_step=plan.nested()
    )
    return DemoResult(saas_dir, ingest, run, commerce, shop, actions)


def run_shop(
    folder: Path, *, n_customers: int = 1000, seed: int = 0, lang: str = "en",
    on_step: OnStage | None = None,
) -> ShopDemo:  # fmt: skip
    """Build the synthetic shop workspace (`segmint init --example shop`), ingest it and run it."""
    init_workspace(folder, example="shop", n_accounts=n_customers, seed=seed, force=True)
    set_workspace_language(folder, lang)
    config = load_config(folder)
    with open_store(folder / config.database) as store:
        ingest = ingest_workspace(folder, config, store)
        run = run_workspace(folder, config, store, on_step=on_step)
    return ShopDemo(folder, ingest, run)


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
