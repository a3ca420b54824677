"""Goals (目标) with three lines, and tier history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, Numeric
from sqlmodel import Field, SQLModel


class Goal(SQLModel, table=True):
    """A goal for one manager (owner_id) or a team (team); one per (who, period, metric)."""

    __tablename__ = "goals"
    # one goal per (who, period, metric); NULLs are distinct, so owner and team goals coexist
    __table_args__ = (Index("uq_goals_owner_period_metric", "owner_id", "period", "metric", unique=True),
                      Index("uq_goals_team_period_metric", "team", "period", "metric", unique=True))

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("managers.id",
                                                                                    ondelete="CASCADE"),
                                                                index=True))
    team: str | None = Field(default=None, index=True)
    period: str = Field(max_length=10, index=True)
    metric: str = Field(max_length=40)
    target: Decimal = Field(sa_column=Column(Numeric(18, 2), nullable=False))
    excellent: Decimal = Field(sa_column=Column(Numeric(18, 2), nullable=False))
    stretch: Decimal = Field(sa_column=Column(Numeric(18, 2), nullable=False))
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)


class TierChange(SQLModel, table=True):
    __tablename__ = "tier_history"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"),
                                              nullable=False, index=True))
    on: dt.date
    old_tier: str | None = None
    new_tier: str | None = None
    method: str  # pareto | rfm | rules | manual | lock | unlock
    value_cents: int | None = Field(default=None, sa_column=Column(BigInteger))  # a sum of amounts (m095)
    note: str | None = None
