"""Scorecard metrics from the database (SPEC §3.3), one set-based query per period, on the
light read path (amkit.store.raw).

Every metric is an aggregated subquery grouped by manager, LEFT JOINed to ``managers`` in
one SELECT. Definitions (period = the inclusive dates of ``--period``):

* revenue / deals_won: won deals with ``closed_at`` in the period, by the deal's owner;
  deals_lost likewise for lost deals; win_rate = won / (won + lost), null without either.
* new_customers: customers whose ``created_at`` falls in the period, by their current owner.
* followups: follow-ups with ``at`` in the period, by the follow-up's owner (the customer's
  owner when the follow-up has none); visits: those with channel ``visit``.
* collection_rate: payments dated in the period on the manager's deals (whenever those deals
  were won) / amount of the manager's deals won in the period. Null when nothing was won;
  it can exceed 100 % when older deals are collected (the score caps every ratio at 1.2).
* satisfaction: average score of the 1–5 surveys dated in the period on the manager's
  customers. NPS surveys (0–10) are excluded: they measure willingness to recommend, not
  the 1–5 satisfaction scale. Null without surveys.
* completeness: share of the manager's customers (all of them, not only new ones) that have
  an industry, a region and at least one contact with a phone or an email. Null without
  customers.
* repurchases: won deals in the period whose customer had an earlier won deal (earlier
  ``closed_at``, or the same day and a lower id); repurchase_rate = repurchases / deals_won.
* complaint_response_hours: average hours from ``opened`` to ``resolved`` of the complaints
  on the manager's customers opened in the period and resolved; null without any.

Goals: rows of ``goals`` for the manager (``owner_id``) and the period key. A goal that is
not a valid scorecard target (e.g. a ``collection`` goal set as a money amount, which
scorecards read as a rate 0–1) is ignored with a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from amkit.scores import calc as scoring
from amkit.store import scope as team
from amkit.errors import AmkitError
from amkit.store.raw import Reader, decimal, end_of
from amkit.core.periods import Period


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


def _cents(value: Any) -> Decimal:
    return Decimal(int(value or 0)).scaleb(-2)


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.combine(period.start, dt.time()), end_of(period.end)


# One subquery per source table, each grouped by manager id (mid). A repurchase is a won deal
# whose customer has an earlier won deal (earlier closed_at, or the same day and a lower id).
DEALS = """SELECT d.owner_id AS mid,
       sum(CASE WHEN d.stage = 'won' THEN coalesce(d.amount_cents, 0) ELSE 0 END) AS won_cents,
       sum(CASE WHEN d.stage = 'won' THEN 1 ELSE 0 END) AS won,
       sum(CASE WHEN d.stage = 'lost' THEN 1 ELSE 0 END) AS lost,
       sum(CASE WHEN d.stage = 'won' AND EXISTS (
             SELECT 1 FROM deals e WHERE e.customer_id = d.customer_id AND e.stage = 'won'
                AND e.closed_at IS NOT NULL
                AND (e.closed_at < d.closed_at OR (e.closed_at = d.closed_at AND e.id < d.id)))
           THEN 1 ELSE 0 END) AS repurchases
  FROM deals d WHERE d.stage IN ('won', 'lost') AND d.closed_at >= :start_day AND d.closed_at <= :end_day
 GROUP BY d.owner_id"""
PAYMENTS = """SELECT d.owner_id AS mid, sum(p.amount_cents) AS paid_cents
  FROM payments p JOIN deals d ON d.id = p.deal_id
 WHERE p.date >= :start_day AND p.date <= :end_day GROUP BY d.owner_id"""
# a follow-up counts for its own owner, else its customer's: counted per (owner, customer) on the
# covering index first, so the customer is looked up once per group, not once per follow-up
FOLLOWUPS = """SELECT coalesce(g.owner_id, c.owner_id) AS mid, sum(g.n) AS followups, sum(g.v) AS visits
  FROM (SELECT owner_id, customer_id, count(*) AS n, sum(CASE WHEN channel = 'visit' THEN 1 ELSE 0 END) AS v
          FROM followups WHERE at >= :start AND at < :end GROUP BY owner_id, customer_id) g
  JOIN customers c ON c.id = g.customer_id
 GROUP BY coalesce(g.owner_id, c.owner_id)"""
CUSTOMERS = """SELECT c.owner_id AS mid, count(c.id) AS owned,
       sum(CASE WHEN coalesce(trim(c.industry), '') != '' AND coalesce(trim(c.region), '') != ''
                 AND EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id
                              AND (coalesce(trim(k.phone), '') != '' OR coalesce(trim(k.email), '') != ''))
                THEN 1 ELSE 0 END) AS complete,
       sum(CASE WHEN c.created_at >= :start AND c.created_at < :end THEN 1 ELSE 0 END) AS new
  FROM customers c GROUP BY c.owner_id"""
SURVEYS = """SELECT c.owner_id AS mid, sum(s.score) AS score_sum, count(s.id) AS surveys
  FROM surveys s JOIN customers c ON c.id = s.customer_id
 WHERE s.nps = :no AND s.date >= :start_day AND s.date <= :end_day GROUP BY c.owner_id"""
COMPLAINTS = """SELECT c.owner_id AS mid, sum({hours}) AS hours_sum, count(x.id) AS resolved
  FROM complaints x JOIN customers c ON c.id = x.customer_id
 WHERE x.opened >= :start AND x.opened < :end AND x.resolved IS NOT NULL GROUP BY c.owner_id"""
HOURS = {"sqlite": "(julianday(x.resolved) - julianday(x.opened)) * 24.0",
         "postgresql": "extract(epoch FROM x.resolved - x.opened) / 3600.0"}
COLUMNS = ("won_cents", "won", "lost", "repurchases", "paid_cents", "followups", "visits", "owned", "complete",
           "new", "score_sum", "surveys", "hours_sum", "resolved")


def _avg(total: Any, count: Any, places: int = 6) -> Decimal | None:
    if not count:
        return None
    return (Decimal(str(round(float(total), places))) / Decimal(int(count)))


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
    parts = {"d": DEALS, "p": PAYMENTS, "f": FOLLOWUPS, "c": CUSTOMERS, "s": SURVEYS,
             "x": COMPLAINTS.format(hours=HOURS[r.dialect])}
    joins = "\n".join(f"LEFT JOIN ({sql}) {alias} ON {alias}.mid = m.id" for alias, sql in parts.items())
    start, end = _bounds(period)
    rows = r.rows(f"""SELECT m.name, m.team, {', '.join(COLUMNS)} FROM managers m {joins}
                      WHERE {' AND '.join(where)} ORDER BY m.name""",
                  start=start, end=end, start_day=period.start, end_day=period.end, yes=True, no=False,
                  owner=scope.owner, team=scope.team, **ids)
    out, teams = [], {}
    for name, team_name, *values in rows:
        v = dict(zip(COLUMNS, values))
        teams[name] = team_name
        out.append(scoring.ManagerMetrics(
            owner=name, revenue=_cents(v["won_cents"]), deals_won=int(v["won"] or 0),
            deals_lost=int(v["lost"] or 0), new_customers=int(v["new"] or 0), visits=int(v["visits"] or 0),
            followups=int(v["followups"] or 0), payments=_cents(v["paid_cents"]),
            won_amount_for_collection=_cents(v["won_cents"]),
            satisfaction=_avg(v["score_sum"], v["surveys"]),
            completeness=_avg(v["complete"], v["owned"]),
            repurchases=int(v["repurchases"] or 0),
            complaint_response_hours=_avg(v["hours_sum"], v["resolved"])))
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
        if metric not in scoring.METRICS:
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
