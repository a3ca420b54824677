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

from amkit import config, context
from amkit.ui import fit
from amkit.ui.i18n import t


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    kind: str = "text"  # text | int | money | ratio | date | datetime | bool | enum | number
    enum: dict[str, str] | None = None  # for kind="enum": value → Chinese name
    priority: int | None = None  # on a narrow terminal, lower shows first (None: key columns, then order)


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
    if kind == "bar":  # a ratio as a bar of up to 12 blocks (1.0 = 10)
        return "█" * round(max(0.0, min(float(value), 1.2)) * 10)
    if kind == "enum" and col.enum:  # en: the value in words (next_action → next action), read back as typed
        return col.enum.get(value, value) if loc.lang == "zh" else str(value).replace("_", " ")
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
    cols = chosen_columns(cols)
    if fmt == "json":
        if context.current().columns:
            rows = [{c.key: r.get(c.key) for c in cols} for r in rows]
        stream.write(json_rows(rows) + "\n")
    elif fmt == "csv":
        write_csv(rows, [c.key for c in cols], stream, bom=bom)
    else:
        write_table(rows, cols, stream, title=title)


def render_one(row: dict[str, Any], cols: list[Col], fmt: str = "table", *, out: IO[str] | None = None) -> None:
    """One record: a JSON object, a one-row CSV, or a field/value table."""
    stream = out or sys.stdout
    cols = chosen_columns(cols)
    if context.current().columns:
        row = {c.key: row.get(c.key) for c in cols}
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


def chosen_columns(cols: list[Col]) -> list[Col]:
    """The columns `--columns a,b,c` picks (by key or by the label shown), in that order;
    every column when the option is not given. An unknown name is bad input (exit 2)."""
    wanted = context.current().columns
    if not wanted:
        return cols
    from amkit.errors import bad_value

    by_name: dict[str, Col] = {}
    for c in cols:
        by_name.setdefault(c.key.lower(), c)
        by_name.setdefault(t(c.label).lower(), c)
        by_name.setdefault(c.label.lower(), c)
    picked: list[Col] = []
    for name in wanted:
        col = by_name.get(name.strip().lower())
        if col is None:
            raise bad_value("--columns", name, t("expected one of {names}",
                                                 names=", ".join(c.key for c in cols if c.label)))
        if col not in picked:
            picked.append(col)
    return picked


def write_table(rows: list[dict[str, Any]], cols: list[Col], stream: IO[str], *,
                title: str | None = None, header: bool = True) -> None:
    if _is_tty(stream):
        _fitted_table(rows, cols, stream, title=title, header=header)
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


def terminal_width(stream: IO[str]) -> int:
    """The width of the terminal `stream` is (its own window size, not $COLUMNS)."""
    import os

    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):  # no file descriptor: $COLUMNS, else 80
        import shutil

        return shutil.get_terminal_size((80, 24)).columns


def clip_lines(text: str, stream: IO[str]) -> str:
    """Text whose lines are cut with "…" to the width of the terminal `stream` is (unchanged
    off a terminal, or with --wide): for digests that are not tables (remind)."""
    if not _is_tty(stream) or context.current().wide:
        return text
    width = terminal_width(stream)
    return "\n".join(fit.clip(line, width) for line in text.split("\n"))


def _fitted_table(rows, cols, stream, *, title, header) -> None:  # noqa: ANN001
    """A Rich table that fits the terminal: columns by priority, text cut with "…", numbers,
    dates and enum values never cut (ui/fit.py); a record view when even the key columns
    cannot fit; a one-line note on stderr naming how many columns are hidden."""
    loc = Locale.current()
    heads = [t(c.label) for c in cols]
    cells = [[visible(cell_text(r.get(c.key), c, loc)) for c in cols] for r in rows]
    kinds = [_shown_kind(c, rows) for c in cols]
    keys = [c.key for c in cols]
    order = fit.priority_order(keys, kinds, [c.priority for c in cols])
    key_count = min(2, sum(1 for c in cols if (fit.default_priority(c.key, c.kind) if c.priority is None
                                               else c.priority) <= fit.KEY)) or 1
    width = terminal_width(stream)
    wide = context.current().wide or bool(context.current().columns)
    if rows and not wide:  # a column empty in every row tells nothing: its room goes to the others
        blank = {i for i in order[key_count:] if not any(row[i].strip() for row in cells)}
        order = [i for i in order if i not in blank]
    chosen = fit.plan(heads if header else [""] * len(cols), cells, kinds, order, width,
                      key_count=key_count, wide=wide)
    if chosen.record_view:
        _record_view(heads, cells, stream, title, width)
        return
    _rich_table([[cells_row[i] for i in chosen.shown] for cells_row in cells], [cols[i] for i in chosen.shown],
                [heads[i] for i in chosen.shown], [chosen.widths[i] for i in chosen.shown], stream,
                title=title, header=header)
    if chosen.hidden:  # the blank columns too: plan was not given them
        sys.stderr.write(t("{n} column(s) hidden: --wide or --columns", n=chosen.hidden) + "\n")


