"""`amkit complaint add|resolve|list` (投诉)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, FormatOpt, OutputOpt, OwnerOpt, emit, emit_created, example
from amkit.ui.opts import CustomerArg, CustomerOpt

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


def columns():  # noqa: ANN201
    from amkit.ui.render import Col

    return [Col("id", "id", "int"), Col("customer", "Customer"), Col("owner", "Owner"),
            Col("opened", "Opened"), Col("resolved", "Resolved"), Col("response_hours", "Response hours", "number"),
            Col("status", "Status"), Col("text", "Complaint"), Col("resolution", "Resolution")]


def _one(st, complaint_id: int) -> dict:  # noqa: ANN001
    from amkit.feedback import writes as feedback
    from amkit.store.models import Complaint, Customer, Manager

    c = st.session.get(Complaint, complaint_id)
    customer = st.session.get(Customer, c.customer_id)
    owner = st.session.get(Manager, customer.owner_id).name if customer.owner_id else None
    return feedback.complaint_row(c, customer.name, owner)


@app.command("add", epilog=example("amkit complaint add 中国银行 '发票开错抬头'",
                                   "amkit complaint add zgyh '交付延期' --opened '2026-11-20 09:30' -f json"))
def add(
    customer: CustomerArg,
    text: Annotated[str, typer.Argument(help="What the customer complained about.")],
    opened: Annotated[Optional[str], typer.Option("--opened", help="When (default now).",
                                                  metavar="DATETIME")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Open a complaint; prints its id."""
    from amkit import store
    from amkit.feedback import writes as feedback

    with store.write() as st:
        c = feedback.add_complaint(st, customer, text, opened)
        row = _one(st, c.id)
    emit_created(row, columns(), fmt)


@app.command("resolve", epilog=example("amkit complaint resolve 3 --resolution 已重开发票",
                                       "amkit complaint resolve 3 --on '2026-11-21 17:00'"))
def resolve(
    complaint_id: Annotated[int, typer.Argument(help="Complaint id.", metavar="ID")],
    resolution: Annotated[Optional[str], typer.Option("--resolution", help="What was done.",
                                                      metavar="TEXT")] = None,
    on: Annotated[Optional[str], typer.Option("--on", help="When (default now).", metavar="DATETIME")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Resolve a complaint; prints the response time in hours."""
    from amkit import store
    from amkit.feedback import writes as feedback

    with store.write() as st:
        c = feedback.resolve(st, complaint_id, resolution, on)
        row = _one(st, c.id)
    if fmt == Fmt.table:
        typer.echo(f"complaint {row['id']} resolved after {row['response_hours']} h")
    else:
        emit(row, columns(), fmt, one=True)


@app.command("list", epilog=example("amkit complaint list --open", "amkit complaint list --owner 张伟 -f json"))
def list_(
    open_: Annotated[bool, typer.Option("--open", help="Unresolved only.")] = False,
    customer: CustomerOpt = None,
    owner: OwnerOpt = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Opened on or after DATE.", metavar="DATE")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Opened on or before DATE.", metavar="DATE")] = None,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """List complaints with the response time (hours from opened to resolved)."""
    from amkit import store
    from amkit.feedback import writes as feedback

    with store.session(write=False) as sess:
        rows = feedback.complaint_rows(sess, feedback.Filters(customer=customer, owner=owner, since=since,
                                                              until=until, open_only=open_))
    emit(rows, columns(), fmt, output, bom)
