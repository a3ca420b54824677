"""`-f xlsx`: a workbook a spreadsheet user can work with at once (openpyxl, no hand-written XML).

One sheet; the header row bold and frozen (panes at A2) with an auto filter over the data;
each column as wide as its longest cell (CJK characters count 2, like the terminal tables);
numbers stay numbers with a money, percent or thousands format; dates and times are real
dates. Text that a spreadsheet would run as a formula is neutralised (amkit.ui.render.neutralise).

Headers are the English keys, as in CSV (SPEC §1), so an export still round-trips through import.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable, Sequence

from amkit.ui.render import csv_value, display_width, neutralise

FORMATS = {"money": "#,##0.00", "ratio": "0.0%", "int": "#,##0", "date": "yyyy-mm-dd",
           "datetime": "yyyy-mm-dd hh:mm"}
MIN_WIDTH, MAX_WIDTH = 6, 60


def cell_value(value: Any) -> Any:
    """The value as stored in the cell: numbers as numbers, dates as dates, the rest as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, (int, float, dt.date)):
        return value
    return neutralise(csv_value(value))


def shown_width(value: Any, kind: str | None) -> int:
    """Display width of a cell as the spreadsheet shows it (formats included)."""
    if value is None:
        return 0
    if kind == "money" and isinstance(value, (int, float)):
        return len(f"{value:,.2f}")
    if kind == "ratio" and isinstance(value, (int, float)):
        return len(f"{value * 100:.1f}%")
    if kind == "datetime":
        return 16
    if isinstance(value, dt.date):
        return 10
    return display_width(str(value))


def write(path: str, keys: Sequence[str], rows: Iterable[dict[str, Any]], kinds: Sequence[str | None] | None = None,
          *, sheet: str = "amkit", private: bool = False, headers: Sequence[str] | None = None) -> int:
    """Write ``rows`` (dicts over ``keys``) to ``path`` atomically; ``kinds`` per column (a Col
    kind: money, ratio, int, date, datetime, …) or guessed from the values; the header row shows
    ``headers`` (default: the keys). Returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from amkit.core.atomic import replacing

    data = [[cell_value(row.get(k)) for k in keys] for row in rows]
    if kinds is None:
        kinds = [next((k for k in (kind_of_cell(r[i]) for r in data) if k), None) for i in range(len(keys))]
    kinds = list(kinds)
    headers = list(headers or keys)
    widths = [max([display_width(h)] + [shown_width(r[i], kinds[i]) for r in data]) for i, h in enumerate(headers)]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31] or "amkit")
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    ws.freeze_panes = "A2"
    if keys:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{len(data) + 1}"
    bold = Font(bold=True)
    header = []
    for text in headers:
        c = WriteOnlyCell(ws, value=text)
        c.font = bold
        header.append(c)
    ws.append(header)
    formats = [FORMATS.get(k or "") for k in kinds]
    for values in data:
        out = []
        for value, fmt in zip(values, formats):
            if fmt and isinstance(value, (int, float, dt.date)):
                c = WriteOnlyCell(ws, value=value)
                c.number_format = fmt
                out.append(c)
            else:
                out.append(value)
        ws.append(out)
    with replacing(path, private=private, field="--output") as tmp:
        wb.save(tmp)
    return len(data)


def kind_of_cell(value: Any) -> str | None:
    """The kind of a converted cell value, for exports (no column spec): a float is an amount
    (money), an int a plain count or id (no thousands separator), a date a date."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, float):
        return "money"
    return "count"
