"""Pure reminder logic: cadence, next actions, snooze, lifecycle, birthdays, holidays, output.

Lunar dates below were worked out from published calendars, not from lunardate's output:
Mid-Autumn (lunar 8-15) is 2026-09-25 and 2027-09-15; Spring Festival (1-1) is 2026-02-17
and 2027-02-06; New Year's Eve falls on lunar 12-29 in both 2026 (Feb 16) and 2027 (Feb 5),
i.e. the 12th months of lunar 2025 and 2026 have 29 days. Lunar 2025 has a leap 6th month:
the regular 6th month starts 2025-06-25, the leap one 2025-07-25 (七夕 7-7 = 2025-08-29).
"""

from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st
from icalendar import Calendar

from amkit.errors import BadInput
from amkit.reminders.calc import (
    ContactBirthday, CustomerState, PendingAction, Reminder, cadence_days, check_birthday,
    compute, due_count, group_by_owner, holiday_periods, lunar_birthday,
    parse_within, to_ics, to_text,
)

TODAY = date(2026, 5, 20)


def cust(cid=1, name="中国银行", owner="张三", tier="A", industry=None, lifecycle="active",
         created=date(2026, 1, 1), last=None, snoozed=None):
    return CustomerState(cid, name, owner, tier, industry, lifecycle, created, last, snoozed)


def bday(month, day, lunar=False, contact="李四", owner="张三"):
    return ContactBirthday(7, contact, 1, "中国银行", owner, month, day, lunar)


def kinds(reminders, kind):
    return [r for r in reminders if r.kind == kind]


def run(customers=(), actions=(), birthdays=(), holidays=(), today=TODAY, within=7,
        config=None):
    return compute(today, within, customers, actions, birthdays, holidays, config)


# ---------------------------------------------------------------- parse_within / config

@pytest.mark.parametrize("text,days", [("7d", 7), ("2w", 14), ("10", 10), ("1m", 30),
                                       ("0d", 0), ("7天", 7), (" 3 days ", 3)])
def test_parse_within(text, days):
    assert parse_within(text) == days


@pytest.mark.parametrize("text", ["", "abc", "-3d", "7x", "1.5d", "999d"])
def test_parse_within_rejects_and_names_the_option(text):
    with pytest.raises(BadInput, match="--within") as info:
        parse_within(text)
    assert info.value.exit_code == 2


def test_cadence_defaults_config_and_industry_override():
    assert [cadence_days(t, None, {}) for t in "ABC"] == [7, 14, 30]
    assert cadence_days(None, None, None) == 30  # untiered counts as C
    cfg = {"cadence": {"A": 5, "industry": {"Finance": 3, "retail": {"B": 10}}}}
    assert cadence_days("A", None, cfg) == 5
    assert cadence_days("C", "finance", cfg) == 3  # industry wins over tier
    assert cadence_days("B", "Retail", cfg) == 10
    assert cadence_days("A", "retail", cfg) == 5  # per-tier table falls back to the tier
    assert cadence_days("B", None, {"cadence": {"B": "10"}}) == 10  # as `config set` stores it
    for bad in (0, -1, "x", 2.5, True):
        with pytest.raises(BadInput, match="cadence.B"):
            cadence_days("B", None, {"cadence": {"B": bad}})


# ---------------------------------------------------------------- cadence

def test_call_logged_yesterday_clears_a_tier_reminder():
    overdue = cust(last=TODAY - timedelta(days=10))
    assert [(r.kind, r.days_overdue) for r in run([overdue])] == [("cadence", 3)]
    assert run([cust(last=TODAY - timedelta(days=1))]) == []


def test_cadence_due_today_and_tiers():
    rows = run([cust(1, "甲", tier="A", last=TODAY - timedelta(days=7)),
                cust(2, "乙", tier="B", last=TODAY - timedelta(days=13)),
                cust(3, "丙", tier="C", last=TODAY - timedelta(days=31))])
    assert [(r.customer, r.due, r.days_overdue) for r in rows] == [
        ("丙", TODAY - timedelta(days=1), 1), ("甲", TODAY, 0)]


def test_never_contacted_counts_from_creation():
    old = cust(created=TODAY - timedelta(days=8), last=None)
    new = cust(2, "新客户", created=TODAY - timedelta(days=3), last=None)
    rows = run([old, new])
    assert [(r.customer, r.due, r.days_overdue) for r in rows] == [
        ("中国银行", TODAY - timedelta(days=1), 1)]
    assert "creation" in rows[0].reason


def test_industry_override_applies_in_compute():
    c = cust(tier="C", industry="finance", last=TODAY - timedelta(days=4))
    cfg = {"cadence": {"industry": {"finance": 3}}}
    assert [r.days_overdue for r in run([c], config=cfg)] == [1]
    assert run([c]) == []