def _shown_kind(col: Col, rows: list[dict[str, Any]]) -> str:
    """The column's kind for fitting: a text column that holds dates, numbers or phone
    numbers is rigid too (never cut)."""
    if col.kind != "text":
        return col.kind
    if col.key in fit.RIGID_KEYS:
        return "number"
    for row in rows:
        value = row.get(col.key)
        if value is not None:
            return "date" if isinstance(value, dt.date) else "number" if isinstance(
                value, (int, float, Decimal)) and not isinstance(value, bool) else "text"
    return "text"


def _record_view(heads: list[str], cells: list[list[str]], stream: IO[str], title: str | None, width: int) -> None:
    """One block per row, `label  value` per line: for tables too wide for any column set."""
    label_width = max((fit.cell_len(h) for h in heads), default=0)
    lines = [fit.clip(visible(title), width)] if title else []
    for n, row in enumerate(cells, 1):
        lines.append(fit.clip(f"── {n} " + "─" * max(0, width - 6 - len(str(n))), width))
        for head, value in zip(heads, row):
            pad = " " * (label_width - fit.cell_len(head))
            lines.append(fit.clip(f"{head}{pad}  {value}", width))
    stream.write("\n".join(lines) + "\n")


def _rich_table(cells, cols, heads, widths, stream, *, title, header) -> None:  # noqa: ANN001
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(visible(title)) if title else None, show_header=header, header_style="bold")
    for col, head, width in zip(cols, heads, widths):
        table.add_column(Text(fit.clip(head, width)), no_wrap=True, overflow="ellipsis", min_width=width,
                         max_width=width,
                         justify="right" if col.kind in ("int", "money", "ratio", "number") else "left")
    for row in cells:
        table.add_row(*[Text(fit.clip(text, width)) for text, width in zip(row, widths)])  # no markup
    total = fit.EDGE + sum(w + fit.BORDER for w in widths)
    Console(file=stream, width=total).print(table)


# Stored fields as a person reads them in change messages ("金额 ¥120,000.00 → ¥118,000.00"):
# field -> (label, kind); *_cents fields are money in cents.
FIELD_WORDS = {
    "amount_cents": ("Amount", "money"), "closed_at": ("Closed", "date"), "created": ("Created", "date"),
    "stage": ("Stage", "enum:stage"), "lifecycle": ("Stage", "enum:lifecycle"), "tier": ("Tier", "text"),
    "tier_locked": ("Locked", "bool"), "reason_code": ("Reason code", "enum:reason_code"),
    "lost_reason": ("Lost reason", "text"), "title": ("Title", "text"), "name": ("Name", "text"),
    "industry": ("Industry", "text"), "region": ("Region", "text"), "source": ("Source", "text"),
    "tags": ("Tags", "list"), "aliases": ("Aliases", "list"), "external_id": ("External id", "text"),
    "owner_id": ("Owner", "text"), "extra": ("Extra", "text"), "probability": ("Probability", "ratio"),
}


def change_line(field: str, old: Any, new: Any) -> str:
    """One changed field in words: its label, the old and the new value as a table shows them."""
    from amkit.core.enums import ENUMS

    label, kind = FIELD_WORDS.get(field, (field.replace("_", " ").capitalize(), "text"))
    enum = None
    if kind.startswith("enum:"):
        kind, enum = "enum", ENUMS.get(kind[5:])
    col = Col(field, label, kind, enum)
    loc = Locale.current()

    def shown(value: Any) -> str:
        if value is None or value == "":
            return "—"
        if field.endswith("_cents"):
            value = Decimal(int(value)) / 100
        if kind == "list":
            value = ", ".join(v for v in str(value).split(",") if v) if isinstance(value, str) else value
        if kind == "date" and isinstance(value, (dt.date, str)):
            return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]
        return visible(cell_text(value, col, loc))

    return f"{t(label)} {shown(old)} → {shown(new)}"


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
