"""Addressing records: id, exact name, unique prefix, pinyin initials or full pinyin (SPEC §1)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from amkit.errors import Conflict, NotFound
from amkit.store.fts import escape_like
from amkit.store.models import Customer, Manager


def customer(session: Session, ref: str) -> Customer:
    """Resolve a customer reference; ambiguity is Conflict (exit 4) listing candidates."""
    text = (ref or "").strip()
    if not text:
        raise NotFound("customer not found: ''")
    if is_id(text):
        found = session.get(Customer, int(text))
        if found:
            return found
    exact = session.execute(sa.select(Customer).where(Customer.name == text)).scalars().first()
    if exact:
        return exact
    for condition in _candidates(text):
        rows = session.execute(sa.select(Customer).where(condition).order_by(Customer.name).limit(11)).scalars().all()
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            names = [f"{c.id}  {c.name}" for c in rows[:10]]
            more = ["…"] if len(rows) > 10 else []
            raise Conflict(f"customer {text!r} is ambiguous: {len(rows)}{'+' if more else ''} matches",
                           details=names + more)
    from amkit.store import scope as team

    raise team.not_found(session, "customer", "customers", text)  # team mode: the same answer, existing or not


def is_id(text: str) -> bool:
    """Digits that fit a database integer (longer digit strings are names, not ids)."""
    return text.isascii() and text.isdigit() and int(text) < 2**63


def _candidates(text: str) -> list:
    """Conditions tried in order (the first that matches anything decides): name prefix, then
    pinyin initials or full pinyin equal to the text, then a prefix of either."""
    like = _escape(text) + "%"
    conditions = [Customer.name.like(like, escape="\\")]
    key = pinyin_key(text)
    if key:
        conditions.append(sa.or_(Customer.name_initials == key, Customer.name_pinyin == key))
        conditions.append(_pinyin_prefix(key))
    return conditions


def pinyin_key(text: str) -> str | None:
    """The text as a pinyin lookup key (lower case, no spaces), or None if it cannot be one."""
    from amkit.core.pinyin import looks_like_pinyin

    return text.lower().replace(" ", "") if text.strip() and looks_like_pinyin(text) else None


def _pinyin_prefix(key: str):  # noqa: ANN202
    like = _escape(key) + "%"
    return sa.or_(Customer.name_initials.like(like, escape="\\"), Customer.name_pinyin.like(like, escape="\\"))


def complete_names(session: Session, incomplete: str, limit: int = 20) -> list[str]:
    """Customer names for shell completion: names starting with the text first, then names
    whose pinyin initials or full pinyin start with it (`zg` → 中国银行), each by name."""
    text = (incomplete or "").strip()
    base = sa.select(Customer.name).order_by(Customer.name).limit(limit)
    names = list(session.execute(base.where(Customer.name.like(_escape(text) + "%", escape="\\"))).scalars())
    key = pinyin_key(text)
    if key and len(names) < limit:
        more = session.execute(base.where(_pinyin_prefix(key))).scalars()
        names += [n for n in more if n not in names]
    return names[:limit]


_escape = escape_like


def complete_managers(session: Session, incomplete: str, limit: int = 20) -> list[str]:
    """Active managers whose name starts with the text (shell completion of --owner/--to)."""
    text = (incomplete or "").strip()
    return list(session.execute(sa.select(Manager.name).where(Manager.active.is_(True),
                                                              Manager.name.like(_escape(text) + "%", escape="\\"))
                                .order_by(Manager.name).limit(limit)).scalars())


def manager(session: Session, name: str, *, create: bool = False, store=None) -> Manager:  # noqa: ANN001
    """A manager by exact name or id (`--owner NAME`); `create` adds it when missing."""
    text = (name or "").strip()
    found = session.execute(sa.select(Manager).where(Manager.name == text)).scalars().first()
    if found is None and is_id(text):
        found = session.get(Manager, int(text))
    if found is None and create and text and store is not None:
        found = store.add(Manager(name=text))
    if found is None:
        from amkit.store.raw import manager_not_found

        raise manager_not_found(text)
    return found


def active_manager(session: Session, name: str) -> Manager:
    """A manager who may be given customers, deals or goals: one who has left (`manager leave`,
    inactive) may not (exit 4); their history and scores stay."""
    found = manager(session, name)
    if not found.active:
        from amkit.errors import Conflict

        raise Conflict(f"manager {found.name!r} has left (inactive): choose an active manager")
    return found
