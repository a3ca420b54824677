"""`amkit score card|rank` (SPEC §3.3): KPI scorecards per manager and the ranking."""

from __future__ import annotations

from contextlib import contextmanager
from enum import Enum
from typing import Annotated, Iterator, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, OutputOpt, OwnerOpt, emit, example, note

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


class CardFmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"
    xlsx = "xlsx"


class Holder(str, Enum):
    owner = "owner"
    team = "team"


PeriodOpt = Annotated[Optional[str], typer.Option("--period", "-p", help="2026Q4, 2026-11, 2026W47 or 2026 "
                                                  "(default: this quarter).", metavar="PERIOD")]
TeamOpt = Annotated[Optional[str], typer.Option("--team", help="Only this team (ranked within it).")]
CardFmtOpt = Annotated[CardFmt, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]

MONEY = ("revenue", "target", "payments", "collection")
RATIOS = ("achievement", "win_rate", "collection_rate", "completeness", "repurchase_rate", "renewal_rate",
          "overdue_rate", "churn_rate")
COUNTS = ("deals_won", "deals_lost", "new_customers", "visits", "followups", "repurchases", "rank", "previous_rank", "change")


def _kind(key: str) -> str:
    from amkit.metrics import figures

    if key in figures.METRICS:  # the metric's declared unit
        return {"money": "money", "count": "int", "fraction": "ratio"}.get(figures.METRICS[key].unit, "number")
    return "money" if key in MONEY else "ratio" if key in RATIOS else "int" if key in COUNTS else "number"


def _col(key: str, label: str):  # noqa: ANN202
    from amkit.ui.render import Col

    if key == "metric":  # shown by its name in the user's language (JSON keeps the key)
        from amkit.metrics.figures import METRICS

        return Col(key, label, "enum", enum={name: m.zh for name, m in METRICS.items()})
    text = ("owner", "team", "grade", "source", "target_source", "band", "reason")
    return Col(key, label, "text" if key in text else _kind(key))


CARD_LABELS = [
    ("rank", "Rank"), ("owner", "Owner"), ("team", "Team"), ("revenue", "Revenue"), ("target", "Target"),
    ("achievement", "Achievement"), ("deals_won", "Won"), ("deals_lost", "Lost"), ("win_rate", "Win rate"),
    ("new_customers", "New customers"), ("visits", "Visits"), ("followups", "Follow-ups"),
    ("collection", "Collection"), ("payments", "Payments"), ("collection_rate", "Collection rate"), ("satisfaction", "Satisfaction"),
    ("completeness", "Completeness"), ("repurchases", "Repurchases"), ("repurchase_rate", "Repurchase rate"),
    ("complaint_response_hours", "Complaint response (h)"),
    ("renewal_rate", "Renewal rate"), ("overdue_rate", "Overdue rate"), ("churn_rate", "Churn rate"),
    ("target_source", "Target source"), ("score", "Score"), ("grade", "Grade"),
]
# -f html: the verdict first, two narrow tables so the page fits a mail window.
HTML_MAIN = ("rank", "owner", "team", "score", "grade", "revenue", "target", "achievement", "deals_won",
             "deals_lost", "win_rate", "collection", "collection_rate")
HTML_SERVICE = ("owner", "new_customers", "visits", "followups", "satisfaction", "completeness",
                "repurchases", "repurchase_rate", "complaint_response_hours", "renewal_rate", "overdue_rate",
                "churn_rate")
DETAIL_LABELS = [("owner", "Owner"), ("metric", "Metric"), ("actual", "Actual"), ("goal", "Goal"),
                 ("source", "Goal source"), ("ratio", "Ratio"), ("weight", "Weight"), ("points", "Points")]


def _period(text: str | None):  # noqa: ANN202
    from amkit import config
    from amkit.core.periods import parse_period, period_containing

    return parse_period(text) if text else period_containing("quarter", config.today())


def _load(period_text: str | None, owner: str | None, team: str | None, by_team: bool = False):  # noqa: ANN202
    from amkit import store
    from amkit.store import raw
    from amkit.scores import queries as scorestore
    from amkit.errors import BadInput, NotFound

    if by_team and owner:
        raise BadInput("give either --by team or --owner, not both")
    period = _period(period_text)
    with store.reader() as r:
        name = raw.manager(r, owner)[1] if owner else None
        load = scorestore.team_cards if by_team else scorestore.cards
        result = load(r, period, scorestore.Scope(team=team, owner=name))
    if team and not result.teams:
        raise NotFound(f"team not found: {team!r} (no active manager has it)")
    for warning in result.warnings:
        note(f"warning: {warning}")
    return result


