"""Pure reminder logic for ``amkit remind`` (SPEC §3.4, §5).

No database, CLI, Rich or clock: callers pass ``today`` and plain named tuples filled by
set-based SQL, and get plain named tuples back (cheap to build by the 100k).

Decisions (the contract the CLI relies on):

* ``days_overdue = (today - due).days``: positive = overdue, 0 = due today, negative = upcoming.
* Days without contact count from ``last_followup``, or from ``created_at`` if never followed up.
* ``next_action``: every pending action with ``next_date <= today + within`` (overdue ones
  whatever their age), for every customer, snoozed or not: it is an explicit commitment.
* ``cadence``: shown once breached (``due = base + cadence <= today``), not ahead of time, so a
  call logged yesterday clears an A-tier (7-day) reminder even with the default 7-day window.
  The window applies to dated events (next actions, birthdays, holidays) only.
* ``dormant``: days without any activity (follow-ups, deals, payments, surveys, complaints:
  amkit.metrics.lifecycle) in ``[dormant_days, churn_days)``, due the day it became dormant; it
  replaces the cadence reminder for that customer. From ``churn_days`` on, or when the
  customer's (derived) stage is ``churned``, a customer gets neither.
* Snoozed customers (``snoozed_until >= today``) get no cadence/dormant reminders; their next
  actions and contact birthdays still show.
* Birthdays: solar MM-DD (Feb 29 -> Feb 28 in non-leap years); lunar birthdays use the regular
  (non-leap) lunar month, lunar day 30 -> 29 in a 29-day month, years 1900-2099 (lunardate's
  range); invalid month/day pairs are skipped (validate on input with ``check_birthday``).
* Holidays: the caller supplies ``(date, name)`` pairs; dates up to 3 days apart merge into one
  period (bridging a weekend), named by its most frequent name, one reminder per owner seen in
  the inputs, ``customer`` None. Holidays are context: ``due_count`` ignores them.
* Sort: owner (None last), due, kind in ``KINDS`` order, customer, contact.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, NamedTuple

from amkit.core.enums import DEAL_STAGES
from amkit.core.lifecycle import days_of
from amkit.errors import bad_value

KINDS = ("next_action", "cadence", "dormant", "renewal", "receivable", "stalled", "birthday", "holiday")
DEFAULT_CADENCE = {"A": 7, "B": 14, "C": 30}
MAX_WITHIN_DAYS = 366

TEXTS = {  # reason templates and digest labels, by language
    "en": {"next_action": "next action: {text}",
           "cadence": "tier {tier} cadence {cadence}d, {days}d since {since}",
           "dormant": "no activity for {days}d, last on {since} (dormant after {limit}d)",
           "birthday": "birthday of {contact}{lunar}", "lunar": " (lunar {month}-{day})",
           "holiday": "{name} {start} – {end}",
           "since_followup": "last follow-up", "since_created": "creation",
           "overdue": "overdue {n}d", "today": "today", "upcoming": "in {n}d",
           "unassigned": "(unassigned)", "empty": "Nothing due."},
    "zh": {"next_action": "下一步：{text}",
           "cadence": "{tier} 类客户跟进周期 {cadence} 天，距{since}已 {days} 天",
           "dormant": "已 {days} 天无往来，上次 {since}（{limit} 天转为沉睡）",
           "birthday": "{contact} 生日{lunar}", "lunar": "（农历 {month} 月 {day} 日）",
           "holiday": "{name} {start} – {end}",
           "since_followup": "上次跟进", "since_created": "建档",
           "overdue": "逾期 {n} 天", "today": "今天", "upcoming": "{n} 天后",
           "unassigned": "（未分配）", "empty": "暂无提醒。"},
}


def _texts(lang: str) -> dict:
    return TEXTS.get(lang, TEXTS["en"])


# The kinds as a person reads them in the zh digest (JSON keeps the English kind, SPEC §5).
from amkit.core.enums import REMIND_KINDS as KIND_LABELS_ZH  # noqa: E402


def kind_label(kind: str, lang: str = "en") -> str:
    return KIND_LABELS_ZH.get(kind, kind) if lang == "zh" else kind


class CustomerState(NamedTuple):
    customer_id: int
    name: str
    owner: str | None
    tier: str | None
    industry: str | None
    lifecycle: str
    created_at: date
    last_followup: date | None
    snoozed_until: date | None = None
    last_activity: date | None = None  # any activity (amkit.metrics.lifecycle); None: the follow-up


class PendingAction(NamedTuple):
    followup_id: int
    customer_id: int
    customer: str
    owner: str | None
    next_action: str
    next_date: date


class ContactBirthday(NamedTuple):
    contact_id: int
    contact: str
    customer_id: int
    customer: str
    owner: str | None
    birthday_month: int
    birthday_day: int
    lunar: bool = False


class Reminder(NamedTuple):
    kind: str
    customer: str | None
    owner: str | None
    due: date
    days_overdue: int
    reason: str
    customer_id: int | None = None
    contact: str | None = None
    ref_id: int | None = None  # followup_id / customer_id / contact_id the row came from

    def to_dict(self) -> dict:
        """The JSON row of SPEC §3.4 (exactly these keys)."""
        return {"kind": self.kind, "customer": self.customer, "owner": self.owner,
                "due": self.due.isoformat(), "days_overdue": self.days_overdue,
                "reason": self.reason}


# ---------------------------------------------------------------- parsing and config

_UNITS = {"": 1, "d": 1, "day": 1, "days": 1, "天": 1, "w": 7, "week": 7, "weeks": 7,
          "周": 7, "m": 30, "month": 30, "months": 30, "月": 30}


def parse_within(text: str) -> int:
    """``7d`` / ``2w`` / ``10`` / ``1m`` (= 30 days) / ``7天`` -> days (0..366)."""
    m = re.fullmatch(r"\s*(\d+)\s*([A-Za-z天周月]*)\s*", str(text))
    unit = m.group(2).lower() if m else None
    if unit not in _UNITS:
        raise bad_value("--within", text, "expected a number of days like 7d, 2w or 1m")
    days = int(m.group(1)) * _UNITS[unit]
    if days > MAX_WITHIN_DAYS:
        raise bad_value("--within", text, f"at most {MAX_WITHIN_DAYS} days")
    return days


def _positive_int(value: object, key: str) -> int:
    """A positive day count from config (``"7"`` from ``config set`` accepted too)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise bad_value(key, value, "expected a positive whole number of days")
    return value


