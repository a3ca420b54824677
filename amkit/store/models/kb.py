"""Knowledge base (案例库, 话术): cases and talk tracks the team keeps for each other."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel


class KbEntry(SQLModel, table=True):
    __tablename__ = "kb_entries"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    tags: str = ""  # normalised comma list like customers.tags: "话术,异议处理"
    industry: str | None = Field(default=None, index=True)
    stage: str | None = Field(default=None, max_length=20, index=True)  # a deal stage (contact … lost)
    customer_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("customers.id",
                                                                                      ondelete="SET NULL"),
                                                                   index=True))
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)
