"""m095: tier_history.value_cents as BIGINT (issue 25).

A customer's 12-month value is a sum of amounts: one customer with ¥21,474,836.48 or more of
won deals overflowed PostgreSQL's INTEGER and `tier run` failed. Amounts are bounded
(amkit.core.parse.MAX_AMOUNT), so BIGINT holds every such sum. SQLite's INTEGER is 64-bit
already; its column is rebuilt only so the declared type matches the model.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations


def upgrade(op: Operations) -> None:
    with op.batch_alter_table("tier_history") as batch:
        batch.alter_column("value_cents", type_=sa.BigInteger, existing_type=sa.Integer, existing_nullable=True)