def card_row(card, team: str | None) -> dict:  # noqa: ANN001
    from dataclasses import asdict

    row = {k: v for k, v in asdict(card).items() if k not in ("subscores", "values")}
    # a metric the card has no field for yet (added to amkit.metrics.figures) comes along by name
    row.update({k: v for k, v in card.values.items() if k not in row})
    row["team"] = team
    return row


def _labels() -> list[tuple[str, str]]:
    """CARD_LABELS and any metric of the metrics layer not among them (labelled by its name)."""
    from amkit.metrics import figures

    known = {k for k, _ in CARD_LABELS}
    extra = [(m, m) for m in figures.METRICS if m not in known]
    return CARD_LABELS[:-2] + extra + CARD_LABELS[-2:]


def detail_rows(cards, holder: str = "owner") -> list[dict]:  # noqa: ANN001
    from dataclasses import asdict

    return [{holder: c.owner, **asdict(s)} for c in cards for s in c.subscores]


def team_row(card, managers: int) -> dict:  # noqa: ANN001
    """A team's card: ``team`` and its number of ``managers`` in place of ``owner``."""
    row = card_row(card, card.owner)
    del row["owner"]
    return {"rank": row.pop("rank"), "team": row.pop("team"), "managers": managers, **row}


def _emit_card(result, detail: bool, fmt: CardFmt, output: str | None, bom: bool,  # noqa: ANN001
               by_team: bool = False) -> None:
    if by_team:
        rows = [team_row(c, result.teams[c.owner]) for c in result.cards]
        labels = [("rank", "Rank"), ("team", "Team"), ("managers", "Managers")] + \
            [(k, v) for k, v in _labels() if k not in ("rank", "owner", "team")]
        cols = [_col(k, label) for k, label in labels]
        dlabels = [("team", "Team")] + DETAIL_LABELS[1:]
    else:
        rows = [card_row(c, result.teams.get(c.owner)) for c in result.cards]
        cols = [_col(k, label) for k, label in _labels()]
        dlabels = DETAIL_LABELS
    dcols = [_col(k, label) for k, label in dlabels]
    if any(c.target_source == "plan" or any(s.source == "plan" for s in c.subscores) for c in result.cards):
        from amkit.ui.i18n import t

        note(t("targets marked plan are the {period} share of the quarter goal, split by workdays as goal plan "
               "prints it", period=result.period.key))
    holder = "team" if by_team else "owner"
    details = detail_rows(result.cards, holder)
    if fmt == CardFmt.html:
        _write_html(result, rows, cols, (details, dcols) if detail else None, output, by_team)
        return
    if fmt == CardFmt.json:
        if detail:
            for row, card in zip(rows, result.cards):
                row["subscores"] = [{k: v for k, v in s.items() if k != holder} for s in detail_rows([card], holder)]
        emit(rows, cols, Fmt.json, output)
        return
    if fmt in (CardFmt.csv, CardFmt.xlsx):
        emit(details if detail else rows, dcols if detail else cols, Fmt(fmt.value), output, bom)
        return
    _table(rows, cols, details if detail else None, dcols, output, result.period.key,
           ("payments", "repurchases") if by_team else ("payments", "repurchases", "team"))


def _table(rows, cols, detail, dcols, output, period_key,  # noqa: ANN001
           hidden=("payments", "repurchases", "team")) -> None:  # noqa: ANN001
    from amkit.ui.render import Col, render, write_to

    with write_to(output) as stream:
        for row in rows:
            row["bar"] = row["achievement"]
        shown = [c for c in cols if c.key not in hidden and c.key != "target_source"]
        at = [c.key for c in shown].index("achievement") + 1
        shown.insert(at, Col("bar", "", "bar", priority=90))
        if detail is None:
            render(rows, shown, "table", out=stream, title=period_key)
            return
        with _picked(shown, dcols):
            render(rows, shown, "table", out=stream, title=period_key)
        stream.write("\n")
        with _picked(dcols, shown):
            _detail_table(detail, dcols, stream)


