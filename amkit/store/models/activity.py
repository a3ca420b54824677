"""Follow-ups (跟进记录) and lifecycle transitions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel


class Followup(SQLModel, table=True):
    __tablename__ = "followups"
    __table_args__ = (Index("ix_followups_customer_at", "customer_id", "at"),
                      Index("ix_followups_pending", "action_done", "next_date"),  # m011: open next actions
                      Index("ix_followups_at_owner", "at", "channel", "owner_id", "customer_id"))  # m080

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"),
                                              nullable=False, index=True))
    contact_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("contacts.id",
                                                                                      ondelete="SET NULL")))
    owner_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("managers.id",
                                                                                    ondelete="SET NULL"),
                                                                index=True))
    channel: str = Field(max_length=20, index=True)
    at: dt.datetime = Field(sa_type=DateTime)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    outcome: str | None = Field(default=None, sa_column=Column(Text))
    next_action: str | None = Field(default=None, sa_column=Column(Text))
    next_date: dt.date | None = Field(default=None, index=True)
    action_done: dt.date | None = None  # the day the next action was done (or handed over)
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)


class LifecycleChange(SQLModel, table=True):
    __tablename__ = "lifecycle_history"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"),
                                              nullable=False, index=True))
    on: dt.date
    old: str | None = None
    new: str
    reason: str | None = None
