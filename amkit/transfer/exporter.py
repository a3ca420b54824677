"""Export a table in the shape import reads back (SPEC §3.5).

Columns are the spec's field names (references as names), then one column per `extra` key;
`--columns` picks some of them, and `--lang zh` heads them with the Chinese name import maps
back by itself (the field's first Chinese alias: 客户名称, 负责人 …). Cells are written by `amkit.ui.render.csv_cell`, the one formula-neutralising definition
(import strips the apostrophe again, so a round trip is exact).
"""

from __future__ import annotations

import json
from typing import IO, Any, Iterator

from sqlmodel import Session

from amkit.ui.render import csv_cell, json_value
from amkit.transfer.tablespec import TableSpec


def columns(session: Session, spec: TableSpec) -> list[str]:
    """Every column of the table, or those `--columns` picks (by key or Chinese header), in order."""
    from amkit.ui.render import Col, chosen_columns

    cols = [f.name for f in spec.fields]
    if spec.extra:
        keys: list[str] = []
        for row in spec.export_rows(session):
            keys.extend(k for k in row["extra"] if k not in keys and k not in cols)
        cols += keys
    return [c.key for c in chosen_columns([Col(c, header(spec, c, "zh")) for c in cols])]


def header(spec: TableSpec, column: str, lang: str) -> str:
    """The column's header in LANG: the key, or in zh the field's first Chinese alias (an
    `extra` key is shown as it was imported)."""
    field = spec.field(column) if lang == "zh" else None
    return next((a for a in field.aliases if is_cjk(a)), column) if field else column


def is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def flat_rows(session: Session, spec: TableSpec, cols: list[str]) -> Iterator[dict[str, Any]]:
    for row in spec.export_rows(session):
        extra = row.pop("extra", None) or {}
        yield {c: row[c] if c in row else extra.get(c) for c in cols}


def write_csv(stream: IO[str], session: Session, spec: TableSpec, *, bom: bool = False, lang: str = "en") -> int:
    import csv

    cols = columns(session, spec)
    if bom:
        stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([header(spec, c, lang) for c in cols])
    count = 0
    for row in flat_rows(session, spec, cols):
        writer.writerow([csv_cell(row[c]) for c in cols])
        count += 1
    return count


def write_json(stream: IO[str], session: Session, spec: TableSpec) -> int:
    """A JSON list, streamed one object per line (keys stay English, for scripts)."""
    from amkit import context

    picked = columns(session, spec) if context.current().columns else None
    count = 0
    stream.write("[")
    for row in spec.export_rows(session):
        if picked is not None:
            extra = row.get("extra") or {}
            row = {c: row[c] if c in row else extra.get(c) for c in picked}
        stream.write(("," if count else "") + "\n  " + json.dumps(json_value(row), ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def write_xlsx(path: str, session: Session, spec: TableSpec, *, private: bool = False, lang: str = "en") -> int:
    """The workbook (amkit.ui.xlsx: bold frozen header, filter, widths, number and date formats)
    replaces `path` atomically (amkit.core.atomic): a failure leaves the earlier file whole."""
    from amkit.ui import xlsx

    cols = columns(session, spec)
    return xlsx.write(path, cols, flat_rows(session, spec, cols), sheet=spec.name, private=private,
                      headers=[header(spec, c, lang) for c in cols])
