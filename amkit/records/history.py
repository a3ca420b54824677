"""`amkit history`: the audit log read git-log style, one block per command (run), each change in
words: labels, money as ¥ amounts, names instead of ids (issue 21). Also the words that `edit`
and `undo` print."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit.core import enums
from amkit.core.parse import MAX_ID, parse_date, record_id
from amkit.errors import bad_value
from amkit.records.spec import BY_TABLE, KINDS, Kind
from amkit.store import lookup
from amkit.store.crypto import PREFIX as SEALED  # a sealed contact field is never shown in history
from amkit.ui.i18n import counted, enum_label, t

HIDDEN = {"name_pinyin", "name_initials", "phone_hash", "email_hash", "created_at"}
SHOWN = {"amount_cents": "money", "value_cents": "money", "channel": "channel", "stage": "stage",
         "customer_id": "customer", "owner_id": "manager", "contact_id": "contact", "active": "bool",
         "tier_locked": "bool", "nps": "bool", "birthday_lunar": "bool"}


def word(how: str, value: Any, session: Session | None = None) -> str:
    """A stored (or logged) value as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and value.startswith(SEALED):
        return t("(encrypted)")
    if how in ("money", "ratio", "bool"):  # as a table cell shows it (one formatting of money and ratios)
        from amkit.ui.render import Col, cell_text

        return cell_text(Decimal(str(value)) / 100 if how == "money" else value, Col("value", "value", how))
    if how in ("date", "datetime"):
        text = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
        return text.replace("T", " ")[: 16 if how == "datetime" else 10]
    if how in ("customer", "manager", "contact") and session is not None:
        name = _name(session, {"customer": "customers", "manager": "managers", "contact": "contacts"}[how],
                     int(value))
        return name or f"#{value}"
    if how in ("channel", "stage"):
        return enum_label(str(value), enums.CHANNELS if how == "channel" else enums.DEAL_STAGES)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat().replace("T", " ")
    return str(value)


def _name(session: Session, table: str, row_id: int) -> str | None:
    names = session.info.setdefault("amkit_names", {})  # one look-up per record and command
    key = (table, row_id)
    if key not in names:
        found = session.execute(sa.text(f"SELECT name FROM {table} WHERE id = :i"), {"i": row_id}).first()
        names[key] = found[0] if found else None
    return names[key]


def record_name(session: Session, kind: Kind, record: Any) -> str:
    """What names a record in a message: its title field, shortened."""
    if not kind.title:
        return ""
    value = getattr(record, kind.title, None) if not isinstance(record, dict) else record.get(kind.title)
    text = str(value or "").replace("\n", " ")
    return text[:30] + ("…" if len(text) > 30 else "")


def _field_words(table: str, column: str) -> tuple[str, str]:
    """(label, how it reads) of a column: from the record kinds, else the column in words."""
    kind = BY_TABLE.get(table)
    for f in kind.fields if kind else ():
        if f.column == column:
            return t(f.label), f.shown
    how = SHOWN.get(column, "text")
    if column.endswith(("_at", "opened", "resolved")):
        how = "datetime"
    elif column in ("date", "on", "created", "closed_at", "next_date", "expected_close", "snoozed_until"):
        how = "date"
    label = column.removesuffix("_cents").removesuffix("_id").replace("_", " ")
    return t(label), how


def _label(table: str) -> str:
    kind = BY_TABLE.get(table)
    return t(kind.label) if kind else t(table.replace("_", " "))


def change_text(session: Session, action: str, table: str, row_id: Any, before: Any, after: Any,
                erased: bool) -> list[str]:
    what = t("{kind} {id}", kind=_label(table), id=row_id) if row_id is not None else _label(table)
    kind = BY_TABLE.get(table)
    if erased:
        return [t("{record}: personal data erased", record=what)]
    if action == "undo":
        after = after or {}
        return [t("undid {command} (run {run}, {n} changes)", command=after.get("command"), run=after.get("run"),
                  n=after.get("entries"))]
    if action in ("insert", "delete"):
        data = (after if action == "insert" else before) or {}
        name = record_name(session, kind, data) if kind else ""
        shown = t("{kind} {id} ({name})", kind=_label(table), id=row_id, name=name) if name else what
        return [t("added {record}", record=shown) if action == "insert" else t("deleted {record}", record=shown)]
    if action == "update":
        lines = []
        for column, new in (after or {}).items():
            if column in HIDDEN:
                continue
            label, how = _field_words(table, column)
            old = (before or {}).get(column)
            old_w, new_w = word(how, old, session), word(how, new, session)
            lines.append({"text": t("{record}: {field}: {before} → {after}", record=what, field=label, before=old_w,
                                    after=new_w), "field": label, "before": old_w,
                          "after": new_w})
        return lines
    if action == "erase":
        return [t("{record}: personal data erased", record=what)]
    if action == "merge":
        return [t("merged customer {dropped} into {record}", dropped=(after or {}).get("dropped"), record=what)]
    return [f"{action} {what}"]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _customer_rows(session: Session, ref: str) -> set[tuple[str, int]]:
    """(table, id) of the customer and of every record of it, now or ever (per the log): rows
    with its customer_id, and the payments and stage history of its deals."""
    from amkit.store.audit import audited_tables

    cid = lookup.customer(session, ref).id
    rows = {("customers", cid)}
    tables = [tb for tb in audited_tables() if "customer_id" in tb.c]
    for tb in tables:
        rows.update((tb.name, i) for i in session.execute(sa.select(tb.c.id).where(tb.c.customer_id == cid)).scalars())
    names = [tb.name for tb in tables]
    for table, row_id, before, after in session.execute(sa.text(
            "SELECT table_name, row_id, before, after FROM audit_log WHERE table_name IN :t "
            "AND action IN ('insert', 'update', 'delete')").bindparams(sa.bindparam("t", expanding=True)),
            {"t": names}):
        for data in (_json(before), _json(after)):
            if isinstance(data, dict) and data.get("customer_id") == cid:
                rows.add((table, row_id))
    deals = {i for t_, i in rows if t_ == "deals"}
    for tb in (tb for tb in audited_tables() if "deal_id" in tb.c):
        for row_id, deal_id in session.execute(sa.select(tb.c.id, tb.c.deal_id)):
            if deal_id in deals:
                rows.add((tb.name, row_id))
        for row_id, before, after in session.execute(sa.text(
                "SELECT row_id, before, after FROM audit_log WHERE table_name = :t AND action IN ('insert', 'delete')"),
                {"t": tb.name}):
            data = _json(after) or _json(before) or {}
            if data.get("deal_id") in deals:
                rows.add((tb.name, row_id))
    return rows


