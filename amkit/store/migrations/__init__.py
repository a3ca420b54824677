"""Named, ordered schema migrations, recorded in the `amkit_migrations` table.

Each step is a module `mNNN_name.py` in this package with `upgrade(op)`, where `op` is an
alembic ``Operations`` object (dialect-portable DDL for SQLite and PostgreSQL). Steps run in
name order, exactly once each, inside one transaction. A shipped step is never edited: add a
new one. A test migrates an empty database and compares the result with the SQLModel models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable

from amkit.store.migrations.catalog import latest, names

__all__ = ["applied", "id_column", "latest", "migrate", "names", "step"]

if TYPE_CHECKING:  # SQLAlchemy is imported where it is used
    import sqlalchemy as sa
    from alembic.operations import Operations


def id_column() -> sa.Column:
    import sqlalchemy as sa

    return sa.Column("id", sa.Integer, primary_key=True)


def step(name: str) -> Callable[["Operations"], None]:
    return importlib.import_module(f"{__name__}.{name}").upgrade


def applied(conn: sa.Connection) -> list[str]:
    import sqlalchemy as sa

    if not sa.inspect(conn).has_table("amkit_migrations"):
        return []
    return [row[0] for row in conn.execute(sa.text("SELECT name FROM amkit_migrations ORDER BY id"))]


def migrate(conn: sa.Connection, upto: str | None = None, audited: list[tuple[str, dict]] | None = None) -> list[str]:
    """Apply the pending steps (all, or up to and including `upto`); return their names.

    A step that changes audited rows returns the audit items of those changes (``{"action",
    "table_name", "row_id", "before", "after"}``); they are added to ``audited`` as (step name,
    item) for the caller to append to the audit log in the same transaction (amkit.store.engine
    does), since the migrations sit below amkit.store.audit."""
    import sqlalchemy as sa

    _ensure_table(conn)
    done = set(applied(conn))
    todo = names()
    if upto is not None:
        todo = todo[: todo.index(upto) + 1]
    pending = [n for n in todo if n not in done]
    if not pending:
        return []
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    op = Operations(MigrationContext.configure(conn))
    ran: list[str] = []
    for name in pending:
        items = step(name)(op)
        if items and audited is not None:
            audited.extend((name, item) for item in items)
        conn.execute(
            sa.text("INSERT INTO amkit_migrations (name, applied_at) VALUES (:n, CURRENT_TIMESTAMP)"),
            {"n": name},
        )
        ran.append(name)
    return ran


def _ensure_table(conn: sa.Connection) -> None:
    import sqlalchemy as sa

    meta = sa.MetaData()
    sa.Table(
        "amkit_migrations",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("applied_at", sa.DateTime, nullable=False),
    )
    meta.create_all(conn)
