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
