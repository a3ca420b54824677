"""`amkit customer add|list|show|edit`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, FormatOpt, OutputOpt, OwnerOpt, emit, emit_created, example, note
from amkit.ui.opts import CustomerArg, complete_customer

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS

Industry = Annotated[Optional[str], typer.Option("--industry", help="Industry, e.g. 金融.")]
Region = Annotated[Optional[str], typer.Option("--region", help="Region, e.g. 华东.")]
Source = Annotated[Optional[str], typer.Option("--source", help="Lead source.")]
Tier = Annotated[Optional[str], typer.Option("--tier", help="A, B or C.")]
Stage = Annotated[Optional[str], typer.Option("--stage", "--lifecycle",
                                              help="lead, prospect, active, dormant or churned.")]
Tags = Annotated[Optional[list[str]], typer.Option("--tag", help="A tag (repeatable).")]
Extra = Annotated[Optional[list[str]], typer.Option("--extra", help="KEY=VALUE kept in extra (repeatable).")]
Aliases = Annotated[Optional[list[str]], typer.Option("--alias", help="A short name (简称) it is found by, e.g. 中行 "
                                                                      "(repeatable).")]


def columns():  # noqa: ANN201
    from amkit.core.enums import LIFECYCLE
    from amkit.ui.render import Col

    return [
        Col("id", "id", "int"), Col("name", "Name"), Col("industry", "Industry"), Col("region", "Region"),
        Col("owner", "Owner"), Col("tier", "Tier"), Col("lifecycle", "Stage", "enum", LIFECYCLE),
        Col("tags", "Tags"), Col("created_at", "Created"),
    ]


@app.command("add", epilog=example("amkit customer add 中国银行 --industry 金融 --owner 张伟 --tier A --alias 中行",
                                   "amkit customer add 'Acme Ltd' --tag vip --extra website=acme.com -f json"))
def add(
    name: Annotated[str, typer.Argument(help="Customer name (unique).")],
    industry: Industry = None, region: Region = None, source: Source = None, owner: OwnerOpt = None,
    tier: Tier = None, stage: Stage = None, tag: Tags = None, extra: Extra = None, alias: Aliases = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Add a customer. New customers are tier C unless given."""
    from amkit.customers import writes as customers
    from amkit import store

    with store.write() as st:
        c = customers.add(st, name, owner=owner, extra=customers.parse_extra(extra), industry=industry,
                          region=region, source=source, tier=tier, lifecycle=stage, tags=tag, aliases=alias)
        row = customers.customer_row(c, owner and customers.owner_name(st.session, c))
    emit_created(row, columns() + _extra_cols(), fmt)


def _extra_cols():  # noqa: ANN202
    from amkit.ui.render import Col

    return [Col("source", "Source"), Col("tier_locked", "Locked", "bool"), Col("aliases", "Aliases"),
            Col("extra", "Extra")]


@app.command("list", epilog=example("amkit customer list --tier A --owner 张伟",
                                    "amkit customer list --tag vip --search 银行 -f csv --bom -o vip.csv"))
