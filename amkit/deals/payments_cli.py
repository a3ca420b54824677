"""`amkit payment add|list` (回款)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, CustomerOpt, Fmt, FormatOpt, OutputOpt, OwnerOpt, emit, emit_created, example, note

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


def columns():  # noqa: ANN201
    from amkit.ui.render import Col

    return [Col("id", "id", "int"), Col("deal_id", "Deal", "int"), Col("customer", "Customer"),
            Col("owner", "Owner"), Col("date", "Date"), Col("amount", "Amount", "money"), Col("note", "Note"),
            Col("deal_paid", "Deal paid", "money"), Col("won_amount", "Won amount", "money"),
            Col("collection_rate", "Collection rate", "ratio")]


def deal_columns():  # noqa: ANN201
    from amkit.ui.render import Col

    return [Col("deal_id", "Deal", "int"), Col("customer", "Customer"), Col("owner", "Owner"),
            Col("title", "Deal name"), Col("closed_at", "Closed"), Col("won_amount", "Won amount", "money"),
            Col("paid", "Paid", "money"), Col("outstanding", "Outstanding", "money"),
            Col("collection_rate", "Collection rate", "ratio"), Col("last_payment", "Last payment")]


@app.command("add", epilog=example("amkit payment add 12 50000 --date 2026-11-20",
                                   "amkit payment add 12 ¥2万 --date 2026-12-01 --note 尾款 -f json"))
def add(
    deal_id: Annotated[str, typer.Argument(help="A won deal's id (or external id).", metavar="DEAL_ID")],
    amount: Annotated[str, typer.Argument(help="Amount received (more than 0).", metavar="AMOUNT")],
    date: Annotated[Optional[str], typer.Option("--date", help="Date received (default today): 2026-11-20, 昨天, 11月3日….", metavar="DATE")] = None,
    note_: Annotated[Optional[str], typer.Option("--note", help="Free text.")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Record a payment on a won deal; prints its id. Overpaying warns on stderr."""
    from amkit import store
    from amkit.deals import payments

    with store.write() as st:
        payment, warnings = payments.add(st, deal_id, amount, date, note_)
        rows = payments.list_rows(st.session, payments.Filters(deal=str(payment.deal_id)))
    for warning in warnings:
        note(f"warning: {warning}")
    row = next(r for r in rows if r["id"] == payment.id)
    emit_created(row, columns(), fmt)


@app.command("list", epilog=example("amkit payment list --owner 张伟 --since 2026-10-01",
                                    "amkit payment list --by-deal --until 2026-12-31 -f json"))
def list_(
    deal: Annotated[Optional[str], typer.Option("--deal", help="One deal (id or external id).",
                                                metavar="ID")] = None,
    owner: OwnerOpt = None,
    since: Annotated[Optional[str], typer.Option("--since", help="From DATE (payment date; with --by-deal "
                                                                 "the won date).", metavar="DATE")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Up to DATE (payment date; with --by-deal "
                                                                 "the won date, payments up to it).",
                                                 metavar="DATE")] = None,
    by_deal: Annotated[bool, typer.Option("--by-deal", help="One row per won deal: paid, won amount, "
                                                            "collection rate.")] = False,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """List payments, or the collection per won deal (--by-deal)."""
    from amkit import store
    from amkit.deals import payments

    filters = payments.Filters(deal=deal, owner=owner, since=since, until=until)
    with store.session(write=False) as sess:
        rows = payments.by_deal_rows(sess, filters) if by_deal else payments.list_rows(sess, filters)
    emit(rows, deal_columns() if by_deal else columns(), fmt, output, bom)
    if fmt == Fmt.table and by_deal:
        note(payments.summary(rows))


# --- payment plans (回款计划) and receivables (应收), issue 22 --------------------------------

def receivable_columns():  # noqa: ANN201
    from amkit.core.receivables import STATUSES
    from amkit.ui.render import Col

    return [Col("id", "id", "int"), Col("deal_id", "Deal", "int"), Col("customer", "Customer"),
            Col("owner", "Owner"), Col("due", "Due on"), Col("amount", "Amount", "money"),
            Col("received", "Received", "money"), Col("outstanding", "Outstanding", "money"),
            Col("days_overdue", "Days overdue", "int"), Col("status", "Status", "enum", STATUSES)]


@app.command("plan", epilog=example("amkit payment plan 12 --due 2026-12-31 --amount 100000",
                                    "amkit payment plan 12 --due 2027-03-31 --amount 5万 --note 尾款 -f json"))
def plan(
    deal_id: Annotated[str, typer.Argument(help="A won deal's id (or external id).", metavar="DEAL_ID")],
    due: Annotated[Optional[str], typer.Option("--due", help="Due date of the installment (required).",
                                               metavar="DATE")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="Installment amount (more than 0).",
                                                  metavar="X")] = None,
    note_: Annotated[Optional[str], typer.Option("--note", help="Free text.")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Add an installment to a won deal's payment plan; prints its id. The plan may not total
    more than the deal's amount."""
    from amkit import config, store
    from amkit.deals import plans
    from amkit.deals.queries import receivables
    from amkit.store.raw import Reader

    with store.write() as st:
        item = plans.add(st, deal_id, due, amount, note_)
        rows = receivables(Reader.of_session(st.session), config.today(), deal_id=item.deal_id)
    emit_created(next(r for r in rows if r["id"] == item.id), receivable_columns(), fmt)


receivable_app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


@receivable_app.command("list", epilog=example("amkit receivable list --overdue",
                                               "amkit receivable list --owner 张伟 -f json",
                                               "amkit receivable list --customer 中国银行 --as-of 2026-12-31"))
def receivable_list(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only installments past due and not fully paid.")] = False,
    open_: Annotated[bool, typer.Option("--open", help="Only installments not fully paid.")] = False,
    owner: OwnerOpt = None,
    customer: CustomerOpt = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="As of DATE (default today): payments up to it.",
                                                 metavar="DATE")] = None,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Installments of payment plans: due, amount, received (payments applied oldest first),
    outstanding and days overdue."""
    from amkit import config, store
    from amkit.core.parse import parse_date
    from amkit.deals.queries import receivables
    from amkit.store import lookup
    from amkit.store.raw import Reader

    on = parse_date("--as-of", as_of) or config.today()
    with store.session(write=False) as sess:
        owner_id = lookup.manager(sess, owner).id if owner else None
        customer_id = lookup.customer(sess, customer).id if customer else None
        rows = receivables(Reader.of_session(sess), on, owner_id=owner_id, customer_id=customer_id,
                           overdue_only=overdue, open_only=open_)
    emit(rows, receivable_columns(), fmt, output, bom)
    if fmt == Fmt.table:
        from decimal import Decimal

        from amkit.ui.i18n import t

        total = sum((r["outstanding"] for r in rows), Decimal("0.00"))
        late = sum((r["outstanding"] for r in rows if r["days_overdue"]), Decimal("0.00"))
        note(t("{n} installment(s): {total} outstanding, {late} overdue", n=len(rows), total=f"{total:,.2f}",
               late=f"{late:,.2f}"))
