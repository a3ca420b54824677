"""m080: indexes for the period and window reads of score cards, tiering and goals.

- deals (stage, closed_at): won/lost deals closed in a period or a 12-month window are one
  index range (the single-column stage index read every won deal).
- deals (customer_id, stage, closed_at): "an earlier won deal of the same customer"
  (repurchases, RFM's last won deal) is a seek per deal, not a scan of the customer's deals.
- followups (at, channel, owner_id, customer_id): counting a period's follow-ups per owner
  and channel reads the index alone, never the rows.
Each replaces the single-column index it starts with.
"""

from __future__ import annotations

from alembic.operations import Operations


def upgrade(op: Operations) -> None:
    op.create_index("ix_deals_stage_closed", "deals", ["stage", "closed_at"])
    op.create_index("ix_deals_customer_stage_closed", "deals", ["customer_id", "stage", "closed_at"])
    op.create_index("ix_followups_at_owner", "followups", ["at", "channel", "owner_id", "customer_id"])
    op.drop_index("ix_deals_stage", "deals")
    op.drop_index("ix_deals_customer_id", "deals")
    op.drop_index("ix_followups_at", "followups")
