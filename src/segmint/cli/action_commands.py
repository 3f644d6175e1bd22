"""`segmint actions`: list the action queue, record what was done, show an action's history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import (
    app,
    console,
    fail,
    plain,
    print_json,
    resolve_lang,
    workspace_session,
)
from segmint.cli.workspace_commands import JsonFlag, Lang, Workspace
from segmint.i18n import t

TEXT_ROWS = 50

actions_app = typer.Typer(
    help="The action queue a run computed from `playbooks:`: list it (default), set, history.",
    invoke_without_command=True,
)
app.add_typer(actions_app, name="actions")


@actions_app.callback()
def actions(
    ctx: typer.Context,
    workspace: Workspace = Path("."),
    status: Annotated[
        str | None,
        typer.Option(
            help="Only this status: open (due or dropped), due, dropped, sent, done, skipped, "
            "cancelled."
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Only actions of this owner.")] = None,
    playbook: Annotated[str | None, typer.Option(help="Only actions of this playbook.")] = None,
    customer: Annotated[str | None, typer.Option(help="Only actions for this customer id.")] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            help=f"At most N actions (default: all with --json, {TEXT_ROWS} as text).", min=1
        ),
    ] = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """List the action queue: highest priority and longest waiting first."""
    if ctx.invoked_subcommand is not None:
        return
    from segmint.activation.actions import action_queue_view
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            view = action_queue_view(
                store,
                config,
                status=status,
                owner=owner,
                playbook=playbook,
                customer_id=customer,
                limit=limit or (None if json_output else TEXT_ROWS),
                lang=chosen,
            )
    if json_output:
        print_json(view)
        return
    print_queue(view, chosen)


def print_queue(
    view: dict[str, Any], lang: str, *, by_playbook: bool = False, header: bool = True
) -> None:
    """Print the queue's header line, owners over capacity, (open actions per playbook,) then
    the actions as a table; `header=False` when the run's output already said the first two."""
    summary = view["summary"]
    if summary is None:
        console.print(t("actions.no_queue", lang), markup=False)
        return
    if header:
        print_queue_header(summary, lang)
    if by_playbook and summary["playbooks"]:
        books = Table(title=t("actions.by_playbook", lang))
        for key in ("playbook", "action", "channel", "due", "dropped"):
            books.add_column(
                t(f"cli.col.{key}", lang), justify="right" if key in ("due", "dropped") else "left"
            )
        for row in summary["playbooks"]:
            books.add_row(
                plain(row["playbook"]),
                plain(row["action"]),
                plain(row["channel"]),
                f"{row['due']:,}",
                f"{row['dropped']:,}",
            )
        console.print(books)
    if not view["data"]:
        console.print(t("actions.none_match", lang), markup=False)
        return
    # The action text is in --json and the report; the playbook name stands for it here.
    keys = ("action_id", "customer_id", "playbook", "channel", "owner", "priority", "due_at",
            "status", "reason")  # fmt: skip
    table = Table()
    for key in keys:
        table.add_column(
            t(f"cli.col.{key}", lang),
            justify="right" if key == "priority" else "left",
            no_wrap=key in ("action_id", "customer_id", "playbook", "due_at", "priority", "status"),
        )
    for row in view["data"]:
        cells = [plain(row[k]) for k in keys]
        cells[keys.index("status")] = plain(t(f"actions.status.{row['status']}", lang))
        table.add_row(*cells)
    console.print(table)
    if view["count"] < view["total"]:
        console.print(
            t("actions.shown", lang, shown=f"{view['count']:,}", total=f"{view['total']:,}"),
            markup=False,
        )


def print_queue_header(summary: dict[str, Any], lang: str) -> None:
    """Print the queue's counts by status and one line per owner over capacity."""
    counts = summary["statuses"]
    console.print(
        t(
            "actions.header",
            lang,
            as_of=summary["as_of"] or "–",
            due=f"{counts['due']:,}",
            dropped=f"{counts['dropped']:,}",
            cancelled=f"{counts['cancelled']:,}",
            handled=f"{counts['done'] + counts['sent'] + counts['skipped']:,}",
        ),
        markup=False,
        style="bold",
    )
    for row in summary["owners"]:
        if row["over_capacity"]:
            console.print(
                "[yellow]! [/]",
                plain(
                    t(
                        "actions.over_capacity",
                        lang,
                        owner=row["owner"],
                        wanted=f"{row['hours_wanted']:g}",
                        capacity=f"{row['hours_per_week']:g}",
                        dropped=f"{row['dropped']:,}",
                    )
                ),
                sep="",
            )
    if summary.get("skipped_reason"):
        console.print(t("actions.backfill", lang, as_of=summary["skipped_reason"]), markup=False)


@actions_app.command("set")
def set_status(
    action_id: Annotated[str, typer.Argument(help="The action id (first column of the list).")],
    status: Annotated[str, typer.Argument(help="done, skipped or sent.")],
    workspace: Workspace = Path("."),
    note: Annotated[str | None, typer.Option(help="What happened (kept in the history).")] = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Record that an action was done, skipped or sent; the change is kept in its history."""

    from segmint.activation.actions import SETTABLE_STATUSES, action_history, set_action_status
    from segmint.store import open_store

    chosen = resolve_lang(lang)
    if status not in SETTABLE_STATUSES:
        fail(
            f"STATUS: unknown status {status!r}; allowed: {', '.join(SETTABLE_STATUSES)}",
            lang=chosen,
        )
    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database) as store:
            updated = set_action_status(store, action_id, status, note=note)
            history = action_history(store, action_id, lang=chosen)
    last = history[-1]
    if json_output:
        print_json({"action": updated, "history": history})
        return
    console.print(
        t(
            "actions.set_done",
            chosen,
            action_id=action_id,
            previous=t(f"actions.status.{last['previous_status']}", chosen),
            status=t(f"actions.status.{status}", chosen),
            at=last["changed_at"],
        ),
        markup=False,
    )


@actions_app.command("history")
def history(
    action_id: Annotated[str, typer.Argument(help="The action id.")],
    workspace: Workspace = Path("."),
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Show every status change of one action: by which run or by hand, why, and the notes."""
    from segmint.activation.actions import action_history
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            rows = action_history(store, action_id, lang=chosen)
    if json_output:
        print_json({"action_id": action_id, "data": rows, "count": len(rows)})
        return
    table = Table(title=t("actions.history_title", chosen, action_id=action_id))
    keys = ("changed_at", "by", "previous_status", "status", "reason", "note")
    for key in keys:
        table.add_column(t(f"cli.col.{key}", chosen))
    for row in rows:
        cells = []
        for key in keys:
            value = row[key]
            if key in ("status", "previous_status") and value:
                value = t(f"actions.status.{value}", chosen)
            elif key == "by":
                value = (
                    t("actions.by_user", chosen)
                    if row["run_id"] is None
                    else t("actions.by_run", chosen, run=row["run_id"])
                )
            cells.append(plain(value or ""))
        table.add_row(*cells)
    console.print(table)
