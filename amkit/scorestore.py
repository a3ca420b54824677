"""Scorecard metrics from the database (SPEC §3.3), one set-based query per period.

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

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from amkit import scoring
from amkit.errors import AmkitError
from amkit.models import Complaint, Contact, Customer, Deal, Followup, Goal, Manager, Payment, Survey
from amkit.periods import Period


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
    return dt.datetime.combine(period.start, dt.time()), dt.datetime.combine(period.end + dt.timedelta(days=1),
                                                                             dt.time())


def _deals(period: Period) -> sa.Subquery:
    won, lost = Deal.stage == "won", Deal.stage == "lost"
    earlier = aliased(Deal)
    repurchase = sa.exists().where(
        earlier.customer_id == Deal.customer_id, earlier.stage == "won", earlier.closed_at.is_not(None),
        sa.or_(earlier.closed_at < Deal.closed_at, sa.and_(earlier.closed_at == Deal.closed_at, earlier.id < Deal.id)))
    return (
        sa.select(Deal.owner_id.label("oid"),
                  sa.func.sum(sa.case((won, sa.func.coalesce(Deal.amount_cents, 0)), else_=0)).label("won_cents"),
                  sa.func.sum(sa.case((won, 1), else_=0)).label("won"),
                  sa.func.sum(sa.case((lost, 1), else_=0)).label("lost"),
                  sa.func.sum(sa.case((sa.and_(won, repurchase), 1), else_=0)).label("repurchases"))
        .where(Deal.stage.in_(("won", "lost")), Deal.closed_at >= period.start, Deal.closed_at <= period.end)
        .group_by(Deal.owner_id).subquery("d")
    )


def _payments(period: Period) -> sa.Subquery:
    return (
        sa.select(Deal.owner_id.label("oid"), sa.func.sum(Payment.amount_cents).label("paid_cents"))
        .join(Deal, Deal.id == Payment.deal_id)
        .where(Payment.date >= period.start, Payment.date <= period.end)
        .group_by(Deal.owner_id).subquery("p")
    )


def _followups(period: Period) -> sa.Subquery:
    start, end = _bounds(period)
    oid = sa.func.coalesce(Followup.owner_id, Customer.owner_id)
    return (
        sa.select(oid.label("oid"), sa.func.count(Followup.id).label("followups"),
                  sa.func.sum(sa.case((Followup.channel == "visit", 1), else_=0)).label("visits"))
        .join(Customer, Customer.id == Followup.customer_id)
        .where(Followup.at >= start, Followup.at < end)
        .group_by(oid).subquery("f")
    )


def _customers(period: Period) -> sa.Subquery:
    start, end = _bounds(period)
    has_contact = sa.exists().where(
        Contact.customer_id == Customer.id,
        sa.or_(sa.func.coalesce(sa.func.trim(Contact.phone), "") != "",
               sa.func.coalesce(sa.func.trim(Contact.email), "") != ""))
    complete = sa.and_(sa.func.coalesce(sa.func.trim(Customer.industry), "") != "",
                       sa.func.coalesce(sa.func.trim(Customer.region), "") != "", has_contact)
    created = sa.and_(Customer.created_at >= start, Customer.created_at < end)
    return (
        sa.select(Customer.owner_id.label("oid"), sa.func.count(Customer.id).label("owned"),
                  sa.func.sum(sa.case((complete, 1), else_=0)).label("complete"),
                  sa.func.sum(sa.case((created, 1), else_=0)).label("new"))
        .group_by(Customer.owner_id).subquery("c")
    )


def _surveys(period: Period) -> sa.Subquery:
    return (
        sa.select(Customer.owner_id.label("oid"), sa.func.sum(Survey.score).label("score_sum"),
                  sa.func.count(Survey.id).label("surveys"))
        .join(Customer, Customer.id == Survey.customer_id)
        .where(sa.not_(Survey.nps), Survey.date >= period.start, Survey.date <= period.end)
        .group_by(Customer.owner_id).subquery("s")
    )


def _hours(session: Session, start: Any, end: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return sa.extract("epoch", end - start) / 3600.0
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 24.0


def _complaints(session: Session, period: Period) -> sa.Subquery:
    start, end = _bounds(period)
    return (
        sa.select(Customer.owner_id.label("oid"),
                  sa.func.sum(_hours(session, Complaint.opened, Complaint.resolved)).label("hours_sum"),
                  sa.func.count(Complaint.id).label("resolved"))
        .join(Customer, Customer.id == Complaint.customer_id)
        .where(Complaint.opened >= start, Complaint.opened < end, Complaint.resolved.is_not(None))
        .group_by(Customer.owner_id).subquery("x")
    )


def _avg(total: Any, count: Any, places: int = 6) -> Decimal | None:
    if not count:
        return None
    return (Decimal(str(round(float(total), places))) / Decimal(int(count)))


def load_metrics(session: Session, period: Period, scope: Scope) -> tuple[list[scoring.ManagerMetrics], dict]:
    """One ManagerMetrics per manager in scope (active managers of the team, or all active;
    a named ``--owner`` is always included) and {owner: team}."""
    d, p, f, c = _deals(period), _payments(period), _followups(period), _customers(period)
    s, x = _surveys(period), _complaints(session, period)
    query = sa.select(Manager.id, Manager.name, Manager.team, d, p, f, c, s, x).select_from(Manager)
    for sub in (d, p, f, c, s, x):
        query = query.outerjoin(sub, sub.c.oid == Manager.id)
    active = Manager.active.is_(True)
    if scope.owner:
        active = sa.or_(active, Manager.name == scope.owner)
    query = query.where(active)
    if scope.team:
        query = query.where(Manager.team == scope.team)
    from amkit import team

    visible = team.visible_manager_ids(session)
    if visible is not None:  # team mode: only the managers whose records the user may see
        query = query.where(Manager.id.in_(visible or {-1}))
    out, teams = [], {}
    for r in session.execute(query.order_by(Manager.name)).mappings():
        teams[r["name"]] = r["team"]
        out.append(scoring.ManagerMetrics(
            owner=r["name"], revenue=_cents(r["won_cents"]), deals_won=int(r["won"] or 0),
            deals_lost=int(r["lost"] or 0), new_customers=int(r["new"] or 0), visits=int(r["visits"] or 0),
            followups=int(r["followups"] or 0), payments=_cents(r["paid_cents"]),
            won_amount_for_collection=_cents(r["won_cents"]),
            satisfaction=_avg(r["score_sum"], r["surveys"]),
            completeness=_avg(r["complete"], r["owned"]),
            repurchases=int(r["repurchases"] or 0),
            complaint_response_hours=_avg(r["hours_sum"], r["resolved"])))
    return out, teams


def load_goals(session: Session, period: Period, owners: list[str]) -> tuple[dict[str, dict], list[str]]:
    """{owner: {metric: target}} of valid scorecard goals for the period, and warnings."""
    query = (
        sa.select(Manager.name, Goal.metric, Goal.target)
        .join(Manager, Manager.id == Goal.owner_id)
        .where(Goal.period == period.key, Manager.name.in_(owners))
        .order_by(Manager.name, Goal.metric)
    )
    goals: dict[str, dict] = {}
    warnings = []
    for owner, metric, target in session.execute(query):
        if metric not in scoring.METRICS:
            continue
        try:
            goals.setdefault(owner, {})[metric] = scoring.validate_goal(metric, target)
        except AmkitError as exc:
            warnings.append(f"ignoring the {metric} goal of {owner} for {period.key}: {exc.message}")
    return goals, warnings


def score_config() -> tuple[dict, dict]:
    """``score.weights`` and ``score.grades`` from the config (validated by scoring)."""
    from amkit import config

    section = config.merged().get("score", {})
    return dict(section.get("weights", {})), dict(section.get("grades", {}))


def cards(session: Session, period: Period, scope: Scope) -> CardSet:
    """Ranked cards for everyone in scope (the ranking ignores ``scope.owner``; it filters)."""
    metrics, teams = load_metrics(session, period, scope)
    goals, warnings = load_goals(session, period, [m.owner for m in metrics])
    weights, grades = score_config()
    result = scoring.score_cards(metrics, goals, weights, grades)
    if scope.owner:
        result = [card for card in result if card.owner == scope.owner]
    return CardSet(period=period, cards=result, teams=teams, warnings=warnings)