def cadence_days(tier: str | None, industry: str | None, config: dict | None = None) -> int:
    """Days between follow-ups. ``cadence.industry.<name>`` wins over ``cadence.<tier>``.

    An industry override is either a number (all tiers) or a table per tier
    (``{"finance": {"A": 3}}``, other tiers fall back to the tier cadence). Industry names
    match case-insensitively. A missing tier counts as C.
    """
    section = (config or {}).get("cadence") or {}
    tier = (tier or "C").upper()
    base = section.get(tier, DEFAULT_CADENCE.get(tier, DEFAULT_CADENCE["C"]))
    overrides = {str(k).strip().casefold(): v for k, v in (section.get("industry") or {}).items()}
    key = (industry or "").strip().casefold()
    override = overrides.get(key) if key else None
    if isinstance(override, dict):
        if tier in override:
            return _positive_int(override[tier], f"cadence.industry.{key}.{tier}")
    elif override is not None:
        return _positive_int(override, f"cadence.industry.{key}")
    return _positive_int(base, f"cadence.{tier}")


lifecycle_days = days_of  # (dormant_days, churn_days) from config lifecycle.*


# ---------------------------------------------------------------- lifecycle

def _silence(today: date, c: CustomerState) -> tuple[int, date, str]:
    """(days without contact, the date counted from, 'since_followup'|'since_created')."""
    if c.last_followup is not None:
        return (today - c.last_followup).days, c.last_followup, "since_followup"
    return (today - c.created_at).days, c.created_at, "since_created"


def _inactivity(today: date, c: CustomerState) -> tuple[int, date]:
    """(days without any activity, the day counted from): dormancy counts every activity
    (SPEC §2), the cadence only follow-ups."""
    if c.last_activity is None:
        days, since, _ = _silence(today, c)
        return days, since
    return (today - c.last_activity).days, c.last_activity


# ---------------------------------------------------------------- reminder kinds

def _action_reminders(today, end, actions, t):
    for a in actions:
        if a.next_date <= end:
            yield Reminder("next_action", a.customer, a.owner, a.next_date,
                           (today - a.next_date).days,
                           t["next_action"].format(text=a.next_action),
                           a.customer_id, None, a.followup_id)


