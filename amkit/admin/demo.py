"""`amkit demo`: a realistic sample database (seeded, so every run builds the same data)
and a short tour. Each feature adds its sample records here."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import sqlalchemy as sa

from amkit import config
from amkit import store
from amkit.errors import Conflict
from amkit.store.writer import Store

MANAGERS = [
    ("张伟", "华东", "王总"), ("李娜", "华东", "王总"), ("王芳", "华南", "陈总"),
    ("刘洋", "华北", "陈总"), ("Emily Chen", "华南", "陈总"), ("赵磊", "华北", "陈总"),
]
CITIES = ["上海", "北京", "深圳", "杭州", "广州", "南京", "苏州", "成都", "武汉", "天津", "重庆", "厦门"]
REGION = {"上海": "华东", "杭州": "华东", "南京": "华东", "苏州": "华东", "北京": "华北", "天津": "华北",
          "深圳": "华南", "广州": "华南", "厦门": "华南", "成都": "西南", "重庆": "西南", "武汉": "华中"}
WORDS = ["华信", "恒通", "远航", "瑞丰", "金桥", "东方", "新纪元", "星辰", "博远", "中科", "海纳", "天成",
         "鼎盛", "汇智", "长江", "青云", "万邦", "启明", "宏图", "嘉禾"]
INDUSTRIES = {"金融": ["银行", "证券", "保险"], "制造": ["机械", "电子", "汽车部件"], "零售": ["商贸", "超市"],
              "科技": ["科技", "软件", "信息技术"], "医疗": ["医疗器械", "医药"], "物流": ["物流", "供应链"]}
FIXED = [("中国银行上海分行", "金融", "上海"), ("招商证券深圳营业部", "金融", "深圳"), ("重庆银行", "金融", "重庆"),
         ("长城汽车部件有限公司", "制造", "北京"), ("华夏保险杭州中心支公司", "金融", "杭州")]
EN_NAMES = ["Acme Trading", "Northwind Logistics", "Globex Electronics", "Initech Software", "Umbrella Health",
            "Stark Components", "Wayne Finance", "Blue Harbor Foods", "Summit Medical", "Vertex Analytics"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚"]
ROLES = ["采购经理", "采购总监", "财务总监", "IT负责人", "总经理", "运营经理", "技术总监"]
SOURCES = ["老客户推荐", "展会", "官网", "电话营销", "合作伙伴"]
TAGS = ["vip", "上市公司", "国企", "外企", "续约", "新签"]


def build(reset: bool = False, seed: int = 7) -> dict[str, int]:
    from amkit.store.models import Customer, Meta

    with store.write("amkit demo") as st:
        has_data = st.session.execute(sa.select(sa.func.count()).select_from(Customer)).scalar_one()
        is_demo = st.session.get(Meta, "demo") is not None
        if has_data and not is_demo:
            raise Conflict("this database already holds customers; run the demo on its own file: "
                           "amkit --db demo.db demo")
        if has_data and not reset:
            raise Conflict("the demo data is already there; use amkit demo --reset to rebuild it")
        if has_data:
            _refuse_user_records(st)
            _wipe(st)
        _populate(st, random.Random(seed), config.today())
        st.session.merge(Meta(key="demo", value=str(seed)))
        st.session.flush()
        st.session.merge(Meta(key="demo_ids", value=json.dumps(_max_ids(st), sort_keys=True)))
        return _counts(st)


# what the demo tells it built: counted in the database afterwards (the steps add rows in
# several places), {noun: count}, nouns as amkit.ui.i18n.counted words them
COUNTED = [("manager", "managers"), ("customer", "customers"), ("contact", "contacts"), ("follow-up", "followups"),
           ("deal", "deals"), ("payment", "payments"), ("installment", "installments"), ("contract", "contracts"),
           ("goal", "goals"), ("survey", "surveys"), ("complaint", "complaints"),
           ("knowledge-base entry", "kb_entries")]


def _counts(st: Store) -> dict[str, int]:
    out = {noun: st.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() for noun, table in COUNTED}
    for tier in ("A", "B"):
        out[f"{tier}-tier customer"] = st.session.execute(
            sa.text("SELECT count(*) FROM customers WHERE tier = :tier"), {"tier": tier}).scalar_one()
    return out


def _tables() -> list:  # noqa: ANN202
    from sqlmodel import SQLModel

    return [t for t in SQLModel.metadata.sorted_tables
            if t.name not in ("audit_log", "amkit_meta", "amkit_migrations") and "id" in t.c]


def _max_ids(st: Store) -> dict[str, int]:
    """The highest id of each table right after the demo was built (its watermark)."""
    return {t.name: st.session.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))).scalar_one()
            for t in _tables()}


def user_records(st: Store) -> dict[str, int]:
    """Records the demo did not create, per table: rows above the demo's id watermark, and rows
    inserted by another command (the audit log says which command wrote each row)."""
    from amkit.store.models import AuditEntry, Meta

    mark = st.session.get(Meta, "demo_ids")
    marks = json.loads(mark.value) if mark is not None else {}
    found: dict[str, int] = {}
    for table in _tables():
        if table.name in marks:
            n = st.session.execute(sa.select(sa.func.count()).select_from(table)
                                   .where(table.c.id > marks[table.name])).scalar_one()
            if n:
                found[table.name] = n
    inserted = st.session.execute(
        sa.select(AuditEntry.table_name, sa.func.count(sa.distinct(AuditEntry.row_id)))
        .where(AuditEntry.action == "insert", ~AuditEntry.command.like("amkit demo%"))
        .group_by(AuditEntry.table_name)).all()
    for name, n in inserted:
        found[name] = max(found.get(name, 0), n)
    return found


def _refuse_user_records(st: Store) -> None:
    """`demo --reset` deletes only what the demo made: with anything else there it refuses
    (exit 4) and keeps everything."""
    found = user_records(st)
    if found:
        listed = ", ".join(f"{name} {n}" for name, n in sorted(found.items()))
        raise Conflict(f"this database holds {sum(found.values())} record(s) the demo did not create ({listed}); "
                       "demo --reset keeps them and stops: run the demo on its own file: amkit --db demo.db demo")


def _wipe(st: Store) -> None:
    """Delete the demo rows (children first); the audit log keeps its history."""
    from sqlmodel import SQLModel

    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name not in ("audit_log", "amkit_meta", "amkit_migrations"):
            st.session.execute(table.delete())
    st.record("delete", "*", None, {"demo": "reset"}, None)


def _populate(st: Store, rng: random.Random, today: dt.date) -> None:
    from amkit.store.models import Contact, Customer, Manager

    now = config.now()
    manager_ids = st.insert_many(Manager, [
        {"name": n, "team": team, "lead": lead, "email": None, "active": True, "created_at": now}
        for n, team, lead in MANAGERS])
    customers = _customer_rows(rng, manager_ids, today)
    customer_ids = st.insert_many(Customer, customers)
    contacts = [c for cid in customer_ids for c in _contact_rows(rng, cid, now)]
    st.insert_many(Contact, contacts)  # what was built is counted afterwards (_counts)
    _populate_followups(st, rng, today, customer_ids, customers)
    _populate_deals(st, rng, today, list(zip(customer_ids, [c["owner_id"] for c in customers])))
    _populate_goals(st, rng, today)
    _populate_money(st, rng, today)
    _populate_tiers(st, rng, today)  # keep last: tiers come from the deals above
    _populate_kb(st, rng, today)


def _populate_goals(st: Store, rng: random.Random, today: dt.date) -> None:
    """Current-quarter goals (revenue, visits, new customers) for every manager, and the
    华东 team's revenue goal as the sum of its members' targets (three lines by SPEC defaults)."""
    from amkit.goals.calc import default_lines
    from amkit.store.models import Goal, Manager
    from amkit.core.periods import period_containing

    key, now = period_containing("quarter", today).key, config.now()
    people = st.session.execute(sa.select(Manager.id, Manager.team).order_by(Manager.id)).all()
    rows, team_revenue = [], 0
    for owner_id, team in people:
        revenue = rng.randint(30, 90) * 10_000
        team_revenue += revenue if team == "华东" else 0
        for metric, target in (("revenue", revenue), ("visits", rng.randint(24, 48)),
                               ("new_customers", rng.randint(3, 8))):
            rows.append(_goal_row(default_lines(metric, target), key, now, owner_id=owner_id))
    rows.append(_goal_row(default_lines("revenue", team_revenue), key, now, team="华东"))
    st.insert_many(Goal, rows)


def _goal_row(lines, period: str, now: dt.datetime, owner_id: int | None = None,  # noqa: ANN001
              team: str | None = None) -> dict[str, Any]:
    from decimal import Decimal

    return {"owner_id": owner_id, "team": team, "period": period, "metric": lines.metric, "created_at": now,
            **{name: Decimal(str(value)) for name, value in lines.items()}}


def _populate_tiers(st: Store, rng: random.Random, today: dt.date) -> None:
    """Pareto tiers from whatever won deals the demo holds (none yet: everyone stays C).
    Keep this call last in `_populate`, after every function that adds deals."""
    from amkit.tiers import writes as tierstore

    tierstore.run(st, "pareto", today)


def _customer_rows(rng: random.Random, manager_ids: list[int], today: dt.date) -> list[dict[str, Any]]:
    from amkit.core.pinyin import keys

    rows: list[dict[str, Any]] = []
    names: set[str] = set()
    while len(rows) < 200:
        industry = rng.choice(list(INDUSTRIES))
        if len(rows) < len(FIXED):
            name, industry, city = FIXED[len(rows)]
        elif len(rows) < len(FIXED) + len(EN_NAMES):
            name, city = EN_NAMES[len(rows) - len(FIXED)] + " Ltd.", rng.choice(CITIES)
        else:
            city = rng.choice(CITIES)
            name = f"{city}{rng.choice(WORDS)}{rng.choice(INDUSTRIES[industry])}有限公司"
        if name in names:
            continue
        names.add(name)
        created = today - dt.timedelta(days=rng.randint(20, 900))
        pinyin, initials = keys(name)
        rows.append({
            "name": name, "industry": industry, "region": REGION[city], "source": rng.choice(SOURCES),
            "tier": "C", "tier_locked": False, "lifecycle": rng.choice(["active"] * 6 + ["prospect", "lead"]),
            "tags": ",".join(sorted(set(rng.sample(TAGS, rng.randint(0, 2))))),
            "owner_id": rng.choice(manager_ids), "name_pinyin": pinyin, "name_initials": initials,
            "created_at": dt.datetime.combine(created, dt.time(9, 30)), "extra": {"city": city},
        })
    return rows


def _contact_rows(rng: random.Random, customer_id: int, now: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    for i in range(rng.randint(1, 3)):
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        rows.append({
            "customer_id": customer_id, "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", "华", "明"]),
            "role": rng.choice(ROLES), "is_decision_maker": i == 0, "phone": f"13{rng.randint(100000000, 999999999)}",
            "email": None, "wechat": f"wx_{rng.randint(10000, 99999)}", "birthday": f"{month:02d}-{day:02d}",
            "birthday_lunar": rng.random() < 0.15, "created_at": now,
        })
    return rows


DEAL_TITLES = ["年度维保", "系统升级", "新增席位", "咨询服务", "硬件采购", "数据平台", "培训服务", "续约"]
LOST_REASONS = [("price", "价格高于竞品"), ("competitor", "客户选了竞品"), ("no_budget", "预算被砍"),
                ("timing", "项目延期到明年"), ("other", "决策人变动")]
COMPLAINTS = ["发票开错抬头", "交付延期", "售后响应慢", "报价前后不一致", "培训安排冲突"]


def _populate_deals(st: Store, rng: random.Random, today: dt.date,
                    customers: list[tuple[int, int]]) -> None:
    """Deals over the last ~18 months through the stages, payments for most won deals,
    some surveys and complaints."""
    from amkit.store.models import Complaint, Deal, DealStageChange, Payment, Survey

    deals, paths = [], []
    for customer_id, owner_id in customers:
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            deal, path = _demo_deal(rng, today, customer_id, owner_id)
            deals.append(deal)
            paths.append(path)
    ids = st.insert_many(Deal, deals)
    history = [{"deal_id": i, "from_stage": prev, "to_stage": stage, "on": on, "reason": None}
               for i, path in zip(ids, paths) for prev, stage, on in path]
    st.insert_many(DealStageChange, history)
    payments = [p for i, d in zip(ids, deals) if d["stage"] == "won" and rng.random() < 0.8
                for p in _demo_payments(rng, today, i, d)]
    st.insert_many(Payment, payments)
    now = config.now()
    surveys = [{"customer_id": cid, "score": rng.randint(0, 10) if nps else rng.choice([3, 4, 4, 5, 5]), "nps": nps,
                "date": today - dt.timedelta(days=rng.randint(0, 300)), "note": None, "created_at": now}
               for cid, _ in rng.sample(customers, 60) for nps in [rng.random() < 0.3]]
    st.insert_many(Survey, surveys)
    complaints = []
    for cid, _ in rng.sample(customers, 15):
        opened = dt.datetime.combine(today - dt.timedelta(days=rng.randint(0, 120)), dt.time(rng.randint(8, 18)))
        resolved = opened + dt.timedelta(hours=rng.randint(2, 96)) if rng.random() < 0.8 else None
        complaints.append({"customer_id": cid, "text": rng.choice(COMPLAINTS), "opened": opened,
                           "resolved": resolved if resolved and resolved.date() <= today else None,
                           "resolution": "已处理" if resolved and resolved.date() <= today else None})
    st.insert_many(Complaint, complaints)


def _demo_deal(rng: random.Random, today: dt.date, customer_id: int, owner_id: int) -> tuple[dict, list]:
    from amkit.core.enums import OPEN_STAGES

    created = today - dt.timedelta(days=rng.randint(0, 540))
    outcome = rng.choices(["won", "lost", "open"], [35, 25, 40])[0]
    stop = rng.randint(0, 3)
    stages = list(OPEN_STAGES[rng.choice([0, 0, 0, 1, 2]):stop + 1]) or [OPEN_STAGES[stop]]
    stages += [] if outcome == "open" else [outcome]
    path, on, prev = [], created, None
    for stage in stages:
        if on > today:
            break
        path.append((prev, stage, on))
        prev, on = stage, on + dt.timedelta(days=rng.randint(3, 30))
    stage, last = path[-1][1], path[-1][2]
    amount = rng.randint(50, 8000) * 10000 if stage in ("won", "lost") or rng.random() < 0.8 else None
    reason = rng.choice(LOST_REASONS) if stage == "lost" else (None, None)
    deal = {"customer_id": customer_id, "owner_id": owner_id, "title": rng.choice(DEAL_TITLES),
            "amount_cents": amount, "stage": stage, "created": created,
            "closed_at": last if stage in ("won", "lost") else None, "external_id": None,
            "lost_reason": reason[1], "reason_code": reason[0], "created_at": dt.datetime.combine(created, dt.time(10))}
    return deal, path


def _demo_payments(rng: random.Random, today: dt.date, deal_id: int, deal: dict) -> list[dict[str, Any]]:
    parts = rng.choice([[100], [30, 70], [50, 50], [30, 40], [40, 30, 30], [60]])
    rows, on = [], deal["closed_at"]
    for share in parts:
        on = on + dt.timedelta(days=rng.randint(5, 60))
        if on > today:
            break
        rows.append({"deal_id": deal_id, "amount_cents": deal["amount_cents"] * share // 100, "date": on,
                     "note": None, "created_at": dt.datetime.combine(on, dt.time(15))})
    return rows
SUMMARIES = {
    "visit": ["拜访{who}，讨论Q1预算和采购计划", "上门演示CRM系统，{who}比较满意", "拜访{who}，沟通续约条款",
              "现场调研ERP系统上线情况"],
    "call": ["电话跟进报价，{who}需要内部审批", "电话确认合同细节", "与{who}电话沟通续约意向", "回访售后问题，已解决"],
    "wechat": ["微信发送产品资料给{who}", "微信确认下周拜访时间", "微信沟通发票和回款进度"],
    "email": ["邮件发送报价单 v2", "Sent the renewal proposal to {who}", "邮件回复技术方案问题"],
    "video": ["视频会议演示新版本", "视频会议：Q1 budget review with {who}"],
    "meeting": ["参加客户年度供应商大会", "与{who}开会讨论试点项目范围"],
    "other": ["寄送节日礼品", "客户来访公司参观"],
}
OUTCOMES = ["客户有兴趣，等待反馈", "需要修改报价", "已确认采购意向", "暂无需求", None, None]
ACTIONS = ["发送正式报价", "安排技术交流", "跟进合同签署", "邀请参加产品发布会", "确认回款时间", "send the contract draft"]
SILENCE = [(0, 6), (7, 29), (31, 85), (90, 170), (182, 200)]  # recent, in cadence, past it, dormant, churned
CHANNEL_WEIGHTS = {"visit": 3, "call": 5, "wechat": 4, "email": 2, "video": 1, "meeting": 1, "other": 1}


def _populate_followups(st: Store, rng: random.Random, today: dt.date, customer_ids: list[int],
                        customers: list[dict[str, Any]]) -> None:
    """Follow-ups over the past ~200 days: about 1 in 12 customers never contacted, the rest last
    contacted recently, past their cadence, dormant (90+ days) or churned (180+ days); about a third
    carry an open next action, overdue or due within the week. Earlier actions are done."""
    from amkit.store.models import Followup

    rows: list[dict[str, Any]] = []
    for cid, cust in zip(customer_ids, customers):
        created = cust["created_at"].date()
        if rng.random() < 0.08 or (today - created).days < 3:
            continue  # never contacted
        silence = rng.choices(SILENCE, weights=[4, 3, 2, 1, 1])[0]  # days since the last contact
        gap = rng.randint(*silence)
        last = max(today - dt.timedelta(days=gap), created)
        days = sorted({last - dt.timedelta(days=rng.randint(0, 120)) for _ in range(rng.randint(0, 5))} | {last})
        days = [d for d in days if d >= created]
        rows.extend(_followup_row(rng, cid, cust["owner_id"], d, today, d == last) for d in days)
    for prev, row in zip(rows, rows[1:]):  # a later follow-up of the same customer closes the action
        if prev["customer_id"] == row["customer_id"] and prev["next_date"]:
            prev["action_done"] = row["at"].date()
    st.insert_many(Followup, rows)


def _followup_row(rng: random.Random, customer_id: int, owner_id: int, day: dt.date, today: dt.date,
                  is_last: bool) -> dict[str, Any]:
    channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
    who = rng.choice(SURNAMES) + rng.choice(["总", "经理", "工"])
    at = dt.datetime.combine(day, dt.time(rng.randint(9, 18), rng.choice([0, 15, 30, 45])))
    due = None
    if rng.random() < (0.45 if is_last else 0.5):
        due = max(day + dt.timedelta(days=1), today + dt.timedelta(days=rng.randint(-10, 6))) if is_last \
            else day + dt.timedelta(days=rng.randint(3, 14))
    return {"customer_id": customer_id, "contact_id": None, "owner_id": owner_id, "channel": channel, "at": at,
            "summary": rng.choice(SUMMARIES[channel]).format(who=who), "outcome": rng.choice(OUTCOMES),
            "next_action": rng.choice(ACTIONS) if due else None, "next_date": due, "action_done": None,
            "created_at": at}


KB_ENTRIES = [
    ("银行客户续约话术：先讲成果再谈价格", "话术,续约", "金融", "negotiation",
     "1. 先复盘过去一年的服务成果：故障响应时间、系统可用率、培训场次。\n"
     "2. 客户提出降价时，不直接让价，先问“哪部分预算有压力”，用分期付款或延长维保期替代降价。\n"
     "3. 结尾约定下次拜访时间，由客户信息科负责人确认需求清单。"),
    ("案例：城商行核心系统维保续约（价格异议）", "案例,价格异议", "金融", "quote",
     "客户认为报价比竞品高 15%。我们拆分报价，把驻场服务单列为可选项，并提供同类城商行的故障处理记录，"
     "最终按原价签约三年。经验：价格异议多半是预算节奏问题，先弄清预算周期再调整报价结构。"),
    ("制造业客户首次拜访清单", "话术,首次拜访", "制造", "contact",
     "拜访前：查看客户官网和招投标记录，确认产线数量。\n拜访中：问清停机一次的损失、现有 ERP 版本、"
     "下次设备采购时间。\n拜访后：24 小时内发纪要和下一步，抄送采购经理。"),
    ("输单复盘：制造客户选了竞品", "案例,输单复盘", "制造", "lost",
     "竞品报价低 20% 且承诺两周上线。我们的技术交流只做了一次，没有接触到生产副总。"
     "教训：需求确认阶段必须见到使用部门负责人；报价前先做 POC。"),
    ("需求确认阶段的五个问题", "话术,需求确认", None, "needs",
     "1. 这个项目由谁发起？2. 不做会有什么损失？3. 预算是否已批？4. 谁参与决策？5. 希望什么时候上线？"),
    ("零售客户旺季前的跟进节奏", "经验,跟进节奏", "零售", None,
     "双十一和春节前两个月是零售客户的采购窗口：提前 8 周拜访，提前 4 周报价，旺季期间只做服务不推新单。"),
    ("医疗客户合规顾虑的回应", "话术,异议处理", "医疗", "negotiation",
     "客户担心数据合规时，提供等保三级证书和本地化部署方案，邀请信息科参加技术交流，避免只和采购沟通。"),
]
CHURN_REASONS = ["被竞品低价替换", "客户内部系统统一采购，不再续约", "对接人离职，新负责人另选供应商"]


def _populate_kb(st: Store, rng: random.Random, today: dt.date) -> None:
    """The team's knowledge base (案例库, 话术), two cases linked to a customer of their industry,
    and a few customers marked churned this month with the reason (for `amkit review`)."""
    from amkit.store.models import Customer, KbEntry, LifecycleChange

    now = config.now()
    rows = []
    for i, (title, tags, industry, stage, body) in enumerate(KB_ENTRIES):
        linked = None
        if tags.startswith("案例") and industry:
            ids = st.session.execute(sa.select(Customer.id).where(Customer.industry == industry)
                                     .order_by(Customer.id)).scalars().all()
            linked = rng.choice(ids) if ids else None
        rows.append({"title": title, "body": body, "tags": tags, "industry": industry, "stage": stage,
                     "customer_id": linked, "created_at": now - dt.timedelta(days=10 * (len(KB_ENTRIES) - i))})
    st.insert_many(KbEntry, rows)
    active = st.session.execute(sa.select(Customer.id).where(Customer.lifecycle == "active")
                                .order_by(Customer.id)).scalars().all()
    churned = rng.sample(active, len(CHURN_REASONS))
    for cid in churned:
        st.update_row(Customer, cid, {"lifecycle": "active"}, {"lifecycle": "churned"})
    on = [today - dt.timedelta(days=rng.randint(1, 20)) for _ in churned]
    st.insert_many(LifecycleChange, [{"customer_id": cid, "on": day, "old": "active", "new": "churned",
                                      "reason": reason} for cid, day, reason in zip(churned, on, CHURN_REASONS)])


LOST_RENEWALS = ["客户预算削减，不再续约", "客户改用竞品", "业务线关停"]


def _populate_money(st: Store, rng: random.Random, today: dt.date) -> None:
    """Issue 22: a one-year contract for most won deals of the last two years (ended ones renewed,
    marked lost or left open: an overdue renewal), a payment plan for the won deals (the payments
    above fall short of some: overdue receivables), and one deal of 中国银行上海分行 stalled in quote
    for 83 days."""
    from amkit.store.models import Contract, Customer, Deal, DealStageChange, Installment

    now = config.now()
    won = st.session.execute(sa.select(Deal.id, Deal.customer_id, Deal.closed_at, Deal.amount_cents, Deal.title)
                             .where(Deal.stage == "won", Deal.closed_at >= today - dt.timedelta(days=730))
                             .order_by(Deal.id)).all()
    contracts, plans = [], []
    for deal_id, customer_id, closed, cents, title in won:
        if rng.random() < 0.8:
            end = closed + dt.timedelta(days=rng.choice([364, 364, 729]))
            contracts.append({"customer_id": customer_id, "title": title, "start_on": closed, "end_on": end,
                              "amount_cents": cents, "deal_id": deal_id, "renewal_of_id": None, "external_id": None,
                              "lost_on": None, "lost_reason": None, "created_at": now})
        parts = rng.choice([[100], [50, 50], [30, 40, 30], [40, 60]])
        due, planned = closed, 0
        for i, share in enumerate(parts):
            due = due + dt.timedelta(days=rng.randint(20, 90))
            amount = cents - planned if i == len(parts) - 1 else cents * share // 100
            planned += amount
            plans.append({"deal_id": deal_id, "due": due, "amount_cents": amount, "note": None, "created_at": now})
    ids = st.insert_many(Contract, contracts)
    renewals = 0
    for contract_id, c in zip(ids, contracts):
        if c["end_on"] >= today:
            continue
        fate = rng.choices(["renew", "lost", "open"], [6, 2, 2])[0]
        if fate == "renew":
            start = c["end_on"] + dt.timedelta(days=1)
            st.add(Contract(customer_id=c["customer_id"], title=c["title"], start_on=start,
                            end_on=start + dt.timedelta(days=364), amount_cents=c["amount_cents"] * rng.choice([100, 105, 110]) // 100,
                            renewal_of_id=contract_id, created_at=now))
            renewals += 1
        elif fate == "lost":
            st.update_row(Contract, contract_id, {"lost_on": None, "lost_reason": None},
                          {"lost_on": c["end_on"], "lost_reason": rng.choice(LOST_RENEWALS)})
    st.insert_many(Installment, plans)
    bank = st.session.execute(sa.select(Customer.id, Customer.owner_id).where(Customer.name == FIXED[0][0])).one()
    since, created = today - dt.timedelta(days=83), today - dt.timedelta(days=110)
    stalled = st.add(Deal(customer_id=bank.id, owner_id=bank.owner_id, title="数据平台", amount_cents=68_000_000,
                          stage="quote", created=created, created_at=dt.datetime.combine(created, dt.time(10))))
    st.insert_many(DealStageChange, [
        {"deal_id": stalled.id, "from_stage": None, "to_stage": "contact", "on": created, "reason": None},
        {"deal_id": stalled.id, "from_stage": "contact", "to_stage": "quote", "on": since, "reason": None}])
    _bank_story(st, bank, today, now)


def _bank_story(st: Store, bank: Any, today: dt.date, now: dt.datetime) -> None:
    """中国银行上海分行 (`customer show zgyh`): a ¥527,600 win 60 days ago whose first installment is
    overdue, a contract to renew in 45 days, and the note of the handover that gave it its owner."""
    from amkit.store.models import Contract, Deal, DealStageChange, Handover, Installment, Manager

    won_on = today - dt.timedelta(days=60)
    deal = st.add(Deal(customer_id=bank.id, owner_id=bank.owner_id, title="核心系统维保", amount_cents=52_760_000,
                       stage="won", created=won_on - dt.timedelta(days=40), closed_at=won_on,
                       created_at=dt.datetime.combine(won_on - dt.timedelta(days=40), dt.time(10))))
    st.insert_many(DealStageChange, [
        {"deal_id": deal.id, "from_stage": None, "to_stage": "negotiation", "on": deal.created, "reason": None},
        {"deal_id": deal.id, "from_stage": "negotiation", "to_stage": "won", "on": won_on, "reason": None}])
    st.insert_many(Installment, [
        {"deal_id": deal.id, "due": today - dt.timedelta(days=30), "amount_cents": 26_380_000, "note": "首付款",
         "created_at": now},
        {"deal_id": deal.id, "due": today + dt.timedelta(days=30), "amount_cents": 26_380_000, "note": "尾款",
         "created_at": now}])
    st.add(Contract(customer_id=bank.id, title="核心系统维保", start_on=today - dt.timedelta(days=320),
                    end_on=today + dt.timedelta(days=45), amount_cents=36_000_000, deal_id=None, created_at=now))
    owner = st.session.get(Manager, bank.owner_id).name if bank.owner_id else "张伟"
    st.add(Handover(customer_id=bank.id, from_owner="Emily Chen" if owner != "Emily Chen" else "李娜", to_owner=owner,
                    on=today - dt.timedelta(days=75), note="客户信息科王处长偏好电话沟通；年底前确认维保续约预算。"))


def tour() -> str:
    return """
