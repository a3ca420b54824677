from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel


class ManagerBase(SQLModel):
    name: str = Field(index=True, unique=True, max_length=200)
    team: str | None = Field(default=None, index=True)
    lead: str | None = None
    email: str | None = None
    active: bool = True
    # for @-mentions in chat digests (issue 23) and `manager edit` (issue 21)
    mobile: str | None = None
    wecom_userid: str | None = None
    dingtalk_userid: str | None = None


class Manager(ManagerBase, table=True):
    __tablename__ = "managers"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)
