"""Key contacts (关键联系人)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.store import crypto, lookup
from amkit.customers.writes import contact_row
from amkit.store.models import Contact, Customer
from amkit.core.parse import parse_birthday, parse_email, parse_phone, require_text
from amkit.store.writer import Store


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
    return contact_row(contact, customer.name, reveal=True)  # what the user just typed


def list_rows(session: Session, customer: str | None = None, owner: str | None = None,
              decision_maker: bool = False, phone: str | None = None, email: str | None = None,
              reveal: bool = False) -> list[dict[str, Any]]:
    """Contacts; `phone`/`email` match exactly (phone by its digits, e-mail ignoring case), through
    the keyed hash when the values are encrypted (amkit.crypto)."""
    query = sa.select(Contact, Customer.name).join(Customer, Contact.customer_id == Customer.id)
    wanted: dict[str, str] = {}
    for field, value, column in (("phone", phone, Contact.phone_hash), ("email", email, Contact.email_hash)):
        if value is None:
            continue
        parse = parse_phone if field == "phone" else parse_email
        wanted[field] = _normal(field, parse(f"--{field}", value) or "")
        digest = crypto.lookup_hash(field, value)
        if digest:  # rows written before the key was set have no hash: checked below
            query = query.where(sa.or_(column == digest, column.is_(None)))
    if customer:
        query = query.where(Contact.customer_id == lookup.customer(session, customer).id)
    if owner:
        query = query.where(Customer.owner_id == lookup.manager(session, owner).id)
    if decision_maker:
        query = query.where(Contact.is_decision_maker.is_(True))
    query = query.order_by(Customer.name, Contact.is_decision_maker.desc(), Contact.name)
    found = [(c, name) for c, name in session.execute(query)
             if all(_normal(f, crypto.open_(f, getattr(c, f)) or "") == v for f, v in wanted.items())]
    return [contact_row(c, name, reveal) for c, name in found]


def _normal(field: str, value: str) -> str:
    return crypto.normal_phone(value) if field == "phone" and value else value.strip().lower()
