"""DDL of an FTS5 trigram index (amkit.store.fts searches it): the external-content table,
its three triggers and the rebuild, for the migration steps that add one (m060)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa


def statements(index: str, table: str, columns: Sequence[str]) -> list[str]:
    """DDL of the FTS5 index ``index`` over ``table.columns`` (rowid = table.id), its
    insert/delete/update triggers, and a rebuild that indexes the rows already there."""
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({cols}, content='{table}', content_rowid='id', "
        "tokenize='trigram')",
        f"CREATE TRIGGER {index}_ai AFTER INSERT ON {table} BEGIN\n  {insert}\nEND",
        f"CREATE TRIGGER {index}_ad AFTER DELETE ON {table} BEGIN\n  {delete}\nEND",
        f"CREATE TRIGGER {index}_au AFTER UPDATE OF {cols} ON {table} BEGIN\n  {delete}\n  {insert}\nEND",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


def create_index(conn: sa.Connection, index: str, table: str, columns: Sequence[str]) -> bool:
    """Create the index on SQLite with FTS5 trigram; elsewhere nothing (LIKE/ILIKE fallback)."""
    if conn.dialect.name != "sqlite" or not trigram_available(conn):
        return False
    for statement in statements(index, table, columns):
        conn.exec_driver_sql(statement)
    return True


def trigram_available(conn: sa.Connection) -> bool:
    """Probe in a savepoint: an SQLite without FTS5 or trigram gets no index (LIKE fallback)."""
    import sqlalchemy as sa

    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE VIRTUAL TABLE temp._amkit_probe USING fts5(x, tokenize='trigram')")
            conn.exec_driver_sql("DROP TABLE temp._amkit_probe")
    except sa.exc.OperationalError:
        return False
    return True
