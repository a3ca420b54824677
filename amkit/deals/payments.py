"""Payments (回款) against won deals and the collection rate (回款率 = paid / won amount).

Decisions:
- a payment needs a **won** deal: paying an open or lost deal is exit 2 (the collection rate
  is measured against the won amount; a deposit before signing is recorded once it is won);
- the amount must be positive (0 is exit 2);
- **overpayment** (the deal's payments passing its won amount) is allowed with a warning on
  stderr: the money did arrive (extra scope, rounding, tax), refusing would lose a record;
  the deal's collection_rate then exceeds 1, which flags it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.deals import writes as deals
from amkit.store import lookup
from amkit.errors import BadInput, bad_value
from amkit.deals.calc import ratio
from amkit.store.models import Customer, Deal, Manager, Payment
from amkit.core.parse import from_cents, parse_amount, parse_date, to_cents
from amkit.store.writer import Store


def check_deal(deal: Deal) -> None:
    if deal.stage != "won":
        raise bad_value("deal", deal.id, f"is {deal.stage}, not won: payments are recorded against won deals")


def add(st: Store, deal_ref: str, amount: str, date: str | None, note: str | None = None) -> tuple[Payment, list[str]]:
    """Record a payment; returns it and any warnings (overpayment)."""
    deal = deals.get(st.session, deal_ref)
    cents = to_cents(parse_amount("amount", amount))
    if not cents:
        raise bad_value("amount", amount, "must be more than 0")
    day = parse_date("date", date) or config.today()  # a payment is recorded the day it arrives
    check_deal(deal)
    paid = paid_cents(st.session, deal.id)
    payment = st.add(Payment(deal_id=deal.id, amount_cents=cents, date=day, note=(note or "").strip() or None))
    warnings = []
    if deal.amount_cents is not None and paid + cents > deal.amount_cents:
        warnings.append(f"deal {deal.id} is now overpaid: {from_cents(paid + cents)} paid of "
                        f"{from_cents(deal.amount_cents)} won")
    return payment, warnings


def paid_cents(session: Session, deal_id: int, until=None) -> int:  # noqa: ANN001
    query = sa.select(sa.func.coalesce(sa.func.sum(Payment.amount_cents), 0)).where(Payment.deal_id == deal_id)
    if until:
        query = query.where(Payment.date <= until)
    return int(session.execute(query).scalar_one())


@dataclass
class Filters:
    deal: str | None = None
    owner: str | None = None
    since: str | None = None
    until: str | None = None


def _window(f: Filters) -> tuple[Any, Any]:
    since, until = parse_date("since", f.since), parse_date("until", f.until)
    if since and until and since > until:
        raise BadInput(f"invalid --since {since.isoformat()!r}: after --until {until.isoformat()!r}")
    return since, until


def _deal_filter(session: Session, f: Filters, query: Any) -> Any:
    if f.deal:
        query = query.where(Deal.id == deals.get(session, f.deal).id)
    if f.owner:
        query = query.where(Deal.owner_id == lookup.manager(session, f.owner).id)
    return query


def list_rows(session: Session, f: Filters) -> list[dict[str, Any]]:
    """One row per payment dated in [since, until], with its deal's collection to date."""
    since, until = _window(f)
    query = (sa.select(Payment, Deal, Customer.name, Manager.name).join(Deal, Payment.deal_id == Deal.id)
             .join(Customer, Deal.customer_id == Customer.id).join(Manager, Deal.owner_id == Manager.id, isouter=True))
    query = _deal_filter(session, f, query)
    if since:
        query = query.where(Payment.date >= since)
    if until:
        query = query.where(Payment.date <= until)
    found = session.execute(query.order_by(Payment.date, Payment.id)).all()
    totals = _totals(session, {d.id for _, d, _, _ in found})
    rows = []
    for p, d, customer, owner in found:
        paid = totals.get(d.id, 0)
        rows.append({"id": p.id, "deal_id": d.id, "customer": customer, "owner": owner, "date": p.date,
                     "amount": from_cents(p.amount_cents), "note": p.note, "deal_paid": from_cents(paid),
                     "won_amount": from_cents(d.amount_cents), "collection_rate": ratio(paid, d.amount_cents)})
    return rows


def _totals(session: Session, deal_ids: set[int]) -> dict[int, int]:
    totals: dict[int, int] = {}
    ids = sorted(deal_ids)
    for i in range(0, len(ids), 5000):
        query = (sa.select(Payment.deal_id, sa.func.sum(Payment.amount_cents))
                 .where(Payment.deal_id.in_(ids[i:i + 5000])).group_by(Payment.deal_id))
        totals.update({d: int(c) for d, c in session.execute(query)})
    return totals


def by_deal_rows(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Collection per won deal closed in [since, until]: payments up to `until` (or all)."""
    since, until = _window(f)
    paid = (sa.select(Payment.deal_id, sa.func.sum(Payment.amount_cents).label("paid"),
                      sa.func.max(Payment.date).label("last"))
            .where(Payment.date <= until if until else sa.true()).group_by(Payment.deal_id).subquery())
    query = (sa.select(Deal, Customer.name, Manager.name, paid.c.paid, paid.c.last)
             .join(Customer, Deal.customer_id == Customer.id).join(Manager, Deal.owner_id == Manager.id, isouter=True)
             .join(paid, paid.c.deal_id == Deal.id, isouter=True).where(Deal.stage == "won"))
    query = _deal_filter(session, f, query)
    if since:
        query = query.where(Deal.closed_at >= since)
    if until:
        query = query.where(Deal.closed_at <= until)
    rows = []
    for d, customer, owner, cents, last in session.execute(query.order_by(Deal.closed_at, Deal.id)):
        cents = int(cents or 0)
        rows.append({"deal_id": d.id, "customer": customer, "owner": owner, "title": d.title,
                     "closed_at": d.closed_at, "won_amount": from_cents(d.amount_cents), "paid": from_cents(cents),
                     "outstanding": from_cents((d.amount_cents or 0) - cents),
                     "collection_rate": ratio(cents, d.amount_cents), "last_payment": last})
    return rows


def summary(rows: list[dict[str, Any]]) -> str:
    """One line for stderr under `payment list --by-deal`: totals and the overall rate."""
    won = sum((r["won_amount"] or Decimal(0) for r in rows), Decimal("0.00"))
    paid = sum((r["paid"] for r in rows), Decimal("0.00"))
    rate = ratio(int(paid * 100), int(won * 100))
    shown = "n/a" if rate is None else f"{rate * 100:.1f}%"
    return f"{len(rows)} won deal(s): {paid:,.2f} paid of {won:,.2f} won, collection rate {shown}"
