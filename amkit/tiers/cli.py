"""`amkit tier run|lock|list|history` (SPEC §3.2): A/B/C customer tiers."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from amkit.ui.opts import AsOfOpt, BomOpt, FormatOpt, Fmt, OutputOpt, OwnerOpt, emit, example, note
from amkit.ui.opts import CustomerArg, complete_customer

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


class Method(str, Enum):
    pareto = "pareto"
    rfm = "rfm"
    rules = "rules"


TierOpt = Annotated[Optional[str], typer.Option("--tier", help="A, B or C.")]


def _as_of(text: str | None):  # noqa: ANN202
    from amkit import config
    from amkit.core.parse import parse_date

    return parse_date("--as-of", text) if text else config.today()


def run_columns(method: str) -> list:
    from amkit.ui.render import Col

    cols = [
        Col("customer", "Customer"), Col("value", "Value (12 months)", "money"), Col("share", "Share", "ratio"),
        Col("cumulative_share", "Cumulative share", "ratio"), Col("old_tier", "Old tier"), Col("tier", "Tier"),
        Col("locked", "Locked", "bool"), Col("changed", "Changed", "bool"),
    ]
    if method == "rfm":
        cols += [Col("recency_days", "Recency (days)", "int"), Col("frequency", "Frequency", "int"),
                 Col("r_score", "R", "int"), Col("f_score", "F", "int"), Col("m_score", "M", "int"),
                 Col("rfm_score", "RFM", "int")]
    elif method == "rules":
        cols.append(Col("rule", "Rule", "int"))
    return cols


def _row(r) -> dict:  # noqa: ANN001
    return dict(vars(r))  # flat dataclasses: a shallow copy (asdict deep-copies, slowly)


def _summary_line(method: str, as_of, counts: dict, dry_run: bool) -> str:  # noqa: ANN001
    from amkit.ui.i18n import t

    total = sum(counts[k] for k in ("A", "B", "C"))
    text = t("{method} as of {as_of}: {n} customers, A {a}, B {b}, C {c}; {changed} changed",
             method=method, as_of=as_of.isoformat(), n=total, a=counts["A"], b=counts["B"], c=counts["C"],
             changed=counts["changed"])
    return text + (t(" (dry run: nothing written)") if dry_run else "")


@app.command("run", epilog=example("amkit tier run --dry-run", "amkit tier run --as-of 2026-09-30 -f json",
                                   "amkit tier run --method rules --rules tiers.toml",
                                   "amkit tier run --method rfm --all"))
def run(
    method: Annotated[Optional[Method], typer.Option("--method", "-m", help="pareto (default), rfm or rules.",
                                                     case_sensitive=False)] = None,
    rules: Annotated[Optional[str], typer.Option("--rules", help="Rules file for --method rules.",
                                                 metavar="FILE.toml")] = None,
    as_of: AsOfOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Show every customer's tier; write nothing.")]
    = False,
    all_rows: Annotated[bool, typer.Option("--all", help="Table: show every customer, not only changes.")] = False,
    override: Annotated[bool, typer.Option(
        "--override", help="Also replace locked tiers (tier lock, customer edit --tier) and unlock them.")] = False,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Compute tiers from won revenue of the 12 months ending at --as-of and store the changes.

    Pareto: customers by value desc; A until 80% of the total, B until 95%, else C; no value
    is C. Locked customers (tier lock, customer edit --tier) keep their tier unless --override;
    those kept are listed on stderr. Every change goes to tier history.
    JSON/CSV list every customer; the table lists only changes unless --all or --dry-run.
    """
    from amkit import store
    from amkit.tiers import queries as tierread
    from amkit.errors import BadInput

    chosen = method.value if method else ("rules" if rules else "pareto")
    if rules and chosen != "rules":
        raise BadInput(f"--rules is only used with --method rules (got --method {chosen})")
    if chosen == "rules" and not rules:
        raise BadInput("--method rules needs --rules FILE.toml")
    day = _as_of(as_of)
    parsed = tierread.read_rules(rules) if chosen == "rules" else None
    if dry_run:
        with store.reader() as r:
            rows, kept = tierread.compute_with_kept(r, chosen, day, parsed, override)
        counts = tierread.summary(rows)
    else:
        from amkit import store
        from amkit.tiers import writes as tierstore

        with store.write() as st:
            rows, counts, kept = tierstore.run_kept(st, chosen, day, parsed, override=override)
    shown = [_row(r) for r in rows if dry_run or all_rows or fmt != Fmt.table or r.changed]
    if shown or fmt != Fmt.table:
        emit(shown, run_columns(chosen), fmt, output, bom)
    note(_summary_line(chosen, day, counts, dry_run))
    _note_kept(kept)


