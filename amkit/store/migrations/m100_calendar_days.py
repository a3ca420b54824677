"""m100: calendar_days, the work-calendar days loaded from the State Council notice or a
company's list (issue 19, `amkit calendar load`)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations

from amkit.store.migrations import id_column as _id


def upgrade(op: Operations) -> None:
    op.create_table(
        "calendar_days", _id(),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("notice_year", sa.Integer),
        sa.Column("loaded_at", sa.DateTime, nullable=False),
    )
    op.create_index("uq_calendar_days_code_source_day", "calendar_days", ["code", "source", "day"], unique=True)
