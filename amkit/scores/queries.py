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
from amkit.errors import AmkitError
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


def load_goals(r: Reader, period: Period, owners: list[str]) -> tuple[dict[str, dict], list[str]]:
    """{owner: {metric: target}} of valid scorecard goals for the period, and warnings."""
    listed, names = r.in_list("owner", owners)
    rows = r.rows(f"""SELECT m.name, g.metric, g.target FROM goals g JOIN managers m ON m.id = g.owner_id
                       WHERE g.period = :period AND m.name IN {listed} ORDER BY m.name, g.metric""",
                  period=period.key, **names)
    goals: dict[str, dict] = {}
    warnings = []
    for owner, metric, target in rows:
        if metric not in figures.METRICS:
            continue
        try:
            goals.setdefault(owner, {})[metric] = scoring.validate_goal(metric, decimal(target, 2))
        except AmkitError as exc:
            warnings.append(f"ignoring the {metric} goal of {owner} for {period.key}: {exc.message}")
    return goals, warnings


def score_config() -> tuple[dict, dict]:
    """``score.weights`` and ``score.grades`` from the config (validated by scoring)."""
    from amkit import config

    section = config.merged().get("score", {})
    return dict(section.get("weights", {})), dict(section.get("grades", {}))


def cards(r: Reader, period: Period, scope: Scope) -> CardSet:
    """Ranked cards for everyone in scope (the ranking ignores ``scope.owner``; it filters)."""
    metrics, teams = load_metrics(r, period, scope)
    goals, warnings = load_goals(r, period, [m.owner for m in metrics])
    weights, grades = score_config()
    result = scoring.score_cards(metrics, goals, weights, grades)
    if scope.owner:
        result = [card for card in result if card.owner == scope.owner]
    return CardSet(period=period, cards=result, teams=teams, warnings=warnings)
