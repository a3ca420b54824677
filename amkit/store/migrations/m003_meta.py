"""m003_meta"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations


def upgrade(op: Operations) -> None:
    """Key/value facts about the database itself (e.g. that it is a demo database)."""
    op.create_table(
        "amkit_meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.String, nullable=False),
    )
