"""`amkit undo`: revert the last write command as a whole, from the audit log (issue 21).

Every entry the Store writes carries the run of its command invocation (audit_log.run, m120);
a run is one transaction, so a 10,000-row import is one run and one undo. The stack is the
user's runs that changed rows, newest first, without the undo runs themselves and the runs they
already reverted: `undo` again reverts the one before.

Reverting a run replays its entries backwards through the audited Store's audit path, so the
undo is itself in the log (entries with the command `amkit undo`, plus one `undo` entry naming
the run it reverts) and `audit verify` still replays every row:
- an insert is deleted, an update gets its before values back, a deleted row is inserted again
  with its id and every column as it was (PostgreSQL's sequences already passed those ids);
- values go back exactly as stored: sealed contact fields stay sealed (no re-encryption).

Refusals (exit 4, nothing written): a run that erased or merged customers (PIPL erase is never
reverted, nor anything whose payload an erase blanked); a run whose rows a later command changed
(that command is named: undo it first, or fix by hand). The stack holds the user's own runs only
(`who`); a team login that may not read the log reads its own runs through amkit's functions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

import sqlalchemy as sa
from sqlmodel import Session

from amkit.errors import Conflict, NotFound
from amkit.store.audit import audited_tables, jsonable
from amkit.store.writer import Store

REVERSIBLE = ("insert", "update", "delete")
BARRIERS = ("erase", "merge")  # row changes that are never reverted
ROLE_TABLES = ("users", "amkit_policies")  # team setup / user grant: database roles come with them
CHUNK = 500


@dataclass
class Run:
    """One command invocation as the log has it."""

    run: str
    who: str
    command: str
    at: dt.datetime
    first_id: int
    last_id: int
    changes: Counter = field(default_factory=Counter)  # (action, table) -> entries
    barrier: str | None = None  # the action that makes it irreversible (erase, merge, reset)

    def summary(self) -> dict[str, Any]:
        tables: dict[str, dict[str, int]] = {}
        for (action, table), n in sorted(self.changes.items()):
            tables.setdefault(table, {})[action] = n
        return {"run": self.run, "at": self.at, "who": self.who, "command": self.command,
                "entries": sum(self.changes.values()), "changes": tables, "undoable": self.barrier is None,
                "first_entry": self.first_id, "last_entry": self.last_id}


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _at(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _restricted(session: Session) -> bool:
    """A team login that may not read the log: it reads through amkit's narrow functions
    (policy step p004), which only give its own runs and the later entries of their rows."""
    from amkit.store import scope as team

    if team.restricted(session) is None:
        return False
    if session.execute(sa.text("SELECT to_regproc('amkit_audit_own_runs')")).scalar() is None:
        raise Conflict("team mode needs `amkit team setup` again (as the owner) after this upgrade: "
                       "undo reads the audit log through amkit_audit_own_runs")
    return True


def _reverted(session: Session) -> tuple[set[str], set[str]]:
    """(runs already reverted, the undo runs themselves)."""
    done, undo_runs = set(), set()
    if _restricted(session):
        pairs = session.execute(sa.text("SELECT run, reverted FROM amkit_audit_reverted()")).all()
    else:
        pairs = [(run, (_json(after) or {}).get("run"))
                 for run, after in session.execute(sa.text("SELECT run, after FROM audit_log WHERE action = 'undo'"))]
    for run, reverted in pairs:
        if reverted:
            done.add(reverted)
        if run:
            undo_runs.add(run)
    return done, undo_runs


def stack(session: Session, who: str, limit: int = 0) -> list[Run]:
    """`who`'s runs that changed rows and are not reverted yet, newest first."""
    done, undo_runs = _reverted(session)
    if _restricted(session):  # the function gives the login's own runs (who is the login)
        rows = session.execute(sa.text("SELECT * FROM amkit_audit_own_runs()")).all()
    else:
        rows = session.execute(sa.text(
            "SELECT run, command, min(at), min(id), max(id), action, table_name, count(*) FROM audit_log "
            "WHERE run IS NOT NULL AND who = :who GROUP BY run, command, action, table_name"), {"who": who}).all()
    runs: dict[str, Run] = {}
    for run, command, at, first, last, action, table, n in rows:
        if run in done or run in undo_runs:
            continue
        found = runs.get(run)
        if found is None:
            found = runs[run] = Run(run, who, command, _at(at), first, last)
        found.first_id, found.last_id = min(found.first_id, first), max(found.last_id, last)
        if action in BARRIERS or table == "*" or (table in ROLE_TABLES and action in REVERSIBLE):
            found.barrier = found.barrier or (action if action in BARRIERS else "reset" if table == "*" else "roles")
        if action in REVERSIBLE or action in BARRIERS:
            found.changes[(action, table)] += n
    listed = sorted((r for r in runs.values() if r.changes), key=lambda r: -r.last_id)
    return listed[:limit] if limit else listed


