"""Goal reports from the database: plan, progress, replan and suggest as plain rows.

Glue between :mod:`amkit.goals.queries` (stored goals, on a raw Reader), the metrics layer
(:mod:`amkit.metrics.figures`: every actual, one definition per figure) and the pure
:mod:`amkit.goals.calc` arithmetic. Rows use the SPEC keys (§3.1 plan, §5 progress); commands
only render them.

``goal suggest`` history: the ``n`` periods of the same kind before the asked one that are
complete on ``as_of`` (default today), with leading periods of zero dropped (before the
manager had any such activity); the same period last year is the seasonal reference, a
zero there is read as "no data".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from amkit import config
from amkit.core.periods import MIN_YEAR, Period, parse_period, period_containing
from amkit.calendar import queries as calendar_queries
from amkit.core.workcal import PROVISIONAL, WorkCalendar
from amkit.goals import calc as goals
from amkit.goals.calc import GoalLines
from amkit.goals.queries import Actuals, Who, get, goals_for, planned_goals, value_of
from amkit.store.raw import Reader

BAR_WIDTH = 20


def default_period() -> str:
    """The current quarter (from ``config.today()``)."""
    return period_containing("quarter", config.today()).key


def calendar(code: str | None = None, r: Reader | None = None) -> WorkCalendar:
    """``--calendar`` or the config value ``calendar`` (default CN), with the days loaded into
    the database (``amkit calendar load``) when a reader is given."""
    if r is not None:
        return calendar_queries.work_calendar(r, code)
    return WorkCalendar(calendar_queries.configured_code(code))


def provisional(row: dict[str, Any], cal: WorkCalendar, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The row with ``"calendar": "provisional"`` when a day of start..end lies in a provisional
    year (amkit.core.workcal), else unchanged."""
    return {**row, "calendar": PROVISIONAL} if cal.provisional_years(start, end) else row


def plan_rows(lines: GoalLines, period: Period | str, by: str, cal: WorkCalendar) -> list[dict[str, Any]]:
    """SPEC §3.1 rows: bucket, start, end, workdays, target, excellent, stretch, cumulative_target
    (and ``calendar: provisional`` on the buckets planned on a provisional year)."""
    return [provisional(asdict(r), cal, r.start, r.end) for r in goals.plan(period, lines, by, cal)]


def stored_lines(r: Reader, who: Who, period: Period | str, metric: str) -> GoalLines:
    return get(r, who, period, metric)


def bar(progress: goals.Progress) -> str:
    """A text bar to the stretch line: █ done, | the target and excellent marks, · the rest."""
    top = progress.stretch or progress.excellent or progress.target
    if not top or progress.actual is None:
        return ""
    filled = min(round(BAR_WIDTH * progress.actual / top), BAR_WIDTH)
    marks = {min(round(BAR_WIDTH * line / top), BAR_WIDTH) - 1 for line in (progress.target, progress.excellent)}
    cells = ["█" if i < filled else ("|" if i in marks else "·") for i in range(BAR_WIDTH)]
    return "".join(cells) + ("+" if progress.actual > top else "")


