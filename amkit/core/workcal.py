"""Work calendars: which days are working days (SPEC §3.1).

``WorkCalendar(code, language=None, loaded=())`` with

* ``"CN"`` (the default): Monday–Friday, minus China's statutory holidays and their
  days off, plus the make-up working weekend days (调休, e.g. Saturday 2026-10-10).
* ``"none"``: Monday–Friday, no holidays, every year (loaded days are ignored).
* any other ``holidays`` country code (``US``, ``DE``, ``JP``…): the country's weekend and
  public holidays (no make-up days unless the package knows them).

Coverage rule: for each year, the source of its days is, in this order,

1. ``notice``: days loaded from the State Council notice (``amkit calendar load``; they come
   from the database and are handed in as ``loaded``: this module never opens one). A year
   with at least one notice day is wholly the notice's: Monday–Friday, minus its days off,
   plus its make-up working days;
2. ``package``: the ``holidays`` package, for the years it carries the notice. For CN these
   are the years between the first and last key of ``China.special_public_holidays`` (the
   table of 调休 swaps; 2001–2026 in holidays 0.109; should a release drop that table, the
   years in which ``weekend_workdays`` has dates). Other countries: ``start_year``..``end_year``;
3. ``provisional`` (CN only, a year after the package's last one, up to its ``end_year``):
   the statutory holidays the package computes under the current rules (New Year, Spring
   Festival eve and days 1–3, Qingming, Labour Day 1–2, Dragon Boat, Mid-Autumn, National
   Day 1–3, with the observed days when one falls on a weekend), without make-up working
   days, which nobody knows before the notice. Callers warn about such years
   (``provisional_years``);
4. otherwise (a CN year before 2001, a country's year outside its range): BadInput naming
   field ``calendar``.

``manual`` days (company-specific, loaded from a TOML/CSV list) overlay whatever the year's
source is, day by day.

Each year is computed once (per code and language) into a flag table and a prefix sum,
so ``workdays(start, end)`` is O(number of years spanned) after warm-up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

import holidays

from amkit.errors import BadInput, bad_value

DEFAULT_CALENDAR = "CN"
NO_HOLIDAYS = "none"
NOTICE, MANUAL, PACKAGE, PROVISIONAL, WEEKDAYS = "notice", "manual", "package", "provisional", "weekdays"
HOLIDAY, WORKDAY = "holiday", "workday"


class LoadedDay(NamedTuple):
    """A day loaded into the database: ``kind`` holiday (day off) or workday, ``source``
    notice (the State Council notice of ``year``; its days may start in the year before, like
    a Saturday 12-31 worked for New Year) or manual (a company's own day)."""

    day: date
    kind: str
    name: str
    source: str
    year: int | None = None  # the notice's year (source notice); None: the day's own year


class CalendarDay(NamedTuple):
    """A day that differs from Monday–Friday, with where that comes from (``days_between``)."""

    day: date
    kind: str
    name: str | None
    source: str


@dataclass(frozen=True)
class _Year:
    first: date
    flags: bytes  # 1 = working day, indexed by day of year - 1
    prefix: tuple[int, ...]  # prefix[i] = working days among the first i days
    names: dict[date, str]  # holidays of the year (for holidays_between)


class WorkCalendar:
    """Working days for a calendar code; see the module docstring for codes and coverage."""

    def __init__(self, code: str = DEFAULT_CALENDAR, language: str | None = None,
                 loaded: Iterable[LoadedDay] = ()):
        self.code = _normalise_code(code)
        self._cls = None if self.code == NO_HOLIDAYS else _country_class(self.code)
        self.language = _language(self._cls, language)
        self.years = _covered_years(self.code, self._cls)  # the package's years (None: every year)
        self._loaded: dict[int, dict[str, dict[date, LoadedDay]]] = {}  # day's year -> source -> day
        self.notice_years: set[int] = set()
        for item in (() if self.code == NO_HOLIDAYS else loaded):
            if item.kind not in (HOLIDAY, WORKDAY) or item.source not in (NOTICE, MANUAL):
                raise bad_value("calendar", f"{item.day} {item.kind} {item.source}", "not a loaded day")
            self._loaded.setdefault(item.day.year, {NOTICE: {}, MANUAL: {}})[item.source][item.day] = item
            if item.source == NOTICE:
                self.notice_years.add(item.year or item.day.year)
        self._tables: dict[int, _Year] = {}

    def __repr__(self) -> str:
        return f"WorkCalendar({self.code!r})"

    # --- coverage ---------------------------------------------------------------------
    def source(self, year: int) -> str:
        """Where the year's days come from: notice, package, provisional (or weekdays for
        calendar none); BadInput on ``calendar`` for a year none of them covers."""
        if self.code == NO_HOLIDAYS:
            return WEEKDAYS
        if year in self.notice_years:
            return NOTICE
        if self.years is None or year in self.years:
            return PACKAGE
        if self.code == "CN" and self.years.stop <= year <= self._cls.end_year:
            return PROVISIONAL
        raise bad_value(
            "calendar", self.code,
            f"no holiday data for {year} (covered: {self.years.start}-{self.years.stop - 1}, "
            f"holidays {holidays.__version__}); load the State Council notice with "
            "`amkit calendar load` or use calendar 'none'")

    def covers(self, year: int) -> bool:
        """True if ``source(year)`` has an answer (no BadInput)."""
        try:
            self.source(year)
        except BadInput:
            return False
        return True

    def provisional_years(self, start: date, end: date) -> list[int]:
        """Years from ``start`` to ``end`` planned on the provisional calendar (see module doc)."""
        return [y for y in range(start.year, end.year + 1) if self.covers(y) and self.source(y) == PROVISIONAL]

    def fingerprint(self, start: date, end: date) -> str:
        """A short digest of which days from ``start`` to ``end`` are working days: it changes
        exactly when a load changes the working days of the range."""
        digest = hashlib.sha256()
        for y in range(start.year, end.year + 1):
            year = self._year(y)
            lo = (max(start, year.first) - year.first).days
            hi = (min(end, date(y, 12, 31)) - year.first).days + 1
            digest.update(year.flags[lo:hi])
        return digest.hexdigest()[:16]

    # --- days -------------------------------------------------------------------------
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

    def days_between(self, start: date, end: date) -> list[CalendarDay]:
        """Every day from ``start`` to ``end`` that differs from Monday–Friday: a weekday off
        (holiday) or a weekend working day (workday), with its name and source."""
        out, day = [], start
        while day <= end:
            working = self.is_workday(day)
            if working == (day.weekday() >= 5):
                loaded = self._loaded.get(day.year, {})
                manual = loaded.get(MANUAL, {}).get(day)
                notice = loaded.get(NOTICE, {}).get(day)
                source = MANUAL if manual else NOTICE if notice else self.source(day.year)
                name = (manual or notice).name if (manual or notice) else self._year(day.year).names.get(day)
                if working and not name:
                    name = self._festival_near(day)
                out.append(CalendarDay(day, WORKDAY if working else HOLIDAY, name or None, source))
            day += timedelta(days=1)
        return out

    def _festival_near(self, day: date) -> str | None:
        """A make-up working day's festival: the name of the nearest holiday within 10 days
        (names holding a date, like "Day off (substituted from 10/10/2026)", are skipped)."""
        near = [(abs((d - day).days), d, name) for d, name in self.holidays_between(
            max(day - timedelta(days=10), date(day.year, 1, 1)), min(day + timedelta(days=10), date(day.year, 12, 31)))
            if not any(ch.isdigit() for ch in name)]
        return min(near)[2] if near else None

    def _year(self, year: int) -> _Year:
        table = self._tables.get(year)
        if table is None:
            table = self._tables[year] = self._build(year)
        return table

    def _build(self, year: int) -> _Year:
        source = self.source(year)
        loaded = self._loaded.get(year, {})
        # a notice year starts from Monday–Friday; notice days of a neighbouring year's notice
        # (a 12-31 make-up day) and manual days overlay any year, manual last
        base = _year_table(NO_HOLIDAYS if source == NOTICE else self.code, self.language, year)
        overlay = [*loaded.get(NOTICE, {}).values(), *loaded.get(MANUAL, {}).values()]
        if not overlay:
            return base
        flags, names = bytearray(base.flags), dict(base.names)
        for item in overlay:  # notice first, then manual: a manual day wins
            flags[(item.day - base.first).days] = item.kind == WORKDAY
            if item.kind == HOLIDAY:
                names[item.day] = item.name
            else:
                names.pop(item.day, None)
        return _build_year(base.first, bytes(flags), names)


def normalise_code(code: str) -> str:
    """CN, none or an upper-case country code (as typed: cn, None, us)."""
    return _normalise_code(code)


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
    if code == NO_HOLIDAYS:  # (language is irrelevant here; lru_cache keys it anyway)
        flags, names = bytes(d.weekday() < 5 for d in days), {}
    else:
        table = holidays.country_holidays(code, years=year, language=language)
        flags = bytes(table.is_working_day(d) for d in days)
        names = {d: name for d, name in table.items() if d.year == year}
    return _build_year(first, flags, names)


def _build_year(first: date, flags: bytes, names: dict[date, str]) -> _Year:
    prefix = [0]
    for flag in flags:
        prefix.append(prefix[-1] + flag)
    return _Year(first, flags, tuple(prefix), names)
