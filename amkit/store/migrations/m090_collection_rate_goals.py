"""m090: `collection` goals with a target of at most 1 become `collection_rate` goals.

Before the metrics layer (amkit.metrics.figures) the score card read a `collection` goal as a
rate (0.9 = 90 %) while goal progress read it as money. `collection` is now money received and
`collection_rate` the fraction (SPEC §2), so a stored collection goal of at most 1 (nobody
targets 1 yuan of collection) was meant as a rate and is renamed. Each renamed goal gets an
audit entry (update of `metric`, who = "amkit", command "migrate m090_collection_rate_goals",
appended by amkit.store.engine in the migration's transaction), so `audit verify` still replays
the log onto the rows it finds.
"""

from __future__ import annotations

from alembic.operations import Operations


def upgrade(op: Operations) -> list[dict]:
    """Rename; return the audit items (amkit.store.engine appends them to the log)."""
    import sqlalchemy as sa

    conn = op.get_bind()
    ids = [row[0] for row in conn.execute(sa.text(
        "SELECT id FROM goals WHERE metric = 'collection' AND target <= 1 ORDER BY id"))]
    for goal_id in ids:
        conn.execute(sa.text("UPDATE goals SET metric = 'collection_rate' WHERE id = :id"), {"id": goal_id})
    return [{"action": "update", "table_name": "goals", "row_id": goal_id,
             "before": {"metric": "collection"}, "after": {"metric": "collection_rate"}} for goal_id in ids]
