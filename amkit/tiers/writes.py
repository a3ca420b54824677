"""Tiering's writes (SPEC §3.2): tier runs, locks and history. The reads are amkit.tierread's.

Writes touch only changed customers: one executemany UPDATE plus one bulk INSERT into
``tier_history``, with an audit entry per changed row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

import sqlalchemy as sa
from sqlmodel import Session

from amkit.tiers import queries as tierread, calc as tiering
from amkit.store.raw import Reader
from amkit.store.models import Customer, TierChange
from amkit.store.writer import Store


def run(st: Store, method: str, as_of: dt.date, rules: tiering.Rules | None = None,
        write: bool = True) -> tuple[list, dict[str, int]]:
    """Compute tiers for every customer and (unless ``write`` is false) store the changes."""
    rows, counts, _kept = run_kept(st, method, as_of, rules, write)
    return rows, counts


def run_kept(st: Store, method: str, as_of: dt.date, rules: tiering.Rules | None = None,
             write: bool = True, override: bool = False) -> tuple[list, dict[str, int], list[dict[str, Any]]]:
    """:func:`run`, and the locked tiers (``tier lock``, ``customer edit --tier``) it kept where
    it would have changed them; with ``override`` the run replaces them too and unlocks the
    customers it changed."""
    r = Reader.of_session(st.session)
    rows, kept = tierread.compute_with_kept(r, method, as_of, rules, override)
    if write:
        if override:
            locked = {i for (i,) in r.rows("SELECT id FROM customers WHERE tier_locked = :yes", yes=True)}
            for row in rows:
                if row.changed and row.customer_id in locked:
                    st.update_row(Customer, row.customer_id, {"tier_locked": True}, {"tier_locked": False})
        apply(st, rows, method, as_of)
    return rows, tierread.summary(rows), kept


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
         "method": h.method, "value": None if h.value_cents is None else tierread.money(h.value_cents), "note": h.note}
        for h, name in session.execute(query)
    ]
