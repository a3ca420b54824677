"""Goals read on the light path (amkit.store.raw): who holds them, the stored lines, and each
holder's actual from the metrics layer (amkit.metrics.figures)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from amkit.core.periods import Period, parse_period, period_containing
from amkit.core.workcal import WorkCalendar
from amkit.errors import BadInput, NotFound
from amkit.goals.calc import LINES, GoalLines, Value, add_lines, metric_info, planned_share, to_value
from amkit.metrics import figures
from amkit.store import raw
from amkit.store.raw import Reader


@dataclass(frozen=True)
class Who:
    """The holder of a goal: a manager (owner_id, name) or a team (team name)."""

    owner_id: int | None
    team: str | None
    name: str

    @property
    def kind(self) -> str:
        return "team" if self.team is not None else "manager"


def resolve(r: Reader, owner: str | None, team: str | None, *, required: bool = True) -> Who | None:
    """``--owner N`` or ``--team T`` (exactly one); a team must have at least one manager."""
    if owner and team:
        raise BadInput("give either --owner or --team, not both")
    if owner:
        mid, name = raw.manager(r, owner)
        return Who(mid, None, name)
    if team:
        name = team.strip()
        if not r.rows("SELECT id FROM managers WHERE team = :team", team=name):
            raise NotFound(f"team not found: {name!r} (no manager has team {name!r})")
        return Who(None, name, name)
    if required:
        raise BadInput("give --owner NAME or --team TEAM")
    return None


def lines_from(metric: str, values: list[object]) -> GoalLines:
    """Stored lines (NUMERIC, a float on SQLite) as GoalLines in the metric's precision."""
    exact = [Decimal(str(raw.decimal(v, 2))).quantize(Decimal("0.01")) for v in values]
    return GoalLines(metric, *(to_value(metric, v, n) for v, n in zip(exact, LINES)))


_GOALS = """SELECT g.id, g.owner_id, g.team, m.name, g.metric, g.target, g.excellent, g.stretch
  FROM goals g LEFT JOIN managers m ON m.id = g.owner_id WHERE g.period = :period"""


def goals_for(r: Reader, period: Period | str, who: Who | None = None,
              metric: str | None = None) -> list[tuple[GoalLines, Who]]:
    """Stored goals of a period (optionally one holder / one metric), managers then teams. Goals
    of a metric the metrics layer does not know are left out."""
    sql, params = _GOALS, {"period": parse_period(period).key}
    if who is not None:
        sql += " AND g.team = :team" if who.team is not None else " AND g.owner_id = :owner_id"
        params.update(team=who.team, owner_id=who.owner_id)
    if metric is not None:
        sql += " AND g.metric = :metric"
        params["metric"] = metric_info(metric).name
    out = []
    for _, owner_id, team, name, m, *values in r.rows(sql, **params):
        if m not in figures.METRICS:
            continue
        holder = Who(None, team, team) if owner_id is None else Who(owner_id, None, name)
        out.append((lines_from(m, values), holder))
    return sorted(out, key=lambda g: (g[1].kind == "team", g[1].name, g[0].metric))


def planned_goals(r: Reader, period: Period | str, cal: WorkCalendar, who: Who | None = None,
                  metric: str | None = None) -> list[tuple[GoalLines, Who]]:
    """The goals a month or a week has no goal of its own for, from the quarter goals: its share
    as ``goal plan`` prints it (:func:`amkit.goals.calc.planned_share`). A week that straddles
    two quarters takes its part of each and needs the goal in both. Other periods: none."""
    period = parse_period(period)
    if period.kind not in ("month", "week"):
        return []
    own = {(holder, lines.metric) for lines, holder in goals_for(r, period, who, metric)}
    quarters = list(dict.fromkeys(period_containing("quarter", d) for d in (period.start, period.end)))
    found: dict[tuple[Who, str], list[GoalLines]] = {}
    for quarter in quarters:
        for lines, holder in goals_for(r, quarter, who, metric):
            found.setdefault((holder, lines.metric), []).append(planned_share(lines, quarter, period, cal))
    out = []
    for (holder, name), parts in found.items():
        if (holder, name) not in own and len(parts) == len(quarters):
            total = parts[0]
            for part in parts[1:]:
                total = add_lines(total, part)
            out.append((total, holder))
    return sorted(out, key=lambda g: (g[1].kind == "team", g[1].name, g[0].metric))


def get(r: Reader, who: Who, period: Period | str, metric: str) -> GoalLines:
    """The stored goal; NotFound (3) naming it, with the command that would set it."""
    found = goals_for(r, period, who, metric)
    if not found:
        key = parse_period(period).key
        flag = "--team" if who.team is not None else "--owner"
        raise NotFound(f"no {metric} goal for {who.name} in {key} "
                       f"(set one: amkit goal set --period {key} {flag} {who.name} --metric {metric} --target X)")
    return found[0][0]


class Actuals:
    """Actual values of one window for managers and teams, from the metrics layer: one query
    per metric group for everyone, then each holder's tally (a team: its managers' sum)."""

    def __init__(self, r: Reader, period: Period | str, as_of: dt.date | None, metrics: list[str]) -> None:
        period = parse_period(period)
        self.start, self.end = figures.window(period.start, period.end, as_of)
        self.tallies = figures.tallies(r, self.start, self.end, metrics) if metrics else {}
        self.teams = figures.teams(r)

    def of(self, who: Who, metric: str) -> Value | None:
        if who.team is not None:
            tally = figures.total(self.tallies, [i for i, t in self.teams.items() if t == who.team])
        else:
            tally = self.tallies.get(who.owner_id, figures.Tally())
        return figures.rounded(metric, tally.value(metric))


def value_of(r: Reader, who: Who, metric: str, period: Period | str, as_of: dt.date | None = None) -> Value | None:
    """One holder's value of a metric in a period (to ``as_of``)."""
    return Actuals(r, period, as_of, [metric]).of(who, metric)
