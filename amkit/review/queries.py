"""`amkit review`: one plain-dict document for the weekly/monthly review meeting (复盘).

Everything is about one period (``2026W47``, ``2026-11``, ``2026Q4``) and one scope (everyone,
``--team T``: its managers and the team's own goals, or ``--owner N``):

* ``goals``: stored goals with progress (amkit.goalreport) as of min(period end, today). A
  week or month without goals of its own shows the goals of the month/quarter/year that
  contains its last day (the first such period that has any): ``goals_period`` names it.
* ``deals``: created in the period (new), won and lost with ``closed_at`` in it, the lost
  deals with their reasons and the breakdown per ``reason_code`` (null = not given).
* ``lifecycle``: customers that went dormant or churned in the period,
  dated the day it became true (amkit.metrics.lifecycle), and manual ``customer edit --reason`` changes.
* ``tier_changes``: tier_history rows of the period whose tier actually changed.
* ``ignored_reminders``: cadence breaches overdue by more than ``review.ignored_days`` (7) days
  as of min(period end, today), computed by amkit.remind from the follow-ups up to that day.
* ``top_followups``: the latest visits/meetings of the period that have an outcome.
* ``figures``/``previous``/``changes``: the headline numbers of this period and of the one
  before (Period.previous()), with deltas: "what changed since the last review".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.store import lookup
from amkit.errors import NotFound, bad_value
from amkit.store.models import Customer, Deal, Followup, LifecycleChange, Manager, TierChange
from amkit.core.parse import from_cents
from amkit.core.periods import Period, parse_period, period_containing

TOP_CHANNELS = ("visit", "meeting")
FIGURES = ("new_deals", "won_deals", "won_amount", "lost_deals", "lost_amount", "win_rate", "went_dormant",
           "churned", "tier_changes", "ignored_reminders", "followups", "visits")
GOAL_KEYS = ("owner", "kind", "metric", "target", "excellent", "stretch", "actual", "achievement",
             "excellent_achievement", "stretch_achievement", "planned_to_date", "pace", "projected",
             "projected_line")


@dataclass(frozen=True)
class Scope:
    team: str | None = None
    owner: str | None = None
    owner_ids: frozenset[int] | None = None  # None: everyone
    names: frozenset[str] | None = None

    def where(self, column: Any) -> Any:
        return sa.true() if self.owner_ids is None else column.in_(sorted(self.owner_ids))


def resolve_scope(session: Session, team: str | None, owner: str | None) -> Scope:
    if team and owner:
        raise bad_value("--team", team, "give either --team or --owner, not both")
    if owner:
        m = lookup.manager(session, owner)
        return Scope(owner=m.name, owner_ids=frozenset([m.id]), names=frozenset([m.name]))
    if team:
        name = team.strip()
        members = session.execute(sa.select(Manager.id, Manager.name).where(Manager.team == name)).all()
        if not members:
            raise NotFound(f"team not found: {name!r} (no manager has team {name!r})")
        return Scope(team=name, owner_ids=frozenset(i for i, _ in members), names=frozenset(n for _, n in members))
    return Scope()


def settings() -> tuple[int, int]:
    """(ignored_days, top_followups) from config ``review.*``."""
    section = config.merged().get("review") or {}
    out = []
    for key in ("ignored_days", "top_followups"):
        value = section.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad_value(f"review.{key}", value, "expected a whole number >= 0")
        out.append(value)
    return out[0], out[1]


# ---------------------------------------------------------------- the document

def build(session: Session, period: str | Period, team: str | None = None, owner: str | None = None,
          lang: str = "en") -> dict[str, Any]:
    period, today = parse_period(period), config.today()
    if period.start > today:
        raise bad_value("--period", period.key, f"starts after today ({today.isoformat()})")
    scope = resolve_scope(session, team, owner)
    ignored_days, top = settings()
    as_of = min(period.end, today)
    current = _collect(session, period, scope, as_of, ignored_days, lang)
    before = period.previous()
    previous = _collect(session, before, scope, min(before.end, today), ignored_days, lang)
    goals_period, goal_rows = goals(session, period, scope, as_of)
    return {
        "period": period.key, "start": period.start, "end": period.end, "as_of": as_of,
        "team": scope.team, "owner": scope.owner, "goals_period": goals_period, "goals": goal_rows,
        "deals": current["deals"], "lifecycle": current["lifecycle"], "tier_changes": current["tier_changes"],
        "ignored_days": ignored_days, "ignored_reminders": current["ignored_reminders"],
        "top_followups": top_followups(session, period, scope, top),
        "figures": current["figures"],
        "previous": {"period": before.key, "start": before.start, "end": before.end, **previous["figures"]},
        "changes": changes(current["figures"], previous["figures"]),
    }


def _collect(session: Session, period: Period, scope: Scope, as_of: dt.date, ignored_days: int,
             lang: str) -> dict[str, Any]:
    deal_part = deals(session, period, scope)
    moves = lifecycle(session, period, scope)
    tiers = tier_changes(session, period, scope)
    ignored = ignored_reminders(session, as_of, scope, ignored_days, lang)
    counts = followup_counts(session, period, scope)
    figures = {**{k: deal_part[k] for k in ("new_deals", "won_deals", "won_amount", "lost_deals", "lost_amount",
                                             "win_rate")},
               "went_dormant": sum(1 for m in moves if m["new"] == "dormant"),
               "churned": sum(1 for m in moves if m["new"] == "churned"),
               "tier_changes": len(tiers), "ignored_reminders": len(ignored), **counts}
    return {"deals": deal_part, "lifecycle": moves, "tier_changes": tiers, "ignored_reminders": ignored,
            "figures": figures}


def changes(current: dict[str, Any], previous: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key in FIGURES:
        now, before = current[key], previous[key]
        delta = None if now is None or before is None else now - before
        out.append({"figure": key, "current": now, "previous": before, "delta": delta})
    return out


# ---------------------------------------------------------------- sections

def goals(session: Session, period: Period, scope: Scope, as_of: dt.date) -> tuple[str, list[dict[str, Any]]]:
    """Progress rows of the first period (itself, then the month/quarter/year containing its
    end) that has goals in scope."""
    from amkit.goals import report as goalreport

    candidates = [period] + [period_containing(kind, period.end) for kind in ("month", "quarter", "year")
                             if _larger(kind, period.kind)]
    for p in candidates:
        rows = [r for r in goalreport.progress_rows(session, p, as_of=as_of) if _goal_in_scope(r, scope)]
        if rows:
            return p.key, [{k: r[k] for k in GOAL_KEYS} for r in rows]
    return period.key, []


def _larger(kind: str, than: str) -> bool:
    order = ("week", "month", "quarter", "year")
    return order.index(kind) > order.index(than)


def _goal_in_scope(row: dict[str, Any], scope: Scope) -> bool:
    if scope.names is None:
        return True
    if row["kind"] == "team":
        return scope.team is not None and row["owner"] == scope.team
    return row["owner"] in scope.names


def _between(column: Any, period: Period) -> Any:
    return sa.and_(column >= period.start, column <= period.end)


def deals(session: Session, period: Period, scope: Scope) -> dict[str, Any]:
    query = (sa.select(Deal, Customer.name, Manager.name)
             .join(Customer, Customer.id == Deal.customer_id)
             .join(Manager, Manager.id == Deal.owner_id, isouter=True)
             .where(scope.where(Deal.owner_id), sa.or_(_between(Deal.created, period),
                                                        _between(Deal.closed_at, period)))
             .order_by(Deal.closed_at, Deal.id))
    new, won, lost = [], [], []
    for d, customer, owner in session.execute(query):
        row = {"id": d.id, "customer": customer, "owner": owner, "title": d.title,
               "amount": from_cents(d.amount_cents), "stage": d.stage, "created": d.created,
               "closed_at": d.closed_at, "reason_code": d.reason_code, "lost_reason": d.lost_reason}
        if period.contains(d.created):
            new.append(row)
        if d.closed_at is not None and period.contains(d.closed_at) and d.stage == "won":
            won.append(row)
        elif d.closed_at is not None and period.contains(d.closed_at) and d.stage == "lost":
            lost.append(row)
    closed = len(won) + len(lost)
    return {"new_deals": len(new), "new_amount": _total(new), "won_deals": len(won), "won_amount": _total(won),
            "lost_deals": len(lost), "lost_amount": _total(lost),
            "win_rate": round(Decimal(len(won)) / closed, 4) if closed else None,
            "lost_reasons": lost_reasons(lost), "won": won, "lost": lost}


def _total(rows: list[dict[str, Any]]) -> Decimal:
    return sum((r["amount"] for r in rows if r["amount"] is not None), Decimal("0.00"))


def lost_reasons(lost: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Count and amount per reason_code, most frequent first (null, 'not given', last)."""
    counts = Counter(r["reason_code"] for r in lost)
    rows = [{"reason_code": code, "count": n, "share": round(Decimal(n) / len(lost), 4),
             "amount": _total([r for r in lost if r["reason_code"] == code])} for code, n in counts.items()]
    return sorted(rows, key=lambda r: (-r["count"], r["reason_code"] is None, r["reason_code"] or ""))


