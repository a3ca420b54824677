"""`edit` and `delete` for every record kind in amkit.records.spec.KINDS (issue 21).

Every change goes through the audited Store (so `amkit undo` reverts it and `amkit history`
shows it); what changed comes back in words: labels, money as ¥ amounts, names instead of ids.
A delete refuses records that others depend on (exit 4, "delete its 2 payments first, or
--cascade") and takes the parts a record owns (a deal's stage history) with it, audited.
Personal data is never deleted here beyond the one record asked for: PIPL erase is
`customer erase`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from amkit.core import enums
from amkit.core.parse import (from_cents, parse_amount, parse_birthday, parse_bool, parse_date, parse_datetime, parse_email,
                              parse_int, parse_phone, parse_tags, require_text, to_cents)
from amkit.errors import Conflict, bad_value
from amkit.core.receivables import plan_overflow
from amkit.records.spec import BY_TABLE, KINDS, Field, Kind
from amkit.store import lookup
from amkit.store.writer import Store
from amkit.ui.i18n import counted


def model(table: str) -> type[SQLModel]:
    from amkit.store import models

    for name in models.__all__:
        cls = getattr(models, name)
        if getattr(cls, "__tablename__", None) == table:
            return cls
    raise KeyError(table)


# --- parsing the options: value text -> stored value ------------------------------------------

def _text(f: Field, value: str, obj: Any, session: Session) -> Any:
    return value.strip() or None


def _required(f: Field, value: str, obj: Any, session: Session) -> Any:
    return require_text(f.label, value, multiline=True)


def _money(f: Field, value: str, obj: Any, session: Session) -> Any:
    amount = parse_amount(f.label, value)
    if amount is None:
        raise bad_value(f.label, value, "expected an amount")
    if amount < 0:
        raise bad_value(f.label, value, "must not be negative")
    return to_cents(amount)


def _number(f: Field, value: str, obj: Any, session: Session) -> Any:
    amount = parse_amount(f.label, value)
    if amount is None or amount < 0:
        raise bad_value(f.label, value, "expected a number of 0 or more")
    return amount


def _ratio(f: Field, value: str, obj: Any, session: Session) -> Any:
    text = value.strip()
    if not text:
        return None
    try:
        number = Decimal(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ArithmeticError:
        raise bad_value(f.label, value, "expected a number from 0 to 1, or a percentage") from None
    if not Decimal(0) <= number <= Decimal(1):
        raise bad_value(f.label, value, "expected a number from 0 to 1, or a percentage")
    return number.quantize(Decimal("0.0001"))


def _date(f: Field, value: str, obj: Any, session: Session) -> Any:
    return parse_date(f.label, value)


def _datetime(f: Field, value: str, obj: Any, session: Session) -> Any:
    return parse_datetime(f.label, value)


def _int(f: Field, value: str, obj: Any, session: Session) -> Any:
    number = parse_int(f.label, value, minimum=0)
    if getattr(obj, "__tablename__", "") == "surveys" and number is not None:
        top = 10 if obj.nps else 5
        if not (0 if obj.nps else 1) <= number <= top:
            raise bad_value(f.label, value, f"expected {'0-10 (NPS)' if obj.nps else '1-5'}")
    return number


def _customer(f: Field, value: str, obj: Any, session: Session) -> Any:
    return lookup.customer(session, value).id


def _manager(f: Field, value: str, obj: Any, session: Session) -> Any:
    if not value.strip():
        return None
    return lookup.active_manager(session, value).id


def _contact(f: Field, value: str, obj: Any, session: Session) -> Any:
    if not value.strip():
        return None
    return lookup.contact(session, session.get(model("customers"), obj.customer_id), value).id


PARSERS: dict[str, Callable[[Field, str, Any, Session], Any]] = {
    "text": _text, "required": _required, "money": _money, "number": _number, "ratio": _ratio, "date": _date,
    "datetime": _datetime, "int": _int, "customer": _customer, "manager": _manager, "contact": _contact,
    "channel": lambda f, v, o, s: enums.parse_channel(v),
    "stage": lambda f, v, o, s: enums.parse_stage(v) if v.strip() else None,
    "bool": lambda f, v, o, s: parse_bool(f.label, v),
    "phone": lambda f, v, o, s: parse_phone(f.label, v),
    "email": lambda f, v, o, s: parse_email(f.label, v),
    "birthday": lambda f, v, o, s: parse_birthday(f.label, v),
    "tags": lambda f, v, o, s: parse_tags(v),
}


# --- finding the record ----------------------------------------------------------------------

def find(session: Session, kind: Kind, ref: str, customer: str | None = None) -> Any:
    """The record `ref` of `kind` (an id; a manager also by name; a contact by name at `customer`)."""
    cls = model(kind.table)
    text = (ref or "").strip()
    if kind.address == "manager":
        return lookup.manager(session, text)
    if kind.address == "contact" and customer is not None:
        return lookup.contact(session, lookup.customer(session, customer), text)
    found = lookup.by_id(session, cls, text)
    if found is None:
        if not text.isdigit():
            raise bad_value("id", ref, "expected a number")
        from amkit.store import scope as team

        raise team.not_found(session, kind.label, kind.table, text)
    return found


# --- edit ------------------------------------------------------------------------------------

def edit(st: Store, kind: Kind, ref: str, given: dict[str, str], customer: str | None = None) -> tuple[Any, list]:
    """Apply the options `given` ({column: text}); returns (record, [(field, old, new)]) in stored
    values (the CLI puts them in words)."""
    session = st.session
    _admin_only(session, kind, "edit")
    obj = find(session, kind, ref, customer)
    fields = {f.column: f for f in kind.fields}
    changes: dict[str, Any] = {}
    for column, text in given.items():
        f = fields[column]
        if column == "contact_id" and "customer_id" in changes:
            obj_for = type("Moved", (), {"customer_id": changes["customer_id"]})()
            changes[column] = PARSERS[f.parse](f, text, obj_for, session)
        else:
            changes[column] = PARSERS[f.parse](f, text, obj, session)
        if changes[column] is None and not obj.__table__.c[column].nullable:
            raise bad_value(f.label, text, "required: it cannot be emptied")
    _check_rules(session, kind, obj, changes)
    if kind.table == "contacts":
        from amkit.store import crypto

        opened = {k: crypto.open_(k, getattr(obj, k)) if k in crypto.FIELDS else getattr(obj, k) for k in changes}
        changes = {k: v for k, v in changes.items() if opened[k] != v}
        old = {k: opened[k] for k in changes}
        st.update(obj, changes)
        return obj, [(fields[k], old[k], v) for k, v in changes.items()]
    if kind.table == "deals" and "created" in changes and changes["created"] != obj.created:
        _move_creation(st, obj, changes)
    diff = st.update(obj, changes)
    return obj, [(fields[k], old, new) for k, (old, new) in diff.items() if k in fields]


def _move_creation(st: Store, deal: Any, changes: dict[str, Any]) -> None:
    """A deal's created date moves its first stage-history row (the stage it was created at) and,
    for a deal created already won/lost, its close date."""
    cls = model("deal_stage_history")
    first = st.session.execute(sa.select(cls).where(cls.deal_id == deal.id, cls.from_stage.is_(None))
                               .order_by(cls.id).limit(1)).scalars().first()
    if first is not None and first.on == deal.created:
        st.update(first, {"on": changes["created"]})
    if deal.closed_at == deal.created and "closed_at" not in changes and deal.stage in ("won", "lost") \
            and first is not None and first.to_stage == deal.stage:
        changes["closed_at"] = changes["created"]


def _admin_only(session: Session, kind: Kind, verb: str) -> None:
    """In team mode a manager's team decides a lead's scope: only an admin edits managers (as `manager add`)."""
    if kind.table == "managers":
        from amkit.store import scope

        scope.require(session, "admin", action=f"manager {verb}", table="managers")


def _check_rules(session: Session, kind: Kind, obj: Any, changes: dict[str, Any]) -> None:
    """The kind's own rules that a single field cannot check."""
    if kind.table == "deals":
        created = changes.get("created", obj.created)
        closed = changes.get("closed_at", obj.closed_at)
        if "closed_at" in changes and obj.stage not in ("won", "lost"):
            raise bad_value("closed", changes["closed_at"], f"deal {obj.id} is open (move it to won or lost)")
        if closed is not None and created is not None and closed < created:
            raise bad_value("closed", closed.isoformat(), f"before the deal was created ({created.isoformat()})")
        if obj.stage in ("won", "lost") and "amount_cents" in changes and changes["amount_cents"] is None:
            raise bad_value("amount", "", f"required for a {obj.stage} deal")
    if kind.table == "followups" and "customer_id" in changes and "contact_id" not in changes \
            and obj.contact_id is not None and changes["customer_id"] != obj.customer_id:
        changes["contact_id"] = None  # the contact belongs to the old customer
    if kind.table == "complaints":
        opened = changes.get("opened", obj.opened)
        resolved = changes.get("resolved", obj.resolved)
        if resolved is not None and opened is not None and resolved < opened:
            raise bad_value("resolved", resolved.isoformat(), "before the complaint was opened")
    from amkit.deals.writes import check_covers_plan, planned_cents

    if kind.table == "installments" and "amount_cents" in changes:
        if not changes["amount_cents"]:
            raise bad_value("amount", str(from_cents(changes["amount_cents"])), "must be more than 0")
        deal = session.get(model("deals"), obj.deal_id)
        why = plan_overflow(deal.id, deal.amount_cents, planned_cents(session, deal.id, except_id=obj.id),
                            changes["amount_cents"])
        if why:
            raise bad_value("amount", str(from_cents(changes["amount_cents"])), why)
    if kind.table == "deals" and changes.get("amount_cents") is not None:
        check_covers_plan(session, obj.id, changes["amount_cents"])
    if kind.table == "goals" and changes.keys() & {"target", "excellent", "stretch"}:
        _goal_lines(obj, changes)
    if kind.table == "managers" and "name" in changes:
        cls = model("managers")
        other = session.execute(sa.select(cls.id).where(cls.name == changes["name"], cls.id != obj.id)).first()
        if other:
            raise bad_value("name", changes["name"], "another manager has that name")


