"""Read-only queries on the DB-API driver itself (sqlite3 or psycopg), without SQLAlchemy.

Importing SQLAlchemy, SQLModel and the models costs about half a second per process, more
than the queries of a report on 100k customers. The hot read paths (remind, followup
search, tier run --dry-run, score card) therefore run their set-based SQL here:

    with store.reader() as r:
        rows = r.rows("SELECT id, name FROM customers WHERE created_at < :cutoff", cutoff=moment)

SQL is written once, portable, with `:name` parameters; date and datetime parameters are
stored the way SQLAlchemy stores them (ISO text on SQLite), and `day()`/`moment()` read them
back from either backend. Writes never come here: they go through amkit.store.writer (audit
log). A database that does not exist yet or has pending migrations is created and migrated by
amkit.store.engine first (amkit.store.reader() does that).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from amkit.core.parse import record_id
from amkit.errors import Conflict, NotFound, ServiceError

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


class Reader:
    """One read transaction (a consistent snapshot across the queries of a command)."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    @classmethod
    def of_session(cls, session: Any) -> "Reader":
        """The same queries inside an amkit.store.engine session's transaction (e.g. before a write)."""
        raw = session.connection().connection.dbapi_connection
        return cls(raw, session.get_bind().dialect.name)

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def rows(self, sql: str, **params: Any) -> list[tuple]:
        cur = self.conn.cursor()
        try:
            if self.sqlite:
                cur.execute(sql, {k: _sqlite_param(v) for k, v in params.items()})
            else:
                cur.execute(_NAMED.sub(r"%(\1)s", sql.replace("%", "%%")), params)
            return cur.fetchall()
        except Exception as exc:  # noqa: BLE001 - the driver's errors, mapped like amkit.store.engine does
            raise _mapped(exc) from None
        finally:
            cur.close()

    def in_list(self, name: str, values: list[Any]) -> tuple[str, dict[str, Any]]:
        """`IN (:name0, :name1, ...)` and its parameters (never an empty list: NULL)."""
        if not values:
            return "(NULL)", {}
        params = {f"{name}{i}": v for i, v in enumerate(values)}
        return "(" + ", ".join(":" + k for k in params) + ")", params


def manager(r: Reader, name: str) -> tuple[int, str]:
    """A manager's (id, name) by exact name or id (`--owner NAME`), as amkit.lookup.manager finds it."""
    text = (name or "").strip()
    found = r.rows("SELECT id, name FROM managers WHERE name = :name", name=text)
    if not found and record_id(text):
        found = r.rows("SELECT id, name FROM managers WHERE id = :id", id=record_id(text))
    if not found:
        everyone = r.rows("SELECT id, name FROM managers")
        match = resolve_manager(text, [n for _, n in everyone])
        found = [row for row in everyone if row[1] == match]
    return found[0]


def resolve_manager(text: str, names: list[str]) -> str:
    """The one manager name a short reference means (unique prefix, substring, pinyin), or
    NotFound with up to 3 close names; several is Conflict listing them (SPEC §1 identity)."""
    from amkit.core.similar import resolve, suggest

    found = resolve(text, names) if text else []
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise Conflict(f"manager {text!r} is ambiguous: {len(found)} matches", details=found[:10])
    raise manager_not_found(text, suggest(text, names))


def manager_id(r: Reader, name: str) -> int:
    return manager(r, name)[0]


def manager_not_found(text: str, near: list[str] | None = None) -> NotFound:
    if near:
        return NotFound(f"manager not found: {text!r} (did you mean: {', '.join(near)}?)")
    return NotFound(f"manager not found: {text!r} (add it with: amkit manager add {text!r})")


def sqlite_datetime(value: dt.datetime) -> str:
    """SQLAlchemy's DATETIME text on SQLite for a naive datetime: '2026-11-23 09:00:00.000000'."""
    return value.isoformat(" ", "microseconds")


def end_of(day: dt.date) -> dt.datetime:
    """The exclusive bound for a DATETIME column: ``at < end_of(day)`` means "on or before day"."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def _sqlite_param(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return sqlite_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@lru_cache(maxsize=16384)
def day(value: Any) -> dt.date | None:
    """A DATE or the date of a DATETIME column value, from either driver (memoised: a column
    of 100k rows holds a few thousand distinct days)."""
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def decimal(value: Any, places: int) -> Any:
    """A NUMERIC(_, places) value as SQLAlchemy reads it: SQLite keeps it as a float."""
    if isinstance(value, float):
        from decimal import Decimal

        return Decimal(f"{value:.{places}f}")
    return value


def moment(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def _mapped(exc: Exception) -> Exception:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "locked" in message or "busy" in message:
        return Conflict(f"database is locked ({message})")
    if getattr(exc, "sqlstate", None) == "42501":
        from amkit.errors import OutOfScope

        return OutOfScope(f"refused by the database, out of your scope: {message}")
    return ServiceError(f"database error ({message})")


def connect(url: str) -> tuple[Any, str] | None:
    """A read connection (one read transaction) and its dialect, or None when the database
    does not exist yet or has migrations pending (amkit.store prepares it, then asks again)."""
    if url.startswith("sqlite:"):
        conn = _sqlite(url)
        return (conn, "sqlite") if conn is not None else None
    conn = _postgres(url)
    return (conn, "postgresql") if conn is not None else None


def close(conn: Any) -> None:
    try:
        conn.rollback()  # read-only: nothing to keep
    finally:
        conn.close()


BUSY_TIMEOUT_S = 30.0  # as amkit.store.engine


def _pending(done: list[str] | None) -> bool:
    from amkit.store.migrations.catalog import names

    return done is None or not set(names()) <= set(done)


def _migrations_done(conn: Any) -> list[str] | None:
    try:
        cur = conn.execute("SELECT name FROM amkit_migrations")
    except Exception:  # noqa: BLE001 - no table yet (sqlite3 or psycopg error)
        return None
    return [row[0] for row in cur.fetchall()]


def _sqlite(url: str) -> Any:
    import sqlite3
    from pathlib import Path

    path = url.split("sqlite:///", 1)[-1]
    if not Path(path).is_file():
        return None
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("BEGIN DEFERRED")
        if not _pending(_migrations_done(conn)):
            return conn
    except sqlite3.Error as exc:
        conn.close()
        raise _mapped(exc) from None
    conn.close()
    return None


def _postgres(url: str) -> Any:
    try:
        import psycopg
    except ImportError:
        return None  # amkit.store.engine names the missing driver (exit 2)
    try:
        conn = psycopg.connect(re.sub(r"^postgresql\+\w+://", "postgresql://", url))
    except psycopg.Error:
        return None  # amkit.store.engine reports why (exit 2 or 5)
    done = _migrations_done(conn)
    conn.rollback()
    if _pending(done):
        conn.close()
        return None
    return conn
