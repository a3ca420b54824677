"""m050: handover notes (customer handover)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations

from amkit.store.migrations import id_column as _id


def upgrade(op: Operations) -> None:
    op.create_table(
        "handovers", _id(),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_owner", sa.String),
        sa.Column("to_owner", sa.String, nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("ix_handovers_customer_id", "handovers", ["customer_id"])
