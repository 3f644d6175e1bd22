"""`segmint report` (self-contained HTML) and `segmint token create|list|revoke`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from served_workspace import XSS_SEGMENT, Served
from typer.testing import CliRunner

from segmint.cli import _register_commands, app
from segmint.web.report_file import write_report
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
