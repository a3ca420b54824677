from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel


class Handover(SQLModel, table=True):
    """A customer moved from one manager to another, with the note the new owner reads."""

    __tablename__ = "handovers"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"),
                                              nullable=False, index=True))
    from_owner: str | None = None
    to_owner: str
    on: dt.date
    note: str = Field(sa_column=Column(Text, nullable=False))
