"""Plain-text rendering of `customer show` (one screen)."""

from __future__ import annotations

from typing import Any

import typer

from amkit.core.enums import CHANNELS, LIFECYCLE
from amkit.ui.i18n import t
from amkit.ui.render import Col, write_table


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
        Col("name", "Name"), Col("role", "Role"), Col("is_decision_maker", "Decision maker", "bool"),
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


def _section(title: str, rows: list[dict[str, Any]], cols: list[Col]) -> None:
    import sys

    typer.echo("")
    typer.echo(f"{title} ({len(rows)})")
    if rows:
        write_table(rows, cols, sys.stdout)