def _customer_reminders(today, customers, config, t):
    dormant_days, churn_days = lifecycle_days(config)
    cadences: dict[tuple, int] = {}  # per (tier, industry): a handful of values for any number of customers
    for c in customers:
        if c.lifecycle == "churned" or (c.snoozed_until and c.snoozed_until >= today):
            continue
        days, since, label = _silence(today, c)
        quiet, anchor = _inactivity(today, c)
        if quiet >= churn_days:
            continue
        if quiet >= dormant_days:
            due = anchor + timedelta(days=dormant_days)
            reason = t["dormant"].format(days=quiet, since=anchor.isoformat(), limit=dormant_days)
            yield Reminder("dormant", c.name, c.owner, due, (today - due).days, reason,
                           c.customer_id, None, c.customer_id)
            continue
        key = (c.tier, c.industry)
        cadence = cadences.get(key)
        if cadence is None:
            cadence = cadences[key] = cadence_days(c.tier, c.industry, config)
        due = since + timedelta(days=cadence)
        if due <= today:
            reason = t["cadence"].format(tier=(c.tier or "C").upper(), cadence=cadence,
                                         days=days, since=t[label])
            yield Reminder("cadence", c.name, c.owner, due, (today - due).days, reason,
                           c.customer_id, None, c.customer_id)


def check_birthday(month: int, day: int, lunar: bool = False) -> None:
    """Raise BadInput (field ``--birthday``) unless month/day can be a (lunar) birthday."""
    try:
        valid = 1 <= day <= 30 if lunar else bool(date(2000, month, day))  # 2000: leap year
        valid = valid and 1 <= month <= 12
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise bad_value("--birthday", f"{month:02d}-{day:02d}", "no such (lunar) month/day")


def solar_birthday(year: int, month: int, day: int) -> date:
    """The solar birthday in ``year``; Feb 29 falls on Feb 28 in non-leap years."""
    try:
        return date(year, month, day)
    except ValueError:
        if (month, day) == (2, 29):
            return date(year, 2, 28)
        raise


def lunar_birthday(lunar_year: int, month: int, day: int) -> date:
    """Solar date of lunar ``month``/``day`` (regular month) in ``lunar_year``.

    Day 30 in a 29-day lunar month falls on day 29. Raises ValueError outside 1900-2099.
    """
    from lunardate import LunarDate

    try:
        return LunarDate(lunar_year, month, day).to_solar_date()
    except ValueError:
        if day == 30:
            return LunarDate(lunar_year, month, 29).to_solar_date()
        raise


def _birthday_dates(b: ContactBirthday, today: date, end: date) -> list[date]:
    convert = lunar_birthday if b.lunar else solar_birthday
    dates = []
    for year in range(today.year - 1, end.year + 1):  # a lunar year starts in Jan/Feb
        try:
            d = convert(year, b.birthday_month, b.birthday_day)
        except ValueError:
            continue
        if today <= d <= end:
            dates.append(d)
    return dates


def _birthday_reminders(today, end, birthdays, t):
    for b in birthdays:
        lunar = (t["lunar"].format(month=b.birthday_month, day=b.birthday_day)
                 if b.lunar else "")
        for d in _birthday_dates(b, today, end):
            yield Reminder("birthday", b.customer, b.owner, d, (today - d).days,
                           t["birthday"].format(contact=b.contact, lunar=lunar),
                           b.customer_id, b.contact, b.contact_id)


def holiday_periods(holidays: Iterable[tuple[date, str]]) -> list[tuple[date, date, str]]:
    """Merge holiday dates up to 3 days apart into ``(start, end, name)`` periods."""
    periods: list[list] = []
    for d, name in sorted(set(holidays)):
        if periods and (d - periods[-1][1]).days <= 3:
            periods[-1][1] = d
            periods[-1][2].append(name)
        else:
            periods.append([d, d, [name]])
    return [(s, e, Counter(names).most_common(1)[0][0]) for s, e, names in periods]


def _holiday_reminders(today, end, holidays, owners, t):
    for start, last, name in holiday_periods(holidays):
        if last < today or start > end:
            continue
        due = max(start, today)
        reason = t["holiday"].format(name=name, start=start.isoformat(), end=last.isoformat())
        for owner in owners:
            yield Reminder("holiday", None, owner, due, (today - due).days, reason)


