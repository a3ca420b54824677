"""`amkit copy --to URL`: move a whole database (every table, ids and audit chain included)
to another one, e.g. a personal SQLite file into the team's PostgreSQL server, then prove
it with a row count and a checksum per table on both sides."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from amkit.errors import Conflict

BATCH = 2000


def _tables() -> list[sa.Table]:
    from sqlmodel import SQLModel

    import amkit.store.models  # noqa: F401 - registers every table

    return [t for t in SQLModel.metadata.sorted_tables]


def _norm(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def checksums(engine: sa.Engine) -> dict[str, tuple[int, str]]:
    """{table: (rows, sha256 of the rows in key order)}, comparable across backends."""
    result = {}
    with engine.connect() as conn:
        for table in _tables():
            digest = hashlib.sha256()
            count = 0
            order = list(table.primary_key.columns)
            for row in conn.execute(sa.select(table).order_by(*order)).mappings():
                digest.update(json.dumps({k: _norm(v) for k, v in row.items()}, sort_keys=True,
                                         ensure_ascii=False, default=str).encode())
                count += 1
            result[table.name] = (count, digest.hexdigest())
    return result


def copy(source: sa.Engine, target: sa.Engine) -> dict[str, int]:
    """Copy every row; the target must be empty (it is migrated first)."""
    tables = _tables()
    with target.begin() as tconn:
        for table in tables:
            if table.name == "amkit_meta":
                continue
            if tconn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                raise Conflict(f"target database is not empty: table {table.name} has rows")
        tconn.execute(sa.delete(tables_by_name(tables)["amkit_meta"]))
        counts: dict[str, int] = {}
        with source.connect() as sconn:
            for table in tables:
                counts[table.name] = _copy_table(sconn, tconn, table)
        if target.dialect.name == "postgresql":
            _reset_sequences(tconn, tables)
    return counts


def tables_by_name(tables: list[sa.Table]) -> dict[str, sa.Table]:
    return {t.name: t for t in tables}


def _copy_table(sconn: sa.Connection, tconn: sa.Connection, table: sa.Table) -> int:
    count = 0
    batch: list[dict[str, Any]] = []
    order = list(table.primary_key.columns)
    for row in sconn.execute(sa.select(table).order_by(*order)).mappings():
        batch.append(dict(row))
        if len(batch) >= BATCH:
            tconn.execute(table.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        tconn.execute(table.insert(), batch)
        count += len(batch)
    return count


def _reset_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    for table in tables:
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
            conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"))
