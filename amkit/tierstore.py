"""Tiering against the database (SPEC §3.2): set-based reads, bulk writes, history.

Every read is one SQL statement over all customers: ``customers LEFT JOIN`` aggregated
subqueries (won value, follow-ups, complaints), so the cost does not grow with per-customer
round trips. Writes touch only changed customers: one executemany UPDATE plus one bulk
INSERT into ``tier_history``, with an audit entry per changed row.

Windows (``as_of`` is a date, inclusive):

* value: won deals with ``as_of - 12 months < closed_at <= as_of`` (dateutil relativedelta,
  so 2026-02-28 - 12 months = 2025-02-28);
* RFM frequency: won deals closed plus follow-ups logged in that window; recency: days from
  the latest won ``closed_at`` or follow-up ``at`` on or before as_of (any age);
* rules: ``days_since_contact`` from the latest follow-up on or before as_of;
  ``followups_90d`` counts follow-ups with ``as_of - 90 days < at <= as_of``;
  ``has_open_complaint`` = a complaint opened on or before as_of with ``resolved IS NULL``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

import sqlalchemy as sa
from sqlmodel import Session

from amkit import tiering
from amkit.errors import BadInput, NotFound
from amkit.models import Complaint, Customer, Deal, Followup, Manager, TierChange
from amkit.store import Store

METHODS = ("pareto", "rfm", "rules")


def window_start(as_of: dt.date) -> dt.date:
    """The exclusive lower bound of the 12-month value window."""
    from dateutil.relativedelta import relativedelta

    return as_of - relativedelta(months=12)


def _end_of(day: dt.date) -> dt.datetime:
    """Datetime bound: ``at < _end_of(day)`` means "on or before day"."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def value_subquery(as_of: dt.date) -> sa.Subquery:
    """customer_id → won value in cents and won-deal count in the 12-month window."""
    return (
        sa.select(Deal.customer_id.label("customer_id"),
                  sa.func.sum(Deal.amount_cents).label("value_cents"),
                  sa.func.count(Deal.id).label("won_count"))
        .where(Deal.stage == "won", Deal.amount_cents.is_not(None),
               Deal.closed_at > window_start(as_of), Deal.closed_at <= as_of)
        .group_by(Deal.customer_id)
        .subquery("won_value")
    )


def _money(cents: int | None) -> Decimal:
    return Decimal(cents).scaleb(-2) if cents else Decimal("0.00")


def _base_query(as_of: dt.date) -> tuple[sa.Select, sa.Subquery]:
    value = value_subquery(as_of)
    query = (
        sa.select(Customer.id, Customer.name, Customer.tier, Customer.tier_locked, value.c.value_cents)
        .select_from(Customer)
        .outerjoin(value, value.c.customer_id == Customer.id)
    )
    return query, value


def load_values(session: Session, as_of: dt.date) -> list[tiering.CustomerValue]:
    """Pareto input for every customer (one query)."""
    query, _ = _base_query(as_of)
    make, money = tiering.CustomerValue, _money
    # Core rows through the session's connection: no ORM overhead per row.
    return [make(cid, name, money(cents), tier, bool(locked))
            for cid, name, tier, locked, cents in session.connection().execute(query).all()]


