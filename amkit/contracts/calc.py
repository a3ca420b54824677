"""Contracts and renewals (续约), pure: the state of a contract on a day and when its renewal
reminder is due. No database, no clock: callers pass ``today``.

Definitions (contract list, remind, customer show and the renewal_rate figure follow them):

* a contract is **renewed** when another contract names it (``--renewal-of``), **lost** when
  the manager marked it so (``contract lost ID --reason``); either settles its renewal;
* its **renewal reminder** is due ``contracts.renewal_lead_days`` (default 60) days before its
  end, shows from then on (``remind`` lists it once due is in its window) and stays, overdue,
  until the contract is renewed or lost;
* **expiring** within N days: not renewed, not lost, ending from today to today + N;
* **ended**: its end date is before today.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from amkit.errors import bad_value

DEFAULT_LEAD_DAYS = 60
STATUSES = {"active": "执行中", "future": "未开始", "ended": "已到期", "renewed": "已续约", "lost": "已流失"}


class ContractFacts(NamedTuple):
    id: int
    end_on: dt.date
    renewed_by: int | None  # id of a contract renewing it
    lost_on: dt.date | None


def lead_days(config: dict | None) -> int:
    """``contracts.renewal_lead_days`` (0..3650)."""
    value = ((config or {}).get("contracts") or {}).get("renewal_lead_days", DEFAULT_LEAD_DAYS)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
        raise bad_value("contracts.renewal_lead_days", value, "expected a whole number of days from 0 to 3650")
    return value


def settled(c: ContractFacts) -> bool:
    return c.renewed_by is not None or c.lost_on is not None


def status(c: ContractFacts, start_on: dt.date, today: dt.date) -> str:
    """renewed | lost | ended | active | future."""
    if c.renewed_by is not None:
        return "renewed"
    if c.lost_on is not None:
        return "lost"
    if c.end_on < today:
        return "ended"
    return "active" if start_on <= today else "future"


def renewal_due(c: ContractFacts, lead: int) -> dt.date:
    return c.end_on - dt.timedelta(days=lead)


def expiring(c: ContractFacts, today: dt.date, days: int) -> bool:
    return not settled(c) and today <= c.end_on <= today + dt.timedelta(days=days)


_UNITS = {"": 1, "d": 1, "天": 1, "w": 7, "周": 7, "m": 30, "月": 30}


def parse_window(text: str) -> int:
    """``--expiring 60d`` / ``8w`` / ``2m`` (30 days) / ``60`` -> days (0..3650)."""
    m = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z天周月]?)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS or int(m.group(1)) * _UNITS[m.group(2).lower()] > 3650:
        raise bad_value("--expiring", text, "expected a window like 60d, 8w or 2m")
    return int(m.group(1)) * _UNITS[m.group(2).lower()]
