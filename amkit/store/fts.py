"""Chinese-capable full-text search shared by follow-ups and the knowledge base.

SQLite: an external-content FTS5 table with the trigram tokenizer (every 3-character run is
indexed, so Chinese text without spaces is searchable by substring), kept in step with its
table by three triggers (created by the migrations: amkit.store.migrations.fts_index). Terms shorter than 3
characters (``续约``) cannot match a trigram index and use LIKE; so does every term when the
index is missing (PostgreSQL: ILIKE; an SQLite without FTS5/trigram).

This module builds the SQL for amkit.store.raw (no SQLAlchemy: the follow-up search is a light
read); amkit.store.fts_orm applies the same rules to an SQLAlchemy query (the knowledge base).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from amkit.errors import bad_value

if TYPE_CHECKING:
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
