"""Many rows into one SQLite table with a single DB-API executemany (imports, the audit log).

SQLAlchemy's executemany builds and processes a parameter dict per row, which costs more than
SQLite's insert itself; here the values go column by column through the columns' own bind
processors (so dates, booleans and JSON are stored exactly as SQLAlchemy stores them) and are
zipped into tuples. SQLite only: callers keep SQLAlchemy's insert for other databases.
"""

from __future__ import annotations

from datetime import datetime
from operator import itemgetter
from typing import Any, Callable, Sequence

import sqlalchemy as sa


def usable(table: sa.Table, keys: Sequence[str]) -> bool:
    """True when the rows give every column that has a Python-side default (which SQLAlchemy,
    not the database, would fill in): then a plain INSERT of these keys is complete."""
    given = set(keys)
    return all(c.key in given for c in table.columns if c.default is not None)


def insert(session: Any, table: sa.Table, rows: Sequence[dict[str, Any]], ids: Sequence[int] | None = None) -> None:
    """INSERT `rows` (dicts of one shape), with `ids` as their id column when given."""
    columns: dict[str, Sequence[Any]] = {} if ids is None else {"id": ids}
    for key in rows[0]:
        columns[key] = list(map(itemgetter(key), rows))
    insert_columns(session, table, columns)


def insert_columns(session: Any, table: sa.Table, columns: dict[str, Sequence[Any]]) -> None:
    """INSERT one row per position of the equally long value lists in `columns`."""
    conn = session.connection()
    dialect = conn.dialect
    assert dialect.name == "sqlite", "bulk inserts are the SQLite path"
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(table.c[k].name) for k in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    processed = []
    for key, values in columns.items():
        proc = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None and isinstance(table.c[key].type, sa.DateTime):
            proc = _datetime_text(proc)
        processed.append(values if proc is None else _apply(proc, values))
    conn.exec_driver_sql(sql, list(zip(*processed)))


def _datetime_text(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """SQLAlchemy's SQLite DATETIME text ('2026-11-23 09:00:00.000000') of a naive datetime by
    datetime.isoformat, in C (4x quicker); anything else goes to SQLAlchemy's own processor."""
    from amkit.store.raw import sqlite_datetime

    def text(value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is None:
            return sqlite_datetime(value)
        return proc(value)

    return text


def _apply(proc: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """proc over values, once per run of the same object (None, one timestamp for a batch)."""
    out = []
    last: Any = out  # a sentinel no value is
    done = None
    for value in values:
        if value is not last:
            last, done = value, proc(value)
        out.append(done)
    return out