@contextmanager
def _picked(cols: list, other: list) -> Iterator[None]:
    """With --detail, `--columns` names columns of either table: each table shows the ones it
    has (all of its columns when it has none of them); a name in neither is bad input."""
    from amkit import context
    from amkit.errors import bad_value
    from amkit.ui.i18n import t

    ctx = context.current()
    wanted = ctx.columns
    if not wanted:
        yield
        return

    def names(columns: list) -> set[str]:
        return {n.lower() for c in columns for n in (c.key, c.label, t(c.label))}

    mine, theirs = names(cols), names(other)
    for name in wanted:
        if name.strip().lower() not in mine | theirs:
            raise bad_value("--columns", name, "expected one of " + ", ".join(dict.fromkeys(
                c.key for c in cols + other)))
    ctx.columns = tuple(n for n in wanted if n.strip().lower() in mine) or None
    try:
        yield
    finally:
        ctx.columns = wanted


SOURCES = {"goal": "目标", "plan": "季度分解"}  # where a target came from (JSON keeps goal | plan)


def _detail_table(detail: list[dict], dcols: list, stream) -> None:  # noqa: ANN001
    """The sub-scores: each row's actual and goal in its metric's unit (¥1,139,600.00, 12, 35.0%),
    the ratio as a percent, as the card above shows them."""
    from amkit.ui.render import Col, cell_text, render

    shown = []
    for r in detail:
        kind = _kind(r["metric"])
        cells = {k: cell_text(r[k], Col(k, k, kind)) for k in ("actual", "goal") if r.get(k) is not None}
        if r.get("ratio") is not None:
            cells["ratio"] = cell_text(r["ratio"], Col("ratio", "ratio", "ratio"))
        shown.append({**r, **cells})
    cols = [Col(c.key, c.label, "number") if c.key in ("actual", "goal", "ratio") else
            Col(c.key, c.label, "enum", SOURCES) if c.key == "source" else c for c in dcols]
    render(shown, cols, "table", out=stream)


def _write_html(result, rows, cols, detail, output, by_team: bool = False) -> None:  # noqa: ANN001
    from amkit import config
    from amkit.ui.i18n import t
    from amkit.ui.render import write_to
    from amkit.scores.html import render_html

    title = t("Scorecard {period}", period=result.period.key)
    meta = t("{start} – {end}; generated {today}", start=result.period.start.isoformat(),
             end=result.period.end.isoformat(), today=config.today().isoformat())
    by_key = {c.key: c for c in cols}
    swap = {"owner": "team", "team": "managers"} if by_team else {}
    sections = [(None, [by_key[swap.get(k, k)] for k in HTML_MAIN]),
                ("Activity and service", [by_key[swap.get(k, k)] for k in HTML_SERVICE])]
    with write_to(output) as stream:
        stream.write(render_html(rows, sections, title, meta, detail))
    if output:
        note(t("wrote {path}", path=output))


@app.command("card", epilog=example("amkit score card --period 2026Q4", "amkit score card -p 2026-11 --owner 张伟 --detail",
                                    "amkit score card -p 2026-11 --by team",
                                    "amkit score card -p 2026Q4 -f html -o scorecard.html"))
