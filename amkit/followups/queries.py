"""Full-text search of the follow-up log on the light read path (amkit.store.raw).

Follow-ups whose summary, outcome or next action contain every term: terms of 3+ characters
go through the FTS5 trigram index ``followups_fts`` (ranked by bm25, then newest); shorter
ones (``续约``) and every term without an index (PostgreSQL: ILIKE) scan (newest first).
See amkit.fts. The rows are those of ``followup list``.
"""

from __future__ import annotations

from typing import Any

from amkit.store import fts, raw
from amkit.store.raw import Reader

SEARCHED = ("f.summary", "f.outcome", "f.next_action")
KEYS = ("id", "at", "customer", "owner", "channel", "contact", "summary", "outcome", "next_action", "next_date",
        "action_done")


def followups(r: Reader, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """The follow-ups containing every term of ``text``, on the reader ``r`` (amkit.store.reader())."""
    join, where, rank, params = fts.sql_filter(r, text, index="followups_fts", id_sql="f.id",
                                               columns=SEARCHED)
    # rank and cut on follow-ups alone, then name the rows that made the cut
    rows = r.rows(f"""
        SELECT f.id, f.at, c.name, m.name, f.channel, k.name, f.summary, f.outcome, f.next_action,
               f.next_date, f.action_done
          FROM (SELECT f.id, {rank or 0} AS ranking FROM followups f {join}
                 WHERE {where}
                 ORDER BY {'ranking, ' if rank else ''}f.at DESC, f.id DESC {'LIMIT :limit' if limit else ''}) hit
          JOIN followups f ON f.id = hit.id
          JOIN customers c ON c.id = f.customer_id
          LEFT JOIN managers m ON m.id = coalesce(f.owner_id, c.owner_id)
          LEFT JOIN contacts k ON k.id = f.contact_id
         ORDER BY hit.ranking, f.at DESC, f.id DESC""", limit=limit, **params)
    out = []
    for row in rows:
        item = dict(zip(KEYS, row))
        item["at"] = raw.moment(item["at"])
        item["next_date"] = raw.day(item["next_date"])
        item["action_done"] = raw.day(item["action_done"])
        out.append(item)
    return out