def find(session: Session, who: str, run: str | None = None) -> Run:
    runs = stack(session, who)
    if not runs:
        raise NotFound("nothing to undo: no command of yours changed any record")
    if run is None:
        return runs[0]
    for found in runs:
        if found.run == run:
            if found is not runs[0]:
                raise Conflict(f"run {run} is not the last one on the stack: undo the later ones first "
                               f"(amkit undo --list)")
            return found
    raise NotFound(f"no run {run!r} on your undo stack (amkit undo --list)")


@dataclass
class Plan:
    run: Run
    entries: list[tuple[int, str, str, int, Any, Any]]  # (id, action, table, row_id, before, after)

    def counts(self) -> dict[str, dict[str, int]]:
        """What the undo does, per table: deleted / restored / reverted rows."""
        word = {"insert": "deleted", "delete": "restored", "update": "reverted"}
        out: dict[str, dict[str, int]] = {}
        for _, action, table, _, _, _ in self.entries:
            bucket = out.setdefault(table, {})
            bucket[word[action]] = bucket.get(word[action], 0) + 1
        return out


def plan(session: Session, who: str, run: str | None = None) -> Plan:
    """What undoing `who`'s last run (or `run`, which must be the last) would do; refuses
    (Conflict) when it cannot be undone. Reads only."""
    target = find(session, who, run)
    if target.barrier is not None:
        raise Conflict(f"the last command, {target.command!r} of {target.at:%Y-%m-%d %H:%M} (run {target.run}), "
                       f"cannot be undone: it {_why(target.barrier)}")
    entries = []
    erased = False
    sql = ("SELECT * FROM amkit_audit_run_entries(:run)" if _restricted(session) else
           "SELECT id, action, table_name, row_id, before, after, erased FROM audit_log WHERE run = :run "
           "AND action IN ('insert', 'update', 'delete') ORDER BY id")
    for eid, action, table, row_id, before, after, was_erased in session.execute(sa.text(sql), {"run": target.run}):
        erased = erased or bool(was_erased)
        entries.append((eid, action, table, row_id, _json(before), _json(after)))
    if erased:
        raise Conflict(f"{target.command!r} (run {target.run}) cannot be undone: personal data it wrote was "
                       "erased later (customer erase); erased data is never restored")
    _check_later(session, target, {(e[2], e[3]) for e in entries})
    _check_dependents(session, target, entries)
    return Plan(target, entries)


def _check_dependents(session: Session, target: Run, entries: list[tuple]) -> None:
    """Refuse to delete rows the run inserted while other rows (added by later commands) point
    at them: the database would delete or unlink those silently, outside the log."""
    inserted: dict[str, set[int]] = {}
    for _, action, table, row_id, _, _ in entries:
        if action == "insert":
            inserted.setdefault(table, set()).add(row_id)
    if not inserted:
        return
    for child in audited_tables():
        for fk in child.foreign_keys:
            parent = fk.column.table.name
            ids = sorted(inserted.get(parent, ()))
            if fk.column.name != "id" or not ids:
                continue
            own = inserted.get(child.name, set())
            for start in range(0, len(ids), CHUNK):
                found = [i for i in session.execute(sa.select(child.c.id).where(
                    fk.parent.in_(ids[start:start + CHUNK]))).scalars() if i not in own]
                if found:
                    raise Conflict(f"{target.command!r} (run {target.run}) cannot be undone: later records depend on "
                                   f"what it added ({child.name} {', '.join(map(str, found[:5]))}); "
                                   "delete or undo them first")


def _why(barrier: str) -> str:
    return {"erase": "erased personal data (PIPL), which is never restored",
            "merge": "merged customers; split them by hand",
            "reset": "replaced the whole database (demo)",
            "roles": "changed team-mode logins or policies; use amkit user/team commands"}.get(barrier, barrier)


