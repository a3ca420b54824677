"""m060: the knowledge base (kb_entries) and its FTS5 trigram index kb_fts.

``kb_fts`` indexes title, body and tags like ``followups_fts`` (m010): external content,
three triggers, trigram tokenizer; nothing is created on PostgreSQL or an SQLite without
FTS5/trigram (search falls back to LIKE/ILIKE, amkit.fts).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations

from amkit.store.migrations import id_column as _id
from amkit.store.migrations.fts_index import create_index

COLUMNS = ("title", "body", "tags")


def upgrade(op: Operations) -> None:
    op.create_table(
        "kb_entries", _id(),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("tags", sa.String, nullable=False),
        sa.Column("industry", sa.String),
        sa.Column("stage", sa.String(20)),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    for column in ("industry", "stage", "customer_id"):
        op.create_index(f"ix_kb_entries_{column}", "kb_entries", [column])
    create_index(op.get_bind(), "kb_fts", "kb_entries", COLUMNS)
