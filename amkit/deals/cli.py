"""`amkit deal add|move|list` (商机)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, FormatOpt, OutputOpt, OwnerOpt, emit, emit_created, example, note
from amkit.ui.opts import CustomerArg, CustomerOpt

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS

StageHelp = "contact, needs, quote, negotiation, won or lost (初次沟通/需求确认/报价/跟进谈判/签约/输单)."
Since = Annotated[Optional[str], typer.Option("--since", help="Created on or after DATE.", metavar="DATE")]
Until = Annotated[Optional[str], typer.Option("--until", help="Created on or before DATE.", metavar="DATE")]


def columns():  # noqa: ANN201
    from amkit.core.enums import DEAL_STAGES
    from amkit.ui.render import Col

    return [
        Col("id", "id", "int"), Col("customer", "Customer"), Col("owner", "Owner"), Col("title", "Deal name"),
        Col("stage", "Stage", "enum", DEAL_STAGES), Col("amount", "Amount", "money"),
        Col("probability", "Probability", "ratio"), Col("weighted_amount", "Weighted", "money"),
        Col("created", "Created"), Col("closed_at", "Closed"), Col("is_repurchase", "Repurchase", "bool"),
    ]


def _all_columns():  # noqa: ANN202
    from amkit.ui.render import Col

    return columns() + [Col("external_id", "External id"), Col("lost_reason", "Lost reason"),
                        Col("reason_code", "Reason code")]


@app.command("add", epilog=example("amkit deal add 中国银行 --amount 120000 --stage quote --title 年度维保",
                                   "amkit deal add zgyh --amount 3万 --stage 签约 --created 2026-11-02 -f json"))
def add(
    customer: CustomerArg,
    stage: Annotated[str, typer.Option("--stage", help=StageHelp)],
    amount: Annotated[Optional[str], typer.Option("--amount", help="Amount (required for won/lost).",
                                                  metavar="X")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="Manager (default: the customer's owner).",
                                                 metavar="NAME")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="What is being sold.")] = None,
    created: Annotated[Optional[str], typer.Option("--created", help="Created on DATE (default today).",
                                                   metavar="DATE")] = None,
    external_id: Annotated[Optional[str], typer.Option("--external-id", help="Id in another system (unique).",
                                                       metavar="ID")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Add a deal; prints its id (-f json: the row). A won/lost deal closes on its created date."""
    from amkit import store
    from amkit.deals import writes as deals

    with store.write() as st:
        deal = deals.add(st, customer, stage=stage, amount=amount, owner=owner, title=title, created=created,
                         external_id=external_id)
        row = deals.one_row(st.session, deal.id)
    emit_created(row, _all_columns(), fmt)


@app.command("move", epilog=example("amkit deal move 12 negotiation",
                                    "amkit deal move 12 won --on 2026-11-20 --amount 118000",
                                    "amkit deal move 12 lost --reason '价格高于竞品' --reason-code price"))
def move(
    deal_id: Annotated[str, typer.Argument(help="Deal id (or external id).", metavar="ID")],
    stage: Annotated[str, typer.Argument(help=StageHelp, metavar="STAGE")],
    on: Annotated[Optional[str], typer.Option("--on", help="Date of the move (default today).",
                                              metavar="DATE")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (kept in the stage history; the lost "
                                                                   "reason for lost).", metavar="TEXT")] = None,
    reason_code: Annotated[Optional[str], typer.Option("--reason-code", help="Lost reason code: price, "
                                                       "competitor, no_budget, timing, other (config "
                                                       "pipeline.reason_codes).", metavar="CODE")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="Set the amount too.", metavar="X")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Move a deal to another stage; won/lost set the close date, reopening clears it."""
    from amkit import store
    from amkit.deals import writes as deals

    with store.write() as st:
        diff = deals.move(st, deal_id, stage, on=on, reason=reason, reason_code=reason_code, amount=amount)
        row = deals.one_row(st.session, deal_id)
    if fmt == Fmt.table:
        from amkit.ui.i18n import record_named, t
        from amkit.ui.render import change_line

        head = record_named("deal", row["id"], row.get("title") or "")  # which deal: "deal 97 (数据平台)"
        for key, (old, new) in diff.items():
            typer.echo(t("{record}: {change}", record=head, change=change_line(key, old, new)))
    else:
        emit(row, _all_columns(), fmt, one=True)


@app.command("list", epilog=example("amkit deal list --open --owner 张伟",
                                    "amkit deal list --stage won --since 2026-01-01 -f json"))
def list_(
    owner: OwnerOpt = None,
    customer: CustomerOpt = None,
    stage: Annotated[Optional[str], typer.Option("--stage", help=StageHelp)] = None,
    open_: Annotated[bool, typer.Option("--open", help="Open deals only (not won or lost).")] = False,
    since: Since = None, until: Until = None,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """List deals (newest first); the table adds the weighted pipeline on stderr."""
    from amkit import store
    from amkit.deals import writes as deals

    filters = deals.Filters(owner=owner, customer=customer, stage=stage, open_only=open_, since=since,
                            until=until)
    with store.session(write=False) as sess:
        rows = deals.list_rows(sess, filters)
    emit(rows, _all_columns() if fmt != Fmt.table else columns(), fmt, output, bom)
    if fmt == Fmt.table:
        s = deals.pipeline_summary(rows)
        from amkit.ui.i18n import t

        unknown = t(" ({n} without amount)", n=s["unknown_amount"]) if s["unknown_amount"] else ""
        note(t("{deals} deal(s); open pipeline {open}: {amount}{unknown}",
               deals=s["deals"], open=s["open"], amount=f"{s['open_amount']:,.2f}", unknown=unknown))
        note(t("weighted {weighted}; won {won}", weighted=f"{s['weighted']:,.2f}", won=f"{s['won_amount']:,.2f}"))
