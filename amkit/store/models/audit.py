from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, JSON, Column
from sqlmodel import Field, SQLModel


class AuditEntry(SQLModel, table=True):
    """Append-only and hash-chained; see amkit/audit.py for the exact hashing."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=DateTime)
    who: str
    command: str
    action: str  # insert | update | delete | erase | export | merge (KEEP row: {"dropped": id}) | undo
    table_name: str = Field(index=True)
    row_id: int | None = Field(default=None, index=True)
    before: Any = Field(default=None, sa_column=Column(JSON))
    after: Any = Field(default=None, sa_column=Column(JSON))
    salt: str | None = None  # random per entry; dropped with the payload when erased
    payload_hash: str  # sha256(salt + canonical before/after)
    erased: bool = False  # payload removed by `customer erase` (PIPL); the chain still holds
    hash: str
    # m120 (issue 21): the command invocation that wrote the entry, one per Store (transaction):
    # `amkit undo` reverts a run as a whole. NULL for entries written before it.
    run: str | None = Field(default=None, max_length=32, index=True)