def lifecycle(session: Session, period: Period, scope: Scope) -> list[dict[str, Any]]:
    """Customers that went dormant or churned in the period, dated the day it became true
    (derived from all activity, whether or not anything ran that day), and manual changes."""
    from amkit.metrics import lifecycle as stages
    from amkit.store.raw import Reader

    return stages.moves(Reader.of_session(session), period.start, period.end, scope.owner_ids, config.merged())

def tier_changes(session: Session, period: Period, scope: Scope) -> list[dict[str, Any]]:
    query = (sa.select(Customer.name, Manager.name, TierChange.on, TierChange.old_tier, TierChange.new_tier,
                       TierChange.method)
             .join(Customer, Customer.id == TierChange.customer_id)
             .join(Manager, Manager.id == Customer.owner_id, isouter=True)
             .where(_between(TierChange.on, period), scope.where(Customer.owner_id))
             .order_by(TierChange.on, Customer.name, TierChange.id))
    out = []
    for customer, owner, on, old, new, method in session.execute(query):
        if old == new or new is None:
            continue
        direction = "new" if old is None else "up" if new < old else "down"  # A < B < C
        out.append({"customer": customer, "owner": owner, "on": on, "old_tier": old, "new_tier": new,
                    "direction": direction, "method": method})
    return out


