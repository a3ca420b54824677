"""Contracts (合同, with their renewals) and payment plans (回款计划: a won deal's installments).
Money is integer cents (分)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel


class Contract(SQLModel, table=True):
    """A signed contract of a customer: start, end and amount; a renewal points at the
    contract it renews (``renewal_of_id``); ``lost_on``/``lost_reason`` mark a contract the
    customer will not renew (`contract lost`)."""

    __tablename__ = "contracts"
    __table_args__ = (Index("ix_contracts_end_on", "end_on"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"),
                                              nullable=False, index=True))
    title: str | None = None
    start_on: dt.date
    end_on: dt.date
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    deal_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("deals.id", ondelete="SET NULL"),
                                                               index=True))
    renewal_of_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("contracts.id", ondelete="SET NULL"), index=True))
    external_id: str | None = Field(default=None, unique=True)
    lost_on: dt.date | None = None
    lost_reason: str | None = Field(default=None, sa_column=Column(Text))
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)


class Installment(SQLModel, table=True):
    """One installment of a won deal's payment plan: due date and amount. What has been
    received on it is computed (payments applied oldest first), never stored."""

    __tablename__ = "installments"
    __table_args__ = (Index("ix_installments_deal_due", "deal_id", "due"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(sa_column=Column(Integer, ForeignKey("deals.id", ondelete="CASCADE"), nullable=False))
    due: dt.date = Field(index=True)
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    note: str | None = None
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)
