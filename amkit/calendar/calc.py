"""Reading the State Council's yearly holiday notice, and company day lists (issue 19).

Pure: text in, days out (no database, no files, no clock).

The notice (国务院办公厅关于20XX年部分节假日安排的通知) as published: plain text copied from
the government site, or its saved HTML (``html_text`` turns that into lines). The year comes
from the title (``关于2026年部分节假日安排``) or the first sentence (``现将2026年…``). A holiday
line is ``一、元旦：…`` (the numbering is optional, the festival names must be known ones,
several joined by 、和与及). Its body is read clause by clause (split at 。，；):

* a clause with 上班 lists make-up working days (``1月4日（周日）上班``,
  ``2月14日（周六）、2月28日（周六）上班``);
* a clause with 放假, 补休, 休息, 调休 or 休假 lists days off: single days and ranges
  (``1月1日至3日``, ``1月27日至2月2日``, ``2007年12月30日—2008年1月1日``), a day without a
  month taking the month before it;
* other clauses (``共3天``, ``与周末连休``) carry no dates; one that has dates but neither
  word is an error.

A weekday given in brackets after a date (``（星期一）``, ``（周四）``, also inside
``（农历腊月二十八、周日）``) must agree with the date: a typo there is caught rather than
loaded. Any problem is BadInput naming the line (number and text). Days off include weekend
days inside a range (the 2026 Spring Festival runs Sunday 2-15 to Monday 2-23); what changes
a count is the weekday days off and the weekend working days.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser

from amkit.core.workcal import HOLIDAY, MANUAL, NOTICE, WORKDAY, LoadedDay
from amkit.errors import BadInput, bad_value

FESTIVALS = {  # the notice's names -> English
    "元旦": "New Year's Day", "春节": "Spring Festival", "清明节": "Tomb-Sweeping Day",
    "劳动节": "Labour Day", "端午节": "Dragon Boat Festival", "中秋节": "Mid-Autumn Festival",
    "国庆节": "National Day",
}
KINDS = (HOLIDAY, WORKDAY)
_NAME = "|".join(FESTIVALS)
_HEADING = re.compile(rf"^\s*(?:[一二三四五六七八九十]+[、.]\s*)?(?P<names>(?:{_NAME})(?:\s*[、和与及]\s*(?:{_NAME}))*)"
                      r"\s*:(?P<body>.*)$")
_NUMBERED = re.compile(r"^\s*[一二三四五六七八九十]+[、.]\s*(?P<head>[^:]{0,20}):")
_YEAR = (re.compile(r"关于\s*(\d{4})\s*年"), re.compile(r"(\d{4})\s*年\s*(?:部分)?节假日安排"),
         re.compile(r"现将\s*(\d{4})\s*年"))
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DATED_PAREN = re.compile(r"日\s*\(([^)]*)\)")
_PAREN = re.compile(r"\([^)]*\)")
_DATE = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日(?:<(?P<w>\d)>)?")
_RANGE = re.compile(r"^\s*(?:至|到|—+|–|-|~)\s*$")
_OFF_WORDS = ("放假", "补休", "休息", "调休", "休假")


@dataclass(frozen=True)
class Notice:
    """What a notice says: its year and every day it names, in date order."""

    year: int
    days: list[LoadedDay]

    def changes(self) -> list[LoadedDay]:
        """The days that change a Monday–Friday count: weekday days off, weekend working days."""
        return [d for d in self.days if (d.kind == HOLIDAY) == (d.day.weekday() < 5)]


def festival_name(name: str | None, lang: str) -> str | None:
    """A notice's festival name (春节, 中秋节、国庆节) in ``lang``: English names for en."""
    if not name or lang == "zh":
        return name
    parts = [p for p in re.split(r"[、,]", name) if p]
    if not all(p in FESTIVALS for p in parts):
        return name
    return ", ".join(FESTIVALS[p] for p in parts)


# ------------------------------------------------------------------------- the notice

def parse_notice(text: str, where: str = "notice") -> Notice:
    """The days of a notice's text; BadInput naming ``where:line`` and the line if it cannot
    be read (see the module doc)."""
    originals = [line.strip() for line in text.splitlines()]
    lines = [unicodedata.normalize("NFKC", line).strip() for line in originals]
    year = _year(lines, where)
    days: dict[date, LoadedDay] = {}
    found = 0
    for number, (line, shown) in enumerate(zip(lines, originals), 1):
        heading = _HEADING.match(line)
        if heading is None:
            numbered = _NUMBERED.match(line)
            if numbered and numbered.group("head").strip():
                raise bad_value(f"{where}:{number}", shown, "not a holiday line: unknown festival "
                                f"'{numbered.group('head').strip()}' (expected {', '.join(FESTIVALS)})")
            continue
        found += 1
        name = "、".join(re.findall(_NAME, heading.group("names")))
        for day in _line_days(heading.group("body"), year, name, f"{where}:{number}", shown):
            if day.day in days and days[day.day].kind != day.kind:
                raise bad_value(f"{where}:{number}", shown, f"{day.day} is both a day off and a working day")
            days[day.day] = day
    if not found:
        raise bad_value(where, _first(originals), "no holiday line found (expected lines like "
                        "'一、元旦：1月1日至3日放假调休，共3天。')")
    return Notice(year, sorted(days.values()))


def _first(lines: list[str]) -> str:
    return next((line for line in lines if line), "")[:60]


