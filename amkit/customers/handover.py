"""`customer handover`: move customers, their open deals and pending next actions from one
manager to another, leaving a handover note per customer (SPEC §4). Goals stay put, and so
does the credit for past follow-ups (followups.owner_id, SPEC §6): pending next actions move
with the customer because remind gives them to the customer's current owner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from amkit import config
from amkit.store import lookup
from amkit.core.enums import OPEN_STAGES
from amkit.errors import Conflict, bad_value
from amkit.store.models import Customer, Deal, Followup, Handover
from amkit.core.parse import from_cents
from amkit.store.writer import Store, snapshot


@dataclass
class Moved:
    customer: str
    open_deals: int
    pending_actions: int
    note: str


def handover(st: Store, from_name: str, to_name: str, customers: list[str] | None = None,
             note: str | None = None, dry_run: bool = False) -> list[Moved]:
    session = st.session
    from amkit.store import scope as team

    team.require(session, "lead", "admin", action="customer handover", table="customers")
    src = lookup.manager(session, from_name)
    dst = lookup.active_manager(session, to_name)
    if src.id == dst.id:
        raise bad_value("--to", to_name, "is the same manager as --from")
    chosen = _customers(st, src.id, from_name, customers)
    today = config.today()
    result: list[Moved] = []
    for c in chosen:
        deals = session.execute(sa.select(Deal).where(Deal.customer_id == c.id, Deal.owner_id == src.id,
                                                      Deal.stage.in_(OPEN_STAGES))).scalars().all()
        actions = session.execute(sa.select(Followup).where(
            Followup.customer_id == c.id, Followup.next_date.is_not(None), Followup.action_done.is_(None)
        )).scalars().all()
        text = _note(session, c, deals, actions, src.name, dst.name, note)
        result.append(Moved(c.name, len(deals), len(actions), text))
        if dry_run:
            continue
        st.update(c, {"owner_id": dst.id})
        for d in deals:
            st.update(d, {"owner_id": dst.id})
        # pending actions follow the customer (remind gives them to its owner); the follow-ups
        # themselves keep their owner: a handover never moves the credit for past contact (SPEC §6)
        st.add(Handover(customer_id=c.id, from_owner=src.name, to_owner=dst.name, on=today, note=text))
    return result


def _customers(st: Store, owner_id: int, owner: str, refs: list[str] | None) -> list[Customer]:
    session = st.session
    if not refs:
        return list(session.execute(sa.select(Customer).where(Customer.owner_id == owner_id)
                                    .order_by(Customer.name)).scalars())
    chosen = []
    for ref in refs:
        c = lookup.customer(session, ref)
        if c.owner_id != owner_id:
            raise Conflict(f"customer {c.name!r} is not owned by {owner!r}")
        chosen.append(c)
    return chosen


def _note(session: Any, c: Customer, deals: list[Deal], actions: list[Followup], src: str, dst: str,
          extra: str | None) -> str:
    lines = [f"交接 Handover {src} → {dst}: {c.name}"]
    if extra:
        lines.append(extra)
    last = session.execute(sa.select(Followup).where(Followup.customer_id == c.id)
                           .order_by(Followup.at.desc()).limit(3)).scalars().all()
    for f in last:
        lines.append(f"- last contact {f.at:%Y-%m-%d} {f.channel}: {f.summary}")
    for d in deals:
        amount = from_cents(d.amount_cents)
        lines.append(f"- open deal #{d.id} {d.title or ''} [{d.stage}] {amount if amount is not None else ''}".rstrip())
    for f in actions:
        lines.append(f"- pending: {f.next_action or ''} by {f.next_date}")
    if len(lines) == 1 + bool(extra):
        lines.append("- no contacts, open deals or pending actions on record")
    return "\n".join(lines)


def handover_rows(session: Any, customer_id: int) -> list[dict[str, Any]]:
    rows = session.execute(sa.select(Handover).where(Handover.customer_id == customer_id)
                           .order_by(Handover.id)).scalars()
    return [snapshot(h) for h in rows]