def list_(
    owner: OwnerOpt = None, tier: Tier = None, stage: Stage = None, tag: Tags = None,
    search: Annotated[Optional[str], typer.Option("--search", "-s", help="Text in name (or pinyin), industry, "
                                                                             "region, tags.")] = None,
    industry: Industry = None, region: Region = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most N rows (0 = all).")] = 0,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """List customers, filtered."""
    from amkit.customers import writes as customers
    from amkit import store

    filters = customers.Filters(owner=owner, tier=tier, lifecycle=stage, tags=tag or [], search=search,
                                industry=industry, region=region, limit=limit)
    with store.session(write=False) as sess:
        rows = customers.list_rows(sess, filters)
    emit(rows, columns(), fmt, output, bom)


@app.command("show", epilog=example("amkit customer show 中国银行", "amkit customer show zgyh -f json",
                                    "amkit customer show 中行   # a short name (--alias) or part of the name"))
def show(
    customer: CustomerArg,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """A one-screen briefing: the record, key contacts, and recent activity."""
    from amkit.customers import writes as customers
    from amkit import store
    from amkit.store import lookup

    with store.session(write=False) as sess:
        row = customers.briefing(sess, lookup.customer(sess, customer))
    if fmt != Fmt.table:
        emit(row, columns() + _extra_cols(), fmt, one=True)
        return
    from amkit.customers.briefing_cli import print_briefing

    print_briefing(row)


@app.command("edit", epilog=example("amkit customer edit 中国银行 --tier A --add-tag vip",
                                    "amkit customer edit 12 --owner 李娜 --extra website=boc.cn",
                                    "amkit customer edit 重庆银行 --stage churned --reason '被竞品低价替换'"))
def edit(
    customer: CustomerArg,
    name: Annotated[Optional[str], typer.Option("--name", help="New name.")] = None,
    industry: Industry = None, region: Region = None, source: Source = None, owner: OwnerOpt = None,
    tier: Tier = None, stage: Stage = None,
    add_tag: Annotated[Optional[list[str]], typer.Option("--add-tag", help="Add a tag.")] = None,
    remove_tag: Annotated[Optional[list[str]], typer.Option("--remove-tag", help="Remove a tag.")] = None,
    extra: Extra = None, alias: Aliases = None,
    remove_alias: Annotated[Optional[list[str]], typer.Option("--remove-alias", help="Remove a short name.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", "--churn-reason",
                                                  help="Why the stage changed (kept in lifecycle history).",
                                                  metavar="TEXT")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Change a customer's fields; prints what changed. A stage change is kept in lifecycle history."""
    from amkit.customers import writes as customers
    from amkit import store
    from amkit.store import lookup

    with store.write() as st:
        c = lookup.customer(st.session, customer)
        diff = customers.edit(st, c, owner=owner, extra=customers.parse_extra(extra), add_tags=add_tag,
                              remove_tags=remove_tag, add_aliases=alias, remove_aliases=remove_alias,
                              reason=reason, name=name, industry=industry, region=region,
                              source=source, tier=tier, lifecycle=stage)
        row = customers.customer_row(c, customers.owner_name(st.session, c))
    if fmt == Fmt.table:
        from amkit.ui.i18n import t

        note(t("{n} field(s) changed", n=len(diff)) if diff else t("nothing changed"))
        from amkit.ui.render import change_line

        for key, (old, new) in diff.items():
            typer.echo(change_line(key, old, new))
    else:
        emit(row, columns() + _extra_cols(), fmt, one=True)


@app.command("handover", epilog=example("amkit customer handover --from 张伟 --to 李娜 --dry-run",
                                        "amkit customer handover --from 张伟 --to 李娜 --customer 中国银行 "
                                        "--note '客户偏好电话沟通'"))
def handover(
    from_: Annotated[str, typer.Option("--from", help="Current manager.")],
    to: Annotated[str, typer.Option("--to", help="New manager.")],
    customer: Annotated[Optional[list[str]], typer.Option("--customer", help="Only these customers "
                                                                              "(repeatable; default all).",
                                                          autocompletion=complete_customer)] = None,
    note_text: Annotated[Optional[str], typer.Option("--note", help="Added to every handover note.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would move; write nothing.")] = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Move customers, their open deals and pending actions to another manager, with a note each."""
    from amkit import store
    from amkit.customers.handover import handover as run
    from amkit.ui.render import Col

    with store.write() as st:
        moved = run(st, from_, to, customer, note_text, dry_run)
        if dry_run:
            st.discard()
    rows = [m.__dict__ for m in moved]
    emit(rows, [Col("customer", "Customer"), Col("open_deals", "Open deals", "int"),
                Col("pending_actions", "Pending actions", "int")] + ([Col("note", "Note")] if fmt != Fmt.table else []),
         fmt)
    note(f"{len(rows)} customer(s) {'would move' if dry_run else 'moved'} from {from_} to {to}")


@app.command("merge", epilog=example("amkit customer merge 中国银行 '中国银行 (重复)' --dry-run"))
def merge(
    keep: Annotated[str, typer.Argument(help="The customer to keep.", autocompletion=complete_customer)],
    drop: Annotated[str, typer.Argument(help="The duplicate to fold into KEEP and delete.",
                                        autocompletion=complete_customer)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would move; write nothing.")] = False,
) -> None:
    """Merge a duplicate customer into another: contacts, follow-ups, deals and the rest move."""
    from amkit import store
    from amkit.store import lookup
    from amkit.customers.merge import merge as run

    with store.write() as st:
        k, d = lookup.customer(st.session, keep), lookup.customer(st.session, drop)
        names = (k.name, d.name)
        counts = run(st, k, d, dry_run)
        if dry_run:
            st.discard()
    for table, n in counts.items():
        typer.echo(f"{table}: {n}")
    note(f"{'would merge' if dry_run else 'merged'} {names[1]!r} into {names[0]!r}")


@app.command("dupes", epilog=example("amkit customer dupes", "amkit customer dupes -f json"))
def dupes(fmt: FormatOpt = Fmt.table) -> None:
    """Likely duplicates: same normalised name (全角/半角, 有限公司/Co., Ltd.), phone or e-mail."""
    from amkit import store
    from amkit.customers.merge import dupes as find
    from amkit.ui.render import Col

    with store.session(write=False) as sess:
        rows = find(sess)
    emit(rows, [Col("reason", "Reason"), Col("key", "Key"), Col("ids", "id"), Col("customers", "Customers")], fmt)


@app.command("erase", epilog=example("amkit customer erase 12 --yes"))
def erase(
    customer: CustomerArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do it without asking.")] = False,
) -> None:
    """Erase a customer's personal data (PIPL); anonymised figures stay for reports."""
    import sys

    from amkit import store
    from amkit.store import lookup
    from amkit.customers.erase import TABLES, earlier_backups, erase as run, prune_date
    from amkit.errors import BadInput
    from amkit.store.scrub import compact
    from amkit.ui.i18n import t

    with store.session(write=False) as sess:
        name = lookup.customer(sess, customer).name
    if not yes:
        if not sys.stdin.isatty():
            raise BadInput(f"refusing to erase {name!r} without --yes (no terminal to ask)")
        typer.confirm(f"Erase all personal data of {name!r}? This cannot be undone", abort=True)
    with store.write() as st:
        counts = run(st, lookup.customer(st.session, customer))
        backups = earlier_backups(st.session)
    left = compact(TABLES)  # VACUUM (FULL) and checkpoint: after the commit, outside a transaction
    note(t("erased {name}: {counts}", name=repr(name),
           counts=", ".join(f"{n} {table}" for table, n in counts.items() if n)))
    if left:
        note(t("the erased data is still in the database files ({what}): the database owner must run "
               "`amkit team vacuum`", what=", ".join(left)))
    if backups:
        note(t("{n} backup(s) made before this erase still hold the erased data:", n=len(backups)))
        for b in backups:
            note(f"  {b['path']}  ({b['at']})")
        note(t("remove them with: amkit backup prune --before {date}", date=prune_date(backups)))
