"""The customer lifecycle, derived from all activity and dated when it became true (SPEC §2).

Definitions (one place; remind, customer show/list, tier rules and the review use them):

* **Activity** of a customer on a day: a follow-up (``followups.at``), a deal created
  (``deals.created``) or closed (``deals.closed_at``), a deal stage move
  (``deal_stage_history.on``), a payment on one of its deals (``payments.date``), a survey
  (``surveys.date``), a complaint opened or resolved. The customer's creation counts as its
  first activity ("since creation" when nothing else happened).
* **Dormant** from the day ``dormant_days`` (config ``lifecycle.dormant_days``, 90) after the
  last activity, **churned** from the day ``churn_days`` (180) after it: a customer last active
  on 2026-08-20 is dormant on 2026-11-18 whether or not any command ran that day.
* **Manual stage changes** (``customer edit --stage S --reason R``) are stored events in
  ``lifecycle_history``: a manual dormant/churned stands until the next activity after it.
  Rows an earlier amkit's ``remind`` wrote ("no follow-up for N days") are not events: those
  moves are derived now, so they are ignored (and a stored stage they set counts as active).
* Nothing here writes. ``remind``, ``review``, ``customer show`` and the reports only read.

The pure rule is amkit.core.lifecycle (`stage_on`, `moves_in`); `states` and `moves` here read
what they need on the light path (amkit.store.raw), with set-based SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, NamedTuple

from amkit.core.lifecycle import Event, days_of, moves_in, stage_on
from amkit.store.raw import Reader, day, end_of

AUTO_REASON = "no follow-up for %"  # written by remind before lifecycles were derived


class Standing(NamedTuple):
    """A customer's stage on a day, with the day it began (None: as recorded, no date)."""

    customer_id: int
    stage: str
    since: dt.date | None
    last_activity: dt.date  # the creation day when nothing happened since
    reason: str | None


# ---------------------------------------------------------------- reads

def _as_day(r: Reader, column: str) -> str:
    """A DATE or DATETIME column as a day, on either backend."""
    return f"substr({column}, 1, 10)" if r.sqlite else f"CAST({column} AS DATE)"


def _activity_union(r: Reader, grouped: bool) -> str:
    """Every (customer_id, day) of activity other than follow-ups, from ``:lo`` to ``:hi``."""
    opened, resolved = _as_day(r, "x.opened"), _as_day(r, "x.resolved")
    parts = [
        ("d.customer_id", "d.created", "deals d", "d.created"),
        ("d.customer_id", "d.closed_at", "deals d", "d.closed_at"),
        ("d.customer_id", 'h."on"', "deal_stage_history h JOIN deals d ON d.id = h.deal_id", 'h."on"'),
        ("d.customer_id", "p.date", "payments p JOIN deals d ON d.id = p.deal_id", "p.date"),
        ("s.customer_id", "s.date", "surveys s", "s.date"),
        ("x.customer_id", opened, "complaints x", "x.opened"),
        ("x.customer_id", resolved, "complaints x", "x.resolved"),
    ]
    selects = []
    for who, value, source, column in parts:
        bound = f"{column} >= :lo AND {column} <= :hi" if "opened" not in column and "resolved" not in column \
            else f"{column} >= :lo_t AND {column} < :hi_t"
        if grouped:
            selects.append(f"SELECT {who} AS cid, max({value}) AS d FROM {source} WHERE {bound} GROUP BY {who}")
        else:
            selects.append(f"SELECT {who} AS cid, {value} AS d FROM {source} WHERE {bound}")
    return "\nUNION ALL ".join(selects)


def _bounds(lo: dt.date, hi: dt.date) -> dict[str, Any]:
    return {"lo": lo, "hi": hi, "lo_t": dt.datetime.combine(lo, dt.time()), "hi_t": end_of(hi)}


def last_activity(r: Reader, on: dt.date, customer_ids: list[int] | None = None) -> dict[int, dt.date]:
    """{customer id: day of its last activity up to ``on``, follow-ups included} (customers
    without activity are absent). Follow-ups by one index seek per customer; the rest grouped."""
    where, params = "", {}
    if customer_ids is not None:
        listed, params = r.in_list("cid", customer_ids)
        where = f"AND c.id IN {listed}"
    out: dict[int, dt.date] = {}
    for cid, last in r.rows(f"""
            SELECT c.id, (SELECT max(f.at) FROM followups f WHERE f.customer_id = c.id AND f.at < :cutoff)
              FROM customers c WHERE c.created_at < :cutoff {where}""", cutoff=end_of(on), **params):
        if last is not None:
            out[cid] = day(last)
    keep = None if customer_ids is None else set(customer_ids)
    for cid, last in r.rows(f"SELECT cid, max(d) FROM ({_activity_union(r, True)}) a GROUP BY cid",
                            **_bounds(dt.date(1, 1, 1), on)):
        if last is None or (keep is not None and cid not in keep):
            continue
        last = day(last)
        if cid not in out or last > out[cid]:
            out[cid] = last
    return out


