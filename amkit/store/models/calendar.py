"""Work-calendar days loaded by `amkit calendar load` (issue 19): the State Council notice of
a year, or a company's own days; shared by the whole team (amkit.core.workcal reads them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index
from sqlmodel import Field, SQLModel


class CalendarDay(SQLModel, table=True):
    """One day off (kind holiday) or make-up working day (kind workday) of calendar ``code``;
    ``source`` notice (the notice of ``notice_year``: it replaces the package for that year)
    or manual (a company's day, over any source)."""

    __tablename__ = "calendar_days"
    __table_args__ = (Index("uq_calendar_days_code_source_day", "code", "source", "day", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20)
    day: dt.date
    kind: str = Field(max_length=10)
    name: str = Field(max_length=100)
    source: str = Field(max_length=10)
    notice_year: int | None = None  # source notice: the year of the notice (a day may lie in the year before)
    loaded_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)