def china_holidays(start: date, end: date, language: str | None = None) -> list[tuple[date, str]]:
    """Chinese public holidays (days off, incl. substituted days) from the ``holidays`` package."""
    import holidays as hol

    cal = hol.China(years=range(start.year, end.year + 1), language=language)
    return sorted((d, n) for d, n in cal.items() if start <= d <= end)


def _owner_key(owner: str | None) -> tuple[bool, str]:
    return (owner is None, owner or "")


_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


def sort_key(r: Reminder) -> tuple:
    owner = r.owner
    return (owner is None, owner or "", r.due, _KIND_ORDER[r.kind], r.customer or "", r.contact or "", r.reason)


def compute(today: date, within_days: int, customers: Iterable[CustomerState],
            actions: Iterable[PendingAction], birthdays: Iterable[ContactBirthday],
            holidays: Iterable[tuple[date, str]] = (), config: dict | None = None,
            lang: str = "en") -> list[Reminder]:
    """Every reminder for ``today`` and the next ``within_days`` days, sorted (see module doc)."""
    if within_days < 0:
        raise bad_value("--within", within_days, "must not be negative")
    customers, actions, birthdays = list(customers), list(actions), list(birthdays)
    t = _texts(lang)
    end = today + timedelta(days=within_days)
    out = [*_action_reminders(today, end, actions, t),
           *_customer_reminders(today, customers, config, t),
           *_birthday_reminders(today, end, birthdays, t)]
    owners = sorted({x.owner for x in (*customers, *actions, *birthdays)}, key=_owner_key)
    out.extend(_holiday_reminders(today, end, holidays, owners, t))
    return sorted(out, key=sort_key)


# ---------------------------------------------------------------- money kinds (issue 22)
# renewal: a contract neither renewed nor lost, due contracts.renewal_lead_days before its end,
#   listed once due falls in the window (overdue whatever its age) until renewed or lost;
# receivable: an installment due before today and not covered by the payments (oldest first,
#   amkit.core.receivables), due on its due date;
# stalled: an open deal in its stage longer than deals.stall_days.<stage> (30) days, due the day
#   the limit was reached (so shown from the next day: days_overdue >= 1).

MONEY_TEXTS = {
    "en": {"renewal": "contract {contract} ends {end} ({amount}): renew it or mark it lost",
           "receivable": "deal {deal}: installment due {due}, {outstanding} outstanding of {amount}",
           "stalled": "deal {deal} in {stage} for {days}d since {since} (stalled after {limit}d)"},
    "zh": {"renewal": "合同 {contract} 将于 {end} 到期（{amount}）：续约或标记为流失",
           "receivable": "商机 {deal}：{due} 到期的回款，未收 {outstanding}（共 {amount}）",
           "stalled": "商机 {deal} 停留在{stage}已 {days} 天（自 {since}，超过 {limit} 天视为停滞）"},
}
DEFAULT_STALL_DAYS = 30


class RenewalDue(NamedTuple):
    contract_id: int
    customer_id: int
    customer: str
    owner: str | None
    title: str | None
    end: date
    amount: object  # Decimal


class ReceivableDue(NamedTuple):
    installment_id: int
    deal_id: int
    customer: str
    owner: str | None
    due: date
    amount: object
    outstanding: object


class OpenDeal(NamedTuple):
    deal_id: int
    customer_id: int
    customer: str
    owner: str | None
    title: str | None
    stage: str
    since: date  # the day it entered its stage


def stall_days(stage: str, config: dict | None) -> int:
    """``deals.stall_days.<stage>`` (default 30)."""
    section = (((config or {}).get("deals") or {}).get("stall_days") or {})
    return _positive_int(section.get(stage, DEFAULT_STALL_DAYS), f"deals.stall_days.{stage}")


def _money(value: object) -> str:
    return f"{value:,.2f}"


