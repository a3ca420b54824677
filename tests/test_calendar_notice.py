"""Reading the State Council's holiday notice (issue 19): the fixture texts in tests/fixtures/notices
are written in the published format (2017: the older wording 补休 / 与周末连休 / 中秋节、国庆节;
2026: the current one with （周四） and （农历腊月二十八、周日）; 2027: made up in the same format)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from amkit.calendar.calc import festival_name, html_text, parse_days, parse_notice
from amkit.core.workcal import LoadedDay, WorkCalendar
from amkit.errors import BadInput

pytestmark = pytest.mark.backend_free  # runs once, in the SQLite run (tests/conftest.py)

NOTICES = Path(__file__).parent / "fixtures" / "notices"


def text(name: str) -> str:
    return (NOTICES / name).read_text(encoding="utf-8")


def package_changes(year: int) -> tuple[list[date], list[date]]:
    """The package's weekday days off and weekend working days of a year (the independent route)."""
    table = holidays.China(years=year)
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(365 + (year % 4 == 0))]
    return ([d for d in days if d.weekday() < 5 and not table.is_working_day(d)],
            [d for d in days if d.weekday() >= 5 and table.is_working_day(d)])


@pytest.mark.parametrize("year", [2017, 2026])
def test_notice_gives_exactly_the_packages_days(year):
    notice = parse_notice(text(f"{year}.txt"))
    assert notice.year == year
    off = [d.day for d in notice.changes() if d.kind == "holiday"]
    work = [d.day for d in notice.changes() if d.kind == "workday"]
    assert (off, work) == package_changes(year)
    # and a calendar built on the notice alone counts the package's working days, day by day
    loaded = WorkCalendar("CN", loaded=notice.days)
    assert loaded.source(year) == "notice"
    package = holidays.China(years=year)
    day = date(year, 1, 1)
    while day.year == year:
        assert loaded.is_workday(day) is package.is_working_day(day), day
        day += timedelta(days=1)


def test_2017_older_wording_by_hand():
    days = {d.day: (d.kind, d.name) for d in parse_notice(text("2017.txt")).days}
    assert days[date(2017, 1, 2)] == ("holiday", "元旦")  # 1月1日放假，1月2日（星期一）补休
    assert days[date(2017, 5, 1)] == ("holiday", "劳动节")  # 5月1日放假，与周末连休
    assert days[date(2017, 10, 8)] == ("holiday", "中秋节、国庆节")  # 10月1日至8日
    assert days[date(2017, 9, 30)] == ("workday", "中秋节、国庆节")
    # a range across months: 1月27日至2月2日
    assert [d for d in days if date(2017, 1, 27) <= d <= date(2017, 2, 2)] == [
        date(2017, 1, 27) + timedelta(days=i) for i in range(7)]


def test_2026_weekend_days_inside_a_range_are_days_off_too():
    days = {d.day: d.kind for d in parse_notice(text("2026.txt")).days}
    assert days[date(2026, 2, 15)] == "holiday"  # Sunday, first day of the Spring Festival break
    assert days[date(2026, 2, 14)] == days[date(2026, 2, 28)] == "workday"
    assert len([d for d in days if date(2026, 2, 15) <= d <= date(2026, 2, 23)]) == 9  # 共9天


def test_made_up_2027():
    notice = parse_notice(text("2027_madeup.txt"))
    assert notice.year == 2027
    assert [d.day for d in notice.changes() if d.kind == "workday"] == [
        date(2027, 2, 20), date(2027, 4, 25), date(2027, 5, 8), date(2027, 9, 26), date(2027, 10, 9)]
    cal = WorkCalendar("CN", loaded=notice.days)
    # February: 20 weekdays - 6 days off (5, 8-12) + Saturday 20 = 15
    assert cal.workdays(date(2027, 2, 1), date(2027, 2, 28)) == 15
    assert WorkCalendar("CN").workdays(date(2027, 2, 1), date(2027, 2, 28)) == 16  # provisional: 5, 8, 9, 10 off


def test_saved_html_page_reads_like_the_text():
    page = ("<html><head><style>p{}</style></head><body><h1>国务院办公厅关于2026年部分节假日安排的通知</h1>"
            + "".join(f"<p>{line}</p>" for line in text("2026.txt").splitlines()[4:]) + "</body></html>")
    assert parse_notice(html_text(page)).days == parse_notice(text("2026.txt")).days


