"""m004: follow-ups, lifecycle history, deals, stage history, payments, surveys, complaints,
goals and tier history; customers gain snoozed_until."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations

from amkit.store.migrations import id_column as _id


def _fk(table: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete=ondelete)


def upgrade(op: Operations) -> None:
    op.create_table(
        "followups", _id(),
        sa.Column("customer_id", sa.Integer, _fk("customers", "CASCADE"), nullable=False),
        sa.Column("contact_id", sa.Integer, _fk("contacts", "SET NULL")),
        sa.Column("owner_id", sa.Integer, _fk("managers", "SET NULL")),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text),
        sa.Column("next_action", sa.Text),
        sa.Column("next_date", sa.Date),
        sa.Column("action_done", sa.Date),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    for col in ("customer_id", "owner_id", "channel", "at", "next_date"):
        op.create_index(f"ix_followups_{col}", "followups", [col])
    op.create_index("ix_followups_customer_at", "followups", ["customer_id", "at"])
    op.create_table(
        "lifecycle_history", _id(),
        sa.Column("customer_id", sa.Integer, _fk("customers", "CASCADE"), nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("old", sa.String),
        sa.Column("new", sa.String, nullable=False),
        sa.Column("reason", sa.String),
    )
    op.create_index("ix_lifecycle_history_customer_id", "lifecycle_history", ["customer_id"])
    op.create_table(
        "deals", _id(),
        sa.Column("customer_id", sa.Integer, _fk("customers", "CASCADE"), nullable=False),
        sa.Column("owner_id", sa.Integer, _fk("managers", "SET NULL")),
        sa.Column("title", sa.String),
        sa.Column("amount_cents", sa.BigInteger),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("created", sa.Date, nullable=False),
        sa.Column("closed_at", sa.Date),
        sa.Column("external_id", sa.String, unique=True),
        sa.Column("lost_reason", sa.Text),
        sa.Column("reason_code", sa.String),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    for col in ("customer_id", "owner_id", "stage", "created", "closed_at"):
        op.create_index(f"ix_deals_{col}", "deals", [col])
    op.create_table(
        "deal_stage_history", _id(),
        sa.Column("deal_id", sa.Integer, _fk("deals", "CASCADE"), nullable=False),
        sa.Column("from_stage", sa.String),
        sa.Column("to_stage", sa.String, nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("reason", sa.String),
    )
    op.create_index("ix_deal_stage_history_deal_id", "deal_stage_history", ["deal_id"])
    op.create_table(
        "payments", _id(),
        sa.Column("deal_id", sa.Integer, _fk("deals", "CASCADE"), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("note", sa.String),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_payments_deal_id", "payments", ["deal_id"])
    op.create_index("ix_payments_date", "payments", ["date"])
    op.create_table(
        "surveys", _id(),
        sa.Column("customer_id", sa.Integer, _fk("customers", "CASCADE"), nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("nps", sa.Boolean, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_surveys_customer_id", "surveys", ["customer_id"])
    op.create_index("ix_surveys_date", "surveys", ["date"])
    op.create_table(
        "complaints", _id(),
        sa.Column("customer_id", sa.Integer, _fk("customers", "CASCADE"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("opened", sa.DateTime, nullable=False),
        sa.Column("resolved", sa.DateTime),
        sa.Column("resolution", sa.Text),
    )
    op.create_index("ix_complaints_customer_id", "complaints", ["customer_id"])
    op.create_index("ix_complaints_opened", "complaints", ["opened"])
    op.create_table(
        "goals", _id(),
        sa.Column("owner_id", sa.Integer, _fk("managers", "CASCADE")),
        sa.Column("team", sa.String),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("target", sa.Numeric(18, 2), nullable=False),
        sa.Column("excellent", sa.Numeric(18, 2), nullable=False),
        sa.Column("stretch", sa.Numeric(18, 2), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    for col in ("owner_id", "team", "period"):
        op.create_index(f"ix_goals_{col}", "goals", [col])
    op.create_table(
        "tier_history", _id(),
        sa.Column("customer_id", sa.Integer, _fk("customers", "CASCADE"), nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("old_tier", sa.String),
        sa.Column("new_tier", sa.String),
        sa.Column("method", sa.String, nullable=False),
        sa.Column("value_cents", sa.Integer),
        sa.Column("note", sa.String),
    )
    op.create_index("ix_tier_history_customer_id", "tier_history", ["customer_id"])
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("snoozed_until", sa.Date))
