"""m097: a manager's mobile and chat user ids, for @-mentions in their digests (issues 21, 23)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations


def upgrade(op: Operations) -> None:
    with op.batch_alter_table("managers") as batch:
        batch.add_column(sa.Column("mobile", sa.String, nullable=True))
        batch.add_column(sa.Column("wecom_userid", sa.String, nullable=True))
        batch.add_column(sa.Column("dingtalk_userid", sa.String, nullable=True))
