"""Follow-ups (跟进记录): log, list, full-text search, and the lifecycle moves a contact causes.

Decisions (documented in README):

* The follow-up's owner is the customer's owner at logging time; rows without an owner
  (imports) are read as the customer's current owner.
* ``--next`` without ``--next-date`` is due after the customer's cadence (tier/industry, see
  amkit.remind.cadence_days) counted from the follow-up, so no action is left without a date
  and never reminded. ``--next-date`` without ``--next`` is bad input (exit 2): a date needs an
  action. A next date before the follow-up is bad input too, as is ``--at`` after today.
* A new follow-up closes (``action_done`` = its date) the customer's pending next actions logged
  at or before it: the latest follow-up states the plan. ``keep_actions`` leaves them open.
* A follow-up makes a lead/prospect/dormant/churned customer ``active`` (lifecycle_history,
  dated today) unless it is older than ``lifecycle.dormant_days`` (a late entry for an old
  contact revives nobody).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.store import lookup
from amkit.core.enums import parse_channel
from amkit.errors import bad_value
from amkit.store.models import Contact, Customer, Followup, LifecycleChange, Manager
from amkit.core.parse import parse_date, parse_datetime, require_text
from amkit.store.writer import Store

REACTIVATE_FROM = ("lead", "prospect", "dormant", "churned")


# ---------------------------------------------------------------- lifecycle

def reactivate(st: Store, customer: Customer, on: dt.date, reason: str) -> bool:
    """Make ``customer`` active (a new follow-up, a won deal); record it in lifecycle_history.

    Returns False (and writes nothing) when the customer is already active.
    """
    old = customer.lifecycle
    if old == "active":
        return False
    st.update(customer, {"lifecycle": "active"})
    st.add(LifecycleChange(customer_id=customer.id, on=on, old=old, new="active", reason=reason))
    return True


# ---------------------------------------------------------------- log

@dataclass
class Logged:
    followup: Followup
    closed_actions: int = 0
    reactivated: bool = False
    default_next_date: bool = False


def log(st: Store, customer: Customer, *, channel: str, summary: str, at: str | None = None,
        contact: str | None = None, outcome: str | None = None, next_action: str | None = None,
        next_date: str | None = None, keep_actions: bool = False) -> Logged:
    """Validate everything, then write the follow-up and its consequences (see module doc)."""
    today = config.today()
    when = parse_datetime("--at", at) if at else config.now()
    if when.date() > today:
        raise bad_value("--at", at, f"is after today ({today.isoformat()}); plan it with --next")
    values = {"channel": parse_channel(channel), "summary": require_text("--summary", summary, multiline=True),
              "outcome": _text(outcome), "next_action": _text(next_action)}
    due = parse_date("--next-date", next_date)
    if due is not None and values["next_action"] is None:
        raise bad_value("--next-date", next_date, "needs --next (what is to be done by then)")
    if due is not None and due < when.date():
        raise bad_value("--next-date", next_date, f"is before the follow-up ({when.date().isoformat()})")
    defaulted = values["next_action"] is not None and due is None
    if defaulted:
        from amkit.reminders.calc import cadence_days

        due = when.date() + dt.timedelta(days=cadence_days(customer.tier, customer.industry, config.merged()))
    contact_id = _contact_id(st.session, customer, contact) if contact else None
    fu = st.add(Followup(customer_id=customer.id, contact_id=contact_id, owner_id=customer.owner_id, at=when,
                         next_date=due, created_at=config.now(), **values))
    closed = 0 if keep_actions else _close_earlier_actions(st, customer.id, fu)
    revived = False
    if customer.lifecycle in REACTIVATE_FROM and _recent(when.date(), today):
        revived = reactivate(st, customer, today, f"follow-up #{fu.id} ({fu.channel}) on {when.date()}")
    return Logged(fu, closed, revived, defaulted)


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _recent(day: dt.date, today: dt.date) -> bool:
    from amkit.reminders.calc import lifecycle_days

    dormant_days, _ = lifecycle_days(config.merged())
    return (today - day).days < dormant_days


def _contact_id(session: Session, customer: Customer, ref: str) -> int:
    return lookup.contact(session, customer, ref, add_hint=True).id


def _close_earlier_actions(st: Store, customer_id: int, fu: Followup) -> int:
    pending = st.session.execute(
        sa.select(Followup.id).where(Followup.customer_id == customer_id, Followup.id != fu.id,
                                     Followup.next_date.is_not(None), Followup.action_done.is_(None),
                                     Followup.at <= fu.at)).scalars().all()
    for fid in pending:
        st.update_row(Followup, fid, {"action_done": None}, {"action_done": fu.at.date()})
    return len(pending)


# ---------------------------------------------------------------- reading

def owner_id_expr() -> Any:
    """Who a follow-up belongs to: its own owner, else the customer's owner."""
    return sa.func.coalesce(Followup.owner_id, Customer.owner_id)