def card(
    period: PeriodOpt = None, owner: OwnerOpt = None, team: TeamOpt = None,
    detail: Annotated[bool, typer.Option("--detail", "-d", help="Show each metric's sub-score and weight.")] = False,
    by: Annotated[Optional[Holder], typer.Option(
        "--by", help="owner (default) or team: one card per team, its managers' figures added up.",
        case_sensitive=False)] = None,
    fmt: CardFmtOpt = CardFmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """One scorecard row per manager: revenue, achievement, win rate, collection, … score, grade, rank.

    score = Σ weight·min(actual/goal, 1.2) over the weighted metrics that have a goal for the
    period (weights rescaled to 100; config score.weights.*), grade by score.grades.*.
    Without goals, score and grade are empty and rank orders by revenue. A month or week without
    its own goal takes its workday share of the quarter goal (target_source plan).
    """
    by_team = by == Holder.team
    _emit_card(_load(period, owner, team, by_team), detail, fmt, output, bom, by_team)


@app.command("rank", epilog=example("amkit score rank --period 2026Q4", "amkit score rank -p 2026-11 --by revenue -f json"))
def rank(
    period: PeriodOpt = None, team: TeamOpt = None,
    by: Annotated[str, typer.Option("--by", help="score, improvement, revenue, achievement, win_rate, "
                                                 "collection_rate, …")]
    = "score",
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)] = Fmt.table,
    output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Managers ranked by --by, with the rank change against the previous period (+ = up).

    --by improvement ranks by the change in score against the previous period."""
    from amkit.scores import calc as scoring

    current = _load(period, None, team)
    previous = _load(current.period.previous().key, None, team)
    if by == "improvement":
        _emit_improvement(scoring.rank_improvement(current.cards, previous.cards), current, fmt, output, bom)
        note(f"{current.period.key} vs {previous.period.key}")
        return
    ranked = scoring.rank(current.cards, by)
    before = scoring.rank(previous.cards, by)
    changes = {c.owner: c for c in scoring.rank_change(ranked, before)}
    rows = [
        {"rank": c.rank, "owner": c.owner, "team": current.teams.get(c.owner), by: c.value(by),
         **({} if by == "score" else {"score": c.score}), "grade": c.grade,
         "previous_rank": changes[c.owner].previous_rank, "change": changes[c.owner].change}
        for c in ranked
    ]
    labels = dict(CARD_LABELS)
    keys = ["rank", "owner", "team", by] + ([] if by == "score" else ["score"]) + ["grade", "previous_rank", "change"]
    cols = [_col(k, labels.get(k, {"previous_rank": "Previous rank", "change": "Change"}.get(k, k))) for k in keys]
    emit(rows, cols, fmt, output, bom)
    note(f"{current.period.key} vs {previous.period.key}")


def _emit_improvement(items, current, fmt, output, bom) -> None:  # noqa: ANN001
    from dataclasses import asdict

    rows = [{"rank": i.rank, "owner": i.owner, "team": current.teams.get(i.owner), **{
        k: v for k, v in asdict(i).items() if k not in ("rank", "owner")}} for i in items]
    labels = [("rank", "Rank"), ("owner", "Owner"), ("team", "Team"), ("improvement", "Improvement"),
              ("score", "Score"), ("previous_score", "Previous score")]
    emit(rows, [_col(k, label) for k, label in labels], fmt, output, bom)


class BonusFmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


BONUS_LABELS = [("owner", "Owner"), ("value", "Value"), ("band", "Band"), ("rate", "Rate"), ("base", "Base"),
                ("bonus", "Bonus"), ("reason", "Reason")]


@app.command("bonus", epilog=example("amkit score bonus --period 2026Q4 --rules bonus.toml",
                                     "amkit score bonus -p 2026-11 --rules bonus.toml -f json",
                                     "amkit score bonus -p 2026Q4 --rules bonus.toml -f xlsx -o bonus.xlsx"))
def bonus(
    rules: Annotated[str, typer.Option("--rules", help="The bonus rules (README: Bonus by rules).",
                                       metavar="FILE.toml")],
    period: PeriodOpt = None, team: TeamOpt = None,
    fmt: Annotated[BonusFmt, typer.Option("--format", "-f", help="Output format (xlsx needs -o FILE).",
                                          case_sensitive=False)] = BonusFmt.table,
    output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Each manager's bonus (奖金) from the score card and a rules file: base × the rate of the
    highest band reached, capped, zeroed by an unmet gate (the reason is shown)."""
    from amkit.scores import bonus as bonuses
    from amkit.ui.i18n import t

    parsed = _bonus_rules(rules)
    result = _load(period, None, team)
    _check_bases(parsed)
    found = bonuses.bonuses([card_row(c, None) for c in result.cards], parsed)
    rows = [b.row() for b in found]
    if fmt == BonusFmt.table:  # the reason in the user's language (JSON/CSV keep English)
        rows = [{**r, "reason": None if b.why is None else t(b.why[0]).format(**b.why[1])}
                for r, b in zip(rows, found)]
    from amkit.ui.render import Col

    kinds = {"value": "number", "band": "number", "rate": "number", "base": "money", "bonus": "money"}
    cols = [Col(k, label, kinds.get(k, "text")) for k, label in BONUS_LABELS]
    emit(rows, cols, Fmt(fmt.value), output, bom)  # xlsx: amkit.ui.xlsx, like every listing
    total = sum((r["bonus"] for r in rows), start=0)
    note(t("{period}: total bonus {total} for {n} managers ({metric})", period=result.period.key,
           total=f"{total:,.2f}", n=len(rows), metric=parsed.metric))


def _bonus_rules(path: str):  # noqa: ANN202
    from pathlib import Path

    from amkit.errors import BadInput, NotFound
    from amkit.scores import bonus as bonuses

    file = Path(path)
    if not file.is_file():
        raise NotFound(f"rules file not found: {path!r}")
    try:
        return bonuses.load_rules(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise BadInput(f"invalid rules file {path!r}: not UTF-8 text") from None


def _check_bases(parsed) -> None:  # noqa: ANN001
    from amkit import store
    from amkit.scores import queries as scorestore

    if parsed.bases:
        with store.reader() as r:
            scorestore.check_bonus_bases(r, list(parsed.bases))
