"""Team mode (PostgreSQL): who may see what. A user is a database login with a role."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, ForeignKey, Integer
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    """`amkit user grant`: the login (a PostgreSQL role) → role manager|lead|admin, its manager
    record (the owner_id of 'own' customers) and team (what a lead sees)."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, max_length=63)
    manager_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("managers.id",
                                                                                      ondelete="SET NULL")))
    role: str = Field(max_length=20)
    team: str | None = None
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)


class PolicyVersion(SQLModel, table=True):
    """`amkit team setup`: the row-level-security steps applied, like amkit_migrations."""

    __tablename__ = "amkit_policies"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    applied_at: dt.datetime = Field(sa_type=DateTime)
