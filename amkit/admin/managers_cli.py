"""`amkit manager add|list`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, FormatOpt, OutputOpt, emit, emit_created, example

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


def columns():  # noqa: ANN201
    from amkit.ui.render import Col

    return [Col("id", "id", "int"), Col("name", "Full name"), Col("team", "Team"), Col("lead", "Lead"),
            Col("email", "Email"), Col("mobile", "Mobile"), Col("wecom_userid", "WeCom userid"),
            Col("dingtalk_userid", "DingTalk userid"), Col("active", "Active", "bool"), Col("customers", "Customers owned", "int")]


@app.command("add", epilog=example("amkit manager add 张伟 --team 华东 --lead 王芳 --email zw@example.com"))
def add(
    name: Annotated[str, typer.Argument(help="Manager name (unique).")],
    team: Annotated[Optional[str], typer.Option("--team", help="Team name.")] = None,
    lead: Annotated[Optional[str], typer.Option("--lead", help="The lead's name.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="E-mail address.")] = None,
    mobile: Annotated[Optional[str], typer.Option("--mobile", help="Mobile number (@-mentions in DingTalk digests).")] = None,
    wecom_userid: Annotated[Optional[str], typer.Option("--wecom-userid", help="WeCom userid (@-mentions in WeCom digests).")] = None,
    dingtalk_userid: Annotated[Optional[str], typer.Option("--dingtalk-userid", help="DingTalk userid.")] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="Add as not active.")] = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Add a manager."""
    from amkit import store
    from amkit.admin import managers

    with store.write() as st:
        m = managers.add(st, name, team=team, lead=lead, email=email, active=not inactive, mobile=mobile,
                         wecom_userid=wecom_userid, dingtalk_userid=dingtalk_userid)
        row = managers.manager_row(m, 0)
    emit_created(row, columns(), fmt)


@app.command("list", epilog=example("amkit manager list --team 华东", "amkit manager list -f json"))
def list_(
    team: Annotated[Optional[str], typer.Option("--team", help="Only this team.")] = None,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """List managers with the number of customers each owns."""
    from amkit import store
    from amkit.admin import managers

    with store.session(write=False) as sess:
        rows = managers.list_rows(sess, team)
    emit(rows, columns(), fmt, output, bom)


@app.command("leave", epilog=example("amkit manager leave 张伟 --to 李娜 --note '张伟调岗，客户由李娜跟进'",
                                     "amkit manager leave 张伟 --to 李娜 --dry-run"))
def leave(
    name: Annotated[str, typer.Argument(help="The manager who leaves.", metavar="NAME")],
    to: Annotated[str, typer.Option("--to", help="The manager who takes over (active).", metavar="NAME")],
    note_text: Annotated[Optional[str], typer.Option("--note", help="Added to every handover note.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would move; write nothing.")] = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Hand over all of a manager's customers, open deals and pending actions (with notes), then mark them
    inactive: they can no longer be given customers; their history and scores stay."""
    from amkit import store
    from amkit.admin import managers
    from amkit.ui.i18n import counted, t

    with store.write() as st:
        result = managers.leave(st, name, to, note_text, dry_run)
        if dry_run:
            st.discard()
    if fmt != Fmt.table:
        from amkit.ui.render import Col

        emit(result, [Col(k, k) for k in result], fmt, one=True)
        return
    typer.echo(t("{manager} → {to}: {customers}, {deals}, {actions}", manager=result["manager"], to=result["to"],
                 customers=counted(result["customers"], "customer"), deals=counted(result["open_deals"], "open deal"),
                 actions=counted(result["pending_actions"], "pending action")))
    typer.echo(t("(dry run: nothing written)") if dry_run else t("{manager} is now inactive", manager=result["manager"]))
