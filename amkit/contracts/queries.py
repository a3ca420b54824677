"""Contracts read on the light path (amkit.store.raw): the listing, and the contracts whose
renewal is still open (for remind). The customer's current owner is the contract's owner."""

from __future__ import annotations

import datetime as dt
from typing import Any

from amkit.contracts import calc
from amkit.core.parse import from_cents
from amkit.store.raw import Reader, day

_SELECT = """
SELECT k.id, k.customer_id, c.name, m.name, k.title, k.start_on, k.end_on, k.amount_cents, k.deal_id,
       k.renewal_of_id, k.external_id, k.lost_on, k.lost_reason,
       (SELECT min(n.id) FROM contracts n WHERE n.renewal_of_id = k.id)
  FROM contracts k
  JOIN customers c ON c.id = k.customer_id
  LEFT JOIN managers m ON m.id = c.owner_id"""


def rows(r: Reader, today: dt.date, *, customer_id: int | None = None, owner_id: int | None = None,
         expiring_days: int | None = None, ended: bool = False, contract_id: int | None = None) -> list[dict[str, Any]]:
    """Contracts by end date (then id), each with its status on ``today``."""
    where, params = [], {}
    for column, value in (("k.customer_id", customer_id), ("c.owner_id", owner_id), ("k.id", contract_id)):
        if value is not None:
            name = column.replace(".", "_")
            where.append(f"{column} = :{name}")
            params[name] = value
    if ended:
        where.append("k.end_on < :today")
        params["today"] = today
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY k.end_on, k.id"
    out = []
    for (cid, customer_id_, customer, owner, title, start, end, cents, deal_id, renewal_of, ext, lost_on,
         lost_reason, renewed_by) in r.rows(sql, **params):
        facts = calc.ContractFacts(cid, day(end), renewed_by, day(lost_on))
        if expiring_days is not None and not calc.expiring(facts, today, expiring_days):
            continue
        out.append({
            "id": cid, "customer": customer, "owner": owner, "title": title, "start": day(start), "end": day(end),
            "amount": from_cents(cents), "status": calc.status(facts, day(start), today),
            "days_left": (day(end) - today).days, "renewal_of": renewal_of, "renewed_by": renewed_by,
            "deal_id": deal_id, "external_id": ext, "lost_on": day(lost_on), "lost_reason": lost_reason,
            "customer_id": customer_id_,
        })
    return out


def open_renewals(r: Reader, owner_id: int | None = None) -> list[dict[str, Any]]:
    """Contracts neither renewed nor lost, with their customer and its owner (remind)."""
    scope = "AND c.owner_id = :owner" if owner_id is not None else ""
    found = r.rows(f"""
        SELECT k.id, k.customer_id, c.name, m.name, k.title, k.end_on, k.amount_cents
          FROM contracts k
          JOIN customers c ON c.id = k.customer_id
          LEFT JOIN managers m ON m.id = c.owner_id
         WHERE k.lost_on IS NULL AND NOT EXISTS (SELECT 1 FROM contracts n WHERE n.renewal_of_id = k.id) {scope}""",
                   owner=owner_id)
    return [{"id": i, "customer_id": cid, "customer": name, "owner": owner, "title": title, "end": day(end),
             "amount": from_cents(cents)} for i, cid, name, owner, title, end, cents in found]