def load_rfm(session: Session, as_of: dt.date) -> list[tiering.RfmInput]:
    """RFM input for every customer (one query with three aggregated subqueries)."""
    query, value = _base_query(as_of)
    fups = (
        sa.select(Followup.customer_id.label("customer_id"),
                  sa.func.max(Followup.at).label("last_at"),
                  sa.func.sum(sa.case((Followup.at >= _end_of(window_start(as_of)), 1), else_=0)).label("recent"))
        .where(Followup.at < _end_of(as_of))
        .group_by(Followup.customer_id).subquery("fups")
    )
    last_won = (
        sa.select(Deal.customer_id.label("customer_id"), sa.func.max(Deal.closed_at).label("last_won"))
        .where(Deal.stage == "won", Deal.closed_at <= as_of)
        .group_by(Deal.customer_id).subquery("last_won")
    )
    query = (
        query.add_columns(value.c.won_count, fups.c.last_at, fups.c.recent, last_won.c.last_won)
        .outerjoin(fups, fups.c.customer_id == Customer.id)
        .outerjoin(last_won, last_won.c.customer_id == Customer.id)
    )
    out = []
    for r in session.execute(query):
        dates = [d for d in (r.last_at and _as_date(r.last_at), r.last_won and _as_date(r.last_won)) if d]
        out.append(tiering.RfmInput(
            customer_id=r.id, customer=r.name, value=_money(r.value_cents),
            frequency=int(r.won_count or 0) + int(r.recent or 0),
            last_activity=max(dates) if dates else None, old_tier=r.tier, locked=bool(r.tier_locked)))
    return out


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def load_facts(session: Session, as_of: dt.date) -> list[tiering.CustomerFacts]:
    """Rules input for every customer (one query)."""
    query, _ = _base_query(as_of)
    since_90 = _end_of(as_of - dt.timedelta(days=90))
    fups = (
        sa.select(Followup.customer_id.label("customer_id"),
                  sa.func.max(Followup.at).label("last_at"),
                  sa.func.sum(sa.case((Followup.at >= since_90, 1), else_=0)).label("n90"))
        .where(Followup.at < _end_of(as_of))
        .group_by(Followup.customer_id).subquery("fups")
    )
    complaints = (
        sa.select(Complaint.customer_id.label("customer_id"), sa.func.count(Complaint.id).label("open"))
        .where(Complaint.resolved.is_(None), Complaint.opened < _end_of(as_of))
        .group_by(Complaint.customer_id).subquery("open_complaints")
    )
    query = (
        query.add_columns(Customer.lifecycle, Customer.industry, fups.c.last_at, fups.c.n90, complaints.c.open)
        .outerjoin(fups, fups.c.customer_id == Customer.id)
        .outerjoin(complaints, complaints.c.customer_id == Customer.id)
    )
    return [
        tiering.CustomerFacts(
            customer_id=r.id, customer=r.name, value=_money(r.value_cents),
            days_since_contact=None if r.last_at is None else (as_of - _as_date(r.last_at)).days,
            followups_90d=int(r.n90 or 0), has_open_complaint=bool(r.open),
            lifecycle=r.lifecycle, industry=r.industry, old_tier=r.tier, locked=bool(r.tier_locked))
        for r in session.execute(query)
    ]


def read_rules(path: str) -> tiering.Rules:
    """A rules file: missing → NotFound (3); bad content → BadInput (2) naming the key."""
    from pathlib import Path

    file = Path(path)
    if not file.is_file():
        raise NotFound(f"rules file not found: {path!r}")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"invalid rules file {path!r}: not UTF-8 text") from None
    return tiering.load_rules(text)


def compute(session: Session, method: str, as_of: dt.date, rules: tiering.Rules | None = None) -> list:
    """Tier rows (TierRow / RfmRow / RuleRow) for every customer, in value order."""
    if method == "pareto":
        return tiering.pareto(load_values(session, as_of))
    if method == "rfm":
        return tiering.rfm(load_rfm(session, as_of), as_of)
    if method == "rules":
        if rules is None:
            raise BadInput("--method rules needs --rules FILE.toml")
        return tiering.apply_rules(rules, load_facts(session, as_of))
    raise BadInput(f"invalid method {method!r}: expected one of {', '.join(METHODS)}")


def run(st: Store, method: str, as_of: dt.date, rules: tiering.Rules | None = None,
        write: bool = True) -> tuple[list, dict[str, int]]:
    """Compute tiers for every customer and (unless ``write`` is false) store the changes."""
    rows = compute(st.session, method, as_of, rules)
    if write:
        apply(st, rows, method, as_of)
    return rows, summary(rows)


