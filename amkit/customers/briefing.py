"""The money part of `customer show` (issue 22): open deals with their weighted value, won
revenue this year and last, contracts, receivables, the lifecycle stage with its reason and
date, and the last handover note. Reads only; every figure comes from its one definition
(deals.writes for the weighted pipeline, deals.queries for receivables, contracts.queries,
metrics.lifecycle for the stage)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.store.models import Customer, Deal, Handover


def money_sections(session: Session, customer: Customer) -> dict[str, Any]:
    from amkit.contracts.queries import rows as contract_rows
    from amkit.deals import writes as deals
    from amkit.deals.queries import receivables
    from amkit.store.raw import Reader

    today = config.today()
    r = Reader.of_session(session)
    open_deals = deals.list_rows(session, deals.Filters(customer=str(customer.id), open_only=True))
    return {
        "open_deals": [{k: d[k] for k in ("id", "title", "stage", "amount", "probability", "weighted_amount",
                                          "created")} for d in open_deals],
        "pipeline_weighted": sum((d["weighted_amount"] for d in open_deals if d["weighted_amount"] is not None),
                                 Decimal("0.00")),
        "won_revenue": won_revenue(session, customer.id, today),
        "contracts": [{k: c[k] for k in ("id", "title", "start", "end", "amount", "status", "days_left")}
                      for c in reversed(contract_rows(r, today, customer_id=customer.id))],  # latest end first
        "receivables": [{k: x[k] for k in ("id", "deal_id", "due", "amount", "received", "outstanding",
                                           "days_overdue", "status")}
                        for x in receivables(r, today, customer_id=customer.id, open_only=True)],
        "lifecycle_detail": lifecycle_detail(r, customer, today),
        "handover": last_handover(session, customer.id),
    }


def won_revenue(session: Session, customer_id: int, today: dt.date) -> dict[str, Decimal]:
    """Won deal amounts closed this calendar year (up to today) and last year."""
    out = {}
    for key, year in (("this_year", today.year), ("last_year", today.year - 1)):
        end = min(today, dt.date(year, 12, 31))
        cents = session.execute(sa.select(sa.func.coalesce(sa.func.sum(Deal.amount_cents), 0)).where(
            Deal.customer_id == customer_id, Deal.stage == "won", Deal.closed_at >= dt.date(year, 1, 1),
            Deal.closed_at <= end)).scalar_one()
        out[key] = (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))
    return out


def lifecycle_detail(r: Any, customer: Customer, today: dt.date) -> dict[str, Any]:
    from amkit.metrics import lifecycle

    created = customer.created_at.date() if isinstance(customer.created_at, dt.datetime) else customer.created_at
    s = lifecycle.states(r, today, [(customer.id, customer.lifecycle, created)], config.merged())[customer.id]
    return {"stage": s.stage, "since": s.since, "reason": s.reason, "last_activity": s.last_activity}


def last_handover(session: Session, customer_id: int) -> dict[str, Any] | None:
    h = session.execute(sa.select(Handover).where(Handover.customer_id == customer_id)
                        .order_by(Handover.on.desc(), Handover.id.desc()).limit(1)).scalars().first()
    if h is None:
        return None
    return {"from": h.from_owner, "to": h.to_owner, "on": h.on, "note": h.note}
