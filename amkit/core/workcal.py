"""Work calendars: which days are working days (SPEC §3.1).

``WorkCalendar(code)`` with

* ``"CN"`` (the default): Monday–Friday, minus China's statutory holidays and their
  days off, plus the make-up working weekend days (调休, e.g. Saturday 2026-10-10), all from
  the ``holidays`` package (``holidays.China``: ``is_working_day``, ``weekend_workdays``).
* ``"none"``: Monday–Friday, no holidays, every year.
* any other ``holidays`` country code (``US``, ``DE``, ``JP``…): the country's weekend and
  public holidays (no make-up days unless the package knows them).

Coverage rule (years outside it raise BadInput naming field ``calendar``):

* ``CN``: only years for which the package carries the State Council's yearly notice, i.e.
  the years between the first and last key of ``China.special_public_holidays`` (the
  table of 调休 swaps; 2001–2026 in holidays 0.109). For a later year the package would
  still compute the fixed holidays but not the make-up working days, so the count of
  working days would be silently wrong; we refuse instead. (Should a release drop that
  table, the years in which ``weekend_workdays`` has dates are used.)
* other countries: ``start_year``..``end_year`` of the country class.

Each year is computed once (per code and language) into a flag table and a prefix sum,
so ``workdays(start, end)`` is O(number of years spanned) after warm-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from amkit.errors import bad_value

DEFAULT_CALENDAR = "CN"
NO_HOLIDAYS = "none"


@dataclass(frozen=True)
class _Year:
    first: date
    flags: bytes  # 1 = working day, indexed by day of year - 1
    prefix: tuple[int, ...]  # prefix[i] = working days among the first i days
    names: dict[date, str]  # holidays of the year (for holidays_between)


class WorkCalendar:
    """Working days for a calendar code; see the module docstring for codes and coverage."""

    def __init__(self, code: str = DEFAULT_CALENDAR, language: str | None = None):
        self.code = _normalise_code(code)
        self._cls = None if self.code == NO_HOLIDAYS else _country_class(self.code)
        self.language = _language(self._cls, language)
        self.years = _covered_years(self.code, self._cls)

    def __repr__(self) -> str:
        return f"WorkCalendar({self.code!r})"

    def is_workday(self, day: date) -> bool:
        year = self._year(day.year)
        return bool(year.flags[(day - year.first).days])

    def workdays(self, start: date, end: date) -> int:
        """Working days from ``start`` to ``end``, both inclusive; 0 if ``end < start``."""
        if end < start:
            return 0
        total = 0
        for y in range(start.year, end.year + 1):
            year = self._year(y)
            lo = (max(start, year.first) - year.first).days
            hi = (min(end, date(y, 12, 31)) - year.first).days + 1
            total += year.prefix[hi] - year.prefix[lo]
        return total

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Public holidays (and statutory days off) from ``start`` to ``end`` inclusive, by date."""
        out: list[tuple[date, str]] = []
        for y in range(start.year, end.year + 1):
            names = self._year(y).names
            out.extend((d, names[d]) for d in sorted(names) if start <= d <= end)
        return out

    def makeup_workdays_between(self, start: date, end: date) -> list[date]:
        """Weekend days that are working days (调休) from ``start`` to ``end`` inclusive."""
        days, day = [], start
        while day <= end:
            if day.weekday() >= 5 and self.is_workday(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def _year(self, year: int) -> _Year:
        if self.years is not None and year not in self.years:
            raise bad_value(
                "calendar", self.code,
                f"no holiday data for {year} (covered: {self.years.start}-{self.years.stop - 1}, "
                f"holidays {holidays.__version__}); upgrade holidays or use calendar 'none'")
        return _year_table(self.code, self.language, year)


def _normalise_code(code: str) -> str:
    text = str(code or "").strip()
    if text.lower() == NO_HOLIDAYS:
        return NO_HOLIDAYS
    return text.upper()


def _country_class(code: str) -> type:
    supported = holidays.list_supported_countries()
    if code not in supported:
        raise bad_value("calendar", code,
                        "unknown work calendar; use CN, none or an ISO country code like US, DE, JP")
    return type(holidays.country_holidays(code, years=[]))


def _language(cls: type | None, language: str | None) -> str | None:
    """The holiday-name language: the one asked for if supported, else en_US, else default."""
    if cls is None:
        return None
    languages = getattr(cls, "supported_languages", ())
    for choice in (language, "en_US"):
        if choice and choice in languages:
            return choice
    return getattr(cls, "default_language", None)


def _covered_years(code: str, cls: type | None) -> range | None:
    if cls is None:
        return None
    if code == "CN":
        swaps = getattr(holidays.country_holidays("CN", years=[]), "special_public_holidays", {})
        if not swaps:  # a holidays release without the table: years having make-up days
            table = holidays.country_holidays("CN", years=range(2001, cls.end_year + 1))
            swaps = {d.year for d in table.weekend_workdays}
        return range(min(swaps), max(swaps) + 1)
    return range(cls.start_year, cls.end_year + 1)


@lru_cache(maxsize=256)
def _year_table(code: str, language: str | None, year: int) -> _Year:
    first = date(year, 1, 1)
    count = (date(year + 1, 1, 1) - first).days if year < 9999 else 365
    days = [first + timedelta(days=i) for i in range(count)]
    if code == NO_HOLIDAYS:
        flags, names = bytes(d.weekday() < 5 for d in days), {}
    else:
        table = holidays.country_holidays(code, years=year, language=language)
        flags = bytes(table.is_working_day(d) for d in days)
        names = {d: name for d, name in table.items() if d.year == year}
    prefix = [0]
    for flag in flags:
        prefix.append(prefix[-1] + flag)
    return _Year(first, flags, tuple(prefix), names)
