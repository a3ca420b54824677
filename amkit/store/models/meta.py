from __future__ import annotations

from sqlmodel import Field, SQLModel


class Meta(SQLModel, table=True):
    __tablename__ = "amkit_meta"

    key: str = Field(primary_key=True, max_length=100)
    value: str
