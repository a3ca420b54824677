"""The one write path: every insert/update/delete goes through a Store, which keeps the
append-only, hash-chained audit log (SPEC §2 audit log) in the same transaction.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from amkit import config
from amkit.errors import Conflict
from amkit.store.audit import JSON_READY, append, jsonable

T = TypeVar("T", bound=SQLModel)
AUDIT_BATCH = 1000  # audit entries written together (memory stays flat on big imports)


def snapshot(obj: SQLModel) -> dict[str, Any]:
    return {c.key: jsonable(getattr(obj, c.key)) for c in sa.inspect(type(obj)).column_attrs}


class Store:
    """Writes for one command. Reads go through `self.session` directly."""

    def __init__(self, session: Session, command: str = ""):
        self.session = session
        self.command = command
        from amkit.store import scope as team

        scope = team.scope(session)
        self.who = scope.login if scope else config.current_user()
        self._pending: list[dict[str, Any]] = []
        self._key_checked = False
        import secrets

        # this command's run: every entry it writes carries it, so `amkit undo` reverts it whole
        self.run = secrets.token_hex(8)
        self.at = config.now()

    # --- ORM writes -----------------------------------------------------------------
    def add(self, obj: T) -> T:
        _check(obj.__table__, [{c: getattr(obj, c, None) for c in _limits(obj.__table__)}])
        _before_write(obj)
        if obj.__tablename__ == "contacts":
            self._seal(obj)
        self.session.add(obj)
        self.session.flush()
        self.record("insert", obj.__tablename__, obj.id, None, snapshot(obj))
        return obj

    def update(self, obj: T, changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
        """Apply `changes`; return {field: (old, new)} for the fields that changed."""
        diff: dict[str, tuple[Any, Any]] = {}
        if obj.__tablename__ == "contacts":
            changes = self._seal_changes({k: getattr(obj, k) for k in changes}, changes)
        for key, new in changes.items():
            old = getattr(obj, key)
            if old != new:
                diff[key] = (old, new)
                setattr(obj, key, new)
        if diff:
            _check(obj.__table__, [{k: v[1] for k, v in diff.items()}])
            _before_write(obj)
            self.session.add(obj)
            self.session.flush()
            self.record(
                "update",
                obj.__tablename__,
                obj.id,
                {k: jsonable(v[0]) for k, v in diff.items()},
                {k: jsonable(v[1]) for k, v in diff.items()},
            )
        return diff

    def delete(self, obj: SQLModel) -> None:
        before = snapshot(obj)
        self.session.delete(obj)
        self.session.flush()
        self.record("delete", obj.__tablename__, before.get("id"), before, None)

    # --- bulk (imports) -------------------------------------------------------------
    def insert_many(self, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
        """Insert plain dicts with one statement per row batch; returns the new ids."""
        if not rows:
            return []
        table = model.__table__
        _check(table, rows)
        if table.name == "contacts":
            rows = [self._seal_changes({}, dict(row)) for row in rows]
        shape = rows[0].keys()
        if not all(row.keys() == shape for row in rows):  # executemany wants one shape
            keys = {k for row in rows for k in row}
            rows = [{k: row.get(k) for k in keys} for row in rows]
        ids = self._insert_rows(table, rows)
        afters = [{"id": new_id, **row} for new_id, row in zip(ids, rows)]
        for key in rows[0]:  # column by column: most columns hold only JSON-ready values
            if not JSON_READY.issuperset(map(type, map(itemgetter(key), rows))):
                for after in afters:
                    after[key] = jsonable(after[key])
        name = str(table.name)  # a plain str (table.name is SQLAlchemy's quoted_name)
        self._pending.extend({"action": "insert", "table_name": name, "row_id": new_id, "before": None, "after": after}
                             for new_id, after in zip(ids, afters))
        if len(self._pending) >= AUDIT_BATCH:
            self.flush_audit()
        return ids

    def _insert_rows(self, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
        """One executemany; the new ids in the rows' order.

        SQLite cannot promise the order of RETURNING rows, so SQLAlchemy would run one INSERT
        per row; but a write transaction there holds the database's only write lock (BEGIN
        IMMEDIATE), so the ids are given here: the next ones after the table's largest (what
        SQLite would pick for a table without AUTOINCREMENT). PostgreSQL keeps its sequence and
        returns the ids in order from one batched statement."""
        if self.session.get_bind().dialect.name != "sqlite":
            stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
            return list(self.session.execute(stmt, rows).scalars())
        from amkit.store import bulk

        last = self.session.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
        ids = list(range(last + 1, last + 1 + len(rows)))
        if bulk.usable(table, list(rows[0])):
            bulk.insert(self.session, table, rows, ids)
        else:  # SQLAlchemy fills in the Python-side column defaults the rows leave out
            self.session.execute(table.insert(), [{**row, "id": i} for row, i in zip(rows, ids)])
        return ids

    def update_row(self, model: type[SQLModel], row_id: int, before: dict[str, Any], changes: dict[str, Any]) -> None:
        table = model.__table__
        _check(table, [changes])
        if table.name == "contacts":
            changes = self._seal_changes(before, changes)
            if not changes:
                return
        self.session.execute(table.update().where(table.c.id == row_id).values(**changes))
        self.record(
            "update", table.name, row_id,
            {k: jsonable(before.get(k)) for k in changes}, {k: jsonable(v) for k, v in changes.items()},
        )

    def discard(self) -> None:
        """Undo everything this command wrote (dry runs): roll back, drop pending audit."""
        self.session.rollback()
        self._pending.clear()

    # --- sensitive contact fields (amkit.crypto) ---------------------------------------
    def _seal(self, obj: SQLModel) -> None:
        from amkit.store import crypto

        if crypto.active():
            self._check_key()
            crypto.seal_obj(obj)

    def _seal_changes(self, before: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """Drop changes equal to the stored (decrypted) value; seal the rest."""
        from amkit.store import crypto

        if not crypto.active():
            return changes
        self._check_key()
        kept = {k: v for k, v in changes.items()
                if k not in crypto.FIELDS or k not in before or crypto.open_(k, before[k]) != v}
        return crypto.seal_row(kept)

    def check_key(self) -> None:
        """Record AMKIT_KEY's fingerprint if none is (`team setup`), or refuse another key."""
        self._check_key()

    def _check_key(self) -> None:
        """Remember the key's fingerprint on first use; refuse to mix keys in one database."""
        if self._key_checked:
            return
        from amkit.store import crypto
        from amkit.store.models import Meta

        mark = crypto.fingerprint()
        if mark is not None:
            found = self.session.get(Meta, crypto.CHECK_KEY)
            if found is None:
                self.session.merge(Meta(key=crypto.CHECK_KEY, value=mark))
                self.session.flush()
            elif found.value != mark:
                raise Conflict("AMKIT_KEY is not the key this database's contacts were encrypted with")
        self._key_checked = True

    # --- audit ----------------------------------------------------------------------
    def record(self, action: str, table: str, row_id: Any, before: Any, after: Any) -> None:
        self._pending.append(
            {"action": action, "table_name": table, "row_id": row_id, "before": before, "after": after}
        )
        if len(self._pending) >= AUDIT_BATCH:
            self.flush_audit()

    def flush_audit(self) -> None:
        if self._pending:
            append(self.session, self.who, self.command, self._pending, run=self.run, at=self.at)
            self._pending.clear()


