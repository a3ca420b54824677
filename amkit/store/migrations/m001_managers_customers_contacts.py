"""m001_managers_customers_contacts"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations

from amkit.store.migrations import id_column as _id


def upgrade(op: Operations) -> None:
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