amkit demo database is ready. Try:

  amkit customer list --tier A                 # the archive, filtered
  amkit customer show zgyh                      # a briefing; pinyin initials work
  amkit customer show 上海分行                  # part of a name or a short name (--alias) works too
  amkit followup list --since 上周五             # dates as people say them: 昨天, 11月3日, 3 days ago
  amkit deal list -c customer,stage,amount      # pick columns (--wide: all of them)
  amkit customer list --owner 张伟 -f json       # JSON for scripts
  amkit contact list --decision-maker           # key contacts
  amkit remind                                  # what is due this week, per manager
  amkit followup search 续约                    # full-text search, Chinese works
  amkit followup list --owner 张伟 --limit 10    # the follow-up log
  amkit export customers -f csv --bom -o customers.csv   # for Excel
  amkit deal list --open --owner 张伟            # the pipeline, weighted total on stderr
  amkit report funnel --period 2026              # 初次沟通→需求确认→报价→跟进→签约→复购
  amkit payment list --by-deal                   # collection rate (回款率) per won deal
  amkit contract list --expiring 60d             # contracts to renew (续约) in the next 60 days
  amkit receivable list --overdue                # overdue installments of payment plans (逾期应收)
  amkit config list                             # cadence, KPI weights, calendar
  amkit goal plan --owner 张伟 --by week         # this quarter's revenue goal, week by week (调休 aware)
  amkit goal progress                           # every goal: actual, % of each line, pace, projection
  amkit calendar show 2027 --month 2            # the work calendar: 休/班 marked; load the State Council notice
  amkit tier list --tier A                      # Pareto tiers (amkit tier run --dry-run to recompute)
  amkit report pareto --top 20                  # who makes 80% of the value
  amkit score card --detail                     # KPI scorecards this quarter
  amkit score card -p 2026-11 --detail          # monthly targets from the quarter goals (by workdays)
  amkit score card --by team                    # team cards (团队 PK)
  amkit score rank -p 2026-11 --by improvement  # who improved most on last month
  amkit review --period 2026-11 -f html -o review.html   # the monthly review (复盘), one page to mail
  amkit report pareto -f html -o pareto.html    # the Pareto curve with the A/B/C cuts, as a page with a chart
  amkit deal list -f xlsx -o deals.xlsx         # a workbook: frozen header, filter, number formats
  amkit remind --notify "$WEBHOOK" --via wecom --lang zh   # digests for the WeCom group, each manager @-mentioned
  amkit kb search 续约                           # cases and talk tracks (案例库, 话术)
  amkit followup edit 1 --channel visit          # fix a mistake: prints what changed, in words
  amkit undo --list                             # the undo stack; amkit undo reverts the last command whole
  amkit history --customer zgyh --limit 3        # what changed, by which command, before → after

Labels follow your language: AMKIT_LANG=zh amkit customer list --limit 5
""".rstrip()
