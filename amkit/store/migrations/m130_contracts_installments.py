"""m130: contracts (with renewals) and payment-plan installments (issue 22)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations

from amkit.store.migrations import id_column as _id


def upgrade(op: Operations) -> None:
    op.create_table(
        "contracts", _id(),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String),
        sa.Column("start_on", sa.Date, nullable=False),
        sa.Column("end_on", sa.Date, nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("deal_id", sa.Integer, sa.ForeignKey("deals.id", ondelete="SET NULL")),
        sa.Column("renewal_of_id", sa.Integer, sa.ForeignKey("contracts.id", ondelete="SET NULL")),
        sa.Column("external_id", sa.String, unique=True),
        sa.Column("lost_on", sa.Date),
        sa.Column("lost_reason", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    for column in ("customer_id", "deal_id", "renewal_of_id"):
        op.create_index(f"ix_contracts_{column}", "contracts", [column])
    op.create_index("ix_contracts_end_on", "contracts", ["end_on"])
    op.create_table(
        "installments", _id(),
        sa.Column("deal_id", sa.Integer, sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("note", sa.String),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_installments_due", "installments", ["due"])
    op.create_index("ix_installments_deal_due", "installments", ["deal_id", "due"])
