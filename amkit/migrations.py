"""Named, ordered schema migrations, recorded in the `amkit_migrations` table.

Each step is a function taking an alembic ``Operations`` object (dialect-portable DDL for
SQLite and PostgreSQL) and runs exactly once, in the same transaction as the command that
first opens the database. Steps are never edited after they ship: add a new one.
A test migrates an empty database and compares the result with the SQLModel metadata.
"""

from __future__ import annotations

from typing import Callable

import sqlalchemy as sa
from alembic.operations import Operations

MIGRATIONS: list[tuple[str, Callable[[Operations], None]]] = []


def migration(fn: Callable[[Operations], None]) -> Callable[[Operations], None]:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True)


@migration
def m001_managers_customers_contacts(op: Operations) -> None:
    op.create_table(
        "managers",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("team", sa.String),
        sa.Column("lead", sa.String),
        sa.Column("email", sa.String),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_managers_name", "managers", ["name"], unique=True)
    op.create_index("ix_managers_team", "managers", ["team"])
    op.create_table(
        "customers",
        _id(),
        sa.Column("name", sa.String(300), nullable=False, unique=True),
        sa.Column("industry", sa.String),
        sa.Column("region", sa.String),
        sa.Column("source", sa.String),
        sa.Column("tier", sa.String(1), nullable=False),
        sa.Column("tier_locked", sa.Boolean, nullable=False),
        sa.Column("lifecycle", sa.String(20), nullable=False),
        sa.Column("tags", sa.String, nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("managers.id", ondelete="SET NULL")),
        sa.Column("name_pinyin", sa.String, nullable=False),
        sa.Column("name_initials", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("extra", sa.JSON),
    )
    for col in ("industry", "lifecycle", "tier", "owner_id", "name_pinyin", "name_initials"):
        op.create_index(f"ix_customers_{col}", "customers", [col])
    op.create_table(
        "contacts",
        _id(),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String),
        sa.Column("is_decision_maker", sa.Boolean, nullable=False),
        sa.Column("phone", sa.String),
        sa.Column("email", sa.String),
        sa.Column("wechat", sa.String),
        sa.Column("birthday", sa.String),
        sa.Column("birthday_lunar", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_contacts_customer_id", "contacts", ["customer_id"])


@migration
def m002_audit_log(op: Operations) -> None:
    op.create_table(
        "audit_log",
        _id(),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("who", sa.String, nullable=False),
        sa.Column("command", sa.String, nullable=False),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("table_name", sa.String, nullable=False),
        sa.Column("row_id", sa.Integer),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
        sa.Column("hash", sa.String, nullable=False),
    )
    op.create_index("ix_audit_log_table_name", "audit_log", ["table_name"])
    op.create_index("ix_audit_log_row_id", "audit_log", ["row_id"])


@migration
def m003_meta(op: Operations) -> None:
    """Key/value facts about the database itself (e.g. that it is a demo database)."""
    op.create_table(
        "amkit_meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.String, nullable=False),
    )


def applied(conn: sa.Connection) -> list[str]:
    if not sa.inspect(conn).has_table("amkit_migrations"):
        return []
    return [row[0] for row in conn.execute(sa.text("SELECT name FROM amkit_migrations ORDER BY id"))]


def migrate(conn: sa.Connection, upto: str | None = None) -> list[str]:
    """Apply the pending steps (all, or up to and including `upto`); return their names."""
    from alembic.migration import MigrationContext

    _ensure_table(conn)
    done = set(applied(conn))
    op = Operations(MigrationContext.configure(conn))
    ran: list[str] = []
    for name, step in MIGRATIONS:
        if name not in done:
            step(op)
            conn.execute(
                sa.text("INSERT INTO amkit_migrations (name, applied_at) VALUES (:n, CURRENT_TIMESTAMP)"),
                {"n": name},
            )
            ran.append(name)
        if name == upto:
            break
    return ran


def latest() -> str:
    return MIGRATIONS[-1][0]


def _ensure_table(conn: sa.Connection) -> None:
    meta = sa.MetaData()
    sa.Table(
        "amkit_migrations",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("applied_at", sa.DateTime, nullable=False),
    )
    meta.create_all(conn)
