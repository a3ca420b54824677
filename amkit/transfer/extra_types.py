"""One type per unmapped import column (the values a customer keeps in `extra`).

A spreadsheet column is one kind of thing: head counts, dates, yes/no, or text. Cell by cell,
the same column would come out mixed (an .xlsx cell 120 is a number, a typed "120" is text,
"unknown" is text), and the same sheet saved as CSV would give other types than as .xlsx. So the
importer reads the unmapped columns once before writing (only when there are any) and gives each
column the one type all its non-empty cells share, as sqlite-utils' ``--detect-types`` does:

- ``int``: whole numbers without a leading zero, at most 15 digits (so 007, phone-like codes with
  a leading 0 and 18-digit ID numbers stay text);
- ``number``: whole or decimal numbers (1.5, 3.10 → JSON numbers);
- ``bool``: TRUE/FALSE cells, or the text true/false;
- ``date``: date cells and written dates (2026-11-03, 2026/11/3, 2026.11.3, 2026年11月3日), kept
  as ISO text ``2026-11-03``; ``datetime`` when some carry a time (``2026-11-03T09:30:00``);
- ``text`` for anything else, or a mix: every cell as the sheet shows it (120, not 120.0;
  2026-11-03, not 2026-11-03 00:00:00; true/false).

An export writes the values back as they are, so a round trip keeps each column's type.
Pure: stdlib only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any, Iterable

KINDS = ("int", "number", "bool", "date", "datetime", "text")
MAX_DIGITS = 15  # a spreadsheet keeps 15 significant digits; longer digit runs are codes, not numbers

_INT = re.compile(rf"-?(?:0|[1-9]\d{{0,{MAX_DIGITS - 1}}})")
_DECIMAL = re.compile(rf"-?(?:0|[1-9]\d{{0,{MAX_DIGITS - 1}}})\.\d{{1,{MAX_DIGITS}}}")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|\.(\d{1,2})\.(\d{1,2})|年(\d{1,2})月(\d{1,2})日)")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?")


def _written_date(text: str) -> dt.date | None:
    m = _DATE.fullmatch(text)
    if not m:
        return None
    month, day = next((m.group(i), m.group(i + 1)) for i in (2, 4, 6, 8) if m.group(i))
    try:
        return dt.date(int(m.group(1)), int(month), int(day))
    except ValueError:
        return None


def _written_datetime(text: str) -> dt.datetime | None:
    m = _DATETIME.fullmatch(text)
    if not m:
        return None
    try:
        return dt.datetime(*(int(g) for g in m.groups(default="0")))
    except ValueError:
        return None


def kind_of(value: Any) -> str | None:
    """The kind of one cell (None for an empty one)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int" if abs(value) < 10**MAX_DIGITS else "text"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "text"
        return "int" if value.is_integer() and abs(value) < 10**MAX_DIGITS else "number"
    if isinstance(value, dt.datetime):
        return "date" if value.time() == dt.time() else "datetime"
    if isinstance(value, dt.date):
        return "date"
    text = str(value).strip()
    if _INT.fullmatch(text):
        return "int"
    if _DECIMAL.fullmatch(text):
        return "number"
    if text.lower() in ("true", "false"):
        return "bool"
    if _written_date(text):
        return "date"
    if _written_datetime(text):
        return "datetime"
    return "text"


def column_kind(kinds: Iterable[str]) -> str:
    """The one type a column's cell kinds share ("text" when they do not)."""
    found = set(kinds)
    if not found or "text" in found:
        return "text"
    if len(found) == 1:
        return found.pop()
    if found <= {"int", "number"}:
        return "number"
    if found <= {"date", "datetime"}:
        return "datetime"
    return "text"


def convert(value: Any, kind: str) -> Any:
    """A non-empty cell as its column's type (a JSON value)."""
    if kind == "int":
        return int(value) if not isinstance(value, str) else int(value.strip())
    if kind == "number":  # whole numbers as integers (120, not 120.0), whichever way they were written
        number = Decimal(value.strip() if isinstance(value, str) else repr(value) if isinstance(value, float) else value)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).strip().lower() == "true"
    if kind in ("date", "datetime"):
        moment = _moment(value)
        return moment.date().isoformat() if kind == "date" else moment.isoformat(timespec="seconds")
    return shown(value)


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = str(value).strip()
    day = _written_date(text)
    return dt.datetime.combine(day, dt.time()) if day else _written_datetime(text)  # type: ignore[return-value]


def shown(value: Any) -> str:
    """A cell as the sheet shows it, as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value if isinstance(value, str) else str(value)


def column_kinds(rows: Iterable[dict[str, Any]], columns: list[str]) -> dict[str, str]:
    """Each column's type over all ROWS (dicts of cells); a column stops being looked at once it
    is text."""
    seen: dict[str, set[str]] = {c: set() for c in columns}
    open_ = set(columns)
    for row in rows:
        for col in list(open_):
            k = kind_of(row.get(col))
            if k is not None:
                seen[col].add(k)
                if column_kind(seen[col]) == "text":
                    open_.discard(col)
        if not open_:
            break
    return {c: column_kind(kinds) for c, kinds in seen.items()}

