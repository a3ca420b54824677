"""m002_audit_log: append-only, hash-chained audit entries (see amkit/audit.py)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations

from amkit.store.migrations import id_column as _id


def upgrade(op: Operations) -> None:
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
        sa.Column("salt", sa.String),
        sa.Column("payload_hash", sa.String, nullable=False),
        sa.Column("erased", sa.Boolean, nullable=False),
        sa.Column("hash", sa.String, nullable=False),
    )
    op.create_index("ix_audit_log_table_name", "audit_log", ["table_name"])
    op.create_index("ix_audit_log_row_id", "audit_log", ["row_id"])
