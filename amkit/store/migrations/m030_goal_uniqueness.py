"""m030: at most one goal per (manager, period, metric) and per (team, period, metric)."""

from __future__ import annotations

from alembic.operations import Operations


def upgrade(op: Operations) -> None:
    op.create_index("uq_goals_owner_period_metric", "goals", ["owner_id", "period", "metric"], unique=True)
    op.create_index("uq_goals_team_period_metric", "goals", ["team", "period", "metric"], unique=True)
