"""Export a table in the shape import reads back (SPEC §3.5).

Columns are the spec's field names (references as names), then one column per `extra` key.
Cells are written by `amkit.ui.render.csv_cell`, the one formula-neutralising definition
(import strips the apostrophe again, so a round trip is exact).
"""

from __future__ import annotations

import json
from typing import IO, Any, Iterator

from sqlmodel import Session

from amkit.ui.render import csv_cell, json_value
from amkit.transfer.tablespec import TableSpec


def columns(session: Session, spec: TableSpec) -> list[str]:
    cols = [f.name for f in spec.fields]
    if spec.extra:
        keys: list[str] = []
        for row in spec.export_rows(session):
            keys.extend(k for k in row["extra"] if k not in keys and k not in cols)
        cols += keys
    return cols


def flat_rows(session: Session, spec: TableSpec, cols: list[str]) -> Iterator[dict[str, Any]]:
    for row in spec.export_rows(session):
        extra = row.pop("extra", None) or {}
        yield {c: row[c] if c in row else extra.get(c) for c in cols}


def write_csv(stream: IO[str], session: Session, spec: TableSpec, *, bom: bool = False) -> int:
    import csv

    cols = columns(session, spec)
    if bom:
        stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(cols)
    count = 0
    for row in flat_rows(session, spec, cols):
        writer.writerow([csv_cell(row[c]) for c in cols])
        count += 1
    return count


def write_json(stream: IO[str], session: Session, spec: TableSpec) -> int:
    """A JSON list, streamed one object per line."""
    count = 0
    stream.write("[")
    for row in spec.export_rows(session):
        stream.write(("," if count else "") + "\n  " + json.dumps(json_value(row), ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def write_xlsx(path: str, session: Session, spec: TableSpec, *, private: bool = False) -> int:
    """The workbook (amkit.ui.xlsx: bold frozen header, filter, widths, number and date formats)
    replaces `path` atomically (amkit.core.atomic): a failure leaves the earlier file whole."""
    from amkit.ui import xlsx

    cols = columns(session, spec)
    return xlsx.write(path, cols, flat_rows(session, spec, cols), sheet=spec.name, private=private)
