"""`amkit followup log|list|search` (跟进记录)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, FormatOpt, OutputOpt, OwnerOpt, emit, emit_created, example, note
from amkit.ui.opts import CustomerArg, CustomerOpt

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS

CHANNEL_HELP = "visit, call, wechat, email, video, meeting, other (or 拜访/电话/微信/邮件/视频/会议/其他)."
LimitOpt = Annotated[int, typer.Option("--limit", min=0, help="At most N rows (0 = all).")]


def columns():  # noqa: ANN201
    from amkit.core.enums import CHANNELS
    from amkit.ui.render import Col

    return [Col("id", "id", "int"), Col("at", "At", "datetime"), Col("customer", "Customer"),
            Col("owner", "Owner"), Col("channel", "Channel", "enum", CHANNELS), Col("contact", "Contact"),
            Col("summary", "Summary"), Col("outcome", "Outcome"), Col("next_action", "Next action"),
            Col("next_date", "Next date", "date"), Col("action_done", "Done", "date")]


@app.command("log", epilog=example(
    "amkit followup log 中国银行 --channel 拜访 --summary '拜访采购总监，讨论Q1预算' --contact 李明",
    "amkit followup log zgyh --channel call --summary 'ERP 续约' --next '发报价' --next-date 2026-11-30",
    "amkit followup log Acme --channel email --summary 'sent the quote' --at '2026-11-20 15:30' -f json"))
def log(
    customer: CustomerArg,
    channel: Annotated[str, typer.Option("--channel", "-c", help=CHANNEL_HELP)],
    summary: Annotated[str, typer.Option("--summary", "-s", help="What was discussed.")],
    at: Annotated[Optional[str], typer.Option("--at", help="When (default now): '2026-11-20 15:30', 昨天下午3点, 上周五 15:30.",
                                              metavar="DATETIME")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="Contact name (or id) at the customer.",
                                                   metavar="NAME")] = None,
    outcome: Annotated[Optional[str], typer.Option("--outcome", help="Result of the contact.")] = None,
    next_: Annotated[Optional[str], typer.Option("--next", help="Next action (default due after the "
                                                                "customer's cadence).", metavar="TEXT")] = None,
    next_date: Annotated[Optional[str], typer.Option("--next-date", help="When the next action is due.",
                                                     metavar="DATE")] = None,
    keep_actions: Annotated[bool, typer.Option("--keep-actions", help="Leave the customer's earlier next "
                                                                      "actions open.")] = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Log a follow-up. It resets the cadence clock, closes earlier next actions and
    makes a dormant/churned/lead/prospect customer active."""
    from amkit import store
    from amkit.store import lookup
    from amkit.followups import writes as followups
    from amkit.ui.i18n import t

    with store.write() as st:
        c = lookup.customer(st.session, customer)
        done = followups.log(st, c, channel=channel, summary=summary, at=at, contact=contact, outcome=outcome,
                             next_action=next_, next_date=next_date, keep_actions=keep_actions)
        row = followups.row(st.session, done.followup.id)
    if done.default_next_date:
        note(t("next action due {date} (the customer's cadence; set --next-date to change)",
               date=row["next_date"].isoformat()))
    if done.closed_actions:
        note(t("{n} earlier next action(s) marked done", n=done.closed_actions))
    if done.reactivated:
        note(t("{customer} is active again", customer=c.name))
    emit_created(row, columns(), fmt)


@app.command("list", epilog=example("amkit followup list --customer 中国银行",
                                    "amkit followup list --owner 张伟 --channel 拜访 --since 2026-11-01 -f csv",
                                    "amkit followup list --limit 0 -f json -o followups.json"))
def list_(
    customer: CustomerOpt = None,
    owner: OwnerOpt = None,
    channel: Annotated[Optional[str], typer.Option("--channel", help=CHANNEL_HELP)] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="From DATE (inclusive).", metavar="DATE")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="To DATE (inclusive).", metavar="DATE")] = None,
    limit: LimitOpt = 50,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """List follow-ups, newest first."""
    from amkit import store
    from amkit.followups import writes as followups

    filters = followups.Filters(customer=customer, owner=owner, channel=channel, since=since, until=until,
                                limit=limit)
    with store.session(write=False) as sess:
        rows = followups.list_rows(sess, filters)
    emit(rows, columns(), fmt, output, bom)


@app.command("search", epilog=example("amkit followup search 续约", "amkit followup search 'ERP系统' --limit 10",
                                      "amkit followup search '\"Q1 预算\" 采购' -f json"))
def search(
    text: Annotated[str, typer.Argument(help="Words to find (all must match); \"quote\" a phrase.")],
    limit: LimitOpt = 50,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Full-text search in summaries, outcomes and next actions (Chinese works), best first."""
    from amkit import store
    from amkit.followups import queries as find

    with store.reader() as r:
        rows = find.followups(r, text, limit)
    emit(rows, columns(), fmt, output, bom)
