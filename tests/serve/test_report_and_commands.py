"""`segmint report` (self-contained HTML) and `segmint token create|list|revoke`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from served_workspace import EXPERIMENT, XSS_GOAL, XSS_SEGMENT, Served
from typer.testing import CliRunner

from segmint.cli import _register_commands, app
from segmint.web.report_file import write_report
from segmint.workspace.browse import scheme_overview
from segmint.workspace.tokens import load_tokens

_register_commands()


def invoke(*args: object):  # type: ignore[no-untyped-def]
    """Run the CLI in-process."""
    return CliRunner().invoke(app, [str(a) for a in args])


def test_report_is_one_self_contained_file(served: Served, tmp_path: Path) -> None:
    store = served.state.reader()
    try:
        en = write_report(served.root, served.state.config, store, tmp_path / "en.html", lang="en")
        ko = write_report(served.root, served.state.config, store, tmp_path / "ko.html", lang="ko")
    finally:
        store.close()
    html = Path(en["path"]).read_text(encoding="utf-8")
    # Nothing is fetched: no external script, stylesheet, image or font in the markup (Plotly's
    # inlined code holds links of its own, such as its logo's, which are text, not requests).
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", markup)
    assert "<link" not in html and "<script src" not in html
    assert "Plotly" in html and html.count("<script>") == 2
    for heading in (
        "Biggest movements",
        "Scheme: lifecycle",
        "Acquisition cohorts",
        "Health score",
    ):
        assert heading in html, heading
    assert XSS_SEGMENT not in html and "&lt;script&gt;window.__xss=1" in html
    korean = Path(ko["path"]).read_text(encoding="utf-8")
    assert '<html lang="ko">' in korean and "고객 세분화 보고서" in korean


def _section(html: str, css_class: str) -> str:
    start = html.index(f'<section class="card wide {css_class}">')
    return html[start : html.index("</section>", start)]


def test_report_has_migration_experiments_and_goals(served: Served, tmp_path: Path) -> None:
    store = served.state.reader()
    try:
        written = write_report(
            served.root, served.state.config, store, tmp_path / "r.html", lang="en"
        )
        korean = write_report(
            served.root, served.state.config, store, tmp_path / "k.html", lang="ko"
        )
    finally:
        store.close()
    html = Path(written["path"]).read_text(encoding="utf-8")
    reader = served.state.reader()
    runs = [int(r) for r in reader.snapshot_runs()["run_id"]]  # newest as_of first
    schemes = [s for s in scheme_overview(reader)["schemes"] if not s["is_tag"]]
    reader.close()
    # Migration of every scheme from the run before to the newest: a Sankey and a matrix.
    migration = _section(html, "report-migration")
    assert f"run {runs[1]} → run {runs[0]}" in migration and "Migration: lifecycle" in html
    assert '"type": "sankey"' in migration and 'class="migration-matrix"' in migration
    migrated = html.count('<section class="card wide report-migration">')
    assert migrated == len(schemes) >= 2
    # The experiment: its uplift chart and the results table (overall and per segment).
    experiments = _section(html, "report-experiments")
    assert EXPERIMENT in experiments and 'class="experiment-results"' in experiments
    assert "All customers" in experiments
    assert experiments.count("<tr") > 3 and "data-chart" in experiments
    # Goals, with the markup in a goal's name shown as text.
    goals = _section(html, "report-goals")
    assert XSS_GOAL not in html and "&lt;b&gt;goal&lt;/b&gt;" in goals
    assert goals.count("<tr>") == 1 + len(served.state.config.goals)
    ko = Path(korean["path"]).read_text(encoding="utf-8")
    assert "이동: lifecycle" in ko and "실험" in ko and "목표" in ko


def test_token_commands_create_list_and_revoke(served: Served) -> None:
    created = invoke("token", "create", "crm-sync", "--scope", "admin", "-w", served.root, "--json")
    assert created.exit_code == 0, created.output
    token = json.loads(created.stdout)["token"]
    assert token.startswith("sgm_") and len(token) > 40
    listed = invoke("token", "list", "-w", served.root, "--json")
    names = {r["name"]: r for r in json.loads(listed.stdout)["data"]}
    assert names["crm-sync"]["scope"] == "admin" and names["crm-sync"]["revoked_at"] is None
    assert token not in listed.stdout
    twice = invoke("token", "create", "crm-sync", "-w", served.root)
    assert twice.exit_code == 2 and "already exists" in twice.stderr
    revoked = invoke("token", "revoke", "crm-sync", "-w", served.root, "--lang", "ko")
    assert revoked.exit_code == 0 and "폐기" in revoked.stdout
    again = invoke("token", "revoke", "crm-sync", "-w", served.root)
    assert again.exit_code == 2 and "no active token" in again.stderr
    assert not any(r.name == "crm-sync" and r.active for r in load_tokens(served.root))
    bad = invoke("token", "create", "x", "--scope", "root", "-w", served.root)
    assert bad.exit_code == 2 and "allowed: read, admin" in bad.stderr
    assert "Traceback" not in bad.output