def read(session: Session, customer: str | None = None, record: tuple | None = None, since: str | None = None,
         limit: int = 50) -> list[dict[str, Any]]:
    """Commands (newest first) with their changes in words, filtered."""

    where, params = ["action IN ('insert', 'update', 'delete', 'erase', 'merge', 'undo')"], {}
    if record and record[0] is not None:
        kind_name, ident = record
        kind = KINDS.get(kind_name.strip().lower()) or BY_TABLE.get(kind_name.strip().lower())
        if kind is None:
            raise bad_value("--record", kind_name, "expected one of " + ", ".join(KINDS))
        row_id = record_id(ident)
        if row_id is None:
            raise bad_value("--record", ident, f"expected the record's id (a whole number from 1 to {MAX_ID})")
        where.append("table_name = :table AND row_id = :row")
        params.update(table=kind.table, row=row_id)
    day = parse_date("--since", since)
    if day:
        where.append("at >= :since")
        params["since"] = dt.datetime.combine(day, dt.time())
    mine = _customer_rows(session, customer) if customer else None
    query = sa.text("SELECT id, at, who, command, run, action, table_name, row_id, before, after, erased "
                    f"FROM audit_log WHERE {' AND '.join(where)} ORDER BY id DESC")
    groups: list[dict[str, Any]] = []
    index: dict[Any, dict[str, Any]] = {}
    for eid, at, who, command, run, action, table, row_id, before, after, erased in session.execute(query, params):
        before, after = _json(before), _json(after)
        if mine is not None and (table, row_id) not in mine and action != "undo":
            continue
        key = run or (who, command, str(at))
        group = index.get(key)
        if group is None:
            if limit and len(groups) >= limit:
                break
            stamp = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
            group = index[key] = {"run": run, "at": stamp.isoformat(sep=" ", timespec="minutes"), "who": who,
                                  "command": command, "changes": [], "_entries": []}
            groups.append(group)
        group["_entries"].append((eid, action, table, row_id, before, after, erased))
    out = []
    for group in groups:
        changes = []
        for eid, action, table, row_id, before, after, erased in sorted(group.pop("_entries")):
            for text in change_text(session, action, table, row_id, before, after, bool(erased)):
                item = text if isinstance(text, dict) else {"text": text}
                changes.append({"entry": eid, "action": action, "table": table, "id": row_id, **item})
        if mine is not None and all(c["action"] == "undo" for c in changes):
            continue  # an undo of something else
        group["changes"] = changes
        out.append(group)
    return out


# --- undo's words ------------------------------------------------------------------------------

def run_row(run: Any) -> dict[str, Any]:
    parts = []
    for (action, table), n in sorted(run.changes.items()):
        verb = {"insert": "added", "update": "changed", "delete": "deleted"}.get(action, action)
        parts.append(t("{done} {what}", done=t(verb), what=counted(n, _noun(table))))
    return {"run": run.run, "at": run.at.isoformat(sep=" ", timespec="minutes"), "who": run.who,
            "command": run.command, "changes": t(", ").join(parts), "undoable": run.barrier is None}


def count_lines(counts: dict[str, dict[str, int]]) -> list[str]:
    return [t("{done} {what}", done=t(what), what=counted(n, _noun(table)))
            for table, by in sorted(counts.items()) for what, n in sorted(by.items())]


def _noun(table: str) -> str:
    """The English noun of a table's record (a kind's label, else the table's name)."""
    kind = BY_TABLE.get(table)
    if kind:
        return kind.label
    return table.replace("_", " ").removesuffix("s")  # handovers → handover, calendar_days → calendar day