def _goal_lines(goal: Any, changes: dict[str, Any]) -> None:
    """A goal's three lines after an edit, as `goal set` makes them: a line the edit does not
    give is derived again from the new target (1.2×, 1.5×) when it was the default of the old
    one, else kept; the order target ≤ excellent ≤ stretch (reversed where lower is better) is
    checked. Only lines that move are changed (and so reported)."""
    from amkit.goals.calc import default_lines

    derived = default_lines(goal.metric, goal.target)
    given = {line: changes[line] if line in changes else
             (None if getattr(goal, line) == getattr(derived, line) else getattr(goal, line))
             for line in ("excellent", "stretch")}
    lines = default_lines(goal.metric, changes.get("target", goal.target), given["excellent"], given["stretch"])
    for line in ("target", "excellent", "stretch"):
        value = getattr(lines, line)
        if line in changes or value != getattr(goal, line):
            changes[line] = value


# --- delete ----------------------------------------------------------------------------------

def dependents(session: Session, kind: Kind, obj: Any) -> list[tuple[Any, list[int]]]:
    """[(Dependent, ids)] of the records pointing at `obj`."""
    out = []
    for dep in kind.dependents:
        cls = model(dep.table)
        ids = list(session.execute(sa.select(cls.id).where(getattr(cls, dep.column) == obj.id)
                                   .order_by(cls.id)).scalars())
        if ids:
            out.append((dep, ids))
    return out


