"""Plain-text rendering of `customer show` (one screen)."""

from __future__ import annotations

import sys
from typing import Any

import typer

from amkit.core.enums import CHANNELS, LIFECYCLE
from amkit.ui.i18n import enum_label, t
from amkit.ui.render import Col, clip_lines, write_table


def print_briefing(row: dict[str, Any]) -> None:
    import sys

    head = [
        Col("name", "Name"), Col("industry", "Industry"), Col("region", "Region"), Col("source", "Source"),
        Col("owner", "Owner"), Col("tier", "Tier"), Col("tier_locked", "Locked", "bool"),
        Col("lifecycle", "Stage", "enum", LIFECYCLE), Col("tags", "Tags"), Col("created_at", "Created"),
    ]
    from amkit.ui.render import render_one

    flat = {**row, "tags": ", ".join(row["tags"]), "aliases": ", ".join(row.get("aliases") or [])}
    if flat["aliases"]:
        head.insert(1, Col("aliases", "Aliases"))
    render_one(flat, head + [Col("extra", "Extra")] if row.get("extra") else head, "table", out=sys.stdout)
    _section(t("Contacts"), row["contacts"], [
        Col("name", "Full name"), Col("role", "Role"), Col("is_decision_maker", "Decision maker", "bool"),
        Col("phone", "Phone"), Col("email", "Email"), Col("wechat", "WeChat"), Col("birthday", "Birthday"),
    ])
    _section(t("Recent follow-ups"), row.get("followups", []), [
        Col("at", "At", "datetime"), Col("channel", "Channel", "enum", CHANNELS), Col("contact", "Contact"),
        Col("summary", "Summary"), Col("outcome", "Outcome"),
    ])
    _section(t("Pending next actions"), row.get("next_actions", []), [
        Col("next_date", "Next date", "date"), Col("next_action", "Next action"), Col("owner", "Owner"),
    ])
    from amkit.core.enums import DEAL_STAGES
    from amkit.kb.writes import excerpt

    entries = [{**e, "excerpt": excerpt(e["body"])} for e in row.get("kb", [])]
    _section(t("What worked before"), entries, [
        Col("id", "id", "int"), Col("title", "Title"), Col("industry", "Industry"),
        Col("stage", "Stage", "enum", DEAL_STAGES), Col("excerpt", "Excerpt"),
    ])
    if "open_deals" in row:
        print_money(row)


def _section(title: str, rows: list[dict[str, Any]], cols: list[Col], limit: int = 0) -> None:
    """A titled table; with ``limit`` only its first rows and a "+N more" line (one screen)."""
    import sys

    typer.echo("")
    typer.echo(f"{title} ({len(rows)})")
    if rows:
        write_table(rows[:limit or None], cols, sys.stdout)
    if limit and len(rows) > limit:
        typer.echo(t("+{n} more", n=len(rows) - limit))


TOP = 3  # rows per money section


def print_money(row: dict[str, Any]) -> None:
    """Issue 22's sections: lifecycle, handover, money (each trimmed to its top rows)."""
    from amkit.contracts.calc import STATUSES as CONTRACT_STATUSES
    from amkit.core.enums import DEAL_STAGES

    life = row["lifecycle_detail"]
    typer.echo("")
    since = f" {t('since')} {life['since']}" if life["since"] else ""
    reason = f" ({life['reason']})" if life["reason"] else ""
    typer.echo(f"{t('Lifecycle')}: {enum_label(life['stage'], LIFECYCLE)}{since}{reason}; "
               f"{t('last activity')} {life['last_activity']}")
    won = row["won_revenue"]
    typer.echo(t("Won revenue: {this} this year, {last} last year", this=f"{won['this_year']:,.2f}",
                 last=f"{won['last_year']:,.2f}"))
    h = row.get("handover")
    if h:
        note = "\n  ".join(h["note"].splitlines())
        typer.echo(clip_lines(t("Last handover: {source} -> {to} on {on}: {note}", source=h["from"] or "-",
                                to=h["to"], on=h["on"], note=note), sys.stdout))  # cut to a terminal's width
    _section(t("Open deals") + f" · {t('weighted')} {row['pipeline_weighted']:,.2f}", row["open_deals"], [
        Col("id", "id", "int"), Col("title", "Deal name"), Col("stage", "Stage", "enum", DEAL_STAGES),
        Col("amount", "Amount", "money"), Col("weighted_amount", "Weighted", "money"), Col("created", "Created"),
    ], TOP)
    _section(t("Contracts"), row["contracts"], [
        Col("id", "id", "int"), Col("title", "Title"), Col("start", "Start"), Col("end", "End"),
        Col("amount", "Amount", "money"), Col("status", "Status", "enum", CONTRACT_STATUSES),
        Col("days_left", "Days left", "int"),
    ], TOP)
    _section(t("Receivables"), row["receivables"], [
        Col("deal_id", "Deal", "int"), Col("due", "Due on"), Col("amount", "Amount", "money"),
        Col("received", "Received", "money"), Col("outstanding", "Outstanding", "money"),
        Col("days_overdue", "Days overdue", "int"),
    ], TOP)
