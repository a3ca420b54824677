"""The full-text search of amkit.store.fts on an SQLAlchemy query (the knowledge base):
FTS5 MATCH ranked by bm25 for terms of 3+ characters, LIKE/ILIKE for the others."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit.store.fts import escape_like, match_expression, split_terms


def has_index(session: Session, index: str) -> bool:
    if session.get_bind().dialect.name != "sqlite":
        return False
    found = session.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                            {"n": index})
    return found.first() is not None


def like_any(term: str, columns: Sequence[Any]) -> Any:
    """``term`` is a substring of one of ``columns`` (case-insensitive; ILIKE on PostgreSQL)."""
    pattern = "%" + escape_like(term) + "%"
    return sa.or_(*(col.ilike(pattern, escape="\\") for col in columns))


def apply(session: Session, query: sa.Select, text: str, *, index: str, id_column: Any,
          columns: Sequence[Any]) -> sa.Select:
    """``query`` narrowed to rows containing every term of ``text`` in one of ``columns``.

    Terms of 3+ characters go through the FTS5 index ``index`` (rows ranked by bm25 first);
    shorter ones, and all terms without an index, use LIKE/ILIKE. Add the tie-break order after.
    """
    indexed, scanned = split_terms(text, has_index(session, index))
    for term in scanned:
        query = query.where(like_any(term, columns))
    if indexed:
        fts = sa.table(index, sa.column("rowid"))
        table = sa.literal_column(index)
        query = (query.join(fts, fts.c.rowid == id_column).where(table.op("MATCH")(match_expression(indexed)))
                 .order_by(sa.func.bm25(table)))
    return query
