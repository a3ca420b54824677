"""m070: team mode users and applied policy versions; keyed hashes of encrypted contact fields."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations

from amkit.store.migrations import id_column as _id


def upgrade(op: Operations) -> None:
    op.create_table(
        "users", _id(),
        sa.Column("login", sa.String(63), nullable=False, unique=True),
        sa.Column("manager_id", sa.Integer, sa.ForeignKey("managers.id", ondelete="SET NULL")),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("team", sa.String),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "amkit_policies", _id(),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("applied_at", sa.DateTime, nullable=False),
    )
    op.add_column("contacts", sa.Column("phone_hash", sa.String))
    op.add_column("contacts", sa.Column("email_hash", sa.String))
    op.create_index("ix_contacts_phone_hash", "contacts", ["phone_hash"])
    op.create_index("ix_contacts_email_hash", "contacts", ["email_hash"])
