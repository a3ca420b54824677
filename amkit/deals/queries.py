"""Receivables (应收) on the light read path (amkit.store.raw): each installment of a payment
plan with what it has received and what is outstanding on a day.

The allocation rule is amkit.core.receivables (payments applied oldest first). A receivable is
the customer's current owner's to chase (a handover moves pending work); the deal's owner keeps
the credit in the overdue_rate figure (amkit.metrics.figures).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from amkit.core.parse import from_cents
from amkit.core.receivables import Line, allocate
from amkit.store.raw import Reader, day


def receivables(r: Reader, on: dt.date, *, owner_id: int | None = None, customer_id: int | None = None,
                deal_id: int | None = None, overdue_only: bool = False, open_only: bool = False) -> list[dict[str, Any]]:
    """One row per installment (by due date, customer, id), as of day ``on``: payments dated up to
    ``on`` are applied. ``overdue_only``: due before ``on`` and not covered; ``open_only``: not covered."""
    where, params = [], {"on": on}
    for column, value in (("coalesce(c.owner_id, d.owner_id)", owner_id), ("d.customer_id", customer_id),
                          ("i.deal_id", deal_id)):
        if value is not None:
            key = f"p{len(params)}"
            where.append(f"{column} = :{key}")
            params[key] = value
    found = r.rows(f"""
        SELECT i.id, i.deal_id, i.due, i.amount_cents, c.name, m.name, d.title, i.note,
               (SELECT coalesce(sum(p.amount_cents), 0) FROM payments p WHERE p.deal_id = i.deal_id AND p.date <= :on)
          FROM installments i
          JOIN deals d ON d.id = i.deal_id
          JOIN customers c ON c.id = d.customer_id
          LEFT JOIN managers m ON m.id = coalesce(c.owner_id, d.owner_id)
         {'WHERE ' + ' AND '.join(where) if where else ''}""", **params)
    lines: dict[int, list[Line]] = {}
    info: dict[int, tuple] = {}
    paid: dict[int, int] = {}
    for iid, did, due, cents, customer, owner, title, note, received in found:
        lines.setdefault(did, []).append(Line(iid, day(due), int(cents)))
        info[iid] = (customer, owner, title, note)
        paid[did] = int(received or 0)
    out = []
    for did, plan in lines.items():
        for covered in allocate(plan, paid[did]):
            late = covered.overdue_on(on)
            if (overdue_only and not late) or (open_only and not covered.outstanding_cents):
                continue
            customer, owner, title, note = info[covered.line.id]
            out.append({"id": covered.line.id, "deal_id": did, "customer": customer, "owner": owner, "title": title,
                        "due": covered.line.due, "amount": from_cents(covered.line.amount_cents),
                        "received": from_cents(covered.received_cents),
                        "outstanding": from_cents(covered.outstanding_cents),
                        "days_overdue": covered.days_overdue(on) if late else None,
                        "status": "paid" if not covered.outstanding_cents else "overdue" if late else "open",
                        "note": note})
    return sorted(out, key=lambda x: (x["due"], x["customer"], x["id"]))