def _before_write(obj: SQLModel) -> None:
    if obj.__tablename__ == "customers":
        from amkit.core.pinyin import keys

        obj.name_pinyin, obj.name_initials = keys(obj.name)


# --- limits checked before storage (SPEC §1: bad input is exit 2 naming the field) ----------
# Every string column: no control characters (free text keeps newlines and tabs) and at most
# the column's declared length (PostgreSQL enforces VARCHAR(n), SQLite would not); every
# amount_cents within the documented money range (amkit.core.parse.MAX_AMOUNT).
_NOT_CHECKED = {"audit_log", "amkit_meta", "amkit_policies"}
_FREE_TEXT = {"note", "reason"}
_LIMITS: dict[str, dict[str, tuple[str, int | None]]] = {}


def _limits(table: sa.Table) -> dict[str, tuple[str, int | None]]:
    """{column: (kind, max length)} for the columns _check looks at, kind line|text|cents."""
    found = _LIMITS.get(table.name)
    if found is None:
        found = {}
        for col in table.columns:
            if table.name in _NOT_CHECKED or col.name.endswith("_hash"):
                continue
            typ = col.type.impl if isinstance(col.type, sa.TypeDecorator) else col.type  # SQLModel's AutoString
            if isinstance(typ, sa.Text) or (isinstance(typ, sa.String) and col.name in _FREE_TEXT):
                found[col.name] = ("text", getattr(typ, "length", None))
            elif isinstance(typ, sa.String):
                found[col.name] = ("line", typ.length)
            elif col.name == "amount_cents":
                found[col.name] = ("cents", None)
        _LIMITS[table.name] = found
    return found


def _check(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    from amkit.core.parse import MAX_AMOUNT, check_text
    from amkit.errors import bad_value

    limits = _limits(table)
    if not limits:
        return
    top = int(MAX_AMOUNT * 100)
    for row in rows:
        for name, value in row.items():
            spec = limits.get(name)
            if spec is None or value is None:
                continue
            kind, length = spec
            if kind == "cents":
                if not -top <= value <= top:
                    raise bad_value("amount", f"{value / 100:.2f}", "over the limit of 1,000,000,000.00 (10亿)")
            elif isinstance(value, str):
                if length is not None and len(value) > length:
                    shown = value[:40] + "…"
                    raise bad_value(name, shown, f"longer than {length} characters ({len(value)})")
                check_text(name, value, multiline=kind == "text")
