"""`amkit review -f md|html`: the review document (amkit.review.build) as Markdown for chat
apps (plain headings and pipe tables) or as a self-contained HTML page in the scorecard style.

Both walk the same :func:`sections`, so they always carry the same figures.
"""

from __future__ import annotations

from html import escape
from typing import Any

from amkit.ui.i18n import t
from amkit.ui.render import Col, Locale, cell_text

FIGURE_LABELS = {
    "new_deals": "New deals", "won_deals": "Won deals", "won_amount": "Won amount", "lost_deals": "Lost deals",
    "lost_amount": "Lost amount", "win_rate": "Win rate", "new_customers": "New customers",
    "collection": "Collection", "went_dormant": "Went dormant", "churned": "Churned",
    "tier_changes": "Tier changes", "ignored_reminders": "Ignored reminders", "followups": "Follow-ups",
    "visits": "Visits",
}
Section = tuple[str, list[dict[str, Any]], list[Col]]


def _number(value: Any, kind: str, loc: Locale) -> str:
    return "" if value is None else cell_text(value, Col("v", "v", kind), loc)


def _figure_kind(key: str) -> str:
    return "money" if key.endswith("_amount") or key == "collection" else "ratio" if key == "win_rate" else "int"


def _delta(value: Any, kind: str, loc: Locale) -> str:
    if value is None:
        return ""
    text = _number(abs(value), kind, loc)
    return ("+" if value > 0 else "-" if value < 0 else "±") + text


def _goal_rows(doc: dict[str, Any], loc: Locale) -> list[dict[str, Any]]:
    from amkit.goals.calc import metric_info

    rows = []
    for g in doc["goals"]:
        unit = metric_info(g["metric"]).unit
        kind = "money" if unit == "money" else "int" if unit == "count" else "number"
        rows.append({**g, **{k: _number(g[k], kind, loc) for k in ("actual", "target", "excellent", "stretch",
                                                                     "projected")}})
    return rows


