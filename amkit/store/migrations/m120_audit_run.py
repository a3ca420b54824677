"""m120: audit entries name the command invocation (run) that wrote them: `amkit undo` reverts
a run as a whole, `amkit history` groups by it (issue 21). Older entries keep NULL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations


def upgrade(op: Operations) -> None:
    op.add_column("audit_log", sa.Column("run", sa.String(32), nullable=True))  # no table rebuild
    op.create_index("ix_audit_log_run", "audit_log", ["run"])
