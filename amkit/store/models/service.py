"""Satisfaction surveys (满意度) and complaints (投诉)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel


class Survey(SQLModel, table=True):
    __tablename__ = "surveys"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"),
                                              nullable=False, index=True))
    score: int
    nps: bool = False  # score is 0-10 NPS when true, else 1-5
    date: dt.date = Field(index=True)
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)


class Complaint(SQLModel, table=True):
    __tablename__ = "complaints"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"),
                                              nullable=False, index=True))
    text: str = Field(sa_column=Column(Text, nullable=False))
    opened: dt.datetime = Field(sa_type=DateTime, index=True)
    resolved: dt.datetime | None = Field(default=None, sa_type=DateTime)
    resolution: str | None = Field(default=None, sa_column=Column(Text))
