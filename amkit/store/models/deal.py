"""Deals (商机), their stage history, payments (回款). Money is integer cents (分)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, Numeric, Text
from sqlmodel import Field, SQLModel


class Deal(SQLModel, table=True):
    __tablename__ = "deals"
    __table_args__ = (Index("ix_deals_stage_closed", "stage", "closed_at"),  # m080: period reads
                      Index("ix_deals_customer_stage_closed", "customer_id", "stage", "closed_at"))

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"),
                                              nullable=False))
    owner_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("managers.id",
                                                                                    ondelete="SET NULL"),
                                                                index=True))
    title: str | None = None
    amount_cents: int | None = Field(default=None, sa_column=Column(BigInteger))
    stage: str = Field(max_length=20)
    created: dt.date = Field(index=True)
    closed_at: dt.date | None = Field(default=None, index=True)
    external_id: str | None = Field(default=None, unique=True)
    lost_reason: str | None = Field(default=None, sa_column=Column(Text))
    reason_code: str | None = None
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)
    # m121 (issue 21, `deal edit`): the deal's own win probability (0-1; NULL: its stage's) and
    # the expected close date
    probability: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 4)))
    expected_close: dt.date | None = None


class DealStageChange(SQLModel, table=True):
    __tablename__ = "deal_stage_history"

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(sa_column=Column(Integer, ForeignKey("deals.id", ondelete="CASCADE"), nullable=False,
                                          index=True))
    from_stage: str | None = None
    to_stage: str
    on: dt.date
    reason: str | None = None


class Payment(SQLModel, table=True):
    __tablename__ = "payments"

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(sa_column=Column(Integer, ForeignKey("deals.id", ondelete="CASCADE"), nullable=False,
                                          index=True))
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    date: dt.date = Field(index=True)
    note: str | None = None
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)