def _year(lines: list[str], where: str) -> int:
    for pattern in _YEAR:
        for line in lines:
            m = pattern.search(line)
            if m:
                return int(m.group(1))
    raise bad_value(where, _first([line for line in lines]), "no year found: the notice's title names it "
                    "(国务院办公厅关于2027年部分节假日安排的通知)")


def _line_days(body: str, year: int, name: str, field: str, line: str) -> list[LoadedDay]:
    """The days of one holiday line's body."""
    body = _DATED_PAREN.sub(lambda m: "日" + _weekday_mark(m.group(1)), body)
    body = _PAREN.sub("", body)
    out: list[LoadedDay] = []
    month: int | None = None
    for clause in re.split(r"[。;,]", body):
        matches = list(_DATE.finditer(clause))
        if not matches:
            continue
        if "上班" in clause:
            kind = WORKDAY
        elif any(word in clause for word in _OFF_WORDS):
            kind = HOLIDAY
        else:
            raise bad_value(field, line, f"'{_plain(clause)}': neither days off (放假/补休) nor working days (上班)")
        days: list[date] = []
        for i, m in enumerate(matches):
            y = int(m.group("y")) if m.group("y") else year
            if m.group("m"):
                month = int(m.group("m"))
            if month is None:
                raise bad_value(field, line, f"'{_plain(m.group(0))}' has no month")
            try:
                day = date(y, month, int(m.group("d")))
            except ValueError:
                raise bad_value(field, line, f"'{_plain(m.group(0))}' is not a date of {y}") from None
            if m.group("w") is not None and int(m.group("w")) != day.weekday():
                raise bad_value(field, line, f"{day} is a {day.strftime('%A')}, not what the line says")
            between = clause[matches[i - 1].end():m.start()] if i else ""
            if i and _RANGE.match(between):
                first = days[-1]
                if day < first or (day - first).days > 31:
                    raise bad_value(field, line, f"'{_plain(clause)}': not a range of days")
                days.extend([first + timedelta(days=k) for k in range(1, (day - first).days + 1)])
            else:
                days.append(day)
        out.extend(LoadedDay(d, kind, name, NOTICE, year) for d in days)
    if not any(d.kind == HOLIDAY for d in out):
        raise bad_value(field, line, "no days off found in a holiday line")
    if any(abs(d.day.year - year) > 1 for d in out):
        raise bad_value(field, line, f"a date far from the notice's year {year}")
    return out


def _plain(text: str) -> str:
    """A clause as the user wrote it, without the weekday marks added while reading it."""
    return re.sub(r"<\d>", "", text).strip()


def _weekday_mark(inside: str) -> str:
    """``<n>`` (Monday = 0) for the weekday named in a date's brackets, else nothing."""
    m = re.search(r"(?:星期|周|礼拜)([一二三四五六日天])", inside)
    return f"<{_WEEKDAY[m.group(1)]}>" if m else ""


class _Text(HTMLParser):
    BLOCKS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "td"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data.replace("\n", " "))


def html_text(markup: str) -> str:
    """The text of a saved HTML page, one line per paragraph (block element)."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "\n".join(line.strip() for line in "".join(parser.parts).splitlines() if line.strip())


# ------------------------------------------------------------------------- day lists

def parse_days(text: str, fmt: str, where: str) -> list[LoadedDay]:
    """A company's days: TOML ``[[day]] date = 2026-12-24, kind = "holiday", name = "年会"``
    or CSV with columns ``date, kind, name``; BadInput naming the entry or line."""
    if fmt == "toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise bad_value(where, "", f"not TOML: {exc}") from None
        unknown = set(data) - {"day"}
        if unknown:
            raise bad_value(where, min(unknown), "unknown key (expected [[day]] tables)")
        entries = data.get("day", [])
        if not isinstance(entries, list):
            raise bad_value(where, "day", "expected [[day]] tables")
        rows = [(f"{where}: day {i}", e) for i, e in enumerate(entries, 1)]
    else:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "date" not in header or "kind" not in header:
            raise bad_value(where, ",".join(reader.fieldnames or []), "expected the columns date, kind, name")
        rows = [(f"{where}:{i}", {k.strip().lower(): v for k, v in row.items() if k})
                for i, row in enumerate(reader, 2)]
    days: dict[date, LoadedDay] = {}
    for field, entry in rows:
        day = _day_entry(field, entry)
        if day.day in days:
            raise bad_value(field, day.day.isoformat(), "the date is listed twice")
        days[day.day] = day
    if not days:
        raise BadInput(f"{where}: no days listed")
    return sorted(days.values())


def _day_entry(field: str, entry: object) -> LoadedDay:
    if not isinstance(entry, dict):
        raise bad_value(field, entry, "expected date, kind, name")
    extra = set(entry) - {"date", "kind", "name"}
    if extra:
        raise bad_value(field, min(extra), "unknown key (expected date, kind, name)")
    raw = entry.get("date")
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw or "").strip())
        except ValueError:
            raise bad_value(field, raw, "expected a date YYYY-MM-DD") from None
    kind = str(entry.get("kind") or "").strip().lower()
    kind = {"休": HOLIDAY, "休息": HOLIDAY, "放假": HOLIDAY, "班": WORKDAY, "上班": WORKDAY}.get(kind, kind)
    if kind not in KINDS:
        raise bad_value(field, entry.get("kind"), "expected holiday or workday")
    name = str(entry.get("name") or "").strip()
    if len(name) > 100:
        raise bad_value(field, name[:20] + "…", "name longer than 100 characters")
    return LoadedDay(day, kind, name, MANUAL)

