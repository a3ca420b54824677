from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, JSON, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel


class CustomerBase(SQLModel):
    name: str = Field(unique=True, max_length=300)
    industry: str | None = Field(default=None, index=True)
    region: str | None = None
    source: str | None = None
    tier: str = Field(default="C", max_length=1, index=True)
    tier_locked: bool = False
    lifecycle: str = Field(default="active", max_length=20, index=True)
    tags: str = ""  # normalised comma list: "vip,华东"


class Customer(CustomerBase, table=True):
    __tablename__ = "customers"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("managers.id", ondelete="SET NULL"), index=True),
    )
    # Lookup keys kept in step with `name` by the store: full pinyin and initials.
    name_pinyin: str = Field(default="", index=True)
    name_initials: str = Field(default="", index=True)
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)
    extra: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    snoozed_until: dt.date | None = None  # `remind --snooze`: no cadence/dormant reminders until then
    aliases: str = ""  # short names (简称) as a comma list: "中行,BOC" (m110); unique across customers


class ContactBase(SQLModel):
    name: str = Field(max_length=200)
    role: str | None = None
    is_decision_maker: bool = False
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None
    birthday: str | None = None  # "YYYY-MM-DD" or "MM-DD"
    birthday_lunar: bool = False


class Contact(ContactBase, table=True):
    __tablename__ = "contacts"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    created_at: dt.datetime = Field(default_factory=dt.datetime.now, sa_type=DateTime)
    # m070: keyed hashes (HMAC-SHA256) of the normalised phone / e-mail when AMKIT_KEY encrypts them
    phone_hash: str | None = Field(default=None, index=True)
    email_hash: str | None = Field(default=None, index=True)
