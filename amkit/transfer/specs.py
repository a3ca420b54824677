"""What each importable table looks like: fields, parsers, header aliases, references and
the natural key. Later features add their tables to SPECS."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config  # amkit.pinyin loads pypinyin only when used
from amkit.core import pinyin
from amkit.core.enums import parse_channel, parse_lifecycle, parse_tier
from amkit.core.parse import (parse_birthday, parse_bool, parse_date, parse_datetime, parse_email, parse_phone,
                         parse_tags, require_text)
from amkit.transfer.deal_specs import deals_spec, payments_spec
from amkit.transfer.tablespec import Field, TableSpec
from amkit.transfer.tablespec import text as _text


def _name(value: Any) -> str:
    return require_text("name", None if value is None else str(value))


def _customers_prepare(row: dict[str, Any]) -> None:
    if "name" in row:
        row["name_pinyin"], row["name_initials"] = pinyin.keys(row["name"])


def _customers_export(session: Session) -> Iterator[dict[str, Any]]:
    from amkit.store.models import Customer, Manager

    query = (sa.select(Customer, Manager.name).join(Manager, Customer.owner_id == Manager.id, isouter=True)
             .order_by(Customer.id))
    for c, owner in session.execute(query).yield_per(1000):
        yield {"name": c.name, "industry": c.industry, "region": c.region, "source": c.source, "owner": owner,
               "tier": c.tier, "tier_locked": c.tier_locked, "lifecycle": c.lifecycle, "tags": c.tags,
               "aliases": c.aliases, "created_at": c.created_at, "extra": c.extra or {}}


def _managers_export(session: Session) -> Iterator[dict[str, Any]]:
    from amkit.store.models import Manager

    for m in session.execute(sa.select(Manager).order_by(Manager.id)).scalars():
        yield {"name": m.name, "team": m.team, "lead": m.lead, "email": m.email, "active": m.active,
               "mobile": m.mobile, "wecom_userid": m.wecom_userid, "dingtalk_userid": m.dingtalk_userid}


def _contacts_export(session: Session) -> Iterator[dict[str, Any]]:
    from amkit.store.models import Contact, Customer

    query = sa.select(Contact, Customer.name).join(Customer, Contact.customer_id == Customer.id).order_by(Contact.id)
    from amkit.store import crypto

    reveal = crypto.revealing()
    for c, customer in session.execute(query).yield_per(1000):
        yield crypto.shown({"customer": customer, "name": c.name, "role": c.role,
                            "is_decision_maker": c.is_decision_maker, "phone": c.phone, "email": c.email,
                            "wechat": c.wechat, "birthday": c.birthday, "birthday_lunar": c.birthday_lunar}, reveal)


def _followups_export(session: Session) -> Iterator[dict[str, Any]]:
    from amkit.store.models import Customer, Followup, Manager

    query = (sa.select(Followup, Customer.name, Manager.name)
             .join(Customer, Followup.customer_id == Customer.id)
             .join(Manager, Followup.owner_id == Manager.id, isouter=True).order_by(Followup.id))
    for f, customer, owner in session.execute(query).yield_per(1000):
        yield {"customer": customer, "at": f.at, "channel": f.channel, "summary": f.summary, "outcome": f.outcome,
               "next_action": f.next_action, "next_date": f.next_date, "action_done": f.action_done,
               "owner": owner}


def _followups_spec() -> TableSpec:
    """Follow-ups: no natural key of their own, so (customer, at) identifies one. A row without an
    owner gets the customer's owner at import time, as `followup log` does (the credit for a
    follow-up stays with the manager who made it, SPEC §6)."""
    from amkit.store.models import Followup

    def required(name: str) -> Callable[[Any], Any]:
        return lambda v: require_text(name, None if v is None else str(v))

    return TableSpec(
        "followups", Followup,
        [
            Field("customer", _text("customer"), True, ("客户", "客户名称", "公司", "account"), ref="customer",
                  column="customer_id"),
            Field("at", lambda v: parse_datetime("at", v), True, ("时间", "跟进时间", "日期", "date", "datetime",
                                                                          "跟进日期", "拜访日期", "拜访时间")),
            Field("channel", lambda v: parse_channel("" if v is None else str(v)), True,
                  ("渠道", "方式", "跟进方式", "type", "拜访方式", "联系方式")),
            Field("summary", required("summary"), True, ("内容", "跟进内容", "摘要", "notes", "note", "拜访内容",
                                                                   "跟进记录", "沟通内容")),
            Field("outcome", _text("outcome"), aliases=("结果", "result")),
            Field("next_action", _text("next_action"), aliases=("下一步", "下一步计划", "next")),
            Field("next_date", lambda v: parse_date("next_date", v), aliases=("下一步日期", "计划日期")),
            Field("action_done", lambda v: parse_date("action_done", v), aliases=("完成日期",)),
            Field("owner", _text("owner"), aliases=("客户经理", "负责人", "manager"), ref="manager",
                  column="owner_id"),
        ],
        key=("customer", "at"), defaults=lambda: {"created_at": config.now()},
        export_rows=_followups_export, owner_from_customer=True,
    )


def _specs() -> dict[str, TableSpec]:
    from amkit.store.models import Contact, Customer, Manager

    customers = TableSpec(
        "customers", Customer,
        [
            Field("name", _name, True, ("客户名称", "客户", "名称", "公司名称", "company", "account", "customer")),
            Field("industry", _text("industry"), aliases=("行业", "sector")),
            Field("region", _text("region"), aliases=("地区", "区域", "省份", "城市")),
            Field("source", _text("source"), aliases=("来源", "客户来源")),
            Field("owner", _text("owner"), aliases=("客户经理", "负责人", "销售", "manager", "所属客户经理",
                                                     "销售负责人", "跟进人"), ref="manager",
                  column="owner_id"),
            Field("tier", lambda v: parse_tier(v) if str(v or "").strip() else None, aliases=("等级", "客户等级")),
            Field("tier_locked", lambda v: parse_bool("tier_locked", v), aliases=("锁定",)),
            Field("lifecycle", lambda v: parse_lifecycle(v) if str(v or "").strip() else None,
                  aliases=("stage", "生命周期", "客户阶段", "状态")),
            Field("tags", lambda v: parse_tags(v) if v else "", aliases=("标签",)),
            Field("aliases", lambda v: parse_tags(v) if v else "", aliases=("客户简称", "简称", "别名", "alias")),
            Field("created_at", lambda v: parse_datetime("created_at", v), aliases=("创建时间", "创建日期", "created")),
        ],
        key=("name",), extra=True,
        defaults=lambda: {"tier": "C", "tier_locked": False, "lifecycle": "active", "tags": "", "aliases": "",
                          "created_at": config.now()},
        prepare=_customers_prepare, export_rows=_customers_export,
    )
    managers = TableSpec(
        "managers", Manager,
        [
            Field("name", _name, True, ("姓名", "客户经理", "sales_agent")),
            Field("team", _text("team"), aliases=("团队", "部门")),
            Field("lead", _text("lead"), aliases=("主管", "负责人")),
            Field("email", lambda v: parse_email("email", v), aliases=("邮箱",)),
            Field("active", lambda v: True if str(v).strip() == "" else parse_bool("active", v),
                  aliases=("在职",)),
            # for @-mentions in chat digests (amkit.reminders.notify)
            Field("mobile", lambda v: parse_phone("mobile", v), aliases=("手机", "手机号", "电话")),
            Field("wecom_userid", _text("wecom_userid"), aliases=("企业微信", "企业微信账号", "wecom")),
            Field("dingtalk_userid", _text("dingtalk_userid"), aliases=("钉钉", "钉钉账号", "dingtalk")),
        ],
        key=("name",), defaults=lambda: {"active": True, "created_at": config.now()},
        export_rows=_managers_export,
    )
    contacts = TableSpec(
        "contacts", Contact,
        [
            Field("customer", _text("customer"), True, ("客户", "客户名称", "公司"), ref="customer",
                  column="customer_id"),
            Field("name", _name, True, ("姓名", "联系人", "联系人姓名")),
            Field("role", _text("role"), aliases=("职务", "职位", "title")),
            Field("is_decision_maker", lambda v: parse_bool("is_decision_maker", v),
                  aliases=("决策人", "decision_maker")),
            Field("phone", lambda v: parse_phone("phone", v), aliases=("电话", "手机", "mobile", "联系电话", "手机号",
                                                                               "手机号码", "联系方式")),
            Field("email", lambda v: parse_email("email", v), aliases=("邮箱",)),
            Field("wechat", _text("wechat"), aliases=("微信",)),
            Field("birthday", lambda v: parse_birthday("birthday", None if v is None else str(v)),
                  aliases=("生日",)),
            Field("birthday_lunar", lambda v: parse_bool("birthday_lunar", v), aliases=("农历",)),
        ],
        key=("customer", "name"),
        defaults=lambda: {"is_decision_maker": False, "birthday_lunar": False, "created_at": config.now()},
        export_rows=_contacts_export,
    )
    from amkit.transfer.money_specs import contracts_spec, installments_spec

    return {s.name: s for s in (customers, contacts, managers, _followups_spec(), deals_spec(), payments_spec(),
                                contracts_spec(), installments_spec())}


_CACHE: dict[str, TableSpec] = {}


def specs() -> dict[str, TableSpec]:
    if not _CACHE:
        _CACHE.update(_specs())
    return _CACHE


TABLES = ("customers", "contacts", "managers", "followups", "deals", "payments", "contracts", "installments")