def ignored_reminders(session: Session, as_of: dt.date, scope: Scope, days: int, lang: str) -> list[dict[str, Any]]:
    """Cadence reminders overdue by more than ``days`` days on ``as_of`` (most overdue first)."""
    from amkit.reminders import calc as remind, queries as reminders
    from amkit.store.raw import Reader

    owner_id = next(iter(scope.owner_ids)) if scope.owner_ids and len(scope.owner_ids) == 1 else None
    customers = [c for c in reminders.load_customers(Reader.of_session(session), as_of, owner_id)
                 if scope.names is None or c.owner in scope.names]
    found = remind.compute(as_of, 0, customers, [], [], [], config.merged(), lang)
    rows = [{"customer": r.customer, "owner": r.owner, "due": r.due, "days_overdue": r.days_overdue,
             "reason": r.reason} for r in found if r.kind == "cadence" and r.days_overdue > days]
    return sorted(rows, key=lambda r: (-r["days_overdue"], r["customer"] or ""))


def _window(period: Period) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.combine(period.start, dt.time()), dt.datetime.combine(period.end + dt.timedelta(days=1),
                                                                             dt.time())


def followup_counts(session: Session, period: Period, scope: Scope) -> dict[str, int]:
    from amkit.followups.writes import owner_id_expr

    start, end = _window(period)
    query = (sa.select(sa.func.count(), sa.func.sum(sa.case((Followup.channel == "visit", 1), else_=0)))
             .select_from(Followup).join(Customer, Customer.id == Followup.customer_id)
             .where(Followup.at >= start, Followup.at < end, scope.where(owner_id_expr())))
    total, visits = session.execute(query).one()
    return {"followups": int(total or 0), "visits": int(visits or 0)}


def top_followups(session: Session, period: Period, scope: Scope, limit: int) -> list[dict[str, Any]]:
    from amkit.followups import writes as followups

    if not limit:
        return []
    start, end = _window(period)
    return followups.in_window(session, start, end, channels=TOP_CHANNELS, owner_ids=scope.owner_ids,
                               with_outcome=True, limit=limit)
