"""`calendar show` as text: a month grid (Monday first) with days off and make-up working
days marked, and below it the month's marked days with their names and sources."""

from __future__ import annotations

import calendar as stdcal
import unicodedata
from datetime import date

from amkit.core.workcal import HOLIDAY, CalendarDay

MARKS = {"zh": {HOLIDAY: "休", "workday": "班"}, "en": {HOLIDAY: "o", "workday": "w"}}
HEAD = {"zh": ["一", "二", "三", "四", "五", "六", "日"], "en": ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]}
KIND = {"zh": {HOLIDAY: "休", "workday": "班"}, "en": {HOLIDAY: "day off", "workday": "workday"}}
SOURCE = {"zh": {"package": "holidays 包", "notice": "国务院通知", "provisional": "暂定", "manual": "自定义",
                 "weekdays": "周一至周五"},
          "en": {"package": "holidays package", "notice": "State Council notice", "provisional": "provisional",
                 "manual": "manual", "weekdays": "Monday–Friday"}}
CELL = 5  # display columns per day: "12休 " / "12o  "


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def month_lines(year: int, month: int, days: list[CalendarDay], source: str, lang: str) -> list[str]:
    """The grid of one month, its legend line and the list of its marked days."""
    lang = lang if lang in MARKS else "en"
    marks = {d.day: d for d in days if d.day.year == year and d.day.month == month}
    title = f"{year}年{month}月" if lang == "zh" else date(year, month, 1).strftime("%B %Y")
    label = "来源" if lang == "zh" else "source"
    lines = [f"{title}  ({label}: {SOURCE[lang].get(source, source)})",
             "".join(_pad(h, CELL) for h in HEAD[lang]).rstrip()]
    for week in stdcal.Calendar(firstweekday=0).monthdayscalendar(year, month):
        cells = []
        for n in week:
            if not n:
                cells.append(" " * CELL)
                continue
            marked = marks.get(date(year, month, n))
            cells.append(_pad(f"{n:>2}" + (MARKS[lang][marked.kind] if marked else ""), CELL))
        lines.append("".join(cells).rstrip())
    for d in sorted(marks.values()):
        weekday = HEAD[lang][d.day.weekday()]
        weekday = f"周{weekday}" if lang == "zh" else weekday
        lines.append(f"  {d.day.isoformat()} {weekday}  {KIND[lang][d.kind]}  {d.name or ''}  "
                     f"[{SOURCE[lang].get(d.source, d.source)}]".rstrip())
    return lines


def legend(lang: str) -> str:
    if lang == "zh":
        return "休 = 工作日放假，班 = 周末调休上班"
    return "o = weekday off (holiday), w = weekend working day (make-up day, 调休)"
