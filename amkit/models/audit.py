from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, JSON, Column
from sqlmodel import Field, SQLModel


class AuditEntry(SQLModel, table=True):
    """Append-only, hash-chained: hash = sha256(previous hash + canonical JSON of the entry)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=DateTime)
    who: str
    command: str
    action: str  # insert | update | delete | erase | export
    table_name: str = Field(index=True)
    row_id: int | None = Field(default=None, index=True)
    before: Any = Field(default=None, sa_column=Column(JSON))
    after: Any = Field(default=None, sa_column=Column(JSON))
    hash: str
