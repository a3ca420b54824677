"""Key contacts (关键联系人)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config, lookup
from amkit.customers import contact_row
from amkit.models import Contact, Customer
from amkit.parse import parse_birthday, parse_email, parse_phone, require_text
from amkit.store import Store


def clean(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": require_text("name", values.get("name")),
        "role": (values.get("role") or "").strip() or None,
        "is_decision_maker": bool(values.get("is_decision_maker")),
        "phone": parse_phone("phone", values.get("phone")),
        "email": parse_email("email", values.get("email")),
        "wechat": (values.get("wechat") or "").strip() or None,
        "birthday": parse_birthday("birthday", values.get("birthday")),
        "birthday_lunar": bool(values.get("birthday_lunar")),
    }


def add(store: Store, customer: Customer, **values: Any) -> dict[str, Any]:
    contact = store.add(Contact(customer_id=customer.id, created_at=config.now(), **clean(values)))
    return contact_row(contact, customer.name)


def list_rows(session: Session, customer: str | None = None, owner: str | None = None,
              decision_maker: bool = False) -> list[dict[str, Any]]:
    query = sa.select(Contact, Customer.name).join(Customer, Contact.customer_id == Customer.id)
    if customer:
        query = query.where(Contact.customer_id == lookup.customer(session, customer).id)
    if owner:
        query = query.where(Customer.owner_id == lookup.manager(session, owner).id)
    if decision_maker:
        query = query.where(Contact.is_decision_maker.is_(True))
    query = query.order_by(Customer.name, Contact.is_decision_maker.desc(), Contact.name)
    return [contact_row(c, name) for c, name in session.execute(query)]
