"""Activation commands: export, sync (destinations) and erase (privacy)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import (
    app,
    console,
    err_console,
    fail,
    plain,
    print_json,
    workspace_session,
)
from segmint.cli.workspace_commands import JsonFlag, Lang, RunOption, Workspace
from segmint.errors import InputError
from segmint.i18n import t


@app.command("export")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    workspace: Workspace = Path("."),
    scheme: Annotated[str | None, typer.Option("--scheme", help="Scheme to export.")] = None,
    segment: Annotated[
        list[str] | None,
        typer.Option("--segment", help="Only this segment of --scheme (repeatable)."),
    ] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Tag to export.")] = None,
    actions: Annotated[
        bool, typer.Option("--actions", help="Export the action queue instead (see --status).")
    ] = False,
    action_status: Annotated[
        str, typer.Option("--status", help="With --actions: open, due, dropped, done, ...")
    ] = "open",
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="Comma-separated feature/score columns to add."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv, parquet or json (default: from the file suffix)."),
    ] = None,
    pii: Annotated[
        str, typer.Option("--pii", help="PII columns (pii: true): drop, hash or keep.")
    ] = "drop",
    run_id: RunOption = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Export a scheme's segment, a tag or the action queue (CSV safe for spreadsheets, Parquet, JSON)."""
    from segmint.activation.exports import export_actions, export_members
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        wanted = [c.strip() for c in (columns or "").split(",") if c.strip()]
        form = fmt or (output.suffix.lstrip(".").lower() or "csv")
        if actions and (scheme or tag or segment):
            raise InputError(
                "--actions exports the action queue: leave out --scheme, --tag, --segment"
            )
        with open_store(workspace / config.database) as store:
            if actions:
                result = export_actions(
                    store, config, output, status=action_status, fmt=form, pii=pii
                )
            else:
                result = export_members(
                    store, config, output, scheme=scheme, segments=segment or [], tag=tag,
                    columns=wanted, fmt=form, pii=pii, run=run_id,
                )  # fmt: skip
    if json_output:
        print_json(result.to_dict())
        return
    console.print(
        t("cli.export.done", chosen, rows=f"{result.rows:,}", subject=result.subject,
          run=result.run_id, as_of=result.as_of, path=result.path),
        markup=False,
    )  # fmt: skip
    console.print(t("cli.export.columns", chosen, columns=", ".join(result.columns)), markup=False)
    if result.pii_columns:
        line = t(f"cli.export.pii_{result.pii}", chosen, columns=", ".join(result.pii_columns))
        console.print(line, markup=False)


