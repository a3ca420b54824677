"""One renderer for every listing and report (SPEC §1 output).

Commands hand plain rows (dicts) and a column spec to `render`; they never build tables or
call json.dumps themselves. JSON keys and CSV headers are the English column keys; table
headers are translated labels. A table on a TTY is a Rich table; elsewhere it is plain
text aligned by display width (CJK counts double), never cut to a width, with no ANSI.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Iterable

from amkit import config
from amkit.ui.i18n import t


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    kind: str = "text"  # text | int | money | ratio | date | datetime | bool | enum | number
    enum: dict[str, str] | None = None  # for kind="enum": value → Chinese name


# --- value conversion --------------------------------------------------------------------

def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _decimal_number(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


def _decimal_number(value: Decimal) -> int | float:
    """An int when the Decimal has no fractional digits (exponent >= 0), else a float
    (``Decimal('5.00')`` → 5.0). Read from its text: 5x quicker than as_tuple() and float()."""
    text = str(value)
    return float(text) if "." in text or "E-" in text else int(value)


def _json_default(value: Any) -> Any:
    """What json's C encoder cannot write itself (it calls this only for those values)."""
    if isinstance(value, (Decimal, dt.date, dt.datetime)):
        return json_value(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_rows(rows: Iterable[dict[str, Any]]) -> str:
    """A JSON list with one row per line: valid JSON that diffs and greps well, and is written
    by json's C encoder (an indented dump runs in pure Python, ten times slower)."""
    encode = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
    lines = [encode(r) for r in rows]
    return "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"


# --- the one CSV cell definition (every CSV amkit writes) ---------------------------------
# A cell a spreadsheet would run as a formula (OWASP "CSV injection": = + - @, and tab/CR) gets a
# leading apostrophe; amkit's import strips it again, so a round trip is exact. Numbers are not
# formulas: a typed int/float/Decimal, or text that is just a plain decimal number ("-5", "+3.50"),
# is written as it is, so a spreadsheet still reads it as a number.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def neutralise(text: str) -> str:
    if text and text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    """A value as written in a CSV cell: `csv_value`, formula-neutralised."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return neutralise(csv_value(value))


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(json_value(value), ensure_ascii=False, sort_keys=True)
    return str(value)


@dataclass(frozen=True)
class Locale:
    lang: str
    currency: str

    @classmethod
    def current(cls) -> "Locale":
        return cls(config.language(), str(config.merged().get("currency", "")))


def cell_text(value: Any, col: Col, loc: Locale | None = None) -> str:
    """A value as shown in a table cell: money with separators, ratios as %, local dates."""
    if value is None:
        return ""
    loc = loc or Locale.current()
    kind = col.kind
    if kind == "money":
        return f"{loc.currency}{Decimal(value):,.2f}"
    if kind == "ratio":
        return f"{float(value) * 100:.1f}%"
    if kind == "bool":
        return t("yes") if value else t("no")
    if kind == "enum" and col.enum:
        return col.enum.get(value, value) if loc.lang == "zh" else str(value)
    if kind == "int":
        return f"{int(value):,}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日" if loc.lang == "zh" else value.isoformat()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, (dict, list)):
        return json.dumps(json_value(value), ensure_ascii=False)
    return str(value)


# --- output ----------------------------------------------------------------------------

def render(rows: list[dict[str, Any]], cols: list[Col], fmt: str = "table", *,
           out: IO[str] | None = None, bom: bool = False, title: str | None = None) -> None:
    stream = out or sys.stdout
    if fmt == "json":
        stream.write(json_rows(rows) + "\n")
    elif fmt == "csv":
        write_csv(rows, [c.key for c in cols], stream, bom=bom)
    else:
        write_table(rows, cols, stream, title=title)


def render_one(row: dict[str, Any], cols: list[Col], fmt: str = "table", *, out: IO[str] | None = None) -> None:
    """One record: a JSON object, a one-row CSV, or a field/value table."""
    stream = out or sys.stdout
    if fmt == "json":
        stream.write(json.dumps(json_value(row), ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        write_csv([row], [c.key for c in cols], stream)
    else:
        loc = Locale.current()
        pairs = [{"field": t(c.label), "value": cell_text(row.get(c.key), c, loc)} for c in cols]
        write_table(pairs, [Col("field", "Field"), Col("value", "Value")], stream, header=False)


def write_csv(rows: Iterable[dict[str, Any]], keys: list[str], stream: IO[str], *, bom: bool = False) -> None:
    if bom:
        stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([csv_cell(row.get(k)) for k in keys])


# C0/C1 controls (ESC, CR, newline, NUL, DEL …) and the bidi overrides that can disguise text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """Text safe for a terminal table: no escape sequence reaches the terminal and no newline
    breaks a row; each control character is shown as an escape (ESC → \\x1b, newline → \\n)."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: _ESCAPES.get(m[0]) or
                       (f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}"), text)


def write_table(rows: list[dict[str, Any]], cols: list[Col], stream: IO[str], *,
                title: str | None = None, header: bool = True) -> None:
    if _is_tty(stream):
        _rich_table(rows, cols, stream, title=title, header=header)
        return
    loc = Locale.current()
    cells = [[visible(cell_text(r.get(c.key), c, loc)) for c in cols] for r in rows]
    heads = [t(c.label) for c in cols]
    title = visible(title) if title else title
    widths = [max([display_width(h) if header else 0] + [display_width(row[i]) for row in cells])
              for i, h in enumerate(heads)]
    right = [c.kind in ("int", "money", "ratio", "number") for c in cols]
    lines = []
    if title:
        lines.append(title)
    if header:
        lines.append(_join(heads, widths, right))
        lines.append("  ".join("-" * w for w in widths))
    lines.extend(_join(row, widths, right) for row in cells)
    stream.write("\n".join(lines) + "\n")


def _join(cells: list[str], widths: list[int], right: list[bool]) -> str:
    parts = []
    for text, width, is_right in zip(cells, widths, right):
        pad = " " * (width - display_width(text))
        parts.append(pad + text if is_right else text + pad)
    return "  ".join(parts).rstrip()


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_tty(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _rich_table(rows, cols, stream, *, title, header) -> None:  # noqa: ANN001
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(visible(title)) if title else None, show_header=header, header_style="bold")
    for col in cols:
        table.add_column(t(col.label), justify="right" if col.kind in ("int", "money", "ratio", "number") else "left",
                         overflow="fold")
    loc = Locale.current()
    for row in rows:
        table.add_row(*[Text(visible(cell_text(row.get(c.key), c, loc))) for c in cols])  # no markup
    Console(file=stream).print(table)


def write_to(path: str | None, private: bool = False):  # noqa: ANN201
    """`-o FILE`: a text file (UTF-8) that replaces FILE atomically when the block ends without
    an error (amkit.core.atomic), or stdout. private: created 0600 (revealed contacts)."""
    if path is None or path == "-":
        return _NoClose(sys.stdout)
    return open_output(path, private=private)


def open_output(path: str, encoding: str = "utf-8", private: bool = False):  # noqa: ANN201
    """`-o FILE` as a context manager: a directory that cannot hold it is bad input (exit 2),
    an OS error while writing (disk full) exit 5; the earlier FILE stays whole either way."""
    from amkit.core.atomic import open_replacing

    return open_replacing(path, encoding=encoding, private=private, field="--output")


class _NoClose:
    def __init__(self, stream: IO[str]):
        self.stream = stream

    def __enter__(self) -> IO[str]:
        return self.stream

    def __exit__(self, *exc: object) -> None:
        self.stream.flush()
