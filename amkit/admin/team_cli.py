"""`amkit team setup`, `amkit user grant|list`: team mode on PostgreSQL (roles and row-level security)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, FormatOpt, OutputOpt, emit, example, note

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS
user_app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


class Role(str, Enum):
    manager = "manager"
    lead = "lead"
    admin = "admin"


def columns():  # noqa: ANN201
    from amkit.ui.render import Col

    return [Col("login", "Login"), Col("role", "Access role"), Col("manager", "Manager"), Col("team", "Team"),
            Col("created_at", "Created", "datetime")]


@app.command("setup", epilog=example("AMKIT_DATABASE_URL=postgresql+psycopg://owner@db.example/amkit amkit team setup"))
def setup() -> None:
    """Create the group roles, row-level-security policies and grants (idempotent, versioned)."""
    from amkit import store
    from amkit.admin import teamsetup

    with store.write() as st:
        ran = teamsetup.setup(st)
    note(f"team setup: applied {', '.join(ran)}" if ran else "team setup: policies up to date; grants refreshed")


@user_app.command("grant", epilog=example("amkit user grant zhangwei --role manager --manager 张伟",
                                          "amkit user grant wangfang --role lead --team 华东",
                                          "echo 's3cret' | amkit user grant boss --role admin --password-stdin"))
def grant(
    name: Annotated[str, typer.Argument(help="Database login (created when missing).")],
    role: Annotated[Role, typer.Option("--role", help="manager (own customers), lead (team), admin (all).")],
    team: Annotated[Optional[str], typer.Option("--team", help="The lead's team (default: the manager's).")] = None,
    manager: Annotated[Optional[str], typer.Option("--manager", help="Their manager record (default: the one "
                                                                     "named NAME).")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Set the login's password, read "
                                                                          "from stdin.")] = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Give a database login a role; creates the login role and grants its group."""
    from amkit import store
    from amkit.admin import teamsetup

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with store.write() as st:
        row = teamsetup.grant(st, name, role.value, team=team, manager=manager, password=password)
    if fmt == Fmt.table:
        note(f"{row['login']}: {row['role']}" + (f", team {row['team']}" if row["team"] else ""))
    else:
        emit(row, columns()[:4], fmt, one=True)


@user_app.command("list", epilog=example("amkit user list", "amkit user list -f json"))
def list_(fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False) -> None:
    """List the logins with their role, manager record and team."""
    from amkit import store
    from amkit.admin import teamsetup

    with store.session(write=False) as sess:
        rows = teamsetup.users(sess)
    emit(rows, columns(), fmt, output, bom)


@app.command("vacuum", epilog=example("amkit team vacuum"))
def vacuum() -> None:
    """As the database owner: rewrite every table and checkpoint, so erased data leaves the files."""
    from amkit.store.scrub import compact
    from amkit.ui.i18n import t

    left = compact()
    if left:
        from amkit.errors import OutOfScope

        raise OutOfScope(f"team vacuum: this login may not rewrite {', '.join(left)}: run it as the database owner")
    note(t("team vacuum: every table rewritten and checkpointed"))
