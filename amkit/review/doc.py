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
                                    Col("title", "Deal name"), Col("amount", "Amount", "money"),
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


# ---------------------------------------------------------------- chat

def _chat_item(row: dict[str, Any], cols: list[Col], loc: Locale) -> str:
    """One table row as a list item: the first cell bold, then "label value" for the others."""
    first, *rest = cols
    cells = [f"{t(c.label)} {text}" for c in rest if (text := cell_text(row.get(c.key), c, loc).strip())]
    head = cell_text(row.get(first.key), first, loc).strip() or "-"
    return f"- **{head}**" + (": " + ", ".join(cells) if cells else "")


def to_chat_lines(doc: dict[str, Any]) -> list[str]:
    """The review for chat apps (no tables, which WeCom does not render): the headline as bold
    lines, then every section, down to the comparison with the previous period, as lists."""
    loc = Locale.current()
    h = headline_figures(doc)
    since = doc["previous"]["period"]
    lines = [meta(doc),
             f"**{t('Goal attainment')}** {_number(h['attainment'], 'ratio', loc) or '–'}",
             f"**{t('Won amount')}** {_number(h['won_amount'], 'money', loc)} "
             f"({t('vs {period}', period=since)}: {_delta(_minus(h['won_amount'], h['previous_won_amount']), 'money', loc) or '–'})",
             f"**{t('Win rate')}** {_number(h['win_rate'], 'ratio', loc) or '–'} "
             f"({t('vs {period}', period=since)}: {_points(h['win_rate'], h['previous_win_rate'])})"]
    for heading, rows, cols in sections(doc):
        lines += ["", f"### {heading}"]
        lines += [_chat_item(row, cols, loc) for row in rows] if rows else [t("(none)")]
    return lines


def _points(now: Any, before: Any) -> str:
    """The change of a ratio in percentage points ("-17.0 pp")."""
    return "–" if now is None or before is None else f"{(float(now) - float(before)) * 100:+.1f} pp"


def _minus(now: Any, before: Any) -> Any:
    return None if now is None or before is None else now - before


# ---------------------------------------------------------------- html

def headline_figures(doc: dict[str, Any]) -> dict[str, Any]:
    """Goal attainment (revenue: a team review's team goal, else the managers' summed), won amount and
    win rate, each with the previous period's value where there is one."""
    goals = [g for g in doc["goals"] if g["metric"] == "revenue" and g["target"]]
    team = [g for g in goals if g["kind"] == "team"] if doc["team"] else []
    chosen = team or [g for g in goals if g["kind"] != "team"]
    target = sum((g["target"] for g in chosen), 0)
    actual = sum((g["actual"] or 0 for g in chosen), 0)
    figures, before = doc["figures"], doc["previous"]
    return {"attainment": (actual / target) if target else None, "won_amount": figures["won_amount"],
            "previous_won_amount": before["won_amount"], "win_rate": figures["win_rate"],
            "previous_win_rate": before["win_rate"], "won_deals": figures["won_deals"],
            "previous_won_deals": before["won_deals"]}


def _sign(now: Any, before: Any) -> int:
    if now is None or before is None:
        return 0
    return (now > before) - (now < before)


def _headline(doc: dict[str, Any], loc: Locale) -> str:
    from amkit.ui.html import headline

    h = headline_figures(doc)
    since = t("vs {period}", period=doc["previous"]["period"])

    def change(now: Any, before: Any, kind: str) -> str | None:
        if now is None or before is None:
            return None
        if kind == "ratio":
            return f"{since}: {_points(now, before)}"
        return f"{since}: {_delta(now - before, kind, loc)}"

    cards = [
        (t("Goal attainment"), _number(h["attainment"], "ratio", loc) or "–", None, 0),
        (t("Won amount"), _number(h["won_amount"], "money", loc),
         change(h["won_amount"], h["previous_won_amount"], "money"),
         _sign(h["won_amount"], h["previous_won_amount"])),
        (t("Win rate"), _number(h["win_rate"], "ratio", loc) or "–",
         change(h["win_rate"], h["previous_win_rate"], "ratio"), _sign(h["win_rate"], h["previous_win_rate"])),
        (t("Won deals"), _number(h["won_deals"], "int", loc),
         change(h["won_deals"], h["previous_won_deals"], "int"), _sign(h["won_deals"], h["previous_won_deals"])),
    ]
    return headline(cards)


def _lines(goals: list[dict[str, Any]]) -> list[tuple[str, float]]:
    """The target/excellent/stretch lines as fractions of the target (of the first goal with one)."""
    for g in goals:
        if g["target"]:
            return [(t("Target"), 1.0), (t("Excellent"), float(g["excellent"]) / float(g["target"])),
                    (t("Stretch"), float(g["stretch"]) / float(g["target"]))]
    return [(t("Target"), 1.0)]


def charts(doc: dict[str, Any]) -> list[str]:
    """The review's charts (inline SVG): goal attainment, funnel, weekly trend, lost reasons."""
    from amkit.core.enums import DEAL_STAGES
    from amkit.ui import charts as draw
    from amkit.ui.i18n import enum_label

    out = []
    if doc["goals"]:
        out.append(draw.attainment(t("Goal attainment ({period})", period=doc["goals_period"]),
                                   [f"{g['owner']} · {g['metric']}" for g in doc["goals"]],
                                   [g["achievement"] for g in doc["goals"]], _lines(doc["goals"]),
                                   t("Achievement")))
    funnel = [row for row in doc.get("funnel") or [] if row["stage"] not in ("lost", "repurchase")]
    if any(row["entered"] for row in funnel):
        names = {**DEAL_STAGES}
        out.append(draw.hbar(t("Funnel (deals created in {period})", period=doc["period"]),
                             [enum_label(row["stage"], names) for row in funnel],
                             [(t("Entered"), [row["entered"] for row in funnel])]))
    if doc.get("trend"):
        weeks = doc["trend"]
        out.append(draw.trend(t("Weekly won amount and follow-ups"), [w["week"][-3:] for w in weeks],
                              (t("Won amount"), [w["revenue"] for w in weeks]),
                              (t("Follow-ups"), [w["followups"] for w in weeks])))
    reasons = doc["deals"]["lost_reasons"]
    if reasons:
        out.append(draw.hbar(t("Lost reasons"), [r["reason_code"] or t("(not given)") for r in reasons],
                             [(t("Count"), [r["count"] for r in reasons])]))
    return out


def to_html(doc: dict[str, Any]) -> str:
    """Headline first, then the charts, then every section (long ones: top 10, the rest collapsed)."""
    from amkit.ui.html import figure, long_table, report_page

    loc = Locale.current()
    parts = [_headline(doc, loc)] + [figure(svg) for svg in charts(doc)]
    for heading, rows, cols in sections(doc):
        parts.append(f"<h2>{escape(heading)}</h2>")
        parts.append(long_table(rows, cols))
    return report_page(title(doc), parts, meta(doc))
