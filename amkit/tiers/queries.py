"""The reads of tiering (SPEC §3.2), on the light read path (amkit.store.raw): one set-based
statement per method over all customers (``customers LEFT JOIN`` aggregated subqueries), so
the cost does not grow with per-customer round trips. Writes are amkit.tierstore's.

Windows (``as_of`` is a date, inclusive):

* value: won deals with ``as_of - 12 months < closed_at <= as_of`` (dateutil relativedelta,
  so 2026-02-28 - 12 months = 2025-02-28);
* RFM frequency: won deals closed plus follow-ups logged in that window; recency: days from
  the latest won ``closed_at`` or follow-up ``at`` on or before as_of (any age);
* rules: ``days_since_contact`` from the latest follow-up on or before as_of;
  ``followups_90d`` counts follow-ups with ``as_of - 90 days < at <= as_of``;
  ``has_open_complaint`` = a complaint opened on or before as_of with ``resolved IS NULL``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Sequence

from amkit.tiers import calc as tiering
from amkit.errors import BadInput, NotFound
from amkit.store.raw import Reader, day, end_of

METHODS = ("pareto", "rfm", "rules")

# customer_id → won value (cents) and won-deal count in the 12-month window
VALUE = """(SELECT customer_id, sum(amount_cents) AS cents, count(id) AS won FROM deals
             WHERE stage = 'won' AND amount_cents IS NOT NULL AND closed_at > :start AND closed_at <= :as_of
             GROUP BY customer_id)"""


def window_start(as_of: dt.date) -> dt.date:
    """The exclusive lower bound of the 12-month value window."""
    from dateutil.relativedelta import relativedelta

    return as_of - relativedelta(months=12)


def money(cents: int | None) -> Decimal:
    return Decimal(cents).scaleb(-2) if cents else Decimal("0.00")


def load_values(r: Reader, as_of: dt.date) -> list[tiering.CustomerValue]:
    """Pareto input for every customer (one query)."""
    rows = r.rows(f"""SELECT c.id, c.name, v.cents, c.tier, c.tier_locked FROM customers c
                        LEFT JOIN {VALUE} v ON v.customer_id = c.id""", start=window_start(as_of), as_of=as_of)
    return [tiering.CustomerValue.of_cents(cid, name, cents or 0, tier, bool(locked))
            for cid, name, cents, tier, locked in rows]


def load_rfm(r: Reader, as_of: dt.date) -> list[tiering.RfmInput]:
    """RFM input for every customer (one query with three aggregated subqueries)."""
    rows = r.rows(f"""
        SELECT c.id, c.name, v.cents, c.tier, c.tier_locked, v.won, f.last_at, f.recent, w.last_won
          FROM customers c
          LEFT JOIN {VALUE} v ON v.customer_id = c.id
          LEFT JOIN (SELECT customer_id, max(at) AS last_at,
                            sum(CASE WHEN at >= :window_end THEN 1 ELSE 0 END) AS recent
                       FROM followups WHERE at < :end GROUP BY customer_id) f ON f.customer_id = c.id
          LEFT JOIN (SELECT customer_id, max(closed_at) AS last_won FROM deals
                      WHERE stage = 'won' AND closed_at <= :as_of GROUP BY customer_id) w ON w.customer_id = c.id""",
                  start=window_start(as_of), as_of=as_of, window_end=end_of(window_start(as_of)),
                  end=end_of(as_of))
    out = []
    for cid, name, cents, tier, locked, won, last_at, recent, last_won in rows:
        dates = [d for d in (day(last_at), day(last_won)) if d]
        out.append(tiering.RfmInput(
            customer_id=cid, customer=name, value=money(cents), frequency=int(won or 0) + int(recent or 0),
            last_activity=max(dates) if dates else None, old_tier=tier, locked=bool(locked)))
    return out


def load_facts(r: Reader, as_of: dt.date) -> list[tiering.CustomerFacts]:
    """Rules input for every customer (one query, plus the lifecycle derived from all activity
    on ``as_of``: amkit.metrics.lifecycle)."""
    from amkit import config
    from amkit.metrics import lifecycle as stages

    rows = r.rows(f"""
        SELECT c.id, c.name, v.cents, c.tier, c.tier_locked, c.lifecycle, c.industry, f.last_at, f.n90, k.open,
               c.created_at
          FROM customers c
          LEFT JOIN {VALUE} v ON v.customer_id = c.id
          LEFT JOIN (SELECT customer_id, max(at) AS last_at, sum(CASE WHEN at >= :since_90 THEN 1 ELSE 0 END) AS n90
                       FROM followups WHERE at < :end GROUP BY customer_id) f ON f.customer_id = c.id
          LEFT JOIN (SELECT customer_id, count(id) AS open FROM complaints
                      WHERE resolved IS NULL AND opened < :end GROUP BY customer_id) k ON k.customer_id = c.id""",
                  start=window_start(as_of), as_of=as_of, since_90=end_of(as_of - dt.timedelta(days=90)),
                  end=end_of(as_of))
    standing = stages.states(r, as_of, [(row[0], row[5], day(row[10])) for row in rows], config.merged())
    return [
        tiering.CustomerFacts(
            customer_id=cid, customer=name, value=money(cents),
            days_since_contact=None if last_at is None else (as_of - day(last_at)).days,
            followups_90d=int(n90 or 0), has_open_complaint=bool(open_), lifecycle=standing[cid].stage,
            industry=industry, old_tier=tier, locked=bool(locked))
        for cid, name, cents, tier, locked, _stored, industry, last_at, n90, open_, _created in rows
    ]


def read_rules(path: str) -> tiering.Rules:
    """A rules file: missing → NotFound (3); bad content → BadInput (2) naming the key."""
    from pathlib import Path

    file = Path(path)
    if not file.is_file():
        raise NotFound(f"rules file not found: {path!r}")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"invalid rules file {path!r}: not UTF-8 text") from None
    return tiering.load_rules(text)


def compute(r: Reader, method: str, as_of: dt.date, rules: tiering.Rules | None = None,
            override: bool = False) -> list:
    """Tier rows (TierRow / RfmRow / RuleRow) for every customer, in value order. Locked
    customers keep their tier unless ``override``."""
    return _tiered(method, _inputs(r, method, as_of, rules, override), as_of, rules)


def compute_with_kept(r: Reader, method: str, as_of: dt.date, rules: tiering.Rules | None = None,
                      override: bool = False) -> tuple[list, list[dict[str, Any]]]:
    """The rows of :func:`compute` and the locked customers kept at a tier the run would change:
    ``{"customer", "tier", "computed"}`` (empty with ``override``)."""
    items = _inputs(r, method, as_of, rules, override)
    rows = _tiered(method, items, as_of, rules)
    if override or not any(i.locked for i in items):
        return rows, []
    free = _tiered(method, [replace(i, locked=False) for i in items], as_of, rules)
    computed = {row.customer_id: row.tier for row in free}
    kept = [{"customer": row.customer, "tier": row.tier, "computed": computed[row.customer_id]}
            for row in rows if row.locked and computed[row.customer_id] != row.tier]
    return rows, kept


def _inputs(r: Reader, method: str, as_of: dt.date, rules: tiering.Rules | None, override: bool) -> list:
    if method == "pareto":
        items = load_values(r, as_of)
    elif method == "rfm":
        items = load_rfm(r, as_of)
    elif method == "rules":
        if rules is None:
            raise BadInput("--method rules needs --rules FILE.toml")
        items = load_facts(r, as_of)
    else:
        raise BadInput(f"invalid method {method!r}: expected one of {', '.join(METHODS)}")
    return [replace(i, locked=False) if i.locked else i for i in items] if override else items


def _tiered(method: str, items: list, as_of: dt.date, rules: tiering.Rules | None) -> list:
    if method == "pareto":
        return tiering.pareto(items)
    if method == "rfm":
        return tiering.rfm(items, as_of)
    return tiering.apply_rules(rules, items)


def summary(rows: Sequence[tiering.TierRow]) -> dict[str, int]:
    counts = {tier: 0 for tier in tiering.TIERS}
    for row in rows:
        counts[row.tier] = counts.get(row.tier, 0) + 1
    counts["changed"] = sum(1 for row in rows if row.changed)
    return counts


@dataclass
class ListFilters:
    tier: str | None = None
    owner_id: int | None = None


def list_rows(r: Reader, as_of: dt.date, f: ListFilters) -> list[dict[str, Any]]:
    """Customers with their stored tier, lock and current 12-month value (one query), by tier,
    then value desc, then name."""
    where = ["1 = 1"]
    if f.tier:
        where.append("c.tier = :tier")
    if f.owner_id is not None:
        where.append("c.owner_id = :owner")
    rows = r.rows(f"""
        SELECT c.id, c.name, m.name, c.tier, c.tier_locked, v.cents FROM customers c
          LEFT JOIN {VALUE} v ON v.customer_id = c.id
          LEFT JOIN managers m ON m.id = c.owner_id
         WHERE {' AND '.join(where)}
         ORDER BY c.tier, coalesce(v.cents, 0) DESC, c.name""",
                  start=window_start(as_of), as_of=as_of, tier=f.tier, owner=f.owner_id)
    return [{"id": cid, "customer": name, "owner": owner, "tier": tier, "locked": bool(locked), "value": money(cents)}
            for cid, name, owner, tier, locked, cents in rows]
