"""Hand-written sqlite3 baselines, run as their own process like amkit is:

    python benchmarks/baselines.py remind|tier|score|search DB [WORD]

Each prints JSON rows equivalent to the amkit command it is compared with (the same rules
for the bulk of the rows; the score query leaves out surveys and complaints, which the
generated data does not have), so the comparison includes the work of producing output,
not just the query.
"""

from __future__ import annotations

import json
import sqlite3
import sys

TODAY = "2026-11-23"

# Each query is what an engineer would hand-write against amkit's schema and indexes for the
# same rows: the best shape we know, not a strawman (the last follow-up by a seek per customer,
# deals pre-aggregated before the window, one GROUP BY per source table). remind's baseline
# derives dormancy from all activity (deals, stage moves, payments, surveys, complaints), as amkit does.

REMIND = """
WITH act AS (SELECT cid, max(d) AS d FROM (
           SELECT customer_id AS cid, max(created) AS d FROM deals WHERE created <= :today GROUP BY customer_id
           UNION ALL SELECT customer_id, max(closed_at) FROM deals WHERE closed_at <= :today GROUP BY customer_id
           UNION ALL SELECT d.customer_id, max(h."on") FROM deal_stage_history h JOIN deals d ON d.id = h.deal_id
                      WHERE h."on" <= :today GROUP BY d.customer_id
           UNION ALL SELECT d.customer_id, max(p.date) FROM payments p JOIN deals d ON d.id = p.deal_id
                      WHERE p.date <= :today GROUP BY d.customer_id
           UNION ALL SELECT customer_id, max(date) FROM surveys WHERE date <= :today GROUP BY customer_id
           UNION ALL SELECT customer_id, max(substr(opened, 1, 10)) FROM complaints WHERE opened < :tomorrow
                      GROUP BY customer_id
           UNION ALL SELECT customer_id, max(substr(resolved, 1, 10)) FROM complaints WHERE resolved < :tomorrow
                      GROUP BY customer_id) GROUP BY cid),
     c AS (SELECT c.id, c.name, m.name AS owner, c.tier, c.lifecycle,
                  date(coalesce((SELECT max(at) FROM followups f WHERE f.customer_id = c.id AND f.at < :tomorrow),
                                c.created_at)) AS contact,
                  act.d AS other
           FROM customers c LEFT JOIN managers m ON m.id = c.owner_id LEFT JOIN act ON act.cid = c.id
           WHERE c.created_at < :tomorrow),
     s AS (SELECT name, owner, tier, julianday(:today) - julianday(contact) AS silent,
                  julianday(:today) - julianday(max(contact, coalesce(other, contact))) AS quiet FROM c)
SELECT 'cadence' AS kind, name, owner, silent FROM s
 WHERE quiet < 90 AND silent > CASE tier WHEN 'A' THEN 7 WHEN 'B' THEN 14 ELSE 30 END
UNION ALL
SELECT 'dormant', name, owner, quiet FROM s WHERE quiet >= 90 AND quiet < 180
UNION ALL
SELECT 'next_action', cu.name, m.name, julianday(:today) - julianday(f.next_date)
  FROM followups f JOIN customers cu ON cu.id = f.customer_id
  LEFT JOIN managers m ON m.id = coalesce(f.owner_id, cu.owner_id)
 WHERE f.next_date IS NOT NULL AND f.next_date <= date(:today, '+7 day') AND f.action_done IS NULL
ORDER BY 3, 4 DESC, 1, 2
"""

TIER = """
WITH v AS (SELECT c.id, c.name, c.tier AS old_tier, coalesce(d.cents, 0) AS value
           FROM customers c LEFT JOIN (SELECT customer_id, sum(amount_cents) AS cents FROM deals
                 WHERE stage = 'won' AND closed_at > date(:today, '-12 months') AND closed_at <= :today
                 GROUP BY customer_id) d ON d.customer_id = c.id),
w AS (SELECT *, sum(value) OVER () AS total,
             sum(value) OVER (ORDER BY value DESC, name, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
               AS before
      FROM v)
SELECT name, value / 100.0, round(1.0 * value / nullif(total, 0), 4),
       round(1.0 * (coalesce(before, 0) + value) / nullif(total, 0), 4), old_tier,
       CASE WHEN value = 0 THEN 'C' WHEN coalesce(before, 0) * 10 < total * 8 THEN 'A'
            WHEN coalesce(before, 0) * 100 < total * 95 THEN 'B' ELSE 'C' END
  FROM w ORDER BY value DESC, name, id
"""