@app.command("sync")
def sync(
    workspace: Workspace = Path("."),
    destination: Annotated[
        str | None, typer.Option("--destination", help="Sync only this destination.")
    ] = None,
    status: Annotated[
        bool, typer.Option("--status", help="Show each destination's last sync and its outbox.")
    ] = False,
    run_id: RunOption = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Send the newest segments to the configured destinations (webhooks, PostgreSQL)."""
    from segmint.activation.sync import sync_destinations, sync_status
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        if status:
            with open_store(workspace / config.database, read_only=True) as store:
                report = sync_status(store, config)
        else:
            with open_store(workspace / config.database) as store:
                results = sync_destinations(store, config, only=destination, run=run_id)
    if status:
        if json_output:
            print_json(report)
        else:
            print_sync_status(report, chosen)
        return
    if json_output:
        print_json({"destinations": [r.to_dict() for r in results]})
    else:
        print_sync(results, chosen)
    pending = [r for r in results if r.batches_pending]
    for r in pending:
        err_console.print(
            t("cli.sync.pending", chosen, pending=r.batches_pending, name=r.destination,
              error=r.message),
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
    if pending:
        raise typer.Exit(1)


def print_sync(results: list[Any], lang: str) -> None:
    """Print one line per destination: what was sent or written."""
    for r in results:
        if r.type == "webhook":
            line = t(
                "cli.sync.webhook", lang, name=r.destination,
                kind=t(f"cli.sync.kind.{r.details['kind']}", lang), changes=f"{r.changes:,}",
                sent=r.batches_sent, pending=r.batches_pending,
            )  # fmt: skip
        else:
            line = t(
                "cli.sync.postgres", lang, name=r.destination, table=r.details["table"],
                upserted=f"{r.details['upserted']:,}", deleted=f"{r.details['deleted']:,}",
            )  # fmt: skip
        console.print(plain(line + " · " + t("cli.sync.run", lang, run=r.run_id)))


def print_sync_status(report: dict[str, Any], lang: str) -> None:
    """Print each destination's last sync, then the batches waiting in the outbox."""
    table = Table(title=t("cli.sync.status_title", lang))
    for key in ("destination", "type", "last_sync", "status", "batches_sent", "waiting"):
        table.add_column(t(f"cli.col.{key}", lang))
    waiting_rows = []
    for entry in report["destinations"]:
        last = entry["last_sync"] or {}
        table.add_row(
            plain(entry["destination"]),
            plain(entry["type"]),
            plain(last.get("synced_at") or t("cli.sync.never", lang)),
            plain(last.get("status", "")),
            plain(entry.get("batches_sent", 0)),
            plain(len(entry["outbox"])),
        )
        waiting_rows += [(entry["destination"], batch) for batch in entry["outbox"]]
    console.print(table)
    if not waiting_rows:
        console.print(t("cli.sync.empty_outbox", lang), markup=False)
        return
    outbox = Table(title=t("cli.sync.outbox_title", lang))
    for key in ("destination", "batch", "idempotency_key", "changes", "attempts", "last_error"):
        outbox.add_column(t(f"cli.col.{key}", lang), no_wrap=key == "idempotency_key")
    for name, batch in waiting_rows:
        outbox.add_row(
            plain(name), plain(batch["seq"]), plain(batch["idempotency_key"]),
            plain(batch["changes"]), plain(batch["attempts"]), plain(batch["last_error"] or ""),
        )  # fmt: skip
    console.print(outbox)


@app.command("erase")
def erase(
    customer_id: Annotated[
        str, typer.Argument(help="The customer id (or any source id) to erase.")
    ],
    workspace: Workspace = Path("."),
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Erase a customer from the workspace, its files and PostgreSQL destinations; tell webhook receivers."""
    from segmint.activation.erase import erase_customer

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        if not yes and not typer.confirm(f"erase {customer_id} from {workspace}?", err=True):
            fail("not confirmed; nothing erased (use --yes to skip the question)", lang=chosen)
        report = erase_customer(workspace, config, customer_id)
    if json_output:
        print_json(report.to_dict())
        return
    print_erasure(customer_id, report, chosen)


def print_erasure(customer_id: str, report: Any, lang: str) -> None:
    """Print what the erase removed and redacted, and which sources still hold the customer."""
    console.print(
        plain(t("cli.erase.done", lang, id=customer_id, ids=report.ids, hash=report.id_hash[:16],
                at=report.erased_at)),
    )  # fmt: skip
    items = ", ".join(f"{table} {n:,}" for table, n in sorted(report.rows_deleted.items()))
    console.print(plain(t("cli.erase.rows", lang, items=items or "0")))
    if report.files_redacted:
        console.print(plain(t("cli.erase.files", lang, files=", ".join(report.files_redacted))))
    if report.destinations:
        items = ", ".join(f"{name} {n}" for name, n in report.destinations.items())
        console.print(plain(t("cli.erase.destinations", lang, items=items)))
    if report.receivers:
        items = ", ".join(
            f"{name} ({t(f'cli.erase.receiver.{state}', lang)})"
            for name, state in report.receivers.items()
        )
        console.print(plain(t("cli.erase.receivers", lang, items=items)))
    console.print(plain(t("cli.erase.compacted", lang)))
    if report.files_unredactable:
        files = ", ".join(report.files_unredactable)
        console.print(plain(t("cli.erase.unredactable", lang, files=files)), style="yellow")
    if report.sources_still_holding:
        sources = ", ".join(report.sources_still_holding)
        console.print(plain(t("cli.erase.sources", lang, sources=sources)), style="yellow")