def test_snoozed_customer_gets_no_cadence_or_dormant_but_keeps_actions():
    c = cust(last=TODAY - timedelta(days=120), snoozed=TODAY)
    act = PendingAction(11, 1, "中国银行", "张三", "发报价", TODAY - timedelta(days=2))
    assert [r.kind for r in run([c], [act])] == ["next_action"]
    expired = cust(last=TODAY - timedelta(days=120), snoozed=TODAY - timedelta(days=1))
    assert [r.kind for r in run([expired])] == ["dormant"]


# ---------------------------------------------------------------- next actions

def test_overdue_and_upcoming_next_actions_with_exact_days():
    acts = [PendingAction(1, 1, "中国银行", "张三", "发报价", date(2026, 5, 15)),
            PendingAction(2, 1, "中国银行", "张三", "回访", TODAY),
            PendingAction(3, 2, "工商银行", "张三", "签约", date(2026, 5, 27)),
            PendingAction(4, 2, "工商银行", "张三", "太远", date(2026, 5, 28))]
    rows = run(actions=acts)
    assert [(r.ref_id, r.due, r.days_overdue) for r in rows] == [
        (1, date(2026, 5, 15), 5), (2, TODAY, 0), (3, date(2026, 5, 27), -7)]
    assert rows[0].reason == "next action: 发报价"
    assert rows[0].to_dict() == {"kind": "next_action", "customer": "中国银行", "owner": "张三",
                                 "due": "2026-05-15", "days_overdue": 5,
                                 "reason": "next action: 发报价"}


# ---------------------------------------------------------------- dormant / lifecycle

def test_dormant_replaces_cadence_and_churned_gets_nothing():
    rows = run([cust(1, "甲", last=TODAY - timedelta(days=95)),
                cust(2, "乙", last=TODAY - timedelta(days=200)),
                cust(3, "丙", lifecycle="churned", last=TODAY - timedelta(days=20))])
    assert [(r.kind, r.customer, r.days_overdue) for r in rows] == [("dormant", "甲", 5)]


def test_dormant_days_from_config():
    cfg = {"lifecycle": {"dormant_days": 30, "churn_days": 60}}
    rows = run([cust(tier="C", last=TODAY - timedelta(days=31))], config=cfg)
    assert [(r.kind, r.days_overdue) for r in rows] == [("dormant", 1)]
    with pytest.raises(BadInput, match="churn_days"):
        run([cust()], config={"lifecycle": {"dormant_days": 90, "churn_days": 90}})


def test_solar_birthday_in_window_and_year_boundary():
    rows = run(birthdays=[bday(5, 25), bday(5, 19), bday(1, 2, contact="王五")],
               today=date(2026, 12, 28), within=7)
    assert [(r.contact, r.due, r.days_overdue) for r in rows] == [
        ("王五", date(2027, 1, 2), -5)]
    rows = run(birthdays=[bday(5, 25), bday(5, 19)])
    assert [(r.due, r.contact, r.customer) for r in rows] == [(date(2026, 5, 25), "李四",
                                                               "中国银行")]


def test_feb_29_birthday():
    rows = run(birthdays=[bday(2, 29)], today=date(2026, 2, 25))
    assert [r.due for r in rows] == [date(2026, 2, 28)]
    rows = run(birthdays=[bday(2, 29)], today=date(2028, 2, 25))
    assert [r.due for r in rows] == [date(2028, 2, 29)]


def test_lunar_birthday_on_the_right_solar_date_in_two_years():
    mid_autumn = bday(8, 15, lunar=True)
    assert [r.due for r in run(birthdays=[mid_autumn], today=date(2026, 9, 20))] == [
        date(2026, 9, 25)]
    assert [r.due for r in run(birthdays=[mid_autumn], today=date(2027, 9, 10))] == [
        date(2027, 9, 15)]
    new_year = bday(1, 1, lunar=True)
    assert [r.due for r in run(birthdays=[new_year], today=date(2026, 2, 14))] == [
        date(2026, 2, 17)]
    assert [r.due for r in run(birthdays=[new_year], today=date(2027, 2, 1))] == [
        date(2027, 2, 6)]
    assert "lunar 8-15" in run(birthdays=[mid_autumn], today=date(2026, 9, 20))[0].reason


def test_lunar_day_30_in_a_short_month_and_window_across_solar_new_year():
    eve = bday(12, 30, lunar=True)  # the 12th months of lunar 2025 and 2026 have 29 days
    rows = run(birthdays=[eve], today=date(2026, 12, 20), within=60)
    assert [r.due for r in rows] == [date(2027, 2, 5)]
    assert lunar_birthday(2025, 12, 30) == date(2026, 2, 16)
    rows = run(birthdays=[bday(12, 20, lunar=True)], today=date(2026, 12, 28), within=60)
    assert [r.due for r in rows] == [date(2027, 1, 27)]  # lunar 2026-12-20