def _check_later(session: Session, target: Run, rows: set[tuple[str, int]]) -> None:
    """Refuse when a later command (not itself reverted) changed one of these rows."""
    done, undo_runs = _reverted(session)
    tables = sorted({t for t, _ in rows})
    if not tables:
        return
    if _restricted(session):
        pairs = json.dumps([{"t": t, "i": i} for t, i in sorted(rows)])
        later = session.execute(sa.text("SELECT * FROM amkit_audit_later(:last, CAST(:rows AS json))"),
                                {"last": target.last_id, "rows": pairs})
    else:
        later = session.execute(sa.text(
            "SELECT id, run, who, command, at, action, table_name, row_id FROM audit_log WHERE id > :last "
            "AND action IN ('insert', 'update', 'delete', 'erase', 'merge') AND table_name IN :tables ORDER BY id")
            .bindparams(sa.bindparam("tables", expanding=True)), {"last": target.last_id, "tables": tables})
    for eid, run, who, command, at, action, table, row_id in later:
        if run is not None and (run in done or run in undo_runs):
            continue
        if (table, row_id) in rows:
            raise Conflict(f"a later command changed the same records: {command!r} by {who} at "
                           f"{_at(at):%Y-%m-%d %H:%M} ({table} {row_id}, audit entry {eid}); undo it first")


# --- applying -------------------------------------------------------------------------------

def _tables() -> dict[str, sa.Table]:
    return {t.name: t for t in audited_tables()}


def _python(column: sa.Column, value: Any) -> Any:
    """A logged (JSON) value back into the column's Python type."""
    if value is None:
        return None
    typ = column.type.impl if isinstance(column.type, sa.TypeDecorator) else column.type
    if isinstance(typ, sa.DateTime):
        return _at(value)
    if isinstance(typ, sa.Date):
        return dt.date.fromisoformat(str(value)[:10])
    if isinstance(typ, sa.Numeric) and not isinstance(typ, (sa.Integer, sa.Float)):
        return Decimal(str(value))
    if isinstance(typ, sa.Boolean):
        return bool(value)
    if isinstance(typ, sa.JSON):
        return value
    if isinstance(typ, sa.Integer):
        return int(value)
    return value


def _values(table: sa.Table, data: dict[str, Any]) -> dict[str, Any]:
    return {k: _python(table.c[k], v) for k, v in data.items() if k in table.c}


def _groups(entries: Iterable[tuple]) -> Iterable[tuple[str, str, list[tuple]]]:
    """Consecutive entries of one action and table (newest first), in chunks."""
    group: list[tuple] = []
    for entry in entries:
        if group and ((entry[1], entry[2]) != (group[0][1], group[0][2]) or len(group) >= CHUNK):
            yield group[0][1], group[0][2], group
            group = []
        group.append(entry)
    if group:
        yield group[0][1], group[0][2], group


def apply(st: Store, p: Plan) -> dict[str, dict[str, int]]:
    """Revert the planned run through `st` (audited); return what was done per table. A row that
    cannot come back (what it refers to is gone, or its unique name is taken) is a Conflict."""
    try:
        return _apply(st, p)
    except sa.exc.IntegrityError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
        raise Conflict(f"{p.run.command!r} (run {p.run.run}) cannot be undone: the database refused it "
                       f"({reason})") from None


def _apply(st: Store, p: Plan) -> dict[str, dict[str, int]]:
    tables = _tables()
    session = st.session
    for action, name, group in _groups(reversed(p.entries)):
        table = tables.get(name)
        if table is None:
            raise Conflict(f"cannot undo {p.run.command!r}: table {name!r} is not an audited table")
        ids = [e[3] for e in group]
        if action == "insert":
            current = {r["id"]: r for r in session.execute(sa.select(table).where(table.c.id.in_(ids))).mappings()}
            session.execute(table.delete().where(table.c.id.in_(ids)))
            for _, _, _, row_id, _, after in group:
                row = current.get(row_id)
                before = {k: jsonable(v) for k, v in row.items()} if row is not None else after
                st.record("delete", name, row_id, before, None)
        elif action == "update":
            for _, _, _, row_id, before, after in group:
                values = _values(table, before or {})
                if values:
                    session.execute(table.update().where(table.c.id == row_id).values(**values))
                st.record("update", name, row_id, after, before)
        else:  # delete: the row comes back with its id
            for _, _, _, row_id, before, _ in group:
                values = _values(table, before or {})
                values["id"] = row_id
                session.execute(table.insert().values(**values))
                st.record("insert", name, row_id, None, before)
    session.flush()
    st.record("undo", "audit_log", None, None, {"run": p.run.run, "command": p.run.command,
                                                "entries": len(p.entries)})
    return p.counts()
