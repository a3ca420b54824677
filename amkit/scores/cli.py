"""`amkit score card|rank` (SPEC §3.3): KPI scorecards per manager and the ranking."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, OutputOpt, OwnerOpt, emit, example, note

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


class CardFmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"


PeriodOpt = Annotated[Optional[str], typer.Option("--period", "-p", help="2026Q4, 2026-11, 2026W47 or 2026 "
                                                  "(default: this quarter).", metavar="PERIOD")]
TeamOpt = Annotated[Optional[str], typer.Option("--team", help="Only this team (ranked within it).")]
CardFmtOpt = Annotated[CardFmt, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]

MONEY = ("revenue", "target", "payments", "collection")
RATIOS = ("achievement", "win_rate", "collection_rate", "completeness", "repurchase_rate")
COUNTS = ("deals_won", "deals_lost", "new_customers", "visits", "followups", "repurchases", "rank", "previous_rank", "change")


def _kind(key: str) -> str:
    return "money" if key in MONEY else "ratio" if key in RATIOS else "int" if key in COUNTS else "number"


def _col(key: str, label: str):  # noqa: ANN202
    from amkit.ui.render import Col

    if key == "metric":  # shown by its name in the user's language (JSON keeps the key)
        from amkit.metrics.figures import METRICS

        return Col(key, label, "enum", enum={name: m.zh for name, m in METRICS.items()})
    return Col(key, label, "text" if key in ("owner", "team", "grade") else _kind(key))


CARD_LABELS = [
    ("rank", "Rank"), ("owner", "Owner"), ("team", "Team"), ("revenue", "Revenue"), ("target", "Target"),
    ("achievement", "Achievement"), ("deals_won", "Won"), ("deals_lost", "Lost"), ("win_rate", "Win rate"),
    ("new_customers", "New customers"), ("visits", "Visits"), ("followups", "Follow-ups"),
    ("collection", "Collection"), ("payments", "Payments"), ("collection_rate", "Collection rate"), ("satisfaction", "Satisfaction"),
    ("completeness", "Completeness"), ("repurchases", "Repurchases"), ("repurchase_rate", "Repurchase rate"),
    ("complaint_response_hours", "Complaint response (h)"), ("score", "Score"), ("grade", "Grade"),
]
# -f html: the verdict first, two narrow tables so the page fits a mail window.
HTML_MAIN = ("rank", "owner", "team", "score", "grade", "revenue", "target", "achievement", "deals_won",
             "deals_lost", "win_rate", "collection", "collection_rate")
HTML_SERVICE = ("owner", "new_customers", "visits", "followups", "satisfaction", "completeness",
                "repurchases", "repurchase_rate", "complaint_response_hours")
DETAIL_LABELS = [("owner", "Owner"), ("metric", "Metric"), ("actual", "Actual"), ("goal", "Goal"),
                 ("ratio", "Ratio"), ("weight", "Weight"), ("points", "Points")]


def _period(text: str | None):  # noqa: ANN202
    from amkit import config
    from amkit.core.periods import parse_period, period_containing

    return parse_period(text) if text else period_containing("quarter", config.today())


def _load(period_text: str | None, owner: str | None, team: str | None):  # noqa: ANN202
    from amkit import store
    from amkit.store import raw
    from amkit.scores import queries as scorestore
    from amkit.errors import NotFound

    period = _period(period_text)
    with store.reader() as r:
        name = raw.manager(r, owner)[1] if owner else None
        result = scorestore.cards(r, period, scorestore.Scope(team=team, owner=name))
    if team and not result.teams:
        raise NotFound(f"team not found: {team!r} (no active manager has it)")
    for warning in result.warnings:
        note(f"warning: {warning}")
    return result


def card_row(card, team: str | None) -> dict:  # noqa: ANN001
    from dataclasses import asdict

    row = {k: v for k, v in asdict(card).items() if k != "subscores"}
    row["team"] = team
    return row


def detail_rows(cards) -> list[dict]:  # noqa: ANN001
    from dataclasses import asdict

    return [{"owner": c.owner, **asdict(s)} for c in cards for s in c.subscores]


def _emit_card(result, detail: bool, fmt: CardFmt, output: str | None, bom: bool) -> None:  # noqa: ANN001
    rows = [card_row(c, result.teams.get(c.owner)) for c in result.cards]
    cols = [_col(k, label) for k, label in CARD_LABELS]
    dcols = [_col(k, label) for k, label in DETAIL_LABELS]
    if fmt == CardFmt.html:
        _write_html(result, rows, cols, (detail_rows(result.cards), dcols) if detail else None, output)
        return
    if fmt == CardFmt.json:
        if detail:
            for row, card in zip(rows, result.cards):
                row["subscores"] = [{k: v for k, v in s.items() if k != "owner"} for s in detail_rows([card])]
        emit(rows, cols, Fmt.json, output)
        return
    if fmt == CardFmt.csv:
        emit(detail_rows(result.cards) if detail else rows, dcols if detail else cols, Fmt.csv, output, bom)
        return
    _table(rows, cols, detail_rows(result.cards) if detail else None, dcols, output, result.period.key)


def _table(rows, cols, detail, dcols, output, period_key) -> None:  # noqa: ANN001
    from amkit.ui.render import Col, render, write_to

    with write_to(output) as stream:
        for row in rows:
            row["bar"] = row["achievement"]
        shown = [c for c in cols if c.key not in ("payments", "repurchases", "team")]
        at = [c.key for c in shown].index("achievement") + 1
        shown.insert(at, Col("bar", "", "bar", priority=90))
        render(rows, shown, "table", out=stream, title=period_key)
        if detail is not None:
            stream.write("\n")
            render(detail, dcols, "table", out=stream)


def _write_html(result, rows, cols, detail, output) -> None:  # noqa: ANN001
    from amkit import config
    from amkit.ui.i18n import t
    from amkit.ui.render import write_to
    from amkit.scores.html import render_html

    title = t("Scorecard {period}", period=result.period.key)
    meta = t("{start} – {end}; generated {today}", start=result.period.start.isoformat(),
             end=result.period.end.isoformat(), today=config.today().isoformat())
    by_key = {c.key: c for c in cols}
    sections = [(None, [by_key[k] for k in HTML_MAIN]), ("Activity and service", [by_key[k] for k in HTML_SERVICE])]
    with write_to(output) as stream:
        stream.write(render_html(rows, sections, title, meta, detail))
    if output:
        note(t("wrote {path}", path=output))


@app.command("card", epilog=example("amkit score card --period 2026Q4", "amkit score card -p 2026-11 --owner 张伟 --detail",
                                    "amkit score card -p 2026Q4 -f html -o scorecard.html"))
def card(
    period: PeriodOpt = None, owner: OwnerOpt = None, team: TeamOpt = None,
    detail: Annotated[bool, typer.Option("--detail", "-d", help="Show each metric's sub-score and weight.")] = False,
    fmt: CardFmtOpt = CardFmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """One scorecard row per manager: revenue, achievement, win rate, collection, … score, grade, rank.

    score = Σ weight·min(actual/goal, 1.2) over the weighted metrics that have a goal for the
    period (weights rescaled to 100; config score.weights.*), grade by score.grades.*.
    Without goals, score and grade are empty and rank orders by revenue.
    """
    _emit_card(_load(period, owner, team), detail, fmt, output, bom)


@app.command("rank", epilog=example("amkit score rank --period 2026Q4", "amkit score rank -p 2026-11 --by revenue -f json"))
def rank(
    period: PeriodOpt = None, team: TeamOpt = None,
    by: Annotated[str, typer.Option("--by", help="score, revenue, achievement, win_rate, collection_rate, …")]
    = "score",
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)] = Fmt.table,
    output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Managers ranked by --by, with the rank change against the previous period (+ = up)."""
    from amkit.scores import calc as scoring

    current = _load(period, None, team)
    previous = _load(current.period.previous().key, None, team)
    ranked = scoring.rank(current.cards, by)
    before = scoring.rank(previous.cards, by)
    changes = {c.owner: c for c in scoring.rank_change(ranked, before)}
    rows = [
        {"rank": c.rank, "owner": c.owner, "team": current.teams.get(c.owner), by: getattr(c, by),
         **({} if by == "score" else {"score": c.score}), "grade": c.grade,
         "previous_rank": changes[c.owner].previous_rank, "change": changes[c.owner].change}
        for c in ranked
    ]
    labels = dict(CARD_LABELS)
    keys = ["rank", "owner", "team", by] + ([] if by == "score" else ["score"]) + ["grade", "previous_rank", "change"]
    cols = [_col(k, labels.get(k, {"previous_rank": "Previous rank", "change": "Change"}.get(k, k))) for k in keys]
    emit(rows, cols, fmt, output, bom)
    note(f"{current.period.key} vs {previous.period.key}")