def apply(st: Store, rows: Sequence[tiering.TierRow], method: str, as_of: dt.date) -> int:
    """Write the changed tiers (bulk, audited) and their history; return how many changed."""
    changed = [r for r in rows if r.changed]
    if not changed:
        return 0
    table = Customer.__table__
    stmt = table.update().where(table.c.id == sa.bindparam("b_id")).values(tier=sa.bindparam("b_tier"))
    st.session.execute(stmt, [{"b_id": r.customer_id, "b_tier": r.tier} for r in changed])
    for r in changed:
        st.record("update", table.name, r.customer_id, {"tier": r.old_tier}, {"tier": r.tier})
    st.insert_many(TierChange, [
        {"customer_id": r.customer_id, "on": as_of, "old_tier": r.old_tier, "new_tier": r.tier,
         "method": method, "value_cents": int(r.value * 100), "note": None}
        for r in changed
    ])
    return len(changed)


# --------------------------------------------------------------------------- lock / list / history


def lock(st: Store, customer: Customer, tier: str | None, unlock: bool, on: dt.date) -> str:
    """Lock a customer at a tier (or unlock it); recorded in tier history. Returns a message."""
    old = customer.tier
    if unlock:
        if not customer.tier_locked:
            return f"{customer.name} is not locked (tier {old})"
        st.update(customer, {"tier_locked": False})
        _history(st, customer, on, old, old, "unlock")
        return f"{customer.name} unlocked (tier {old}); the next tier run may change it"
    if customer.tier_locked and old == tier:
        return f"{customer.name} is already locked at {tier}"
    st.update(customer, {"tier": tier, "tier_locked": True})
    _history(st, customer, on, old, tier, "lock")
    return f"{customer.name} locked at {tier}" + (f" (was {old})" if old != tier else "")


def _history(st: Store, customer: Customer, on: dt.date, old: str | None, new: str | None, method: str) -> None:
    st.add(TierChange(customer_id=customer.id, on=on, old_tier=old, new_tier=new, method=method))


@dataclass
class ListFilters:
    tier: str | None = None
    owner_id: int | None = None


def list_rows(session: Session, as_of: dt.date, f: ListFilters) -> list[dict[str, Any]]:
    """Customers with their stored tier, lock and current 12-month value (one query)."""
    query, value = _base_query(as_of)
    query = query.add_columns(Manager.name.label("owner")).outerjoin(Manager, Manager.id == Customer.owner_id)
    if f.tier:
        query = query.where(Customer.tier == f.tier)
    if f.owner_id is not None:
        query = query.where(Customer.owner_id == f.owner_id)
    query = query.order_by(Customer.tier, sa.func.coalesce(value.c.value_cents, 0).desc(), Customer.name)
    return [
        {"id": r.id, "customer": r.name, "owner": r.owner, "tier": r.tier, "locked": bool(r.tier_locked),
         "value": _money(r.value_cents)}
        for r in session.execute(query)
    ]


def history_rows(session: Session, customer_id: int | None, limit: int = 0) -> list[dict[str, Any]]:
    query = (
        sa.select(TierChange, Customer.name)
        .join(Customer, Customer.id == TierChange.customer_id)
        .order_by(TierChange.on.desc(), TierChange.id.desc())
    )
    if customer_id is not None:
        query = query.where(TierChange.customer_id == customer_id)
    if limit:
        query = query.limit(limit)
    return [
        {"id": h.id, "on": h.on, "customer": name, "old_tier": h.old_tier, "new_tier": h.new_tier,
         "method": h.method, "value": None if h.value_cents is None else _money(h.value_cents), "note": h.note}
        for h, name in session.execute(query)
    ]


def summary(rows: Sequence[tiering.TierRow]) -> dict[str, int]:
    counts = {tier: 0 for tier in tiering.TIERS}
    for r in rows:
        counts[r.tier] = counts.get(r.tier, 0) + 1
    counts["changed"] = sum(1 for r in rows if r.changed)
    return counts
