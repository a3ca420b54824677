"""`amkit contract add|list|edit|delete|lost` (合同, 续约)."""

from __future__ import annotations

from typing import Annotated, Callable, Optional

import typer

from amkit.ui.opts import BomOpt, CustomerArg, CustomerOpt, Fmt, FormatOpt, OutputOpt, OwnerOpt, emit, emit_created
from amkit.ui.opts import example, note

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS

IdArg = Annotated[str, typer.Argument(help="Contract id (or external id).", metavar="ID")]
Start = Annotated[Optional[str], typer.Option("--start", help="First day of the contract.", metavar="DATE")]
End = Annotated[Optional[str], typer.Option("--end", help="Last day of the contract.", metavar="DATE")]
Amount = Annotated[Optional[str], typer.Option("--amount", help="Contract amount (more than 0).", metavar="X")]
Title = Annotated[Optional[str], typer.Option("--title", help="What the contract covers.", metavar="T")]
DealOpt = Annotated[Optional[str], typer.Option("--deal", help="The deal it came from (id or external id).",
                                                metavar="ID")]
RenewalOf = Annotated[Optional[str], typer.Option("--renewal-of", help="The contract this one renews (its id).",
                                                  metavar="ID")]
External = Annotated[Optional[str], typer.Option("--external-id", help="Id in another system (unique).",
                                                 metavar="ID")]


def columns():  # noqa: ANN201
    from amkit.contracts.calc import STATUSES
    from amkit.ui.render import Col

    # on a narrow terminal the end date and the days left matter more than the start (renewals)
    return [Col("id", "id", "int", priority=40), Col("customer", "Customer"), Col("owner", "Owner"),
            Col("title", "Contract name"), Col("start", "Start"), Col("end", "End", priority=20),
            Col("amount", "Amount", "money"), Col("status", "Status", "enum", STATUSES),
            Col("days_left", "Days left", "int", priority=30), Col("renewal_of", "Renews", "int"),
            Col("renewed_by", "Renewed by", "int")]


def _all_columns():  # noqa: ANN202
    from amkit.ui.render import Col

    return columns() + [Col("deal_id", "Deal", "int"), Col("external_id", "External id"),
                        Col("lost_on", "Lost on"), Col("lost_reason", "Lost reason")]


def _in_words(session, ref: str, diff: dict) -> Callable[[], None]:  # noqa: ANN001
    """What changed, as `edit` of any record says it ("合同 3（年度维保）：结束日期：2027-01-22 →
    2027-02-21"), worked out while the session is open and printed after the commit."""
    from amkit.contracts import writes
    from amkit.records import history
    from amkit.records.cli import print_changes, words
    from amkit.records.spec import KINDS

    kind = KINDS["contract"]
    by_column = {f.column: f for f in kind.fields}
    record = writes.get(session, ref)
    lines = words(session, [(by_column[k], old, new) for k, (old, new) in diff.items()])
    name = history.record_name(session, kind, record)
    return lambda: print_changes(kind, record.id, name, lines, Fmt.table) if lines else None


def _row(session, contract_id: int) -> dict:  # noqa: ANN001
    from amkit import config
    from amkit.contracts import queries
    from amkit.store.raw import Reader

    found = queries.rows(Reader.of_session(session), config.today(), contract_id=contract_id)
    return {k: v for k, v in found[0].items() if k != "customer_id"}


@app.command("add", epilog=example("amkit contract add 中国银行 --start 2026-01-01 --end 2026-12-31 --amount 360000",
                                   "amkit contract add zgyh --start 2027-01-01 --end 2027-12-31 --amount 38万 "
                                   "--renewal-of 3 --title 年度维保 -f json"))
def add(customer: CustomerArg, start: Start = None, end: End = None, amount: Amount = None, title: Title = None,
        deal: DealOpt = None, renewal_of: RenewalOf = None, external_id: External = None,
        fmt: FormatOpt = Fmt.table) -> None:
    """Add a contract; prints its id. --renewal-of settles the renewal of the contract it renews."""
    from amkit import store
    from amkit.contracts import writes

    with store.write() as st:
        c = writes.add(st, customer, start=start, end=end, amount=amount, title=title, deal=deal,
                       renewal_of=renewal_of, external_id=external_id)
        row = _row(st.session, c.id)
    emit_created(row, _all_columns(), fmt)


@app.command("list", epilog=example("amkit contract list --expiring 60d", "amkit contract list --owner 张伟 --ended",
                                    "amkit contract list --customer 中国银行 -f json"))
def list_(
    customer: CustomerOpt = None, owner: OwnerOpt = None,
    expiring: Annotated[Optional[str], typer.Option("--expiring", help="Only contracts ending within this window "
                                                    "(60d, 8w, 2m) and not renewed or lost yet.",
                                                    metavar="WINDOW")] = None,
    ended: Annotated[bool, typer.Option("--ended", help="Only contracts that have ended.")] = False,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """List contracts by end date, with their status (active, ended, renewed, lost, future)."""
    from amkit import store
    from amkit.contracts import writes

    with store.session(write=False) as sess:
        rows = writes.list_rows(sess, customer=customer, owner=owner, expiring=expiring, ended=ended)
    emit(rows, _all_columns() if fmt != Fmt.table else columns(), fmt, output, bom)


@app.command("edit", epilog=example("amkit contract edit 3 --end 2027-03-31", "amkit contract edit 4 --renewal-of 3"))
def edit(contract: IdArg, start: Start = None, end: End = None, amount: Amount = None, title: Title = None,
         deal: DealOpt = None, renewal_of: RenewalOf = None, external_id: External = None) -> None:
    """Change a contract's fields; prints what changed."""
    from amkit import store
    from amkit.contracts import writes
    from amkit.ui.i18n import t

    with store.write() as st:
        diff = writes.edit(st, contract, start=start, end=end, amount=amount, title=title, deal=deal,
                           renewal_of=renewal_of, external_id=external_id)
        said = _in_words(st.session, contract, diff)
    note(t("{n} field(s) changed", n=len(diff)) if diff else t("nothing changed"))
    said()


@app.command("delete", epilog=example("amkit contract delete 3"))
def delete(contract: IdArg, yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Do not ask (a terminal asks first; scripts and cron are never asked).")] = False) -> None:
    """Delete a contract (its renewals stay, no longer marked as renewals). amkit undo brings it back."""
    import sys

    from amkit import store
    from amkit.contracts import writes
    from amkit.ui.i18n import record_named, t

    with store.write() as st:
        found = writes.get(st.session, contract)
        if not yes and sys.stdin.isatty() and sys.stdout.isatty():
            typer.confirm(t("Delete {record}?", record=record_named("contract", found.id, found.title or "")),
                          abort=True)
        c = writes.delete(st, contract)
    note(t("deleted contract {id}", id=c.id))
    note(t("amkit undo brings it back"))


@app.command("lost", epilog=example("amkit contract lost 3 --reason '客户改用竞品'"))
def lost(
    contract: IdArg,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why it will not be renewed (required).",
                                                  metavar="TEXT")] = None,
    on: Annotated[Optional[str], typer.Option("--on", help="Date (default today).", metavar="DATE")] = None,
) -> None:
    """Mark a contract as not renewed: its renewal reminder stops."""
    from amkit import store
    from amkit.contracts import writes

    with store.write() as st:
        diff = writes.lost(st, contract, reason, on)
        said = _in_words(st.session, contract, diff)
    said()