def money_reminders(today: date, within_days: int, renewals: Iterable[RenewalDue],
                    receivables: Iterable[ReceivableDue], deals: Iterable[OpenDeal], lead_days: int,
                    config: dict | None = None, lang: str = "en") -> list[Reminder]:
    """The renewal, receivable and stalled reminders (``compute`` gives the others)."""
    t = MONEY_TEXTS.get(lang, MONEY_TEXTS["en"])
    end = today + timedelta(days=within_days)
    out = []
    for c in renewals:
        due = c.end - timedelta(days=lead_days)
        if due <= end:
            label = f"{c.contract_id} ({c.title})" if c.title else str(c.contract_id)
            out.append(Reminder("renewal", c.customer, c.owner, due, (today - due).days,
                                t["renewal"].format(contract=label, end=c.end.isoformat(), amount=_money(c.amount)),
                                c.customer_id, None, c.contract_id))
    for x in receivables:
        if x.due < today:
            out.append(Reminder("receivable", x.customer, x.owner, x.due, (today - x.due).days,
                                t["receivable"].format(deal=x.deal_id, due=x.due.isoformat(),
                                                       outstanding=_money(x.outstanding), amount=_money(x.amount)),
                                None, None, x.installment_id))
    for d in deals:
        limit = stall_days(d.stage, config)
        days = (today - d.since).days
        if days > limit:
            due = d.since + timedelta(days=limit)
            stage = DEAL_STAGES.get(d.stage, d.stage) if lang == "zh" else d.stage
            label = f"{d.deal_id} ({d.title})" if d.title else str(d.deal_id)
            out.append(Reminder("stalled", d.customer, d.owner, due, (today - due).days,
                                t["stalled"].format(deal=label, stage=stage, days=days, since=d.since.isoformat(),
                                                    limit=limit),
                                d.customer_id, None, d.deal_id))
    return out


def due_count(reminders: Iterable[Reminder]) -> int:
    """Reminders that make ``remind --check`` exit 10 (everything but holidays)."""
    return sum(1 for r in reminders if r.kind != "holiday")


# ---------------------------------------------------------------- output

def group_by_owner(reminders: Iterable[Reminder]) -> dict[str | None, list[Reminder]]:
    """Owner -> reminders, owners in sort order (None = unassigned, last), rows sorted."""
    groups: dict[str | None, list[Reminder]] = {}
    for r in sorted(reminders, key=sort_key):
        groups.setdefault(r.owner, []).append(r)
    return groups


def status_label(r: Reminder, lang: str = "en") -> str:
    lab = _texts(lang)
    if r.days_overdue > 0:
        return lab["overdue"].format(n=r.days_overdue)
    return lab["today"] if r.days_overdue == 0 else lab["upcoming"].format(n=-r.days_overdue)


def owner_label(owner: str | None, lang: str = "en") -> str:
    return owner if owner is not None else _texts(lang)["unassigned"]


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def to_text(groups: dict[str | None, list[Reminder]], lang: str = "en") -> str:
    """Plain-text digest (no ANSI), one block per owner, CJK-aware column alignment."""
    if not groups:
        return _texts(lang)["empty"] + "\n"
    blocks = []
    for owner, rows in groups.items():
        cells = [(r.due.isoformat(), status_label(r, lang), kind_label(r.kind, lang), r.customer or "-", r.reason)
                 for r in rows]
        widths = [max(_width(c[i]) for c in cells) for i in range(4)]
        lines = [f"== {owner_label(owner, lang)} ({len(rows)}) =="]
        pad = [[c[i] + " " * (widths[i] - _width(c[i])) for i in range(4)] + [c[4]]
               for c in cells]
        lines += ["  " + "  ".join(p) for p in pad]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def reminder_uid(r: Reminder) -> str:
    """Stable iCalendar UID: same reminder, same UID across runs (calendar apps update it)."""
    key = "|".join(str(x) for x in (r.kind, r.ref_id, r.customer, r.contact, r.owner,
                                    r.due.isoformat()))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:24] + "@amkit"


def to_ics(reminders: Iterable[Reminder], today: date) -> bytes:
    """An iCalendar file: one all-day VEVENT per reminder, on its due date (today if overdue)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//amkit//remind//EN")
    cal.add("version", "2.0")
    stamp = datetime.combine(today, time(0), tzinfo=timezone.utc)
    for r in sorted(reminders, key=sort_key):
        start = max(r.due, today)
        ev = Event()
        ev.add("uid", reminder_uid(r))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", start)
        ev.add("dtend", start + timedelta(days=1))
        ev.add("summary", f"[{r.kind}] {r.customer or owner_label(r.owner)}: {r.reason}")
        ev.add("description", f"owner: {owner_label(r.owner)}\ndue: {r.due.isoformat()}\n"
                              f"days_overdue: {r.days_overdue}\n{r.reason}")
        ev.add("categories", [r.kind])
        cal.add_component(ev)
    return cal.to_ical()
