"""Goal periods: year ``2026``, quarter ``2026Q4``, month ``2026-11``, ISO week ``2026W47``.

Pure date arithmetic, no clock reads. A :class:`Period` has a canonical ``key`` (the forms
above), a ``kind`` and an inclusive ``start``/``end``. Accepted spellings: quarters
``2026Q4``/``2026q4``/``2026-Q4``; months ``2026-11``/``2026-1``; weeks
``2026W47``/``2026w47``/``2026-W47`` (ISO year and week, 1..52 or 53).

Years are limited to 1900–2999 so that ``previous()`` and neighbours never leave the
range of :mod:`datetime`.

Buckets (for ``goal plan --by week|month``) are ISO weeks (Mon–Sun) or calendar months
clipped to the period; a week bucket is named ``2026-W41``, a month bucket ``2026-10``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from amkit.errors import bad_value

KINDS = ("year", "quarter", "month", "week")
MIN_YEAR, MAX_YEAR = 1900, 2999

_PATTERNS = (
    ("year", re.compile(r"(\d{4})")),
    ("quarter", re.compile(r"(\d{4})-?[Qq]([1-4])")),
    ("month", re.compile(r"(\d{4})-(\d{1,2})")),
    ("week", re.compile(r"(\d{4})-?[Ww](\d{1,2})")),
)
_FORMS = "expected YYYY, YYYYQn, YYYY-MM or YYYYWnn (e.g. 2026, 2026Q4, 2026-11, 2026W47)"


@dataclass(frozen=True)
class Bucket:
    """One row of a plan: an ISO week or month clipped to a period."""

    name: str
    start: date
    end: date


@dataclass(frozen=True)
class Period:
    """A goal period; ``end`` is inclusive. Build with :func:`parse_period`."""

    key: str
    kind: str
    start: date
    end: date

    def __str__(self) -> str:
        return self.key

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period:
        """The period of the same kind just before this one (2026Q1 → 2025Q4)."""
        return period_containing(self.kind, self.start - timedelta(days=1))

    def same_period_last_year(self) -> Period:
        """Same kind, one year back; ISO week 53 maps to week 52 when last year has none."""
        year = _year_of(self) - 1
        if self.kind == "year":
            return make_period("year", year)
        if self.kind == "quarter":
            return make_period("quarter", year, int(self.key[-1]))
        if self.kind == "month":
            return make_period("month", year, self.start.month)
        week = min(self.start.isocalendar().week, iso_weeks_in_year(year))
        return make_period("week", year, week)

    def months(self) -> list[Bucket]:
        """Calendar months overlapping the period, clipped to it."""
        out, first = [], self.start.replace(day=1)
        while first <= self.end:
            nxt = _add_months(first, 1)
            out.append(Bucket(f"{first:%Y-%m}", max(first, self.start),
                              min(nxt - timedelta(days=1), self.end)))
            first = nxt
        return out

    def weeks(self) -> list[Bucket]:
        """ISO weeks (Mon–Sun) overlapping the period, clipped to it, named ``2026-W41``."""
        out, monday = [], self.start - timedelta(days=self.start.weekday())
        while monday <= self.end:
            iso = monday.isocalendar()
            out.append(Bucket(f"{iso.year}-W{iso.week:02d}", max(monday, self.start),
                              min(monday + timedelta(days=6), self.end)))
            monday += timedelta(days=7)
        return out

    def buckets(self, by: str) -> list[Bucket]:
        """``by`` is ``week`` or ``month``; anything else is BadInput (field ``by``)."""
        if by == "week":
            return self.weeks()
        if by == "month":
            return self.months()
        raise bad_value("by", by, "expected week or month")


def parse_period(text: str | Period) -> Period:
    """Parse a period string; BadInput naming field ``period`` and the value if malformed."""
    if isinstance(text, Period):
        return text
    raw = str(text).strip() if text is not None else ""
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(raw)
        if match:
            numbers = [int(g) for g in match.groups()]
            return _checked(kind, numbers, text)
    raise bad_value("period", text, _FORMS)


def _checked(kind: str, numbers: list[int], text: object) -> Period:
    year = numbers[0]
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise bad_value("period", text, f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    if kind == "month" and not 1 <= numbers[1] <= 12:
        raise bad_value("period", text, "month must be 01-12")
    if kind == "week" and not 1 <= numbers[1] <= iso_weeks_in_year(year):
        raise bad_value("period", text, f"ISO year {year} has weeks 1-{iso_weeks_in_year(year)}")
    return make_period(kind, *numbers)


def make_period(kind: str, year: int, number: int | None = None) -> Period:
    """Build a period from numbers: ("quarter", 2026, 4), ("week", 2026, 47), ("year", 2026)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise bad_value("period", year, f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    if kind == "year":
        return Period(f"{year}", kind, date(year, 1, 1), date(year, 12, 31))
    if kind == "quarter":
        first = date(year, 3 * number - 2, 1)
        return Period(f"{year}Q{number}", kind, first, _add_months(first, 3) - timedelta(days=1))
    if kind == "month":
        first = date(year, number, 1)
        return Period(f"{year}-{number:02d}", kind, first, _add_months(first, 1) - timedelta(days=1))
    if kind == "week":
        monday = date.fromisocalendar(year, number, 1)
        return Period(f"{year}W{number:02d}", kind, monday, monday + timedelta(days=6))
    raise bad_value("kind", kind, f"expected one of {', '.join(KINDS)}")


def period_containing(kind: str, day: date) -> Period:
    """The period of ``kind`` that contains ``day`` (e.g. the current quarter for today)."""
    if kind == "year":
        return make_period(kind, day.year)
    if kind == "quarter":
        return make_period(kind, day.year, (day.month - 1) // 3 + 1)
    if kind == "month":
        return make_period(kind, day.year, day.month)
    if kind == "week":
        iso = day.isocalendar()
        return make_period(kind, iso.year, iso.week)
    raise bad_value("kind", kind, f"expected one of {', '.join(KINDS)}")


def iso_weeks_in_year(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the last week of its ISO year."""
    return date(year, 12, 28).isocalendar().week


def _year_of(period: Period) -> int:
    if period.kind == "week":
        return period.start.isocalendar().year
    return period.start.year


def _add_months(first: date, months: int) -> date:
    """First day of the month ``months`` after ``first`` (which is a first of month)."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
