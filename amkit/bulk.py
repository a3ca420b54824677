"""Many rows into one SQLite table with a single DB-API executemany (imports, the audit log).

SQLAlchemy's executemany builds and processes a parameter dict per row, which costs more than
SQLite's insert itself; here each row becomes a tuple, converted by the columns' own bind
processors (so dates, booleans and JSON are stored exactly as SQLAlchemy stores them).
SQLite only: callers keep SQLAlchemy's insert for other databases.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import sqlalchemy as sa


def usable(table: sa.Table, keys: Sequence[str]) -> bool:
    """True when the rows give every column that has a Python-side default (which SQLAlchemy,
    not the database, would fill in): then a plain INSERT of these keys is complete."""
    given = set(keys)
    return all(c.key in given for c in table.columns if c.default is not None)


def insert(session: Any, table: sa.Table, rows: Sequence[dict[str, Any]], ids: Sequence[int] | None = None) -> None:
    """INSERT `rows` (dicts of one shape), with `ids` as their id column when given."""
    conn = session.connection()
    dialect = conn.dialect
    assert dialect.name == "sqlite", "bulk.insert is the SQLite path"
    keys = list(rows[0])
    quote = dialect.identifier_preparer.quote
    columns = (["id"] if ids is not None else []) + keys
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(table.c[k].name) for k in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    columns_data: list[list[Any]] = [] if ids is None else [list(ids)]
    for k in keys:  # column by column: each processor once per value, no per-row dispatch
        proc: Callable[[Any], Any] | None = table.c[k].type.dialect_impl(dialect).bind_processor(dialect)
        column = [row[k] for row in rows]
        columns_data.append(column if proc is None else [proc(v) for v in column])
    conn.exec_driver_sql(sql, list(zip(*columns_data)))