def progress_rows(r: Reader, period: Period | str, who: Who | None = None, metric: str | None = None,
                  as_of: dt.date | None = None, cal: WorkCalendar | None = None,
                  with_bar: bool = False) -> list[dict[str, Any]]:
    """One row per goal of the period (filtered), SPEC §5 keys first; ``bar`` for tables. A month
    or week without a goal of its own shows its share of the quarter goal (``target_source`` plan,
    as the score card does)."""
    period, cal = parse_period(period), cal or calendar(r=r)
    as_of = as_of or config.today()
    own = goals_for(r, period, who, metric)
    planned = planned_goals(r, period, cal, who, metric)
    if who is not None and metric is not None and not own and not planned:
        get(r, who, period, metric)  # NotFound names the missing goal
    found = [(g, h, "goal") for g, h in own] + [(g, h, "plan") for g, h in planned]
    found.sort(key=lambda g: (g[1].kind == "team", g[1].name, g[0].metric))
    values = Actuals(r, period, as_of, sorted({g.metric for g, _, _ in found}))
    # the id `goal edit|delete ID` takes (a plan share has none: it is the quarter goal's)
    ids = {(owner_id, team, m): gid for gid, owner_id, team, m in
           r.rows("SELECT id, owner_id, team, metric FROM goals WHERE period = :period", period=period.key)}
    rows = []
    for goal, holder, source in found:
        p = goals.progress(goal, period, cal, as_of, values.of(holder, goal.metric))
        rows.append({
            "owner": holder.name, "period": period.key, "metric": goal.metric, "target": p.target,
            "excellent": p.excellent, "stretch": p.stretch, "actual": p.actual, "achievement": p.achievement,
            "pace": p.pace, "projected": p.projected, "projected_line": p.projected_line, "kind": holder.kind,
            "excellent_achievement": p.excellent_achievement, "stretch_achievement": p.stretch_achievement,
            "planned_to_date": p.planned_to_date, "workdays_elapsed": p.workdays_elapsed,
            "workdays_total": p.workdays_total, "as_of": as_of, "target_source": source,
            "goal_id": ids.get((holder.owner_id, holder.team, goal.metric)) if source == "goal" else None,
            **({"bar": bar(p)} if with_bar else {})})
    return [provisional(row, cal, period.start, period.end) for row in rows]


def replan_rows(r: Reader, who: Who, period: Period | str, metric: str, as_of: dt.date | None = None,
                by: str = "week", cal: WorkCalendar | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The original plan beside what is left spread over the remaining workdays, and a summary."""
    period, cal = parse_period(period), cal or calendar(r=r)
    as_of = as_of or config.today()
    lines = stored_lines(r, who, period, metric)
    goals.additive_only(metric, "replan")
    actual = value_of(r, who, metric, period, as_of)
    rows = [provisional(asdict(row), cal, row.start, row.end)
            for row in goals.replan(period, lines, as_of, actual, by, cal)]
    summary = {"owner": who.name, "period": period.key, "metric": metric, "as_of": as_of, "actual": actual,
               "remaining_target": max(lines.target - actual, 0),
               "remaining_workdays": sum(r["remaining_workdays"] for r in rows)}
    return rows, summary


def history(r: Reader, who: Who, period: Period, metric: str, n: int,
            as_of: dt.date) -> list[tuple[str, Any]]:
    """(period key, value) of the last ``n`` periods of the same kind before ``period`` that are
    complete on ``as_of``, oldest first, leading zeros dropped."""
    past, cursor = [], period
    while len(past) < n and cursor.start.year > MIN_YEAR:
        cursor = cursor.previous()
        if cursor.end <= as_of:  # the current (incomplete) and future periods are skipped
            past.append(cursor)
    pairs = [(p.key, value_of(r, who, metric, p, as_of)) for p in reversed(past)]
    pairs = [(k, v) for k, v in pairs if v is not None]  # a rate without anything to divide: no data
    while pairs and not pairs[0][1]:
        pairs.pop(0)
    return pairs


def suggestion(r: Reader, who: Who, period: Period | str, metric: str, n: int = 4,
               as_of: dt.date | None = None) -> tuple[dict[str, Any], GoalLines]:
    """goals.suggest from the holder's history: a plain dict with the numbers and why, and the lines."""
    period, as_of = parse_period(period), as_of or config.today()
    metric = goals.metric_info(metric).name
    past = history(r, who, period, metric, n, as_of)
    last = period.same_period_last_year()
    last_value = value_of(r, who, metric, last, as_of) if last.end <= as_of else None
    s = goals.suggest(past, last_value or None, metric=metric)
    return {"owner": who.name, "period": period.key, "metric": metric, "target": s.lines.target,
            "excellent": s.lines.excellent, "stretch": s.lines.stretch,
            "history": [{"period": k, "value": v} for k, v in past],
            "same_period_last_year": {"period": last.key, "value": last_value},
            "explanation": [{"key": e.key, "value": e.value, "note": e.note} for e in s.explanation]}, s.lines
