"""Streaming readers for .csv/.tsv/.xlsx/.json/.jsonl with encoding detection.

Each reader yields (line_number, {column: raw value}) without loading the file: memory
stays flat in the file size (JSON arrays are the exception: use .jsonl for huge files).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from amkit.errors import BadInput, NotFound, bad_value

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gbk", "gb18030", "big5")
_SAMPLE = 1 << 20


@dataclass
class Source:
    path: Path
    columns: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]
    encoding: str | None = None


def open_source(path: str | Path, encoding: str = "auto") -> Source:
    p = Path(path)
    if not p.exists():
        raise NotFound(f"file not found: {str(path)!r}")
    if not p.is_file():
        raise bad_value("file", str(path), "not a regular file")
    if encoding not in ENCODINGS:
        raise bad_value("--encoding", encoding, "expected one of " + ", ".join(ENCODINGS))
    suffix = p.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _delimited(p, encoding, "\t" if suffix == ".tsv" else None)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(p)
    if suffix in (".json", ".jsonl", ".ndjson"):
        return _json(p, encoding, lines=suffix != ".json")
    raise bad_value("file", str(path), "expected a .csv, .tsv, .xlsx or .json file")


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the start decodes as UTF-8, else GB18030 (a superset
    of GBK, which Excel in China writes), else what charset-normalizer guesses."""
    sample = path.read_bytes()[:_SAMPLE] if path.stat().st_size <= _SAMPLE else _head(path)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise bad_value("encoding", path.name, "cannot detect the file's text encoding (try --encoding)")
    return best.encoding


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_SAMPLE)


def _text(path: Path, encoding: str) -> io.TextIOWrapper:
    enc = detect_encoding(path) if encoding == "auto" else encoding
    if enc in ("utf-8", "utf8"):
        enc = "utf-8-sig"  # drops a BOM if there is one
    return open(path, encoding=enc, newline="", errors="strict")


def _delimited(path: Path, encoding: str, delimiter: str | None) -> Source:
    fh = _text(path, encoding)
    try:
        first = fh.readline()
    except UnicodeDecodeError as exc:
        fh.close()
        raise bad_value("encoding", path.name, f"cannot decode as {fh.encoding} ({exc.reason})") from None
    if not first.strip():
        fh.close()
        raise bad_value("file", path.name, "empty file (expected a header row)")
    if delimiter is None:
        delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    header = next(csv.reader([first], delimiter=delimiter))
    columns = [h.strip() for h in header]
    _check_header(path, columns)

    width = len(columns)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        with fh:
            reader = csv.reader(fh, delimiter=delimiter)
            try:
                for values in reader:
                    line = reader.line_num + 1
                    if not "".join(values).strip():
                        continue
                    if len(values) < width:
                        values += [""] * (width - len(values))
                    yield line, dict(zip(columns, values))
            except UnicodeDecodeError as exc:
                raise bad_value("encoding", path.name, f"cannot decode as {fh.encoding} ({exc.reason})") from None
            except csv.Error as exc:
                raise bad_value("file", path.name, f"line {reader.line_num}: {exc}") from None

    return Source(path, columns, rows(), fh.encoding)


def _check_header(path: Path, columns: list[str]) -> None:
    seen: set[str] = set()
    for col in columns:
        if not col:
            raise bad_value("column", "", f"{path.name} has an empty column name in its header")
        if col in seen:
            raise bad_value("column", col, f"appears twice in the header of {path.name}")
        seen.add(col)


def _xlsx(path: Path) -> Source:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        raise bad_value("file", path.name, f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    sheet = wb.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    header = next(it, None)
    if not header:
        raise bad_value("file", path.name, "empty sheet (expected a header row)")
    columns = [str(h).strip() if h is not None else "" for h in header]
    while columns and not columns[-1]:
        columns.pop()
    _check_header(path, columns)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for line, values in enumerate(it, start=2):
                vals = list(values[: len(columns)])
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in vals):
                    continue
                vals += [None] * (len(columns) - len(vals))
                yield line, {c: ("" if v is None else v) for c, v in zip(columns, vals)}
        finally:
            wb.close()

    return Source(path, columns, rows())


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

        def chained() -> Iterator[tuple[int, dict[str, Any]]]:
            if first:
                yield first
            yield from rows
        return Source(path, columns, chained())
    with fh:
        try:
            data = json.load(fh)
        except json.JSONDecodeError as exc:
            raise bad_value("file", path.name, f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise bad_value("file", path.name, "expected a JSON list of objects")
    columns: list[str] = []
    for obj in data:
        columns.extend(k for k in obj if k not in columns)
    return Source(path, columns, ((i + 1, obj) for i, obj in enumerate(data)))


def _object(text: str, line: int, path: Path) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise bad_value("file", path.name, f"invalid JSON on line {line}: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise BadInput(f"invalid file {path.name!r}: line {line} is not a JSON object")
    return obj
