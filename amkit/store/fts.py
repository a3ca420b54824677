"""Chinese-capable full-text search shared by follow-ups and the knowledge base.

SQLite: an external-content FTS5 table with the trigram tokenizer (every 3-character run is
indexed, so Chinese text without spaces is searchable by substring), kept in step with its
table by three triggers (created by the migrations: amkit.store.migrations.fts_index). Terms shorter than 3
characters (``续约``) cannot match a trigram index and use LIKE; so does every term when the
index is missing (PostgreSQL: ILIKE; an SQLite without FTS5/trigram).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Sequence

from amkit.errors import bad_value

if TYPE_CHECKING:  # imported where used: the follow-up search runs on amkit.store.raw without them
    import sqlalchemy as sa
    from sqlmodel import Session

    from amkit.store.raw import Reader

_TERM = re.compile(r'"([^"]+)"|(\S+)')
TRIGRAM = 3  # the trigram tokenizer cannot match shorter terms


def search_terms(text: str) -> list[str]:
    """Words separated by spaces; "a quoted phrase" is one term."""
    return [quoted or word for quoted, word in _TERM.findall(text or "")]


def escape_like(text: str) -> str:
    """Escape LIKE wildcards (use with ``escape="\\"``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def split_terms(text: str, indexed: bool) -> tuple[list[str], list[str]]:
    """The terms of ``text`` for the index (3+ characters, when there is one) and for LIKE."""
    terms = search_terms(text)
    if not terms:
        raise bad_value("search text", text, "must not be empty")
    for_index = [t for t in terms if len(t) >= TRIGRAM] if indexed else []
    return for_index, [t for t in terms if t not in for_index]


def match_expression(terms: Sequence[str]) -> str:
    """An FTS5 MATCH string requiring every term, each as a quoted phrase."""
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def has_index(session: Session, index: str) -> bool:
    import sqlalchemy as sa

    if session.get_bind().dialect.name != "sqlite":
        return False
    found = session.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                            {"n": index})
    return found.first() is not None


def like_any(term: str, columns: Sequence[Any]) -> Any:
    """``term`` is a substring of one of ``columns`` (case-insensitive; ILIKE on PostgreSQL)."""
    import sqlalchemy as sa

    pattern = "%" + escape_like(term) + "%"
    return sa.or_(*(col.ilike(pattern, escape="\\") for col in columns))


def apply(session: Session, query: sa.Select, text: str, *, index: str, id_column: Any,
          columns: Sequence[Any]) -> sa.Select:
    """``query`` narrowed to rows containing every term of ``text`` in one of ``columns``.

    Terms of 3+ characters go through the FTS5 index ``index`` (rows ranked by bm25 first);
    shorter ones, and all terms without an index, use LIKE/ILIKE. Add the tie-break order after.
    """
    import sqlalchemy as sa

    indexed, scanned = split_terms(text, has_index(session, index))
    for term in scanned:
        query = query.where(like_any(term, columns))
    if indexed:
        fts = sa.table(index, sa.column("rowid"))
        table = sa.literal_column(index)
        query = (query.join(fts, fts.c.rowid == id_column).where(table.op("MATCH")(match_expression(indexed)))
                 .order_by(sa.func.bm25(table)))
    return query


def sql_filter(r: Reader, text: str, *, index: str, id_sql: str,
               columns: Sequence[str]) -> tuple[str, str, str | None, dict]:
    """`apply` for a query written as SQL text on amkit.store.raw: the JOIN, the WHERE conditions
    (joined by AND), the rank to order by first (bm25; None without the index, so that an
    ORDER BY on an indexed column can stop early), and their parameters."""
    has = r.sqlite and bool(r.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n", n=index))
    indexed, scanned = split_terms(text, has)
    where, params = [], {}
    for i, term in enumerate(scanned):
        params[f"like{i}"] = "%" + escape_like(term) + "%"
        if r.sqlite:
            alts = [f"lower({c}) LIKE lower(:like{i}) ESCAPE '\\'" for c in columns]
        else:
            alts = [f"{c} ILIKE :like{i} ESCAPE '\\'" for c in columns]
        where.append("(" + " OR ".join(alts) + ")")
    join, rank = "", None
    if indexed:
        join = f"JOIN {index} ON {index}.rowid = {id_sql}"
        where.append(f"{index} MATCH :match")
        params["match"] = match_expression(indexed)
        rank = f"bm25({index})"
    return join, " AND ".join(where) or "1 = 1", rank, params