def _base_query() -> sa.Select:
    return (sa.select(Followup.id, Followup.at, Customer.name.label("customer"), Manager.name.label("owner"),
                      Followup.channel, Contact.name.label("contact"), Followup.summary, Followup.outcome,
                      Followup.next_action, Followup.next_date, Followup.action_done)
            .join(Customer, Customer.id == Followup.customer_id)
            .join(Manager, Manager.id == owner_id_expr(), isouter=True)
            .join(Contact, Contact.id == Followup.contact_id, isouter=True))


def _rows(session: Session, query: sa.Select) -> list[dict[str, Any]]:
    return [dict(r) for r in session.execute(query).mappings()]


@dataclass
class Filters:
    customer: str | None = None
    owner: str | None = None
    channel: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = 50


def list_rows(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Follow-ups, newest first; ``since``/``until`` are inclusive dates; limit 0 = all."""
    query = _base_query()
    if f.customer:
        query = query.where(Followup.customer_id == lookup.customer(session, f.customer).id)
    if f.owner:
        query = query.where(owner_id_expr() == lookup.manager(session, f.owner).id)
    if f.channel:
        query = query.where(Followup.channel == parse_channel(f.channel))
    since, until = parse_date("--since", f.since), parse_date("--until", f.until)
    if since and until and until < since:
        raise bad_value("--until", f.until, f"is before --since {since.isoformat()}")
    if since:
        query = query.where(Followup.at >= dt.datetime.combine(since, dt.time()))
    if until:
        query = query.where(Followup.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    query = query.order_by(Followup.at.desc(), Followup.id.desc())
    return _rows(session, query.limit(f.limit) if f.limit else query)


def row(session: Session, followup_id: int) -> dict[str, Any]:
    return _rows(session, _base_query().where(Followup.id == followup_id))[0]


def recent(session: Session, customer_id: int, n: int = 5) -> list[dict[str, Any]]:
    query = _base_query().where(Followup.customer_id == customer_id)
    return _rows(session, query.order_by(Followup.at.desc(), Followup.id.desc()).limit(n))


def in_window(session: Session, start: dt.datetime, end: dt.datetime, *, channels: tuple[str, ...] = (),
              owner_ids: frozenset[int] | None = None, with_outcome: bool = False,
              limit: int = 0) -> list[dict[str, Any]]:
    """Follow-ups with ``start <= at < end``, newest first (optionally some channels, some owners,
    only those with an outcome); limit 0 = all."""
    query = _base_query().where(Followup.at >= start, Followup.at < end)
    if channels:
        query = query.where(Followup.channel.in_(channels))
    if owner_ids is not None:
        query = query.where(owner_id_expr().in_(sorted(owner_ids)))
    if with_outcome:
        query = query.where(Followup.outcome.is_not(None), Followup.outcome != "")
    query = query.order_by(Followup.at.desc(), Followup.id.desc())
    return _rows(session, query.limit(limit) if limit else query)


def pending_actions(session: Session, customer_id: int) -> list[dict[str, Any]]:
    query = _base_query().where(Followup.customer_id == customer_id, Followup.next_date.is_not(None),
                                Followup.action_done.is_(None))
    return _rows(session, query.order_by(Followup.next_date, Followup.id))
