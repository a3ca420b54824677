"""`amkit audit list|verify`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

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


@app.command("verify", epilog=example("amkit audit verify", "amkit audit verify --chain-only"))
def verify(
    chain_only: Annotated[bool, typer.Option("--chain-only", help="Check the hash chain only, not the rows.")] = False,
) -> None:
    """Check the hash chain and that every audited row still matches the log (exit 4 if not)."""
    from amkit import store
    from amkit.store import audit
    from amkit.errors import Conflict

    with store.session(write=False) as sess:
        problems = audit.verify(sess, replay=not chain_only)
        count = audit.count(sess)
    if problems:
        raise Conflict(problems[0].message, details=[p.message for p in problems[1:10]])
    note(f"audit log ok: {count} entries, chain intact" + ("" if chain_only else ", rows match"))
