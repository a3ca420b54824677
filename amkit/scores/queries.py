"""Score cards from the database (SPEC §3.3) on the light read path (amkit.store.raw).

Every figure comes from the metrics layer (amkit.metrics.figures: one set-based query per
group of metrics, grouped by manager); this module picks the managers in scope and their goals.

Goals: rows of ``goals`` for the manager (``owner_id``) and the period key, in the metric's
unit (``collection`` money, ``collection_rate`` a fraction). A goal that is not a valid target
of its metric (e.g. a fraction above 1) is ignored with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amkit.core.periods import Period
from amkit.errors import AmkitError, bad_value
from amkit.goals import queries as goalread, report as goalreport
from amkit.metrics import figures
from amkit.scores import calc as scoring
from amkit.store import scope as team
from amkit.store.raw import Reader, decimal


@dataclass
class Scope:
    team: str | None = None
    owner: str | None = None


@dataclass
class CardSet:
    period: Period
    cards: list[scoring.ScoreCard]
    teams: dict[str, str | None]
    warnings: list[str] = field(default_factory=list)


def load_metrics(r: Reader, period: Period, scope: Scope) -> tuple[list[scoring.ManagerMetrics], dict]:
    """One ManagerMetrics per manager in scope (active managers of the team, or all active;
    a named ``--owner`` is always included) and {owner: team}."""
    where = ["(m.active = :yes" + (" OR m.name = :owner)" if scope.owner else ")")]
    if scope.team:
        where.append("m.team = :team")
    visible = team.visible_manager_ids_of(r)
    if visible is not None:  # team mode: only the managers whose records the user may see
        listed, ids = r.in_list("visible", sorted(visible))
        where.append(f"m.id IN {listed}")
    else:
        ids = {}
    managers = r.rows(f"SELECT m.id, m.name, m.team FROM managers m WHERE {' AND '.join(where)} ORDER BY m.name",
                      yes=True, owner=scope.owner, team=scope.team, **ids)
    found = figures.tallies(r, period.start, period.end)
    out, teams = [], {}
    for mid, name, team_name in managers:
        teams[name] = team_name
        out.append(scoring.ManagerMetrics(owner=name, tally=found.get(mid, figures.Tally())))
    return out, teams


@dataclass
class Goals:
    """{holder: {metric: target}} of valid scorecard goals, where each came from
    ({holder: {metric: "goal" | "plan"}}: "plan" = the month's or week's share of the quarter
    goal, as ``goal plan`` splits it), and warnings about goals left out."""

    targets: dict[str, dict] = field(default_factory=dict)
    sources: dict[str, dict] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, holder: str, metric: str, target: object, source: str, period: Period) -> None:
        if metric not in figures.METRICS or metric in self.targets.get(holder, {}):
            return
        try:
            self.targets.setdefault(holder, {})[metric] = scoring.validate_goal(metric, target)
            self.sources.setdefault(holder, {})[metric] = source
        except AmkitError as exc:
            self.warnings.append(f"ignoring the {metric} goal of {holder} for {period.key}: {exc.message}")


def load_goals(r: Reader, period: Period, holders: list[str], teams: bool = False) -> Goals:
    """The goals of the managers (or, with ``teams``, the teams) named ``holders`` for the period:
    their own goals first, then for a month or a week without one the share of the quarter goal."""
    found = Goals()
    if not holders:
        return found
    listed, names = r.in_list("holder", holders)
    holder = "g.team" if teams else "m.name"
    rows = r.rows(f"""SELECT {holder}, g.metric, g.target FROM goals g LEFT JOIN managers m ON m.id = g.owner_id
                       WHERE g.period = :period AND {holder} IN {listed} AND g.{'team' if teams else 'owner_id'}
                       IS NOT NULL ORDER BY 1, 2""", period=period.key, **names)
    for name, metric, target in rows:  # only the target counts here (other lines may be hand-made)
        found.add(name, metric, decimal(target, 2), "goal", period)
    try:  # only a month or a week takes shares: others never load the work calendar (~0.25 s)
        planned = goalread.planned_goals(r, period, goalreport.calendar(r=r)) \
            if period.kind in ("month", "week") else []
    except AmkitError as exc:  # a quarter goal whose lines cannot be split
        found.warnings.append(f"no targets from the quarter goals for {period.key}: {exc.message}")
        planned = []
    wanted = set(holders)
    for lines, who in planned:
        if (who.team is not None) == teams and who.name in wanted:
            found.add(who.name, lines.metric, lines.target, "plan", period)
    return found


def score_config() -> tuple[dict, dict]:
    """``score.weights`` and ``score.grades`` from the config (validated by scoring)."""
    from amkit import config

    section = config.merged().get("score", {})
    return dict(section.get("weights", {})), dict(section.get("grades", {}))


def cards(r: Reader, period: Period, scope: Scope) -> CardSet:
    """Ranked cards for everyone in scope (the ranking ignores ``scope.owner``; it filters)."""
    metrics, teams = load_metrics(r, period, scope)
    goals = load_goals(r, period, [m.owner for m in metrics])
    weights, grades = score_config()
    result = scoring.score_cards(metrics, goals.targets, weights, grades, goals.sources)
    if scope.owner:
        result = [card for card in result if card.owner == scope.owner]
    return CardSet(period=period, cards=result, teams=teams, warnings=goals.warnings)


def team_cards(r: Reader, period: Period, scope: Scope) -> CardSet:
    """One card per team: its managers' tallies added up (every manager with the team, active or
    not: results stay the team's), each metric computed on the sum as the metric defines it (a
    team's win rate is its won over its won + lost deals), scored against the team's goals where
    set; ranked like managers. ``teams`` maps each team to its number of managers."""
    where, params = ["m.team IS NOT NULL"], {}
    if scope.team:
        where.append("m.team = :team")
        params["team"] = scope.team
    visible = team.visible_manager_ids_of(r)
    if visible is not None:
        listed, ids = r.in_list("visible", sorted(visible))
        where.append(f"m.id IN {listed}")
        params.update(ids)
    members: dict[str, list[int]] = {}
    for mid, name in r.rows(f"SELECT m.id, m.team FROM managers m WHERE {' AND '.join(where)} ORDER BY m.team",
                            **params):
        members.setdefault(name, []).append(mid)
    found = figures.tallies(r, period.start, period.end)
    metrics = [scoring.ManagerMetrics(owner=name, tally=figures.total(found, ids)) for name, ids in members.items()]
    goals = load_goals(r, period, list(members), teams=True)
    weights, grades = score_config()
    result = scoring.score_cards(metrics, goals.targets, weights, grades, goals.sources)
    return CardSet(period=period, cards=result, teams={k: len(v) for k, v in members.items()},
                   warnings=goals.warnings)


def check_bonus_bases(r: Reader, names: list[str]) -> None:
    """Every name of a bonus rules' [bonus.base] table is a manager (a typo would pay nobody)."""
    known = {name for (name,) in r.rows("SELECT name FROM managers")}
    for name in names:
        if name not in known:
            raise bad_value("bonus.base", name, "no such manager")
