"""`amkit audit list|verify`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.i18n import t
from amkit.ui.opts import Fmt, FormatOpt, OutputOpt, emit, example, note

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


@app.command("list", epilog=example("amkit audit list --table customers --id 12",
                                    "amkit audit list --since 2026-11-01 -f json"))
def list_(
    table: Annotated[Optional[str], typer.Option("--table", help="Only this table.")] = None,
    row_id: Annotated[Optional[int], typer.Option("--id", help="Only this row id.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="From DATE.", metavar="DATE")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most N entries, newest first (0 = all).")] = 50,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None,
) -> None:
    """List audit entries: who changed what, when, with which command."""
    from amkit import store
    from amkit.store import audit
    from amkit.core.parse import parse_date
    from amkit.ui.render import Col

    with store.session(write=False) as sess:
        rows = audit.list_rows(sess, table, row_id, parse_date("--since", since), limit)
    cols = [Col("id", "id", "int"), Col("at", "At", "datetime"), Col("who", "Who"), Col("command", "Command"),
            Col("action", "Action"), Col("table", "Table"), Col("row_id", "Row", "int"), Col("fields", "Fields")]
    emit(rows, cols, fmt, output)


@app.command("verify", epilog=example("amkit audit verify", "amkit audit verify --chain-only",
                                      "amkit audit verify --anchor ~/safe/amkit.anchor.json"))
def verify(
    chain_only: Annotated[bool, typer.Option("--chain-only", help="Check the hash chain only, not the rows.")] = False,
    anchor: Annotated[Optional[str], typer.Option(
        "--anchor", metavar="FILE", help="Also check that the chain still extends this anchor "
                                         "(from `audit anchor`, backup or review).")] = None,
) -> None:
    """Check the hash chain and that every row of every audited table matches the log (exit 4 if not)."""
    from amkit import store
    from amkit.store import audit
    from amkit.errors import Conflict

    anchored = audit.read_anchor(anchor) if anchor else None
    with store.session(write=False) as sess:
        problems = audit.verify(sess, replay=not chain_only, anchor=anchored)
        count = audit.count(sess)
    if len(problems) > 1:  # rows (a chain break is reported alone): a summary, then table, id, what differs
        from amkit.ui.helptext import message

        shown = [message(p.message) for p in problems[:20]]
        more = [t("… and {n} more", n=len(problems) - 20)] if len(problems) > 20 else []
        raise Conflict(f"{len(problems)} rows differ from the audit log", details=shown + more)
    if problems:
        raise Conflict(problems[0].message)
    note(t("audit log ok: {count} entries, chain intact", count=count) + ("" if chain_only else t(", rows match"))
         + (t(", extends the anchor of {at}", at=anchored["at"]) if anchored else ""))


@app.command("anchor", epilog=example("amkit audit anchor", "amkit audit anchor -o /mnt/usb/amkit.anchor.json"))
def anchor_(
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE", help="Write the anchor here (default: next to the database, "
                                               "<db>.anchor.json).")] = None,
) -> None:
    """Record the audit chain's head (entry id, hash, time, count) in a file outside the database."""
    from amkit import context, store
    from amkit.store import audit

    with store.session(write=False) as sess:
        info = audit.head_info(sess)
    path = audit.write_anchor(output or audit.default_anchor_path(context.current().database_url), info)
    note(t("anchor written to {path}: entry {id}, {count} entries", path=path, id=info["entry_id"],
           count=info["count"]))
