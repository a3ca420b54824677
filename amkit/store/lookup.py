"""Addressing records: id, exact name, unique prefix, pinyin initials or full pinyin (SPEC §1)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit.core.parse import record_id
from amkit.errors import Conflict, NotFound
from amkit.store.fts import escape_like
from amkit.store.models import Contact, Customer, Manager


def customer(session: Session, ref: str) -> Customer:
    """Resolve a customer reference; ambiguity is Conflict (exit 4) listing candidates."""
    text = (ref or "").strip()
    if not text:
        raise NotFound("customer not found: ''")
    found = by_id(session, Customer, text)
    if found:
        return found
    exact = session.execute(sa.select(Customer).where(Customer.name == text)).scalars().first()
    if exact:
        return exact
    alias = by_alias(session, text)
    if alias:
        return alias
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

    error = team.not_found(session, "customer", "customers", text)  # team mode: the same answer, existing or not
    if isinstance(error, NotFound):
        error = customer_not_found(text, _near_customers(session, text))
    raise error


def customer_not_found(text: str, near: list[str]) -> NotFound:
    if near:
        return NotFound(f"customer not found: {text!r} (did you mean: {', '.join(near)}?)")
    return NotFound(f"customer not found: {text!r}")


def by_alias(session: Session, text: str) -> Customer | None:
    """The customer one of whose aliases (简称) is exactly `text`."""
    like = "%," + _escape(text) + ",%"
    return session.execute(sa.select(Customer).where(("," + Customer.aliases + ",").like(like, escape="\\"))
                           ).scalars().first()


def _near_customers(session: Session, text: str, limit: int = 3) -> list[str]:
    """Up to 3 names close to a reference that matched nothing (pinyin and edit distance),
    among the names sharing its first character or the first letters of its pinyin."""
    from amkit.core.pinyin import keys
    from amkit.core.similar import suggest

    full = keys(text)[0]
    conditions = [Customer.name.like(_escape(text[:1]) + "%", escape="\\"),
                  Customer.aliases.like("%" + _escape(text[:2]) + "%", escape="\\")]
    if full:
        conditions.append(Customer.name_pinyin.like(_escape(full[:4]) + "%", escape="\\"))
    if len(text) > 1:
        conditions.append(Customer.name.like("%" + _escape(text[1:3]) + "%", escape="\\"))
    rows = session.execute(sa.select(Customer.name, Customer.aliases).where(sa.or_(*conditions)).limit(5000)).all()
    names = [name for name, _ in rows]
    owner_of = {a: name for name, aliases in rows for a in (aliases or "").split(",") if a}
    near = suggest(text, names + list(owner_of), limit * 2)
    out: list[str] = []
    for n in near:
        name = owner_of.get(n, n)
        if name not in out:
            out.append(name)
    return out[:limit]


def contact(session: Session, customer: Customer, ref: str, *, add_hint: bool = False) -> Contact:
    """A contact of CUSTOMER by exact name, else by id: ambiguity is Conflict (exit 4) listing
    them, none NotFound (exit 3; `add_hint`: with the command that adds it)."""
    text = (ref or "").strip()
    query = sa.select(Contact).where(Contact.customer_id == customer.id)
    rows = session.execute(query.where(Contact.name == text)).scalars().all()
    if not rows and record_id(text):
        rows = session.execute(query.where(Contact.id == record_id(text))).scalars().all()
    if len(rows) > 1:
        raise Conflict(f"contact {text!r} is ambiguous at {customer.name}: use its id",
                       details=[f"{r.id}  {r.name}" for r in rows])
    if not rows:
        hint = f" (add it with: amkit contact add {customer.name!r} {text!r})" if add_hint else ""
        raise NotFound(f"contact not found at {customer.name}: {text!r}{hint}")
    return rows[0]


def by_id(session: Session, model: Any, text: str) -> Any | None:
    """The row of MODEL whose id TEXT spells, or None: a name, or digits no id can be (they are
    never sent to the database; amkit.core.parse.record_id)."""
    number = record_id(text)
    return session.get(model, number) if number else None


def _candidates(text: str) -> list:
    """Conditions tried in order (the first that matches anything decides): name prefix, name
    substring, then pinyin initials, full pinyin, then a prefix of either."""
    like = _escape(text) + "%"
    conditions = [Customer.name.like(like, escape="\\"),
                  Customer.name.like("%" + like, escape="\\")]  # then a unique substring (京东)
    key = pinyin_key(text)
    if key:
        conditions.append(Customer.name_initials == key)
        conditions.append(Customer.name_pinyin == key)
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


def manager(session: Session, name: str, *, create: bool = False, store=None) -> Manager:  # noqa: ANN001
    """A manager by exact name or id (`--owner NAME`); `create` adds it when missing."""
    text = (name or "").strip()
    found = session.execute(sa.select(Manager).where(Manager.name == text)).scalars().first()
    if found is None:
        found = by_id(session, Manager, text)
    if found is None and create and text and store is not None:
        found = store.add(Manager(name=text))
    if found is None and not create:
        from amkit.store.raw import resolve_manager

        names = list(session.execute(sa.select(Manager.name)).scalars())
        match = resolve_manager(text, names)  # unique prefix / substring / pinyin, else not found
        found = session.execute(sa.select(Manager).where(Manager.name == match)).scalars().first()
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