def test_lunar_birthday_uses_the_regular_month_not_the_leap_month():
    rows = run(birthdays=[bday(6, 10, lunar=True)], today=date(2025, 7, 1), within=60)
    assert [r.due for r in rows] == [date(2025, 7, 4)]


def test_check_birthday():
    check_birthday(2, 29)
    check_birthday(12, 30, lunar=True)
    for month, day, lunar in [(2, 30, False), (4, 31, False), (13, 1, True), (1, 31, True)]:
        with pytest.raises(BadInput, match="--birthday"):
            check_birthday(month, day, lunar)


def test_invalid_stored_birthday_is_skipped():
    assert run(birthdays=[bday(2, 30), bday(5, 22)]) == run(birthdays=[bday(5, 22)])


# ---------------------------------------------------------------- holidays

NATIONAL_DAY = [(date(2026, 10, d), "国庆节") for d in (1, 2, 3, 5)] + [
    (date(2026, 10, 6), "调休"), (date(2026, 10, 7), "调休"), (date(2026, 9, 25), "中秋节")]


def test_holiday_periods_merge_across_weekends():
    assert holiday_periods(NATIONAL_DAY) == [
        (date(2026, 9, 25), date(2026, 9, 25), "中秋节"),
        (date(2026, 10, 1), date(2026, 10, 7), "国庆节")]


def test_holidays_one_per_owner_in_window_and_not_due():
    customers = [cust(1, owner="张三", last=date(2026, 9, 29)),
                 cust(2, "乙", owner="李四", last=date(2026, 9, 29))]
    rows = run(customers, holidays=NATIONAL_DAY, today=date(2026, 9, 29), within=7)
    assert [(r.owner, r.kind, r.due, r.customer) for r in rows] == [
        ("张三", "holiday", date(2026, 10, 1), None),
        ("李四", "holiday", date(2026, 10, 1), None)]
    assert rows[0].reason == "国庆节 2026-10-01 – 2026-10-07"
    assert due_count(rows) == 0
    assert run(holidays=NATIONAL_DAY, today=date(2026, 9, 29)) == []  # nobody to tell


# ---------------------------------------------------------------- ordering and output

def mixed():
    return run([cust(1, "甲", owner="王", last=TODAY - timedelta(days=9)),
                cust(2, "乙", owner=None, last=TODAY - timedelta(days=8)),
                cust(3, "丙", owner="Alice", last=TODAY - timedelta(days=9))],
               [PendingAction(9, 1, "甲", "王", "拜访", TODAY - timedelta(days=2))],
               [bday(5, 21, owner="王")])


def test_sort_order_owner_due_kind_customer_and_unassigned_last():
    rows = mixed()
    assert [(r.owner, r.due, r.kind) for r in rows] == [
        ("Alice", TODAY - timedelta(days=2), "cadence"),
        ("王", TODAY - timedelta(days=2), "next_action"),
        ("王", TODAY - timedelta(days=2), "cadence"),
        ("王", date(2026, 5, 21), "birthday"),
        (None, TODAY - timedelta(days=1), "cadence")]
    assert list(group_by_owner(reversed(rows))) == ["Alice", "王", None]


def test_to_text_plain_digest():
    text = to_text(group_by_owner(mixed()))
    assert "\x1b" not in text
    assert "== 王 (3) ==" in text and "== (unassigned) (1) ==" in text
    assert "overdue 2d" in text and "in 1d" in text
    assert to_text({}) == "Nothing due.\n"
    assert "逾期 2 天" in to_text(group_by_owner(mixed()), lang="zh")


def test_to_ics_parses_back_with_stable_uids():
    rows = mixed()
    data = to_ics(rows, TODAY)
    events = Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == len(rows)
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts[0] == TODAY  # overdue events land on today
    assert date(2026, 5, 21) in starts
    assert all(e.decoded("dtend") - e.decoded("dtstart") == timedelta(days=1) for e in events)
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert uids == [str(e["uid"]) for e in Calendar.from_ical(to_ics(rows, TODAY)).walk("VEVENT")]
    assert any("甲" in str(e["summary"]) for e in events)


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=60),
       st.sampled_from(["A", "B", "C"]))
def test_days_overdue_is_today_minus_due(silence, within, tier):
    rows = run([cust(tier=tier, last=TODAY - timedelta(days=silence))],
               [PendingAction(1, 1, "中国银行", "张三", "x", TODAY + timedelta(days=within - 3))],
               within=within)
    for r in rows:
        assert isinstance(r, Reminder)
        assert r.days_overdue == (TODAY - r.due).days
        assert r.due <= TODAY + timedelta(days=within)
