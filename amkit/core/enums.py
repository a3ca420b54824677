"""Enumerations with their Chinese names. Light module: no third-party imports.

Values stored and shown in JSON/CSV are the English ones; Chinese names are accepted as
input aliases and used as table labels in Chinese.
"""

from __future__ import annotations

from amkit.errors import bad_value

TIERS = {"A": "A", "B": "B", "C": "C"}
LIFECYCLE = {"lead": "线索", "prospect": "潜在", "active": "活跃", "dormant": "沉睡", "churned": "流失"}
CHANNELS = {
    "visit": "拜访",
    "call": "电话",
    "wechat": "微信",
    "email": "邮件",
    "video": "视频",
    "meeting": "会议",
    "other": "其他",
}
DEAL_STAGES = {
    "contact": "初次沟通",
    "needs": "需求确认",
    "quote": "报价",
    "negotiation": "跟进谈判",
    "won": "签约",
    "lost": "输单",
}
OPEN_STAGES = ("contact", "needs", "quote", "negotiation")
# Lost-reason codes (config pipeline.reason_codes; a code without a name here shows as itself).
REASON_CODES = {"price": "价格", "competitor": "竞品", "no_budget": "没有预算", "timing": "时机", "other": "其他"}
# The lines of a goal, and the best line a projection reaches.
GOAL_LINES = {"below": "未达标", "target": "达标", "excellent": "优秀", "stretch": "冲刺"}
# `remind` kinds (SPEC §5).
REMIND_KINDS = {"next_action": "下一步", "cadence": "跟进周期", "dormant": "沉睡", "renewal": "续约",
                "receivable": "应收款", "stalled": "停滞商机", "birthday": "生日", "holiday": "节假日"}
# How a tier was set (tier history).
TIER_METHODS = {"pareto": "帕累托", "rfm": "RFM", "rules": "规则", "manual": "手动", "lock": "锁定", "unlock": "解锁"}
# Every enum a person reads or types, by the name its option or column uses.
ENUMS = {"tier": TIERS, "lifecycle": LIFECYCLE, "channel": CHANNELS, "stage": DEAL_STAGES,
         "reason_code": REASON_CODES, "line": GOAL_LINES, "kind": REMIND_KINDS, "method": TIER_METHODS}

# Extra spellings accepted on input, per enum.
_EXTRA_ALIASES = {
    "channel": {"phone": "call", "电话拜访": "call", "上门": "visit", "面访": "visit", "视频会议": "video"},
    "stage": {"跟进": "negotiation", "谈判": "negotiation", "成交": "won", "赢单": "won", "丢单": "lost"},
    "lifecycle": {"休眠": "dormant", "睡眠": "dormant", "已流失": "churned"},
}


def parse_enum(field: str, value: str, choices: dict[str, str], aliases_key: str | None = None) -> str:
    """Accept the English value (any case), its Chinese name or a known alias."""
    raw = (value or "").strip()
    low = raw.lower()
    if low in choices:
        return low
    if low.replace(" ", "_") in choices:  # as an English table shows it: "no budget", "next action"
        return low.replace(" ", "_")
    if raw.upper() in choices:  # tiers are upper-case
        return raw.upper()
    for key, zh in choices.items():
        if raw == zh:
            return key
    extra = _EXTRA_ALIASES.get(aliases_key or field, {})
    if raw in extra:
        return extra[raw]
    if low in extra:
        return extra[low]
    raise bad_value(field, value, "expected one of " + ", ".join(choices))


def parse_tier(value: str) -> str:
    return parse_enum("tier", value, TIERS)


def parse_lifecycle(value: str) -> str:
    return parse_enum("lifecycle", value, LIFECYCLE)


def parse_channel(value: str) -> str:
    return parse_enum("channel", value, CHANNELS)


def parse_stage(value: str) -> str:
    return parse_enum("stage", value, DEAL_STAGES)