@pytest.mark.parametrize("line, reason", [
    ("二、春节：2月五日至12日放假调休，共8天。", "'12日' has no month"),
    ("二、春节：2月30日至3月2日放假调休。", "'2月30日' is not a date of 2027"),
    ("二、春节：2月5日（周四）至12日放假调休。", "2027-02-05 is a Friday"),
    ("二、春节：2月5日至12日，共8天。", "neither days off"),
    ("二、春节：另行通知。", "no days off found"),
    ("二、春假：2月5日至12日放假。", "unknown festival '春假'"),
    ("二、春节：2月12日至5日放假。", "not a range of days"),
    ("二、春节：2月5日至12日放假调休。2月6日上班。", "2027-02-06 is both a day off and a working day"),
])
def test_garbled_line_is_named(line, reason):
    body = f"国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日放假。\n{line}\n"
    with pytest.raises(BadInput) as err:
        parse_notice(body, "n.txt")
    message = str(err.value)
    assert message.startswith(f"invalid n.txt:3 '{line}': ") and reason in message, message


def test_no_year_or_no_holiday_line():
    with pytest.raises(BadInput, match="no year found"):
        parse_notice("一、元旦：1月1日放假。")
    with pytest.raises(BadInput, match="no holiday line found"):
        parse_notice("国务院办公厅关于2027年部分节假日安排的通知\n这里什么都没有。")


def test_company_day_lists():
    toml = '[[day]]\ndate = 2026-12-24\nkind = "holiday"\nname = "年会"\n[[day]]\ndate = "2026-12-26"\nkind = "上班"\n'
    assert parse_days(toml, "toml", "d.toml") == [
        LoadedDay(date(2026, 12, 24), "holiday", "年会", "manual"), LoadedDay(date(2026, 12, 26), "workday", "", "manual")]
    assert parse_days("date,kind,name\n2026-12-24,holiday,年会\n", "csv", "d.csv") == [
        LoadedDay(date(2026, 12, 24), "holiday", "年会", "manual")]
    with pytest.raises(BadInput, match=r"invalid d.csv:3 'someday'"):
        parse_days("date,kind,name\n2026-12-24,holiday,年会\nsomeday,holiday,x\n", "csv", "d.csv")
    with pytest.raises(BadInput, match="expected holiday or workday"):
        parse_days("date,kind\n2026-12-24,maybe\n", "csv", "d.csv")
    with pytest.raises(BadInput, match="unknown key"):
        parse_days('[[day]]\ndate = 2026-12-24\nkind = "holiday"\nwhen = 1\n', "toml", "d.toml")


def test_manual_days_overlay_any_source():
    cal = WorkCalendar("CN", loaded=[LoadedDay(date(2026, 12, 24), "holiday", "年会", "manual"),
                                     LoadedDay(date(2026, 10, 10), "holiday", "", "manual")])
    assert cal.source(2026) == "package"
    assert cal.workdays(date(2026, 12, 21), date(2026, 12, 27)) == 4
    assert not cal.is_workday(date(2026, 10, 10))  # a company that does not work the 调休 Saturday
    shown = [(d.day, d.kind, d.source) for d in cal.days_between(date(2026, 12, 1), date(2026, 12, 31))]
    assert shown == [(date(2026, 12, 24), "holiday", "manual")]


def test_festival_names():
    assert festival_name("中秋节、国庆节", "en") == "Mid-Autumn Festival, National Day"
    assert festival_name("春节", "zh") == "春节" and festival_name("年会", "en") == "年会"


def test_a_day_of_the_year_before_belongs_to_the_notice_but_not_its_year():
    # the 2012 notice: 元旦 1月1日至3日放假调休, Saturday 2011-12-31 worked
    notice = parse_notice("国务院办公厅关于2012年部分节假日安排的通知\n"
                          "一、元旦：2012年1月1日至3日放假调休，共3天。2011年12月31日（星期六）上班。\n")
    assert [(d.day, d.kind, d.year) for d in notice.changes()] == [
        (date(2011, 12, 31), "workday", 2012), (date(2012, 1, 2), "holiday", 2012), (date(2012, 1, 3), "holiday", 2012)]
    cal = WorkCalendar("CN", loaded=notice.days)
    assert cal.source(2012) == "notice" and cal.source(2011) == "package"  # 2011 keeps the package's days
    assert cal.is_workday(date(2011, 12, 31)) and cal.is_workday(date(2011, 12, 30))
    assert holidays.China(years=2011).is_working_day(date(2011, 12, 31))  # the package agrees