def sections(doc: dict[str, Any]) -> list[Section]:
    """(heading, rows, columns) of every part of the document, in meeting order."""
    from amkit.core.enums import CHANNELS, GOAL_LINES, LIFECYCLE, REASON_CODES, TIER_METHODS
    from amkit.metrics.figures import METRICS

    metric_names = {name: m.zh for name, m in METRICS.items()}

    loc = Locale.current()
    d = doc["deals"]
    deal_rows = [{"what": t(label), "count": d[f"{key}_deals"], "amount": d[f"{key}_amount"]}
                 for key, label in (("new", "New deals"), ("won", "Won deals"), ("lost", "Lost deals"))]
    deal_rows.append({"what": t("Win rate"), "count": None, "amount": None,
                      "rate": d["win_rate"]})
    reasons = [{**r, "reason_code": r["reason_code"] or t("(not given)")} for r in d["lost_reasons"]]
    changes = [{"figure": t(FIGURE_LABELS[c["figure"]]),
                **{k: _number(c[k], _figure_kind(c["figure"]), loc) for k in ("current", "previous")},
                "delta": _delta(c["delta"], _figure_kind(c["figure"]), loc)} for c in doc["changes"]]
    return [
        (t("Goal progress ({period}, as of {date})", period=doc["goals_period"], date=doc["as_of"].isoformat()),
         _goal_rows(doc, loc),
         [Col("owner", "Owner"), Col("metric", "Metric", "enum", metric_names), Col("actual", "Actual", "number"),
          Col("target", "Target", "number"), Col("achievement", "Achievement", "ratio"),
          Col("excellent", "Excellent", "number"), Col("stretch", "Stretch", "number"), Col("pace", "Pace", "ratio"),
          Col("projected", "Projected", "number"), Col("projected_line", "Line", "enum", GOAL_LINES)]),
        (t("By manager"), doc["managers"],
         [Col("owner", "Owner"), Col("revenue", "Revenue", "money"), Col("deals_won", "Won", "int"),
          Col("win_rate", "Win rate", "ratio"), Col("new_customers", "New customers", "int"),
          Col("visits", "Visits", "int"), Col("followups", "Follow-ups", "int"),
          Col("collection", "Collection", "money"), Col("collection_rate", "Collection rate", "ratio")]),
        (t("Deals"), deal_rows, [Col("what", "Deals"), Col("count", "Count", "int"),
                                 Col("amount", "Amount", "money"), Col("rate", "Win rate", "ratio")]),
        (t("Lost reasons"), reasons, [Col("reason_code", "Reason code", "enum", REASON_CODES), Col("count", "Count", "int"),
                                      Col("share", "Share", "ratio"), Col("amount", "Amount", "money")]),
        (t("Lost deals"), d["lost"], [Col("id", "id", "int"), Col("customer", "Customer"), Col("owner", "Owner"),
                                      Col("amount", "Amount", "money"), Col("closed_at", "Closed", "date"),
                                      Col("reason_code", "Reason code", "enum", REASON_CODES),
                                      Col("lost_reason", "Lost reason")]),
        (t("Won deals"), d["won"], [Col("id", "id", "int"), Col("customer", "Customer"), Col("owner", "Owner"),
                                    Col("title", "Title"), Col("amount", "Amount", "money"),
                                    Col("closed_at", "Closed", "date")]),
        (t("Customers gone dormant or churned"), [{**r, "reason": _reason_words(r.get("reason"))}
                                                  for r in doc["lifecycle"]],
         [Col("customer", "Customer"), Col("owner", "Owner"), Col("on", "Date", "date"),
          Col("new", "Stage", "enum", LIFECYCLE), Col("reason", "Reason")]),
        (t("Tier changes"), doc["tier_changes"],
         [Col("customer", "Customer"), Col("owner", "Owner"), Col("on", "Date", "date"),
          Col("old_tier", "Old tier"), Col("new_tier", "Tier"), Col("method", "Method", "enum", TIER_METHODS)]),
        (t("Reminders ignored (cadence overdue more than {n} days)", n=doc["ignored_days"]),
         doc["ignored_reminders"], [Col("customer", "Customer"), Col("owner", "Owner"), Col("due", "Due", "date"),
                                    Col("days_overdue", "Days overdue", "int")]),
        (t("Top follow-ups"), doc["top_followups"],
         [Col("at", "At", "datetime"), Col("customer", "Customer"), Col("owner", "Owner"),
          Col("channel", "Channel", "enum", CHANNELS), Col("summary", "Summary"), Col("outcome", "Outcome")]),
        (t("Since the last review ({period})", period=doc["previous"]["period"]), changes,
         [Col("figure", "Figure"), Col("current", "This period", "number"), Col("previous", "Previous", "number"),
          Col("delta", "Change", "number")]),
    ]


def _reason_words(reason: str | None) -> str | None:
    """A derived lifecycle reason ("no activity for 90 days since 2026-08-14") in the user's
    language; a reason a person typed stays as typed."""
    import re

    m = re.fullmatch(r"no activity for (\d+) days since (\S+)", reason or "")
    return t("no activity for {days} days since {date}", days=m[1], date=m[2]) if m else reason


def title(doc: dict[str, Any]) -> str:
    who = doc["owner"] or doc["team"]
    return t("Review {period}", period=doc["period"]) + (f" · {who}" if who else "")


def meta(doc: dict[str, Any]) -> str:
    return t("{start} – {end}; as of {date}", start=doc["start"].isoformat(), end=doc["end"].isoformat(),
             date=doc["as_of"].isoformat())


# ---------------------------------------------------------------- markdown

def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def md_table(rows: list[dict[str, Any]], cols: list[Col], loc: Locale) -> list[str]:
    right = [c.kind in ("int", "money", "ratio", "number") for c in cols]
    lines = ["| " + " | ".join(_md_cell(t(c.label)) for c in cols) + " |",
             "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(_md_cell(cell_text(row.get(c.key), c, loc)) for c in cols) + " |")
    return lines


def to_markdown(doc: dict[str, Any]) -> str:
    loc = Locale.current()
    lines = [f"# {title(doc)}", "", meta(doc)]
    for heading, rows, cols in sections(doc):
        lines += ["", f"## {heading}", ""]
        lines += md_table(rows, cols, loc) if rows else [t("(none)")]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- html

def to_html(doc: dict[str, Any]) -> str:
    from amkit.scores.html import page, table

    parts = []
    for heading, rows, cols in sections(doc):
        parts.append(f"<h2>{escape(heading)}</h2>")
        parts.append(table(rows, cols) if rows else f'<p class="meta">{escape(t("(none)"))}</p>')
    return page(title(doc), parts, meta(doc))

