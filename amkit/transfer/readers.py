"""Streaming readers for .csv/.tsv/.xlsx/.json/.jsonl with encoding detection.

Each reader yields (line_number, {column: raw value}) without loading the file: memory
stays flat in the file size (JSON arrays are the exception: use .jsonl for huge files).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator

from amkit.errors import BadInput, NotFound, bad_value

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gbk", "gb18030", "big5")
_SAMPLE = 1 << 20


@dataclass
class Source:
    path: Path
    columns: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]
    encoding: str | None = None


def open_source(path: str | Path, encoding: str = "auto", sheet: str | None = None,
                header_row: int | None = None) -> Source:
    """A file's rows. Workbooks: `sheet` (a name, or its number from 1; default the first) and
    `header_row` (from 1; default the first row with two or more cells, below a merged title)."""
    p = Path(path)
    if not p.exists():
        raise NotFound(f"file not found: {str(path)!r}")
    if not p.is_file():
        raise bad_value("file", str(path), "not a regular file")
    if encoding not in ENCODINGS:
        raise bad_value("--encoding", encoding, "expected one of " + ", ".join(ENCODINGS))
    suffix = p.suffix.lower()
    if header_row is not None and header_row < 1:
        raise bad_value("--header-row", header_row, "rows count from 1")
    if suffix in (".csv", ".tsv", ".txt"):
        if sheet is not None:
            raise bad_value("--sheet", sheet, "applies to .xlsx workbooks only")
        return _delimited(p, encoding, "\t" if suffix == ".tsv" else None, header_row)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(p, sheet, header_row)
    if sheet is not None or header_row is not None:
        raise bad_value("--sheet" if sheet is not None else "--header-row", sheet or header_row,
                        "applies to .xlsx workbooks and .csv files only")
    if suffix in (".json", ".jsonl", ".ndjson"):
        return _json(p, encoding, lines=suffix != ".json")
    raise bad_value("file", str(path), "expected a .csv, .tsv, .xlsx or .json file")


_UTF8_LEADS = bytes(range(0xC2, 0xF5))  # first bytes of UTF-8 multi-byte characters


@dataclass
class _Scan:
    """One pass of a decoder over a file, line-aligned chunk by chunk (0x0A never occurs inside a
    multi-byte character of UTF-8, GB18030 or Big5): where it first failed, and for UTF-8 how
    many multi-byte characters decoded well and how many bytes did not."""
    bad_line: int = 0
    bad_offset: int = -1
    good: int = 0
    bad: int = 0

    @property
    def ok(self) -> bool:
        return self.bad_offset < 0


def _scan(path: Path, encoding: str, count: bool = False) -> _Scan:
    scan = _Scan()
    offset, line, rest = 0, 1, b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(_SAMPLE)
            data = rest + chunk
            cut = len(data) if not chunk else data.rfind(b"\n") + 1
            piece, rest = data[:cut], data[cut:]
            if piece:
                try:
                    piece.decode(encoding)
                    if count:
                        scan.good += len(piece) - len(piece.translate(None, _UTF8_LEADS))
                except UnicodeDecodeError as exc:
                    if scan.ok:
                        scan.bad_offset = offset + exc.start
                        scan.bad_line = line + piece.count(b"\n", 0, exc.start)
                    if not count:
                        return scan
                    bad = piece.decode(encoding, "replace").count("\ufffd")
                    scan.bad += bad
                    scan.good += max(0, len(piece) - len(piece.translate(None, _UTF8_LEADS)) - bad)
                offset += len(piece)
                line += piece.count(b"\n")
            if not chunk:
                return scan


def detect_encoding(path: Path) -> str:
    """The encoding of the whole file, decided before any row is read: UTF-8 (with or without
    BOM) when every byte decodes as UTF-8; else GB18030 (a superset of GBK, which Excel in China
    writes) when every byte decodes as that. A mostly-UTF-8 file with a bad byte is a damaged
    UTF-8 file, not GB18030 (whose two-byte pairs would read it as mojibake): it is refused,
    as is a file valid in neither, naming the first bad line and byte."""
    with path.open("rb") as fh:
        bom = fh.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
    utf8 = _scan(path, "utf-8", count=True)
    if utf8.ok:
        return "utf-8-sig" if bom else "utf-8"
    if bom or utf8.good > utf8.bad:
        raise _undecodable(path, utf8, "is not valid UTF-8, which the rest of the file is (fix it, or give --encoding)")
    gb = _scan(path, "gb18030")
    if gb.ok:
        return "gb18030"
    raise _undecodable(path, gb, "is neither UTF-8 nor GB18030/GBK (give --encoding)")


def _undecodable(path: Path, scan: _Scan, why: str) -> BadInput:
    return bad_value("encoding", path.name, f"line {scan.bad_line} (byte {scan.bad_offset}) {why}")


def _text(path: Path, encoding: str) -> io.TextIOWrapper:
    if encoding == "auto":
        enc = detect_encoding(path)
    else:
        enc = encoding
        scan = _scan(path, "utf-8" if enc == "utf-8-sig" else enc)
        if not scan.ok:
            raise _undecodable(path, scan, f"is not valid {enc}")
    if enc in ("utf-8", "utf8"):
        enc = "utf-8-sig"  # drops a BOM if there is one
    return open(path, encoding=enc, newline="", errors="strict")


class BadRow(dict):
    """A row whose shape the reader cannot trust (ragged, unknown keys): its cells by column,
    and why. The importer rejects it like a row with a bad value (row-level: with
    --skip-invalid it goes to the rejected file)."""

    def __init__(self, cells: dict[str, Any], reason: str):
        super().__init__(cells)
        self.reason = reason


def _sniff(line: str) -> str:
    return max(",;\t", key=line.count) if any(d in line for d in ",;\t") else ","


def _filled(line: str, delimiter: str) -> int:
    """Non-empty cells of one physical line (0 for a line csv cannot split on its own)."""
    try:
        return sum(1 for v in next(csv.reader([line], delimiter=delimiter)) if v.strip())
    except (csv.Error, StopIteration):
        return 0


def _header_line(fh: IO[str], header_row: int | None, delimiter: str | None) -> tuple[int, str, list[str]]:
    """(its line number, the header line, the lines read after it). Given --header-row N, line
    N; else the first of the top lines with two or more cells, as in a workbook: a title saved
    from a merged cell ("2026年11月 拜访记录,,,,") fills one. A file whose top lines all hold one
    cell has its header on line 1 (the lines read past it come back as rows)."""
    lines: list[str] = []
    want = header_row or HEADER_SCAN
    while len(lines) < want:
        line = fh.readline()
        if not line:
            break
        lines.append(line)
        if header_row is None and _filled(line, delimiter or _sniff(line)) >= 2:
            return len(lines), line, []
    if header_row is not None:
        if len(lines) < header_row:
            raise bad_value("--header-row", header_row, f"the file has {len(lines)} line(s)")
        return header_row, lines[-1], []
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    return first + 1, lines[first] if lines else "", lines[first + 1:]


def _delimited(path: Path, encoding: str, delimiter: str | None, header_row: int | None = None) -> Source:
    fh = _text(path, encoding)
    try:
        number, first, pushed_back = _header_line(fh, header_row, delimiter)
    except UnicodeDecodeError as exc:
        fh.close()
        raise bad_value("encoding", path.name, f"cannot decode as {fh.encoding} ({exc.reason})") from None
    except BadInput:
        fh.close()
        raise
    if not first.strip():
        fh.close()
        raise bad_value("file", path.name, "empty file (expected a header row)" if number == 1 else
                        f"line {number} is empty (expected the header row)")
    if delimiter is None:
        delimiter = _sniff(first)
    try:
        header = next(csv.reader([first], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        fh.close()
        raise bad_value("file", path.name, f"line {number}: {exc}") from None
    columns = [h.strip() for h in header]
    try:
        _check_header(path, columns)
    except BadInput:
        fh.close()
        raise
    width = len(columns)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        with fh:
            reader = csv.reader(itertools.chain(pushed_back, fh), delimiter=delimiter, strict=True)
            start = number + 1  # the physical line the next record starts on (after the header)
            try:
                for values in reader:
                    line, start = start, reader.line_num + number + 1
                    if not "".join(values).strip():
                        continue
                    if start - line > 1:  # the record spans lines: a quoted cell holds a line break
                        _check_record(path, line, values, delimiter, width)
                    if len(values) == width:
                        yield line, dict(zip(columns, values))
                    else:
                        yield line, _ragged(columns, values)
            except UnicodeDecodeError as exc:
                raise bad_value("encoding", path.name, f"cannot decode as {fh.encoding} ({exc.reason})") from None
            except csv.Error as exc:
                raise bad_value("file", path.name, f"line {start}: {_csv_reason(str(exc))}") from None

    return Source(path, columns, rows(), fh.encoding)


def _csv_reason(message: str) -> str:
    if message == "unexpected end of data":
        return "unterminated quote: the quoted cell runs to the end of the file"
    if message.endswith("expected after '\"'"):
        return "a quote ends in the middle of a cell (a stray or unterminated quote?)"
    return message


def _check_record(path: Path, line: int, values: list[str], delimiter: str, width: int) -> None:
    """A quoted cell may hold line breaks, but not lines that look like rows of the file: that
    is an unterminated quote whose cell swallowed the rows after it (file-level: the row
    boundaries after it are unknown)."""
    need = max(1, width - 1)
    for value in values:
        if "\n" in value or "\r" in value:
            inner = value.splitlines()[1:]
            if any(part.count(delimiter) >= need for part in inner):
                raise bad_value("file", path.name, f"line {line}: a quoted cell runs over {len(inner) + 1} lines "
                                                   "that look like rows (an unterminated quote?)")


def _ragged(columns: list[str], values: list[str]) -> dict[str, Any]:
    """A row with more or fewer cells than the header: trailing empty cells are harmless, any
    other difference would shift or drop values, so the row is rejected."""
    width = len(columns)
    extra = values[width:]
    if len(values) > width and not any(v.strip() for v in extra):
        return dict(zip(columns, values))
    cells = dict(zip(columns, values + [""] * (width - len(values))))
    if len(values) > width:
        shown = ", ".join(repr(v) for v in extra[:3]) + (", …" if len(extra) > 3 else "")
        return BadRow(cells, f"{_cells(len(values))}, the header has {width} (extra: {shown})")
    return BadRow(cells, f"{_cells(len(values))}, the header has {width} (a missing cell shifts the rest)")


def _cells(n: int) -> str:
    return f"{n} cell" if n == 1 else f"{n} cells"


def _check_header(path: Path, columns: list[str]) -> None:
    seen: set[str] = set()
    for col in columns:
        if not col:
            raise bad_value("column", "", f"{path.name} has an empty column name in its header")
        if "\x00" in col:
            raise bad_value("column", col.replace("\x00", "\\0"), f"holds a NUL byte in the header of {path.name}")
        if not col.isascii() and any("\ud800" <= ch <= "\udfff" for ch in col):
            raise bad_value("column", col.encode("utf-8", "backslashreplace").decode(),
                            f"holds a lone surrogate in the header of {path.name}")
        if col in seen:
            raise bad_value("column", col, f"appears twice in the header of {path.name}")
        seen.add(col)


# Limits on an .xlsx, checked before it is loaded (README "Import"): an .xlsx is a zip, and a
# zip of a few MB can inflate to GBs of XML (a "zip bomb").
XLSX_MAX_BYTES = 256 << 20  # the declared uncompressed size of all its parts together
XLSX_MAX_PART = 64 << 20  # of any part but a worksheet (shared strings and styles are held in memory)
XLSX_MAX_CELLS = 5_000_000  # of the sheet: by its declared dimension, counted, and as read
XLSX_MAX_COLUMNS = 16384  # cells in one row (Excel's own limit): openpyxl holds a whole row in memory
_MiB = 1 << 20


def _check_zip(path: Path) -> None:
    """Declared uncompressed sizes, read from the zip's directory before anything is inflated
    (zipfile stops at a part's declared size, so the declaration bounds what is read)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise bad_value("file", path.name, f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    total = sum(i.file_size for i in infos)
    if total > XLSX_MAX_BYTES:
        raise bad_value("file", path.name, f"inflates to {total // _MiB} MiB, over the {XLSX_MAX_BYTES // _MiB} "
                                           "MiB limit for an .xlsx (save it as .csv)")
    for info in infos:
        if info.file_size > XLSX_MAX_PART and not info.filename.startswith("xl/worksheets/"):
            raise bad_value("file", path.name, f"part {info.filename} inflates to {info.file_size // _MiB} MiB, "
                                               f"over the {XLSX_MAX_PART // _MiB} MiB limit (save it as .csv)")


def _too_many_cells(path: Path, cells: int) -> BadInput:
    return bad_value("file", path.name, f"sheet holds {cells} cells or more, over the limit of {XLSX_MAX_CELLS} "
                                        "for an .xlsx (save it as .csv)")


class _Refused(Exception):
    pass


def _count_cells(path: Path, part: str) -> None:
    """Count the sheet's cells, row by row, in one streaming pass of expat over its XML (memory
    flat, about a tenth of openpyxl's time) before openpyxl parses it: openpyxl builds each row
    whole, so a row of millions of cells would be in memory before any limit could apply."""
    import pyexpat
    import zipfile

    count = {"cells": 0, "row": 0}

    def start(name: str, _attrs: Any) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            count["row"] = 0
        elif local == "c":
            count["cells"] += 1
            count["row"] += 1
            if count["cells"] > XLSX_MAX_CELLS:
                raise _Refused(_too_many_cells(path, count["cells"]))
            if count["row"] > XLSX_MAX_COLUMNS:
                raise _Refused(bad_value("file", path.name, f"a row holds more than {XLSX_MAX_COLUMNS} cells "
                                                            "(Excel's limit)"))

    parser = pyexpat.ParserCreate()
    parser.StartElementHandler = start
    try:
        with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
            parser.ParseFile(fh)
    except _Refused as exc:
        raise exc.args[0] from None
    except (pyexpat.ExpatError, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise bad_value("file", path.name, f"not a readable .xlsx workbook ({type(exc).__name__})") from None


HEADER_SCAN = 10  # rows looked at for the header below title rows


def _pick_sheet(wb: Any, path: Path, ref: str | None) -> Any:
    if ref is None:
        return wb.worksheets[0]
    if ref in wb.sheetnames:
        return wb[ref]
    if ref.isdigit() and 1 <= int(ref) <= len(wb.worksheets):
        return wb.worksheets[int(ref) - 1]
    wb.close()
    raise bad_value("--sheet", ref, f"{path.name} has the sheets {', '.join(wb.sheetnames)} (a name or 1–"
                                    f"{len(wb.worksheets)})")


def _header_row(sheet: Any, given: int | None) -> int:
    """The header's row number: given, or the first of the top rows with two or more filled
    cells (a title such as "2026年11月 拜访记录" merged across the top fills one)."""
    if given is not None:
        return given
    for number, values in enumerate(sheet.iter_rows(max_row=HEADER_SCAN, values_only=True), start=1):
        if sum(1 for v in values if v is not None and str(v).strip()) >= 2:
            return number
    return 1


def _xlsx(path: Path, sheet_ref: str | None = None, header_row: int | None = None) -> Source:
    from openpyxl import load_workbook

    _check_zip(path)
    if header_row is not None and header_row < 1:
        raise bad_value("--header-row", header_row, "rows count from 1")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        if not wb.worksheets:
            raise ValueError("no worksheet")
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        raise bad_value("file", path.name, f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    sheet = _pick_sheet(wb, path, sheet_ref)
    declared = (sheet.max_row or 0) * (sheet.max_column or 0)  # from <dimension>, read without loading
    if declared > XLSX_MAX_CELLS:
        wb.close()
        raise _too_many_cells(path, declared)
    part = getattr(sheet, "_worksheet_path", None)  # openpyxl's own name for the sheet's part
    if part:
        try:
            _count_cells(path, part.lstrip("/"))
        except BadInput:
            wb.close()
            raise
    # a <dimension> smaller than the data would make openpyxl stop early and drop rows silently:
    # read every row there is, capped by the cell count below
    sheet.reset_dimensions()
    try:
        first = _header_row(sheet, header_row)
        header = next(sheet.iter_rows(min_row=first, max_row=first, values_only=True), None)
    except Exception as exc:  # noqa: BLE001
        wb.close()
        raise bad_value("file", path.name, f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    if not header:
        wb.close()
        raise bad_value("file", path.name, "empty sheet (expected a header row)")
    columns = [str(h).strip() if h is not None else "" for h in header]
    while columns and not columns[-1]:
        columns.pop()
    try:
        _check_header(path, columns)
    except BadInput:
        wb.close()
        raise
    width = max(1, len(columns))

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        cells = width
        try:
            # only the header's columns: openpyxl pads each row (and each gap of empty rows) to
            # max_col, which a sheet could declare as 16384
            for line, values in enumerate(sheet.iter_rows(min_row=first + 1, max_col=width, values_only=True),
                                          start=first + 1):
                cells += width
                if cells > XLSX_MAX_CELLS:
                    raise _too_many_cells(path, cells)
                vals = list(values[: len(columns)])
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in vals):
                    continue
                vals += [None] * (len(columns) - len(vals))
                yield line, {c: ("" if v is None else v) for c, v in zip(columns, vals)}
        finally:
            wb.close()

    return Source(path, columns, rows())


JSON_MAX_DEPTH = 100


def _json_error(path: Path, text: str, exc: Exception, base_line: int = 1) -> BadInput:
    """One line for a file json cannot read: where and why (nesting too deep, syntax)."""
    if isinstance(exc, RecursionError):
        depth, line = 0, base_line
        in_string = escaped = False
        for ch in text:
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch in "[{":
                depth += 1
                if depth > JSON_MAX_DEPTH:
                    break
            elif ch in "]}":
                depth -= 1
            if ch == "\n":
                line += 1
        return bad_value("file", path.name, f"line {line}: JSON nested more than {JSON_MAX_DEPTH} levels deep")
    if isinstance(exc, json.JSONDecodeError):
        return bad_value("file", path.name, f"invalid JSON on line {base_line + exc.lineno - 1}: {exc.msg}")
    return bad_value("file", path.name, f"invalid JSON near line {base_line}: {exc}")  # e.g. an integer too long


def _json(path: Path, encoding: str, lines: bool) -> Source:
    fh = _text(path, encoding)
    if lines:
        def gen() -> Iterator[tuple[int, dict[str, Any]]]:
            with fh:
                for line, text in enumerate(fh, start=1):
                    if text.strip():
                        yield line, _object(text, line, path)
        rows = gen()
        first = next(rows, None)
        columns = list(first[1]) if first else []
        _check_header(path, columns)

        def chained() -> Iterator[tuple[int, dict[str, Any]]]:
            if first:
                yield first
            for line, obj in rows:
                unknown = [k for k in obj if k not in first[1]]
                if unknown:
                    # keys the first line did not have would be dropped: the first line names the columns
                    shown = ", ".join(repr(k) for k in unknown[:3])
                    yield line, BadRow({c: obj.get(c, "") for c in columns},
                                       f"key(s) {shown} not on the file's first line, which names the columns")
                else:
                    yield line, obj
        return Source(path, columns, chained())
    with fh:
        text = fh.read()
    data = _array(path, text)
    columns: list[str] = []
    for _, obj in data:
        columns.extend(k for k in obj if k not in columns)
    _check_header(path, columns)
    return Source(path, columns, iter(data))


def _array(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    """A JSON list of objects (or one object), each with the line it starts on."""
    decoder = json.JSONDecoder()
    ws = " \t\r\n"
    i = len(text) - len(text.lstrip(ws + "\ufeff"))
    if text.startswith("{", i):
        line = 1 + text.count("\n", 0, i)
        obj, end = _decode(path, decoder, text, i, line)
        if text[end:].strip(ws):
            raise bad_value("file", path.name, f"invalid JSON on line {1 + text.count(chr(10), 0, end)}: extra data")
        return [(line, obj)]
    if not text.startswith("[", i):
        raise bad_value("file", path.name, "expected a JSON list of objects")
    out: list[tuple[int, dict[str, Any]]] = []
    i, line, seen = i + 1, 1 + text.count("\n", 0, i), i
    while True:
        while i < len(text) and text[i] in ws:
            i += 1
        if text.startswith("]", i) and not out:
            i += 1
            break
        line += text.count("\n", seen, i)
        seen = i
        obj, i = _decode(path, decoder, text, i, line)
        if not isinstance(obj, dict):
            raise bad_value("file", path.name, f"line {line}: expected a JSON object, got {type(obj).__name__}")
        out.append((line, obj))
        while i < len(text) and text[i] in ws:
            i += 1
        if text.startswith(",", i):
            i += 1
            continue
        if text.startswith("]", i):
            i += 1
            break
        line += text.count("\n", seen, i)
        raise bad_value("file", path.name, f"invalid JSON on line {line}: expected ',' or ']'")
    if text[i:].strip(ws):
        raise bad_value("file", path.name, f"invalid JSON on line {1 + text.count(chr(10), 0, i)}: extra data")
    return out


def _decode(path: Path, decoder: json.JSONDecoder, text: str, at: int, line: int = 1) -> tuple[Any, int]:
    try:
        return decoder.raw_decode(text, at)
    except RecursionError as exc:
        raise _json_error(path, text[at:], exc, line) from None
    except ValueError as exc:  # JSONDecodeError counts lines from the start of `text`
        raise _json_error(path, text, exc, 1 if isinstance(exc, json.JSONDecodeError) else line) from None


def _object(text: str, line: int, path: Path) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _json_error(path, text, exc, line) from None
    if not isinstance(obj, dict):
        raise BadInput(f"invalid file {path.name!r}: line {line} is not a JSON object")
    return obj
