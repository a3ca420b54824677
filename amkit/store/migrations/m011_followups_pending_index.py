"""m011: an index for open next actions (`remind`: action_done IS NULL AND next_date <= end).

Without it SQLite walks every dated follow-up through ix_followups_next_date and reads each
row to test action_done; with it the pending ones are one index range.
"""

from __future__ import annotations

from alembic.operations import Operations


def upgrade(op: Operations) -> None:
    op.create_index("ix_followups_pending", "followups", ["action_done", "next_date"])
