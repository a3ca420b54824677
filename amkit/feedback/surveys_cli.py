"""`amkit survey add|list` (满意度)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, FormatOpt, OutputOpt, OwnerOpt, emit, emit_created, example, note
from amkit.ui.opts import CustomerArg, CustomerOpt

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS



def columns():  # noqa: ANN201
    from amkit.ui.render import Col

    return [Col("id", "id", "int"), Col("customer", "Customer"), Col("owner", "Owner"), Col("date", "Date"),
            Col("score", "Score", "int"), Col("nps", "NPS", "bool"), Col("note", "Note")]


@app.command("add", epilog=example("amkit survey add 中国银行 --score 4 --note 响应及时",
                                   "amkit survey add zgyh --score 9 --nps --date 2026-11-20 -f json"))
def add(
    customer: CustomerArg,
    score: Annotated[str, typer.Option("--score", help="1-5 (0-10 with --nps).", metavar="N")],
    nps: Annotated[bool, typer.Option("--nps", help="The score is an NPS answer 0-10.")] = False,
    date: Annotated[Optional[str], typer.Option("--date", help="Survey date (default today).",
                                                metavar="DATE")] = None,
    note_: Annotated[Optional[str], typer.Option("--note", help="Free text.")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Record a satisfaction score; prints its id."""
    from amkit import store
    from amkit.feedback import writes as feedback

    with store.write() as st:
        s = feedback.add_survey(st, customer, score, nps=nps, date=date, note=note_)
        row = next(r for r in feedback.survey_rows(st.session, feedback.Filters(customer=str(s.customer_id)))
                   if r["id"] == s.id)
    emit_created(row, columns(), fmt)


@app.command("list", epilog=example("amkit survey list --owner 张伟", "amkit survey list --since 2026-10-01 -f csv"))
def list_(
    customer: CustomerOpt = None, owner: OwnerOpt = None,
    since: Annotated[Optional[str], typer.Option("--since", help="From DATE.", metavar="DATE")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Up to DATE.", metavar="DATE")] = None,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """List surveys; the table adds the average score and NPS on stderr."""
    from amkit import store
    from amkit.feedback import writes as feedback

    with store.session(write=False) as sess:
        rows = feedback.survey_rows(sess, feedback.Filters(customer=customer, owner=owner, since=since,
                                                           until=until))
    emit(rows, columns(), fmt, output, bom)
    if fmt == Fmt.table:
        note(feedback.survey_summary(rows))
