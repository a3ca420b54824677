"""Satisfaction surveys (满意度) and complaints (投诉).

A survey score is 1–5, or 0–10 with `nps`. A complaint is open until resolved; its response
time is the hours from opened to resolved (1 decimal). Resolving twice is a conflict (exit
4); a resolution before the complaint was opened is exit 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.store import lookup
from amkit.errors import BadInput, Conflict, NotFound, bad_value
from amkit.store.models import Complaint, Customer, Manager, Survey
from amkit.core.parse import parse_date, parse_datetime, parse_int, require_text
from amkit.store.writer import Store


@dataclass
class Filters:
    customer: str | None = None
    owner: str | None = None
    since: str | None = None
    until: str | None = None
    open_only: bool = False


# --- surveys -----------------------------------------------------------------------------

def add_survey(st: Store, customer: str, score: str | int, *, nps: bool = False, date: str | None = None,
               note: str | None = None) -> Survey:
    value = parse_int("score", score)
    low, high = (0, 10) if nps else (1, 5)
    if value is None or not low <= value <= high:
        raise bad_value("score", score, f"expected {low}-{high}" + ("" if nps else " (or 0-10 with --nps)"))
    day = parse_date("date", date) or config.today()
    cust = lookup.customer(st.session, customer)
    return st.add(Survey(customer_id=cust.id, score=value, nps=nps, date=day, note=(note or "").strip() or None,
                         created_at=config.now()))


def _scoped(session: Session, f: Filters, query: Any) -> Any:
    if f.customer:
        query = query.where(Customer.id == lookup.customer(session, f.customer).id)
    if f.owner:
        query = query.where(Customer.owner_id == lookup.manager(session, f.owner).id)
    return query


def survey_rows(session: Session, f: Filters) -> list[dict[str, Any]]:
    query = (sa.select(Survey, Customer.name, Manager.name).join(Customer, Survey.customer_id == Customer.id)
             .join(Manager, Customer.owner_id == Manager.id, isouter=True))
    query = _scoped(session, f, query)
    since, until = parse_date("since", f.since), parse_date("until", f.until)
    if since:
        query = query.where(Survey.date >= since)
    if until:
        query = query.where(Survey.date <= until)
    return [{"id": s.id, "customer": customer, "owner": owner, "date": s.date, "score": s.score, "nps": s.nps,
             "note": s.note} for s, customer, owner in session.execute(query.order_by(Survey.date, Survey.id))]


def survey_summary(rows: list[dict[str, Any]]) -> str:
    """Average 1–5 score and the NPS (% promoters 9–10 minus % detractors 0–6)."""
    five = [r["score"] for r in rows if not r["nps"]]
    ten = [r["score"] for r in rows if r["nps"]]
    parts = [f"{len(rows)} survey(s)"]
    if five:
        parts.append(f"average {sum(five) / len(five):.2f} of 5")
    if ten:
        nps = (sum(1 for s in ten if s >= 9) - sum(1 for s in ten if s <= 6)) * 100 / len(ten)
        parts.append(f"NPS {nps:+.0f}")
    return ", ".join(parts)


# --- complaints --------------------------------------------------------------------------

def add_complaint(st: Store, customer: str, text: str, opened: str | None = None) -> Complaint:
    body = require_text("text", text, multiline=True)
    at = parse_datetime("opened", opened) or config.now()
    cust = lookup.customer(st.session, customer)
    return st.add(Complaint(customer_id=cust.id, text=body, opened=at))


def resolve(st: Store, complaint_id: int, resolution: str | None = None, on: str | None = None) -> Complaint:
    c = st.session.get(Complaint, complaint_id)
    if c is None:
        raise NotFound(f"complaint not found: {complaint_id}")
    if c.resolved is not None:
        raise Conflict(f"complaint {c.id} was already resolved on {c.resolved:%Y-%m-%d %H:%M}")
    at = parse_datetime("on", on) or config.now()
    if at < c.opened:
        raise bad_value("on", on or at.isoformat(), f"before the complaint was opened ({c.opened:%Y-%m-%d %H:%M})")
    st.update(c, {"resolved": at, "resolution": (resolution or "").strip() or None})
    return c


def complaint_rows(session: Session, f: Filters) -> list[dict[str, Any]]:
    query = (sa.select(Complaint, Customer.name, Manager.name).join(Customer, Complaint.customer_id == Customer.id)
             .join(Manager, Customer.owner_id == Manager.id, isouter=True))
    query = _scoped(session, f, query)
    if f.open_only:
        query = query.where(Complaint.resolved.is_(None))
    since, until = parse_date("since", f.since), parse_date("until", f.until)
    if since and until and since > until:
        raise BadInput(f"invalid --since {since.isoformat()!r}: after --until {until.isoformat()!r}")
    if since:
        query = query.where(Complaint.opened >= dt.datetime.combine(since, dt.time()))
    if until:
        query = query.where(Complaint.opened < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    return [complaint_row(c, customer, owner)
            for c, customer, owner in session.execute(query.order_by(Complaint.opened, Complaint.id))]


def complaint_row(c: Complaint, customer: str, owner: str | None) -> dict[str, Any]:
    hours = None if c.resolved is None else round((c.resolved - c.opened).total_seconds() / 3600, 1)
    return {"id": c.id, "customer": customer, "owner": owner, "opened": c.opened, "resolved": c.resolved,
            "response_hours": hours, "status": "open" if c.resolved is None else "resolved", "text": c.text,
            "resolution": c.resolution}
