"""Hand-written sqlite3 baselines, run as their own process like amkit is:

    python benchmarks/baselines.py remind|tier|score|search DB [ARG]

Each prints JSON rows equivalent to the amkit command it is compared with (the same rules
for the bulk of the rows; see each query), so the comparison includes the work of producing
output, not just the query.
"""

from __future__ import annotations

import json
import sqlite3
import sys

TODAY = "2026-11-23"

REMIND = """
WITH last AS (SELECT customer_id, max(at) AS last FROM followups WHERE at < date(:today, '+1 day')
              GROUP BY customer_id),
c AS (SELECT c.id, c.name, m.name AS owner, c.tier, c.lifecycle,
             julianday(:today) - julianday(date(coalesce(l.last, c.created_at))) AS silent
      FROM customers c LEFT JOIN managers m ON m.id = c.owner_id LEFT JOIN last l ON l.customer_id = c.id
      WHERE c.created_at < date(:today, '+1 day'))
SELECT 'cadence' AS kind, name, owner, silent FROM c
 WHERE lifecycle NOT IN ('dormant', 'churned') AND silent < 90
   AND silent > CASE tier WHEN 'A' THEN 7 WHEN 'B' THEN 14 ELSE 30 END
UNION ALL
SELECT 'dormant', name, owner, silent FROM c WHERE silent >= 90 AND silent < 180
UNION ALL
SELECT 'next_action', cu.name, m.name, julianday(:today) - julianday(f.next_date)
  FROM followups f JOIN customers cu ON cu.id = f.customer_id LEFT JOIN managers m ON m.id = cu.owner_id
 WHERE f.next_date IS NOT NULL AND f.next_date <= date(:today, '+7 day') AND f.action_done IS NULL
"""

TIER = """
WITH v AS (SELECT c.id, c.name, c.tier AS old_tier, coalesce(sum(d.amount_cents), 0) AS value
           FROM customers c LEFT JOIN deals d ON d.customer_id = c.id AND d.stage = 'won'
            AND d.closed_at > date(:today, '-12 months') AND d.closed_at <= :today
           GROUP BY c.id),
w AS (SELECT *, sum(value) OVER () AS total,
             sum(value) OVER (ORDER BY value DESC, name ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
      FROM v)
SELECT name, value / 100.0, round(1.0 * value / nullif(total, 0), 4), old_tier,
       CASE WHEN value = 0 THEN 'C' WHEN coalesce(before, 0) * 10 < total * 8 THEN 'A'
            WHEN coalesce(before, 0) * 100 < total * 95 THEN 'B' ELSE 'C' END
  FROM w ORDER BY value DESC, name
"""

SCORE = """
SELECT m.name,
  (SELECT coalesce(sum(amount_cents), 0) FROM deals d WHERE d.owner_id = m.id AND d.stage = 'won'
     AND d.closed_at BETWEEN :start AND :end) AS revenue,
  (SELECT count(*) FROM deals d WHERE d.owner_id = m.id AND d.stage = 'won' AND d.closed_at BETWEEN :start AND :end),
  (SELECT count(*) FROM deals d WHERE d.owner_id = m.id AND d.stage = 'lost' AND d.closed_at BETWEEN :start AND :end),
  (SELECT count(*) FROM customers c WHERE c.owner_id = m.id AND date(c.created_at) BETWEEN :start AND :end),
  (SELECT count(*) FROM followups f JOIN customers c ON c.id = f.customer_id WHERE c.owner_id = m.id
     AND f.channel = 'visit' AND date(f.at) BETWEEN :start AND :end),
  (SELECT count(*) FROM followups f JOIN customers c ON c.id = f.customer_id WHERE c.owner_id = m.id
     AND date(f.at) BETWEEN :start AND :end),
  (SELECT coalesce(sum(p.amount_cents), 0) FROM payments p JOIN deals d ON d.id = p.deal_id WHERE d.owner_id = m.id
     AND p.date BETWEEN :start AND :end)
FROM managers m ORDER BY revenue DESC
"""

SEARCH = """
SELECT f.id, c.name, f.at, f.summary FROM followups_fts JOIN followups f ON f.id = followups_fts.rowid
  JOIN customers c ON c.id = f.customer_id WHERE followups_fts MATCH :q ORDER BY bm25(followups_fts), f.at DESC
 LIMIT 50
"""


def main() -> None:
    op, path = sys.argv[1], sys.argv[2]
    con = sqlite3.connect(path)
    params = {"today": TODAY, "start": "2026-10-01", "end": "2026-12-31"}
    if op == "search":
        params["q"] = '"' + sys.argv[3] + '"'
    query = {"remind": REMIND, "tier": TIER, "score": SCORE, "search": SEARCH}[op]
    rows = con.execute(query, params).fetchall()
    json.dump([list(r) for r in rows], sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
