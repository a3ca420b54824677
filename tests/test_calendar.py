from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from amkit.core.workcal import WorkCalendar
from amkit.errors import BadInput
from amkit.core.periods import parse_period

CN = WorkCalendar("CN")
NONE = WorkCalendar("none")


def test_cn_is_the_default():
    assert WorkCalendar().code == "CN"
    assert WorkCalendar("cn").code == "CN" and WorkCalendar(" None ").code == "none"


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 9, 20), True),  # Sunday, make-up working day (调休) for National Day
        (date(2026, 9, 25), False),  # Friday, Mid-Autumn Festival
        (date(2026, 10, 1), False),  # Thursday, National Day
        (date(2026, 10, 2), False),
        (date(2026, 10, 3), False),
        (date(2026, 10, 4), False),  # Sunday
        (date(2026, 10, 5), False),  # Monday, day off
        (date(2026, 10, 6), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),  # Thursday, back to work
        (date(2026, 10, 10), True),  # Saturday, make-up working day (调休)
        (date(2026, 10, 11), False),  # Sunday
        (date(2026, 10, 12), True),  # plain Monday
    ],
)
def test_cn_golden_week_2026(day, working):
    assert CN.is_workday(day) is working


def test_none_is_monday_to_friday():
    assert NONE.is_workday(date(2026, 10, 1))  # a Thursday, holiday ignored
    assert not NONE.is_workday(date(2026, 10, 10))  # a Saturday, no make-up days
    assert NONE.workdays(date(2026, 10, 1), date(2026, 10, 31)) == 22


def test_weekly_workdays_2026q4_by_hand():
    # Worked out from the State Council notice for 2026 (not from this code):
    # 2026-10-01 is a Thursday; ISO weeks of Q4, clipped to Oct 1 .. Dec 31:
    # W40 Thu 10-01 .. Sun 10-04: Thu 1, Fri 2, Sat 3 National Day; Sun 4 rest        -> 0
    # W41 Mon 10-05 .. Sun 10-11: Mon 5, Tue 6, Wed 7 days off (swapped for Sun 09-20
    #     and Sat 10-10); Thu 8, Fri 9 work; Sat 10 make-up work (调休); Sun 11 rest   -> 3
    # W42 10-12..18, W43 10-19..25, W44 10-26..11-01, W45 11-02..08, W46 11-09..15,
    # W47 11-16..22, W48 11-23..29, W49 11-30..12-06, W50 12-07..13, W51 12-14..20,
    # W52 12-21..27: no holidays, Mon-Fri                                          -> 5 each
    # W53 Mon 12-28 .. Thu 12-31 (clipped; 2027-01-01 is outside the quarter)       -> 4
    expected = {"2026-W40": 0, "2026-W41": 3, "2026-W53": 4}
    expected.update({f"2026-W{w}": 5 for w in range(42, 53)})
    weeks = parse_period("2026Q4").weeks()
    assert {b.name: CN.workdays(b.start, b.end) for b in weeks} == expected
    # months: Oct has 22 weekdays - 5 weekday holidays (1, 2, 5, 6, 7) + Sat 10 = 18;
    # Nov: 21 weekdays (2-6, 9-13, 16-20, 23-27, 30); Dec: 23 weekdays (1-4, 7-11,
    # 14-18, 21-25, 28-31). Quarter: 18 + 21 + 23 = 62 = 0 + 3 + 11*5 + 4.
    months = parse_period("2026Q4").months()
    assert [CN.workdays(m.start, m.end) for m in months] == [18, 21, 23]
    assert CN.workdays(date(2026, 10, 1), date(2026, 12, 31)) == 62


def test_holidays_between_and_makeup_days():
    got = CN.holidays_between(date(2026, 9, 20), date(2026, 10, 10))
    days = [d for d, _ in got]
    assert days == [date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3),
                    date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7)]
    assert all(isinstance(name, str) and name for _, name in got)
    assert CN.makeup_workdays_between(date(2026, 9, 1), date(2026, 10, 31)) == [
        date(2026, 9, 20), date(2026, 10, 10)]
    assert NONE.holidays_between(date(2026, 1, 1), date(2026, 12, 31)) == []


def test_holiday_names_language():
    zh = WorkCalendar("CN", language="zh_CN")
    assert zh.holidays_between(date(2026, 10, 1), date(2026, 10, 1)) == [
        (date(2026, 10, 1), "国庆节")]
    assert "National Day" in CN.holidays_between(date(2026, 10, 1), date(2026, 10, 1))[0][1]


def test_other_country():
    us = WorkCalendar("US")
    assert not us.is_workday(date(2026, 7, 3))  # Independence Day observed (Friday)
    assert us.workdays(date(2026, 6, 29), date(2026, 7, 5)) == 4


def test_workdays_spanning_years_and_empty_range():
    # Dec 28-31 2025 (Sun 28 rest, Mon-Wed work) + Jan 1-4 2026 (Thu 1 New Year,
    # Fri 2 day off, Sat 3 rest, Sun 4 make-up working day) = 3 + 1
    assert CN.workdays(date(2025, 12, 28), date(2026, 1, 4)) == 4
    assert CN.workdays(date(2026, 10, 9), date(2026, 10, 8)) == 0


def test_unknown_calendar_code():
    with pytest.raises(BadInput) as err:
        WorkCalendar("XX")
    assert "calendar 'XX'" in str(err.value)


def test_cn_year_before_the_package_is_bad_input_after_it_provisional():
    # 2027: the package computes the statutory holidays, not the make-up days: provisional
    assert CN.source(2026) == "package" and CN.source(2027) == "provisional"
    assert CN.provisional_years(date(2026, 12, 1), date(2027, 1, 31)) == [2027]
    assert CN.workdays(date(2027, 1, 1), date(2027, 1, 31)) == 20  # 21 weekdays - Fri 01-01
    assert 2026 in CN.years and 2027 not in CN.years and 2000 not in CN.years
    with pytest.raises(BadInput) as err:
        CN.is_workday(date(2000, 10, 1))
    message = str(err.value)
    assert "calendar 'CN'" in message and "2000" in message and "amkit calendar load" in message
    assert not CN.covers(2000) and CN.covers(2027)
    assert NONE.workdays(date(2027, 1, 1), date(2027, 1, 31)) == 21


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
       st.integers(min_value=0, max_value=400), st.sampled_from([CN, NONE]))
def test_workdays_equals_day_by_day_count(start, length, cal):
    end = min(start + timedelta(days=length), date(2026, 12, 31))
    by_day = sum(cal.is_workday(start + timedelta(days=i)) for i in range((end - start).days + 1))
    assert cal.workdays(start, end) == by_day


REFERENCE = holidays.China(years=range(2024, 2027))


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
def test_cn_agrees_with_holidays_package(day):
    assert CN.is_workday(day) is REFERENCE.is_working_day(day)
