"""Dashboard, API and report commands: serve, token create|list|revoke, report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from segmint.cli.app import (
    app,
    console,
    err_console,
    plain,
    print_json,
    workspace_session,
)
from segmint.cli.workspace_commands import JsonFlag, Lang, RunOption, Workspace
from segmint.i18n import t

token_app = typer.Typer(
    help="API tokens of the workspace: create, list, revoke.", no_args_is_help=True
)
app.add_typer(token_app, name="token")

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command("serve")
def serve(
    workspace: Workspace = Path("."),
    host: Annotated[
        str, typer.Option(help="Address to listen on (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    lang: Lang = None,
) -> None:
    """Serve the dashboard and the REST API (/api/v1, docs at /docs) of a workspace."""
    import uvicorn

    from segmint.api import create_app
    from segmint.api.state import ServerState
    from segmint.workspace.tokens import load_tokens

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        state = ServerState(workspace, config=config)
        active = [r for r in load_tokens(workspace) if r.active]
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    console.print(
        t("cli.serve.listening", chosen, url=url, workspace=workspace), markup=False, soft_wrap=True
    )
    if not active:
        err_console.print(t("cli.serve.no_tokens", chosen, workspace=workspace), markup=False)
    if host not in _LOOPBACK:
        err_console.print(t("cli.serve.public_host", chosen, host=host), markup=False)
    # Keep-alive longer than uvicorn's 5 s: a client reusing a connection the server just closed
    # sees a dropped request (measured under load in `make bench`).
    uvicorn.run(
        create_app(workspace, state=state),
        host=host,
        port=port,
        log_level="warning",
        timeout_keep_alive=30,
    )


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="A name saying who or what uses the token.")],
    scope: Annotated[
        str, typer.Option(help="read (dashboard, GET) or admin (also starts runs).")
    ] = "read",
    workspace: Workspace = Path("."),
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Create a token and print it once; only its hash is stored in the workspace."""
    from segmint.workspace.tokens import create_token

    with workspace_session(workspace, lang) as session:
        chosen = session.lang
        token = create_token(workspace, name, scope=scope)
    if json_output:
        print_json({"name": name.strip(), "scope": scope, "token": token})
        return
    console.print(token, markup=False, highlight=False, soft_wrap=True)
    err_console.print(t("cli.token.created", chosen, name=name.strip(), scope=scope), markup=False)


@token_app.command("list")
def token_list(
    workspace: Workspace = Path("."), lang: Lang = None, json_output: JsonFlag = False
) -> None:
    """List the workspace's tokens (names, scopes, dates; never the tokens)."""
    from segmint.workspace.tokens import load_tokens

    with workspace_session(workspace, lang) as session:
        chosen = session.lang
        records = load_tokens(workspace)
    rows = [
        {"name": r.name, "scope": r.scope, "created_at": r.created_at, "revoked_at": r.revoked_at}
        for r in records
    ]
    if json_output:
        print_json({"data": rows, "count": len(rows)})
        return
    if not rows:
        console.print(t("cli.token.none", chosen), markup=False)
        return
    table = Table()
    for key in ("name", "scope", "created_at", "revoked_at"):
        table.add_column(t(f"cli.token.col.{key}", chosen))
    for row in rows:
        table.add_row(*(plain(row[k] or "") for k in ("name", "scope", "created_at", "revoked_at")))
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="The name given at `segmint token create`.")],
    workspace: Workspace = Path("."),
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Revoke a token: a running server rejects it from the next request on."""
    from segmint.workspace.tokens import revoke_token

    with workspace_session(workspace, lang) as session:
        chosen = session.lang
        record = revoke_token(workspace, name)
    if json_output:
        print_json({"name": record.name, "scope": record.scope, "revoked_at": record.revoked_at})
        return
    console.print(t("cli.token.revoked", chosen, name=record.name), markup=False)


@app.command("report")
def report(
    workspace: Workspace = Path("."),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="HTML file to write (default: WS/segmint-report.html)."
        ),
    ] = None,
    run_id: RunOption = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Write one self-contained HTML report (overview, schemes, personas, KPIs, cohorts, health)."""
    from segmint.store import open_store
    from segmint.web.report_file import write_report

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        target = output or workspace / "segmint-report.html"
        with open_store(workspace / config.database, read_only=True) as store:
            written = write_report(workspace, config, store, target, lang=chosen, run_id=run_id)
    if json_output:
        print_json(written)
        return
    console.print(t("cli.report_path", chosen, path=written["path"]), markup=False, soft_wrap=True)
