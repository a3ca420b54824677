"""m121: a deal's own win probability (overrides the stage's from config) and its expected close
date, both set with `deal edit` (issue 21). NULL: the stage's probability / not known."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations


def upgrade(op: Operations) -> None:
    op.add_column("deals", sa.Column("probability", sa.Numeric(5, 4), nullable=True))
    op.add_column("deals", sa.Column("expected_close", sa.Date, nullable=True))