SCORE = """
SELECT m.name, d.won_cents, d.won, d.lost, d.repurchases, c.new, c.owned, c.complete, f.followups, f.visits,
       p.paid
  FROM managers m
  LEFT JOIN (SELECT owner_id, sum(CASE WHEN stage = 'won' THEN amount_cents ELSE 0 END) AS won_cents,
                    sum(stage = 'won') AS won, sum(stage = 'lost') AS lost,
                    sum(stage = 'won' AND EXISTS (SELECT 1 FROM deals e WHERE e.customer_id = d.customer_id
                        AND e.stage = 'won' AND (e.closed_at < d.closed_at
                                                 OR (e.closed_at = d.closed_at AND e.id < d.id)))) AS repurchases
               FROM deals d WHERE stage IN ('won', 'lost') AND closed_at BETWEEN :start AND :end
              GROUP BY owner_id) d ON d.owner_id = m.id
  LEFT JOIN (SELECT owner_id, sum(created_at >= :start AND created_at < date(:end, '+1 day')) AS new,
                    count(*) AS owned,
                    sum(coalesce(trim(industry), '') != '' AND coalesce(trim(region), '') != ''
                        AND EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = cu.id
                                    AND (coalesce(trim(k.phone), '') != '' OR coalesce(trim(k.email), '') != '')))
                      AS complete
               FROM customers cu GROUP BY owner_id) c ON c.owner_id = m.id
  LEFT JOIN (SELECT coalesce(g.owner_id, cu.owner_id) AS mid, sum(g.n) AS followups, sum(g.v) AS visits
               FROM (SELECT owner_id, customer_id, count(*) AS n, sum(channel = 'visit') AS v FROM followups
                      WHERE at >= :start AND at < date(:end, '+1 day') GROUP BY owner_id, customer_id) g
               JOIN customers cu ON cu.id = g.customer_id GROUP BY mid) f ON f.mid = m.id
  LEFT JOIN (SELECT d.owner_id, sum(p.amount_cents) AS paid FROM payments p JOIN deals d ON d.id = p.deal_id
              WHERE p.date BETWEEN :start AND :end GROUP BY d.owner_id) p ON p.owner_id = m.id
 WHERE m.active ORDER BY d.won_cents DESC
"""

SEARCH = """
SELECT f.id, f.at, c.name, m.name, f.channel, f.summary, f.outcome, f.next_action, f.next_date
  FROM (SELECT f.id, bm25(followups_fts) AS rank FROM followups_fts JOIN followups f ON f.id = followups_fts.rowid
         WHERE followups_fts MATCH :q ORDER BY rank, f.at DESC, f.id DESC LIMIT 50) hit
  JOIN followups f ON f.id = hit.id JOIN customers c ON c.id = f.customer_id
  LEFT JOIN managers m ON m.id = coalesce(f.owner_id, c.owner_id)
 ORDER BY hit.rank, f.at DESC, f.id DESC
"""

# a 2-character Chinese word cannot use the trigram index: both sides scan, newest first
SEARCH_SHORT = """
SELECT f.id, f.at, c.name, m.name, f.channel, f.summary, f.outcome, f.next_action, f.next_date
  FROM (SELECT f.id FROM followups f
         WHERE f.summary LIKE :like OR f.outcome LIKE :like OR f.next_action LIKE :like
         ORDER BY f.at DESC, f.id DESC LIMIT 50) hit
  JOIN followups f ON f.id = hit.id JOIN customers c ON c.id = f.customer_id
  LEFT JOIN managers m ON m.id = coalesce(f.owner_id, c.owner_id)
 ORDER BY f.at DESC, f.id DESC
"""


def main() -> None:
    op, path = sys.argv[1], sys.argv[2]
    con = sqlite3.connect(path)
    params = {"today": TODAY, "tomorrow": "2026-11-24", "start": "2026-10-01", "end": "2026-12-31"}
    if op == "search":
        params["q"] = '"' + sys.argv[3] + '"'
        params["like"] = "%" + sys.argv[3] + "%"
        if len(sys.argv[3]) < 3:
            op = "search_short"
    query = {"remind": REMIND, "tier": TIER, "score": SCORE, "search": SEARCH, "search_short": SEARCH_SHORT}[op]
    rows = con.execute(query, params).fetchall()
    json.dump([list(r) for r in rows], sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
