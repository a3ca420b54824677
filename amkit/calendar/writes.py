"""`calendar load`: store a notice's days or a company's days, audited (issue 19).

A notice replaces the stored notice of its year as a whole. Before storing it is compared,
day by day over its year, with what the year is now (package or an earlier notice, manual
days included on both sides): if any day changes from working to not or back, that is a
Conflict listing the days, and nothing is stored, unless ``replace``. A provisional year (no
package data, no notice) has nothing to contradict. Loading the same notice again changes
nothing. Manual days are added or updated by date; with ``replace`` the other manual days of
the same years are removed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select

from amkit.calendar import calc
from amkit.core.workcal import MANUAL, NOTICE, PACKAGE, LoadedDay, WorkCalendar
from amkit.errors import Conflict, bad_value
from amkit.store.models import CalendarDay
from amkit.store.writer import Store

MAX_BYTES = 2_000_000


@dataclass
class Loaded:
    """What a load understood and did."""

    code: str
    source: str  # notice or manual
    days: list[LoadedDay]
    years: list[int]
    added: int = 0
    removed: int = 0
    updated: int = 0
    unchanged: bool = False
    replaced: list[tuple[dt.date, bool, bool]] = field(default_factory=list)  # day, working before, after


def read_file(path: str, stdin_text: str | None = None) -> tuple[str, str]:
    """(text, kind) of FILE: kind notice (txt/html), toml or csv; ``-`` is standard input.
    UTF-8 (with or without BOM), else GB18030 (pages saved by older Windows browsers)."""
    if path == "-":
        return stdin_text or "", "notice"
    file = Path(path)
    if not file.is_file():
        raise bad_value("FILE", path, "file not found")
    if file.stat().st_size > MAX_BYTES:
        raise bad_value("FILE", path, "larger than 2 MB: not a notice")
    data = file.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise bad_value("FILE", path, "neither UTF-8 nor GB18030 text")
    suffix = file.suffix.lower()
    if suffix in (".toml", ".csv"):
        return text, suffix[1:]
    if suffix in (".html", ".htm") or text.lstrip().startswith("<"):
        return calc.html_text(text), "notice"
    return text, "notice"


def parse(text: str, kind: str, where: str) -> tuple[str, list[LoadedDay], int | None]:
    """(source, days, notice year) of a file's text."""
    if kind == "notice":
        notice = calc.parse_notice(text, where)
        return NOTICE, notice.days, notice.year
    return MANUAL, calc.parse_days(text, kind, where), None


def load(st: Store, code: str, source: str, days: list[LoadedDay], year: int | None,
         replace: bool = False) -> Loaded:
    """Store the days (see the module doc); the caller discards the Store for a dry run."""
    if code == "none":
        raise bad_value("--calendar", code, "calendar none has no holidays to load")
    WorkCalendar(code)  # an unknown code fails here
    stored = list(st.session.exec(select(CalendarDay).where(CalendarDay.code == code)))
    if source == NOTICE:
        return _load_notice(st, code, days, year, stored, replace)
    return _load_manual(st, code, days, stored, replace)


def _as_loaded(rows: list[CalendarDay]) -> list[LoadedDay]:
    return [LoadedDay(r.day, r.kind, r.name, r.source, r.notice_year) for r in rows]


def _load_notice(st: Store, code: str, days: list[LoadedDay], year: int, stored: list[CalendarDay],
                 replace: bool) -> Loaded:
    old_rows = [r for r in stored if r.source == NOTICE and r.notice_year == year]
    result = Loaded(code, NOTICE, days, [year])
    if {(r.day, r.kind, r.name) for r in old_rows} == {(d.day, d.kind, d.name) for d in days}:
        result.unchanged = True
        return result
    before = WorkCalendar(code, loaded=_as_loaded(stored))
    keep = [r for r in stored if r not in old_rows]
    after = WorkCalendar(code, loaded=[*_as_loaded(keep), *days])
    years = sorted({year, *(d.day.year for d in days)})
    if all(before.covers(y) for y in years) and any(before.source(y) in (PACKAGE, NOTICE) for y in years):
        result.replaced = _differences(before, after, years)
        if result.replaced and not replace:
            was = "the loaded notice" if before.source(year) == NOTICE else "the holidays package"
            raise Conflict(
                f"the notice for {year} differs from {was} on {len(result.replaced)} day(s); "
                "nothing stored (check the text, or load it with --replace)",
                details=[f"{d}  {_word(old)} -> {_word(new)}" for d, old, new in result.replaced])
    for row in old_rows:
        st.delete(row)
    result.removed = len(old_rows)
    for d in days:
        st.add(CalendarDay(code=code, day=d.day, kind=d.kind, name=d.name, source=NOTICE, notice_year=year))
    result.added = len(days)
    return result


def _load_manual(st: Store, code: str, days: list[LoadedDay], stored: list[CalendarDay],
                 replace: bool) -> Loaded:
    years = sorted({d.day.year for d in days})
    result = Loaded(code, MANUAL, days, years)
    mine = {r.day: r for r in stored if r.source == MANUAL}
    for d in days:
        row = mine.pop(d.day, None)
        if row is None:
            st.add(CalendarDay(code=code, day=d.day, kind=d.kind, name=d.name, source=MANUAL))
            result.added += 1
        elif st.update(row, {"kind": d.kind, "name": d.name}):
            result.updated += 1
    if replace:
        for row in mine.values():
            if row.day.year in years:
                st.delete(row)
                result.removed += 1
    result.unchanged = not (result.added or result.updated or result.removed)
    return result


def _differences(before: WorkCalendar, after: WorkCalendar, years: list[int]) -> list[tuple[dt.date, bool, bool]]:
    out = []
    for y in years:
        day = dt.date(y, 1, 1)
        while day.year == y:
            old, new = before.is_workday(day), after.is_workday(day)
            if old != new:
                out.append((day, old, new))
            day += dt.timedelta(days=1)
    return out


def _word(working: bool) -> str:
    return "workday" if working else "day off"