def _note_kept(kept: list[dict]) -> None:
    """The hand-set (locked) tiers the run kept, on stderr: a decision is not silently undone."""
    from amkit.ui.i18n import t

    if kept:
        note(t("kept {n} locked tier(s) (tier run --override replaces them):", n=len(kept)))
        for k in kept:
            note(t("  {customer}: {tier} (computed {computed})", **k))


@app.command("lock", epilog=example("amkit tier lock 中国银行 A", "amkit tier lock zgyh --unlock"))
def lock(
    customer: CustomerArg,
    tier: Annotated[Optional[str], typer.Argument(help="A, B or C (omit with --unlock).")] = None,
    unlock: Annotated[bool, typer.Option("--unlock", help="Remove the lock; the next run may change the tier.")]
    = False,
) -> None:
    """Pin a customer's tier so tier runs never change it (recorded in tier history)."""
    from amkit import config
    from amkit import store
    from amkit.store import lookup
    from amkit.tiers import writes as tierstore
    from amkit.core.enums import parse_tier
    from amkit.errors import BadInput

    if unlock and tier:
        raise BadInput(f"give either a tier or --unlock, not both (got tier {tier!r})")
    if not unlock and not tier:
        raise BadInput("missing TIER (A, B or C) or --unlock")
    parsed = None if unlock else parse_tier(tier)
    with store.write() as st:
        message = tierstore.lock(st, lookup.customer(st.session, customer), parsed, unlock, config.today())
    note(message)


@app.command("list", epilog=example("amkit tier list --tier A", "amkit tier list --owner 张伟 -f json"))
def list_(
    tier: TierOpt = None, owner: OwnerOpt = None, as_of: AsOfOpt = None,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Customers by stored tier (then value), with lock and the current 12-month value."""
    from amkit import store
    from amkit.store import raw
    from amkit.tiers import queries as tierread
    from amkit.core.enums import parse_tier
    from amkit.ui.render import Col

    day = _as_of(as_of)
    with store.reader() as r:
        filters = tierread.ListFilters(tier=parse_tier(tier) if tier else None,
                                       owner_id=raw.manager_id(r, owner) if owner else None)
        rows = tierread.list_rows(r, day, filters)
    cols = [Col("id", "id", "int"), Col("customer", "Customer"), Col("owner", "Owner"), Col("tier", "Tier"),
            Col("locked", "Locked", "bool"), Col("value", "Value (12 months)", "money")]
    emit(rows, cols, fmt, output, bom)


@app.command("history", epilog=example("amkit tier history", "amkit tier history 中国银行 -f json"))
def history(
    customer: Annotated[Optional[str], typer.Argument(help="Only this customer.",
                                                      autocompletion=complete_customer)] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most N rows (0 = all).")] = 50,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Tier changes, newest first: runs (pareto/rfm/rules), locks and unlocks."""
    from amkit import store
    from amkit.store import lookup
    from amkit.tiers import writes as tierstore
    from amkit.ui.render import Col

    with store.session(write=False) as sess:
        cid = lookup.customer(sess, customer).id if customer else None
        rows = tierstore.history_rows(sess, cid, limit)
    cols = [Col("on", "Date", "date"), Col("customer", "Customer"), Col("old_tier", "Old tier"),
            Col("new_tier", "New tier"), Col("method", "Method"), Col("value", "Value (12 months)", "money"),
            Col("note", "Note")]
    emit(rows, cols, fmt, output, bom)
