"""Managers (客户经理)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.errors import Conflict
from amkit.store.models import Customer, Manager
from amkit.core.parse import check_text, parse_email, parse_phone, require_text
from amkit.store.writer import Store


def manager_row(m: Manager, customers: int) -> dict[str, Any]:
    return {"id": m.id, "name": m.name, "team": m.team, "lead": m.lead, "email": m.email,
            "mobile": m.mobile, "wecom_userid": m.wecom_userid, "dingtalk_userid": m.dingtalk_userid,
            "active": m.active, "customers": customers}


def add(store: Store, name: str, team: str | None = None, lead: str | None = None,
        email: str | None = None, active: bool = True, mobile: str | None = None,
        wecom_userid: str | None = None, dingtalk_userid: str | None = None) -> Manager:
    from amkit.store import scope

    # a manager's team decides a lead's scope: in team mode only an admin (or the owner) manages them
    scope.require(store.session, "admin", action="manager add", table="managers")
    name = require_text("name", name)
    if store.session.execute(sa.select(Manager.id).where(Manager.name == name)).first():
        raise Conflict(f"manager already exists: {name!r}")
    m = Manager(name=name, team=(team or "").strip() or None, lead=(lead or "").strip() or None,
                email=parse_email("email", email), active=active, created_at=config.now(),
                mobile=parse_phone("mobile", mobile),
                wecom_userid=check_text("wecom_userid", wecom_userid) if wecom_userid else None,
                dingtalk_userid=check_text("dingtalk_userid", dingtalk_userid) if dingtalk_userid else None)
    return store.add(m)


def list_rows(session: Session, team: str | None = None) -> list[dict[str, Any]]:
    owned = (sa.select(Customer.owner_id, sa.func.count().label("n"))
             .group_by(Customer.owner_id).subquery())
    query = sa.select(Manager, sa.func.coalesce(owned.c.n, 0)).join(owned, owned.c.owner_id == Manager.id,
                                                                    isouter=True)
    if team:
        query = query.where(Manager.team == team)
    return [manager_row(m, n) for m, n in session.execute(query.order_by(Manager.name))]


def leave(store: Store, name: str, to: str, note: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    """`manager leave NAME --to NAME` (issue 21): hand over all of NAME's customers (with their
    open deals and pending actions, and a note per customer), their open deals at others'
    customers, then mark NAME inactive. Their past follow-ups, goals and scores stay theirs."""
    from amkit.core.enums import OPEN_STAGES
    from amkit.customers.handover import handover
    from amkit.store import lookup, scope
    from amkit.store.models import Deal

    scope.require(store.session, "admin", action="manager leave", table="managers")
    src = lookup.manager(store.session, name)
    if not src.active:
        raise Conflict(f"manager {src.name!r} has already left (inactive)")
    dst = lookup.active_manager(store.session, to)
    if dst.id == src.id:
        from amkit.errors import bad_value

        raise bad_value("--to", to, "is the manager who leaves")
    moved = handover(store, src.name, dst.name, note=note, dry_run=dry_run)
    others = store.session.execute(sa.select(Deal).where(Deal.owner_id == src.id, Deal.stage.in_(OPEN_STAGES))
                                   .order_by(Deal.id)).scalars().all()
    if not dry_run:
        for deal in others:
            store.update(deal, {"owner_id": dst.id})
        store.update(src, {"active": False})
    return {"manager": src.name, "to": dst.name, "customers": len(moved),
            "open_deals": sum(m.open_deals for m in moved) + len(others),
            "pending_actions": sum(m.pending_actions for m in moved), "dry_run": dry_run}
