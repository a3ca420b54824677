"""Contracts (合同): add, edit, delete, mark lost (audited, through amkit.store.writer).

Rules:
- start <= end; amount > 0;
- ``--deal`` must be a deal of the same customer; ``--renewal-of`` a contract of the same
  customer that is not renewed already (one renewal per contract) nor itself;
- ``contract lost`` needs a reason and a contract without a renewal; a renewal added later
  clears nothing (the lost mark stays in the audit log and the row);
- deleting a contract leaves its renewals as plain contracts (renewal_of cleared, audited).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.core.parse import parse_amount, parse_date, require_text, to_cents
from amkit.errors import bad_value
from amkit.store import lookup
from amkit.store.models import Contract, Deal
from amkit.store.writer import Store


def get(session: Session, ref: int | str) -> Contract:
    """A contract by id or external id."""
    text = str(ref).strip()
    found = lookup.by_id(session, Contract, text)
    if found is None and text:
        found = session.execute(sa.select(Contract).where(Contract.external_id == text)).scalars().first()
    if found is None:
        from amkit.store import scope as team

        raise team.not_found(session, "contract", "contracts", text)
    return found


def _amount(value: str | None) -> int:
    cents = to_cents(parse_amount("amount", value))
    if cents is None:
        raise bad_value("amount", value or "", "required (--amount X)")
    if cents <= 0:
        raise bad_value("amount", value, "must be more than 0")
    return cents


def _dates(start: dt.date | None, end: dt.date | None) -> None:
    if start is None:
        raise bad_value("start", "", "required (--start YYYY-MM-DD)")
    if end is None:
        raise bad_value("end", "", "required (--end YYYY-MM-DD)")
    if end < start:
        raise bad_value("end", end.isoformat(), f"before the start {start.isoformat()}")


def _deal(session: Session, ref: str | None, customer_id: int) -> int | None:
    if not ref:
        return None
    from amkit.deals.writes import get as get_deal

    deal: Deal = get_deal(session, ref)
    if deal.customer_id != customer_id:
        raise bad_value("deal", ref, "is a deal of another customer")
    return deal.id


def _renewal_of(session: Session, ref: str | None, customer_id: int, self_id: int | None = None) -> int | None:
    if not ref:
        return None
    old = get(session, ref)
    if old.id == self_id:
        raise bad_value("renewal_of", ref, "a contract cannot renew itself")
    if old.customer_id != customer_id:
        raise bad_value("renewal_of", ref, "is a contract of another customer")
    other = session.execute(sa.select(Contract.id).where(Contract.renewal_of_id == old.id,
                                                         Contract.id != (self_id or 0))).scalars().first()
    if other is not None:
        raise bad_value("renewal_of", ref, f"is renewed already by contract {other}")
    return old.id


def _external(session: Session, value: str | None, self_id: int | None = None) -> str | None:
    ext = (value or "").strip() or None
    if ext and session.execute(sa.select(Contract.id).where(Contract.external_id == ext,
                                                            Contract.id != (self_id or 0))).first():
        raise bad_value("external_id", ext, "already used by another contract")
    return ext


def add(st: Store, customer: str, *, start: str | None, end: str | None, amount: str | None,
        title: str | None = None, deal: str | None = None, renewal_of: str | None = None,
        external_id: str | None = None) -> Contract:
    start_on, end_on = parse_date("start", start), parse_date("end", end)
    _dates(start_on, end_on)
    cents = _amount(amount)
    cust = lookup.customer(st.session, customer)
    return st.add(Contract(customer_id=cust.id, title=(title or "").strip() or None, start_on=start_on, end_on=end_on,
                           amount_cents=cents, deal_id=_deal(st.session, deal, cust.id),
                           renewal_of_id=_renewal_of(st.session, renewal_of, cust.id),
                           external_id=_external(st.session, external_id), created_at=config.now()))


def edit(st: Store, ref: str, *, start: str | None = None, end: str | None = None, amount: str | None = None,
         title: str | None = None, deal: str | None = None, renewal_of: str | None = None,
         external_id: str | None = None) -> dict[str, tuple[Any, Any]]:
    """Change the given fields; returns {field: (old, new)}."""
    c = get(st.session, ref)
    changes: dict[str, Any] = {}
    start_on = parse_date("start", start) or c.start_on
    end_on = parse_date("end", end) or c.end_on
    _dates(start_on, end_on)
    changes.update(start_on=start_on, end_on=end_on)
    if amount is not None:
        changes["amount_cents"] = _amount(amount)
    if title is not None:
        changes["title"] = title.strip() or None
    if deal is not None:
        changes["deal_id"] = _deal(st.session, deal, c.customer_id)
    if renewal_of is not None:
        changes["renewal_of_id"] = _renewal_of(st.session, renewal_of, c.customer_id, c.id)
    if external_id is not None:
        changes["external_id"] = _external(st.session, external_id, c.id)
    return st.update(c, changes)


def delete(st: Store, ref: str) -> Contract:
    c = get(st.session, ref)
    for renewal in st.session.execute(sa.select(Contract).where(Contract.renewal_of_id == c.id)).scalars().all():
        st.update(renewal, {"renewal_of_id": None})
    st.delete(c)
    return c


def lost(st: Store, ref: str, reason: str | None, on: str | None = None) -> dict[str, tuple[Any, Any]]:
    """Mark a contract as not renewed (its renewal reminder stops)."""
    c = get(st.session, ref)
    text = require_text("reason", reason)
    renewal = st.session.execute(sa.select(Contract.id).where(Contract.renewal_of_id == c.id)).scalars().first()
    if renewal is not None:
        raise bad_value("ID", ref, f"is renewed by contract {renewal}")
    day = parse_date("on", on) or config.today()
    return st.update(c, {"lost_on": day, "lost_reason": text})


def list_rows(session: Session, *, customer: str | None = None, owner: str | None = None,
              expiring: str | None = None, ended: bool = False) -> list[dict[str, Any]]:
    """`contract list`: names resolved here, rows read on amkit.contracts.queries."""
    from amkit.contracts import calc, queries
    from amkit.store.raw import Reader

    days = calc.parse_window(expiring) if expiring is not None else None
    customer_id = lookup.customer(session, customer).id if customer else None
    owner_id = lookup.manager(session, owner).id if owner else None
    rows = queries.rows(Reader.of_session(session), config.today(), customer_id=customer_id, owner_id=owner_id,
                        expiring_days=days, ended=ended)
    return [{k: v for k, v in r.items() if k != "customer_id"} for r in rows]
