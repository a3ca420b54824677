from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amkit.errors import BadInput
from amkit.core.periods import (
    Period,
    iso_weeks_in_year,
    make_period,
    parse_period,
    period_containing,
)


@pytest.mark.parametrize(
    "text, key, kind, start, end",
    [
        ("2026", "2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026Q4", "2026Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026q1", "2026Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q2", "2026Q2", "quarter", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026-11", "2026-11", "month", date(2026, 11, 1), date(2026, 11, 30)),
        ("2028-2", "2028-02", "month", date(2028, 2, 1), date(2028, 2, 29)),
        # 2026-11-16 is a Monday (2026-01-01 is a Thursday, ISO week 1 starts 2025-12-29)
        ("2026W47", "2026W47", "week", date(2026, 11, 16), date(2026, 11, 22)),
        ("2026-W47", "2026W47", "week", date(2026, 11, 16), date(2026, 11, 22)),
        ("2026w01", "2026W01", "week", date(2025, 12, 29), date(2026, 1, 4)),
        ("2026W53", "2026W53", "week", date(2026, 12, 28), date(2027, 1, 3)),
        (" 2026Q3 ", "2026Q3", "quarter", date(2026, 7, 1), date(2026, 9, 30)),
    ],
)
def test_parse(text, key, kind, start, end):
    p = parse_period(text)
    assert (p.key, p.kind, p.start, p.end) == (key, kind, start, end)
    assert parse_period(p) is p
    assert str(p) == key


@pytest.mark.parametrize(
    "text", ["", "26Q4", "2026Q5", "2026Q0", "2026-13", "2026-00", "2025W53", "2026W54",
             "2026W00", "Q4 2026", "2026/11", "1899", "3000Q1", "二〇二六", "2026-11-01"]
)
def test_bad_period_names_field_and_value(text):
    with pytest.raises(BadInput) as err:
        parse_period(text)
    assert "period" in str(err.value)
    assert repr(text) in str(err.value)


def test_none_is_bad_input():
    with pytest.raises(BadInput, match="period"):
        parse_period(None)


@pytest.mark.parametrize(
    "key, prev",
    [("2026", "2025"), ("2026Q1", "2025Q4"), ("2026Q4", "2026Q3"), ("2026-01", "2025-12"),
     ("2026W01", "2025W52"), ("2027W01", "2026W53"), ("2026W47", "2026W46")],
)
def test_previous(key, prev):
    assert parse_period(key).previous().key == prev


@pytest.mark.parametrize(
    "key, last",
    [("2026", "2025"), ("2026Q4", "2025Q4"), ("2026-11", "2025-11"), ("2026W47", "2025W47"),
     ("2026W53", "2025W52"), ("2021W01", "2020W01")],
)
def test_same_period_last_year(key, last):
    assert parse_period(key).same_period_last_year().key == last


def test_contains_and_days():
    q = parse_period("2026Q4")
    assert q.contains(date(2026, 10, 1)) and q.contains(date(2026, 12, 31))
    assert not q.contains(date(2026, 9, 30)) and not q.contains(date(2027, 1, 1))
    assert q.days == 31 + 30 + 31


def test_week_buckets_of_a_year_are_clipped():
    weeks = parse_period("2026").weeks()
    assert weeks[0].name == "2026-W01"
    assert (weeks[0].start, weeks[0].end) == (date(2026, 1, 1), date(2026, 1, 4))
    assert weeks[-1].name == "2026-W53"
    assert (weeks[-1].start, weeks[-1].end) == (date(2026, 12, 28), date(2026, 12, 31))
    assert len(weeks) == 53
    # 2027-01-01 is a Friday: it belongs to ISO week 2026-W53
    assert parse_period("2027Q1").weeks()[0].name == "2026-W53"


def test_month_buckets_of_a_week_spanning_two_months():
    months = parse_period("2026W49").months()  # Mon 2026-11-30 .. Sun 2026-12-06
    assert [(m.name, m.start, m.end) for m in months] == [
        ("2026-11", date(2026, 11, 30), date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 6)),
    ]


def test_buckets_rejects_unknown_by():
    with pytest.raises(BadInput, match="by 'day'"):
        parse_period("2026Q4").buckets("day")


def test_make_period_bad_kind():
    with pytest.raises(BadInput, match="kind 'decade'"):
        make_period("decade", 2026)
    with pytest.raises(BadInput, match="kind 'decade'"):
        period_containing("decade", date(2026, 1, 1))


def test_iso_weeks_in_year():
    assert iso_weeks_in_year(2026) == 53
    assert iso_weeks_in_year(2025) == 52
    assert iso_weeks_in_year(2020) == 53


days = st.dates(min_value=date(1901, 1, 1), max_value=date(2998, 12, 31))
kinds = st.sampled_from(["year", "quarter", "month", "week"])


@given(kinds, days)
def test_period_containing_round_trips(kind, day):
    p = period_containing(kind, day)
    assert p.contains(day)
    assert parse_period(p.key) == p
    assert p.previous().end + timedelta(days=1) == p.start


@given(kinds, days, st.sampled_from(["week", "month"]))
def test_buckets_tile_the_period(kind, day, by):
    p = period_containing(kind, day)
    buckets = p.buckets(by)
    assert buckets[0].start == p.start and buckets[-1].end == p.end
    for a, b in zip(buckets, buckets[1:]):
        assert a.end + timedelta(days=1) == b.start
    assert all(isinstance(b.name, str) and b.start <= b.end for b in buckets)
    if by == "week":
        assert all(b.start.isocalendar()[:2] == b.end.isocalendar()[:2] for b in buckets)
    assert isinstance(p, Period)
