"""Progress of long commands: stage names, k of n and counts on stderr; stdout stays clean."""

from __future__ import annotations

import json
import re
from typing import Any

from typer.testing import CliRunner

from segmint.cli import app
from segmint.cli.app import describe_stage
from segmint.config import load_config
from segmint.progress import Stage, StagePlan
from segmint.workspace.run import run_stages

SAAS_RUN_STAGES = [
    "features",
    "RFM scores",
    "contractual CLV and next-plan propensity",
    "ICP fit",
    "health score",
    "churn model",
    "service tiers",
    "next-purchase forecasts",
    "schemes and tags",
    "KPIs per segment",
    "segment changes, validity and goals",
    "experiments (A/B tests)",
    "action queue",
    "preferences, price and timing",
    "channels and early behaviours",
    "writing the report",
]


def invoke(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_run_shows_every_stage_numbered_on_stderr(cli_workspace: Any) -> None:
    stages = [line for line in cli_workspace.run.stderr.splitlines() if line.startswith("run ")]
    n = len(SAAS_RUN_STAGES)
    assert [re.sub(r" · .*", "", line) for line in stages] == [
        f"run {k}/{n}: {name}" for k, name in enumerate(SAAS_RUN_STAGES, start=1)
    ]
    assert stages[-1].endswith("· 300 customers")
    assert not any(line.startswith("run 1/") for line in cli_workspace.run.stdout.splitlines())


def test_ingest_counts_rows_read_so_far(cli_workspace: Any) -> None:
    stages = [
        line for line in cli_workspace.ingest.stderr.splitlines() if line.startswith("ingest")
    ]
    sources = len(
        load_config(cli_workspace.root).sources
    )  # the SaaS example's sources, touches too
    n = sources + 1
    assert stages[0] == f"ingest 1/{n}: reading crm"
    assert stages[-1].startswith(f"ingest {n}/{n}: stitching identities · ")
    rows = [
        int(m.group(1).replace(",", "")) for s in stages if (m := re.search(r"· ([\d,]+) rows", s))
    ]
    assert len(rows) == sources and rows == sorted(rows)
    total = re.search(r"rows read = loaded \+ rejected: ([\d,]+)", cli_workspace.ingest.stdout)
    assert total is not None and rows[-1] == int(total.group(1).replace(",", ""))


def test_json_output_has_no_progress(cli_workspace: Any) -> None:
    result = invoke("ingest", "-w", cli_workspace.root, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sources"]
    assert result.stderr == ""


def test_run_stages_follow_the_config(cli_workspace: Any) -> None:
    config = load_config(cli_workspace.root)
    assert run_stages(config, {"transactions": object()}, write_report=False) == [
        "features", "rfm", "clv", "icp", "health", "churn", "tiers", "timing", "segments", "kpis",
        "history", "experiments", "actions", "understand",
    ]  # fmt: skip
    bare = config.model_copy(update={"icp": None, "health": None, "tiers": None})
    assert run_stages(bare, {"subscriptions": object(), "events": object()}) == [
        "features", "contractual_clv", "churn", "segments", "kpis", "history", "experiments",
        "actions", "engagement", "report",
    ]  # fmt: skip


def test_nested_stages_show_their_parent_first() -> None:
    seen: list[Stage] = []
    outer = StagePlan("demo", ["generate", "run"], seen.append)
    outer.start("generate")
    outer.start("run", customers=300)
    inner = StagePlan("run", ["features", "rfm"], outer.nested())
    inner.start("features")
    inner.start("rfm", customers=1234)
    assert describe_stage(seen[-1], "en") == (
        "demo 2/2: segmenting › run 2/2: RFM scores · 1,234 customers"
    )
    assert describe_stage(seen[-1], "ko") == "데모 2/2: 세분화 › 실행 2/2: RFM 점수 · 고객 1,234명"
    assert describe_stage(seen[0], "en") == "demo 1/2: generating the SaaS data set"


def test_analyze_read_stage_shows_the_file_size(tmp_path: Any) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from segmint.analyze import analyze_file

    rng = np.random.default_rng(0)
    n = 400_000  # random floats do not compress: about 10 MB
    path = tmp_path / "export.parquet"
    pq.write_table(
        pa.table(
            {
                "customer_id": rng.integers(0, 5000, n),
                "order_date": pa.array(
                    np.datetime64("2023-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
                ),
                "amount": rng.random(n) * 100,
            }
        ),
        path,
        compression="none",
    )
    stages: list[Stage] = []
    analyze_file(path, out_dir=tmp_path / "out", with_clv=False, on_step=stages.append)
    read = next(s for s in stages if s.key == "read")
    size = round(path.stat().st_size / 1e6)
    assert size >= 5 and read.counts == {"megabytes": size}
    assert describe_stage(read, "en").endswith(f"· {size} MB")
    assert describe_stage(read, "ko").endswith(f"· {size}MB")
    rfm = next(s for s in stages if s.key == "rfm")
    assert rfm.counts["rows"] == n