def events(r: Reader, until: dt.date, customer_ids: list[int] | None = None) -> dict[int, list[Event]]:
    """Stored stage changes up to ``until`` per customer, oldest first (remind's old automatic
    moves left out: they are derived now)."""
    where, params = "", {}
    if customer_ids is not None:
        listed, params = r.in_list("cid", customer_ids)
        where = f"AND customer_id IN {listed}"
    out: dict[int, list[Event]] = {}
    for cid, on, old, new, reason in r.rows(f"""
            SELECT customer_id, "on", old, new, reason FROM lifecycle_history
             WHERE "on" <= :until AND (reason IS NULL OR reason NOT LIKE :auto) {where}
             ORDER BY customer_id, "on", id""", until=until, auto=AUTO_REASON, **params):
        out.setdefault(cid, []).append(Event(day(on), new, reason, old))
    return out


def states(r: Reader, on: dt.date, customers: Iterable[tuple[int, str, dt.date]], config: dict | None) -> \
        dict[int, Standing]:
    """{customer id: Standing on ``on``} for ``customers`` given as (id, stored stage, creation day)."""
    dormant_days, churn_days = days_of(config)
    customers = list(customers)
    few = len(customers) <= 500
    ids = [c[0] for c in customers] if few else None
    last = last_activity(r, on, ids)
    stored_events = events(r, on, ids)
    out = {}
    for cid, stored, created in customers:
        anchor = max(last.get(cid, created), created)
        found = stored_events.get(cid)
        if not found and stored in ("dormant", "churned") and last.get(cid) is None:
            found = [Event(created, stored, None)]  # recorded so (e.g. imported) and nothing since
        stage, since, reason = stage_on(on, stored, anchor, found[-1] if found else None, dormant_days, churn_days)
        out[cid] = Standing(cid, stage, since, anchor, reason)
    return out


def moves(r: Reader, start: dt.date, end: dt.date, owner_ids: frozenset[int] | None, config: dict | None) -> \
        list[dict[str, Any]]:
    """Customers that became dormant or churned on a day in [start, end]: derived from the
    activity, plus stored manual changes to dormant/churned in the window. Rows
    ``{"customer", "owner", "on", "old", "new", "reason"}`` sorted by (on, customer)."""
    dormant_days, churn_days = days_of(config)
    lo = start - dt.timedelta(days=churn_days)
    scope, params = "", {}
    if owner_ids is not None:
        listed, params = r.in_list("owner", sorted(owner_ids))
        scope = f"AND c.owner_id IN {listed}"
    people = {cid: (name, owner, day(created)) for cid, name, owner, created in r.rows(f"""
        SELECT c.id, c.name, m.name, c.created_at FROM customers c LEFT JOIN managers m ON m.id = c.owner_id
         WHERE c.created_at < :cutoff {scope}""", cutoff=end_of(end), **params)}
    days: dict[int, set[dt.date]] = {cid: {created} for cid, (_, _, created) in people.items()}
    bounds = _bounds(lo, end)
    for cid, at in r.rows("SELECT customer_id, at FROM followups WHERE at >= :lo_t AND at < :hi_t", **bounds):
        if cid in days:
            days[cid].add(day(at))
    for cid, when in r.rows(f"SELECT cid, d FROM ({_activity_union(r, False)}) a", **bounds):
        if cid in days and when is not None:
            days[cid].add(day(when))
    # the last activity before the window anchors the first gap
    before = last_activity(r, lo - dt.timedelta(days=1)) if lo > dt.date(1, 1, 2) else {}
    stored_events = events(r, end)
    out = []
    for cid, (name, owner, created) in people.items():
        active = sorted(d for d in days[cid] if d >= lo or d == created)
        if cid in before and before[cid] >= created:
            active = sorted(set(active) | {before[cid]})
        history = stored_events.get(cid, [])
        for on, old, new, reason in moves_in(start, end, active, history, dormant_days, churn_days):
            out.append({"customer": name, "owner": owner, "on": on, "old": old, "new": new, "reason": reason})
        for e in history:
            if start <= e.on <= end and e.stage in ("dormant", "churned"):
                out.append({"customer": name, "owner": owner, "on": e.on, "old": e.old, "new": e.stage,
                            "reason": e.reason})
    return sorted(out, key=lambda m: (m["on"], m["customer"]))
