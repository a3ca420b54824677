"""Actual values of the goal metrics, computed from the records with set-based SQL.

One query per metric, grouped by manager (never one query per manager), so goal progress
and score cards can ask for every manager of a period at once:

    by_owner(session, period, as_of)  ->  {"张伟": {"revenue": Decimal("50000.50"), "visits": 6, ...}, ...}

Window: the period's first day to ``min(as_of, period end)``, both inclusive (as_of
before the start gives an empty window, so zeros). Dates compare half-open on day
boundaries (``>= start`` and ``< last day + 1``) so date and datetime columns, however
the driver spells them, count whole days.

Definitions (SPEC §2 goal, §3.3):

* ``revenue``: sum of ``amount_cents`` of deals with stage ``won`` and ``closed_at`` in the
  window, by the deal's owner (money, Decimal with 2 places).
* ``deals_won``: the count of those deals.
* ``new_customers``: customers whose ``created_at`` is in the window, by their (current) owner.
* ``visits``: follow-ups with channel ``visit`` whose ``at`` is in the window, by the
  follow-up's ``owner_id``; ``followups``: follow-ups of any channel, likewise.
* ``collection``: sum of payments (``amount_cents``) dated in the window on deals owned by
  the manager (money).

A team's value is the sum over the managers whose ``team`` is that team (active or not:
results already achieved stay the team's).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from amkit.goals.calc import METRICS, Value, metric_info
from amkit.store.models import Customer, Deal, Followup, Manager, Payment
from amkit.core.periods import Period, parse_period

CENT = Decimal("0.01")


def window(period: Period | str, as_of: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The inclusive day range counted for ``period`` as of ``as_of`` (may be empty: end < start)."""
    period = parse_period(period)
    end = period.end if as_of is None else min(as_of, period.end)
    return period.start, end


def _bounds(start: dt.date, end: dt.date, as_datetime: bool) -> tuple:
    after = end + dt.timedelta(days=1)
    if as_datetime:
        return dt.datetime.combine(start, dt.time()), dt.datetime.combine(after, dt.time())
    return start, after


def _query(metric: str, start: dt.date, end: dt.date) -> sa.Select:
    """SELECT owner_id, value ... GROUP BY owner_id for one metric over [start, end]."""
    if metric in ("revenue", "deals_won"):
        lo, hi = _bounds(start, end, False)
        value = sa.func.sum(Deal.amount_cents) if metric == "revenue" else sa.func.count(Deal.id)
        return (sa.select(Deal.owner_id, value)
                .where(Deal.stage == "won", Deal.closed_at >= lo, Deal.closed_at < hi)
                .group_by(Deal.owner_id))
    if metric == "new_customers":
        lo, hi = _bounds(start, end, True)
        return (sa.select(Customer.owner_id, sa.func.count(Customer.id))
                .where(Customer.created_at >= lo, Customer.created_at < hi)
                .group_by(Customer.owner_id))
    if metric in ("visits", "followups"):
        lo, hi = _bounds(start, end, True)
        query = (sa.select(Followup.owner_id, sa.func.count(Followup.id))
                 .where(Followup.at >= lo, Followup.at < hi).group_by(Followup.owner_id))
        return query.where(Followup.channel == "visit") if metric == "visits" else query
    if metric == "collection":
        lo, hi = _bounds(start, end, False)
        return (sa.select(Deal.owner_id, sa.func.sum(Payment.amount_cents))
                .join(Deal, Deal.id == Payment.deal_id)
                .where(Payment.date >= lo, Payment.date < hi)
                .group_by(Deal.owner_id))
    metric_info(metric)  # unknown: BadInput listing the metrics
    raise AssertionError(metric)  # pragma: no cover - every registered metric is handled above


def convert(metric: str, raw: object) -> Value:
    """A SQL aggregate as the metric's value: money cents → Decimal yuan, counts → int."""
    number = int(raw or 0)
    if metric_info(metric).kind == "money":
        return (Decimal(number) / 100).quantize(CENT)
    return number


def zero(metric: str) -> Value:
    return convert(metric, 0)


def metric_by_owner_id(session: Session, metric: str, period: Period | str,
                       as_of: dt.date | None = None) -> dict[int, Value]:
    """{manager id: value} for one metric (one query); managers without rows are absent."""
    start, end = window(period, as_of)
    if end < start:
        metric_info(metric)
        return {}
    rows = session.execute(_query(metric, start, end)).all()
    return {owner: convert(metric, raw) for owner, raw in rows if owner is not None}


def per_metric(session: Session, period: Period | str, as_of: dt.date | None = None,
               metrics: Iterable[str] = tuple(METRICS)) -> dict[str, dict[int, Value]]:
    """{metric: {manager id: value}}: one GROUP BY query per metric."""
    return {m: metric_by_owner_id(session, m, period, as_of) for m in metrics}


def team_of(session: Session) -> dict[int, str]:
    """{manager id: team} for managers that have a team."""
    return {mid: team for mid, team in session.execute(sa.select(Manager.id, Manager.team)).all() if team}


def team_total(values: dict[int, Value], teams: dict[int, str], team: str, metric: str) -> Value:
    """Sum of a metric's per-manager values over one team's managers."""
    return sum((v for mid, v in values.items() if teams.get(mid) == team), zero(metric))


def by_owner(session: Session, period: Period | str, as_of: dt.date | None = None,
             metrics: Iterable[str] = tuple(METRICS)) -> dict[str, dict[str, Value]]:
    """{manager name: {metric: value}} for every manager (zeros where nothing happened)."""
    metrics = list(metrics)
    names = dict(session.execute(sa.select(Manager.id, Manager.name)).all())
    values = per_metric(session, period, as_of, metrics)
    return {name: {m: values[m].get(mid, zero(m)) for m in metrics} for mid, name in names.items()}


def by_team(session: Session, period: Period | str, as_of: dt.date | None = None,
            metrics: Iterable[str] = tuple(METRICS)) -> dict[str, dict[str, Value]]:
    """{team: {metric: value}}: the sum over each team's managers (one query per metric)."""
    metrics = list(metrics)
    teams = team_of(session)
    values = per_metric(session, period, as_of, metrics)
    return {team: {m: team_total(values[m], teams, team, m) for m in metrics} for team in set(teams.values())}


def value_of(session: Session, metric: str, period: Period | str, as_of: dt.date | None = None, *,
             owner_id: int | None = None, team: str | None = None) -> Value:
    """One manager's (``owner_id``) or one team's value of a metric."""
    values = metric_by_owner_id(session, metric, period, as_of)
    if team is not None:
        return team_total(values, team_of(session), team, metric)
    return values.get(owner_id, zero(metric))