def check_dependents(session: Session, kind: Kind, obj: Any, cascade: bool) -> list[tuple[Any, list[int]]]:
    """The records depending on `obj`; refused (exit 4) unless `cascade` may take them. Run before
    a terminal asks "Delete …?", so nobody confirms a delete that is then refused."""
    found = dependents(session, kind, obj)
    if found and (not cascade or not kind.cascade):
        parts = ", ".join(counted(len(ids), dep.label, "en") for dep, ids in found)  # zh: amkit.ui.helptext
        who = f"{kind.label} {obj.name}" if kind.address == "manager" else f"{kind.label} {obj.id}"
        if not kind.cascade:
            raise Conflict(f"{who} still has {parts}: use `amkit manager leave` to hand them over")
        raise Conflict(f"cannot delete {who}: delete its {parts} first, or --cascade")
    return found


def delete(st: Store, kind: Kind, ref: str, cascade: bool = False, customer: str | None = None) -> tuple[Any, list]:
    """Delete the record (and its owned parts); with `cascade` its dependents too (or unlink
    them). Returns (the deleted record, [(Dependent, ids, what was done)])."""
    session = st.session
    _admin_only(session, kind, "delete")
    obj = find(session, kind, ref, customer)
    found = check_dependents(session, kind, obj, cascade)
    done = []
    for dep, ids in found:
        cls = model(dep.table)
        for row in session.execute(sa.select(cls).where(cls.id.in_(ids)).order_by(cls.id)).scalars().all():
            if dep.cascade == "unlink":
                st.update(row, {dep.column: None})
            else:
                _delete_with_parts(st, BY_TABLE.get(dep.table), row)
        done.append((dep, ids, dep.cascade))
    _delete_with_parts(st, kind, obj)
    return obj, done


def _delete_with_parts(st: Store, kind: Kind | None, obj: Any) -> None:
    for table, column in (kind.owned if kind else ()):
        cls = model(table)
        for part in st.session.execute(sa.select(cls).where(getattr(cls, column) == obj.id)
                                       .order_by(cls.id)).scalars().all():
            st.delete(part)
    st.delete(obj)


def kind(name: str) -> Kind:
    return KINDS[name]
