"""`amkit review`: one plain-dict document for the weekly/monthly review meeting (复盘).

Everything is about one period (``2026W47``, ``2026-11``, ``2026Q4``) and one scope (everyone,
``--team T``: its managers and the team's own goals, or ``--owner N``):

* ``goals``: stored goals with progress (amkit.goalreport) as of min(period end, today). A
  week or month without goals of its own shows its workday share of the quarter goals
  (``target_source`` plan, as the score card); without those, the goals of the
  month/quarter/year that contains its last day (the first such period that has any):
  ``goals_period`` names it.
* ``deals``: created in the period (new), won and lost with ``closed_at`` in it, the lost
  deals with their reasons and the breakdown per ``reason_code`` (null = not given).
* ``lifecycle``: customers that went dormant or churned in the period,
  dated the day it became true (amkit.metrics.lifecycle), and manual ``customer edit --reason`` changes.
* ``tier_changes``: tier_history rows of the period whose tier actually changed.
* ``ignored_reminders``: cadence breaches overdue by more than ``review.ignored_days`` (7) days
  as of min(period end, today), computed by amkit.remind from the follow-ups up to that day.
* ``top_followups``: the latest visits/meetings of the period that have an outcome.
* ``figures``/``previous``/``changes``: the headline numbers of this period and of the one
  before (Period.previous()), with deltas: "what changed since the last review".
* ``managers``: each manager in scope with the metrics the goals and the score card show.
* ``trend``: won amount and follow-ups per ISO week (the weeks of the period, at least the
  ``TREND_WEEKS`` weeks ending with it), for the review's trend chart.

Every metric (won deals and amount, win rate, new customers, visits, follow-ups, collection)
comes from amkit.metrics.figures, summed over the managers in scope: the same numbers as
``goal progress`` and ``score card``. The deal lists show the deals behind them (deals without
an owner count for nobody and are not listed). Reads only, on a raw Reader.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from amkit import config
from amkit.core.parse import from_cents
from amkit.core.periods import Period, parse_period, period_containing
from amkit.errors import NotFound, bad_value
from amkit.metrics import figures
from amkit.store import raw
from amkit.store.raw import Reader, day, end_of, moment

TOP_CHANNELS = ("visit", "meeting")
FIGURES = ("new_deals", "won_deals", "won_amount", "lost_deals", "lost_amount", "win_rate", "new_customers",
           "collection", "went_dormant", "churned", "tier_changes", "ignored_reminders", "followups", "visits")
# per manager: the metrics goals and score cards show
MANAGER_METRICS = ("revenue", "deals_won", "deals_lost", "win_rate", "new_customers", "visits", "followups",
                   "collection", "collection_rate")
TREND_WEEKS = 8
GOAL_KEYS = ("owner", "kind", "metric", "target", "excellent", "stretch", "actual", "achievement",
             "excellent_achievement", "stretch_achievement", "planned_to_date", "pace", "projected",
             "projected_line", "target_source")


@dataclass(frozen=True)
class Scope:
    team: str | None = None
    owner: str | None = None
    owner_ids: frozenset[int] | None = None  # None: everyone
    names: frozenset[str] | None = None

    def where(self, r: Reader, column: str) -> tuple[str, dict[str, Any]]:
        """``AND column IN (...)`` for a scope (``AND column IS NOT NULL`` for everyone)."""
        if self.owner_ids is None:
            return f" AND {column} IS NOT NULL", {}
        listed, params = r.in_list("scope", sorted(self.owner_ids))
        return f" AND {column} IN {listed}", params


def resolve_scope(r: Reader, team: str | None, owner: str | None) -> Scope:
    if team and owner:
        raise bad_value("--team", team, "give either --team or --owner, not both")
    if owner:
        mid, name = raw.manager(r, owner)
        return Scope(owner=name, owner_ids=frozenset([mid]), names=frozenset([name]))
    if team:
        name = team.strip()
        members = r.rows("SELECT id, name FROM managers WHERE team = :team", team=name)
        if not members:
            raise NotFound(f"team not found: {name!r} (no manager has team {name!r})")
        return Scope(team=name, owner_ids=frozenset(i for i, _ in members), names=frozenset(n for _, n in members))
    return Scope()


def settings() -> tuple[int, int]:
    """(ignored_days, top_followups) from config ``review.*``."""
    section = config.merged().get("review") or {}
    out = []
    for key in ("ignored_days", "top_followups"):
        value = section.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad_value(f"review.{key}", value, "expected a whole number >= 0")
        out.append(value)
    return out[0], out[1]


# ---------------------------------------------------------------- the document

def build(r: Reader, period: str | Period, team: str | None = None, owner: str | None = None,
          lang: str = "en") -> dict[str, Any]:
    period, today = parse_period(period), config.today()
    if period.start > today:
        raise bad_value("--period", period.key, f"starts after today ({today.isoformat()})")
    scope = resolve_scope(r, team, owner)
    ignored_days, top = settings()
    as_of = min(period.end, today)
    current = _collect(r, period, scope, as_of, ignored_days, lang)
    before = period.previous()
    previous = _collect(r, before, scope, min(before.end, today), ignored_days, lang)
    goals_period, goal_rows = goals(r, period, scope, as_of)
    return {
        "period": period.key, "start": period.start, "end": period.end, "as_of": as_of,
        "team": scope.team, "owner": scope.owner,
        "owner_ids": None if scope.owner_ids is None else sorted(scope.owner_ids), "goals_period": goals_period, "goals": goal_rows,
        "deals": current["deals"], "lifecycle": current["lifecycle"], "tier_changes": current["tier_changes"],
        "ignored_days": ignored_days, "ignored_reminders": current["ignored_reminders"],
        "top_followups": top_followups(r, period, scope, top),
        "managers": current["managers"],
        "trend": trend(r, period, scope, as_of),
        "figures": current["figures"],
        "previous": {"period": before.key, "start": before.start, "end": before.end, **previous["figures"]},
        "changes": changes(current["figures"], previous["figures"]),
    }


def _collect(r: Reader, period: Period, scope: Scope, as_of: dt.date, ignored_days: int,
             lang: str) -> dict[str, Any]:
    found = figures.tallies(r, period.start, period.end, MANAGER_METRICS)
    ids = found.keys() if scope.owner_ids is None else scope.owner_ids
    whole = figures.total(found, ids)
    deal_part = deals(r, period, scope, whole)
    moves = lifecycle(r, period, scope)
    tiers = tier_changes(r, period, scope)
    ignored = ignored_reminders(r, as_of, scope, ignored_days, lang)
    figure = {**{k: deal_part[k] for k in ("new_deals", "won_deals", "won_amount", "lost_deals", "lost_amount",
                                            "win_rate")},
              "new_customers": whole.value("new_customers"), "collection": whole.value("collection"),
              "went_dormant": sum(1 for m in moves if m["new"] == "dormant"),
              "churned": sum(1 for m in moves if m["new"] == "churned"),
              "tier_changes": len(tiers), "ignored_reminders": len(ignored),
              "followups": whole.value("followups"), "visits": whole.value("visits")}
    return {"deals": deal_part, "lifecycle": moves, "tier_changes": tiers, "ignored_reminders": ignored,
            "figures": figure, "managers": managers(r, scope, found)}


def managers(r: Reader, scope: Scope, found: dict[int, figures.Tally]) -> list[dict[str, Any]]:
    """One row per manager in scope (active ones, and anyone with figures), by name."""
    rows = []
    for mid, name, active in r.rows("SELECT id, name, active FROM managers ORDER BY name"):
        if (scope.owner_ids is not None and mid not in scope.owner_ids) or (not active and mid not in found):
            continue
        tally = found.get(mid, figures.Tally())
        rows.append({"owner": name, **{m: figures.rounded(m, tally.value(m)) for m in MANAGER_METRICS}})
    return rows


def trend(r: Reader, period: Period, scope: Scope, as_of: dt.date) -> list[dict[str, Any]]:
    """Won amount (revenue) and follow-ups per ISO week up to ``as_of``: the weeks of the period,
    and at least the ``TREND_WEEKS`` weeks ending with its last one (the metrics layer's figures)."""
    last = period_containing("week", min(period.end, as_of))
    first = period_containing("week", period.start)
    start = min(first.start, last.start - dt.timedelta(weeks=TREND_WEEKS - 1))
    out = []
    monday = start
    while monday <= last.start:
        week = period_containing("week", monday)
        found = figures.tallies(r, week.start, week.end, ("revenue", "followups"))
        whole = figures.total(found, found.keys() if scope.owner_ids is None else scope.owner_ids)
        out.append({"week": week.key, "start": week.start, "end": week.end,
                    "revenue": whole.value("revenue") or Decimal("0.00"), "followups": whole.value("followups") or 0})
        monday += dt.timedelta(weeks=1)
    return out


def changes(current: dict[str, Any], previous: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key in FIGURES:
        now, before = current[key], previous[key]
        delta = None if now is None or before is None else now - before
        out.append({"figure": key, "current": now, "previous": before, "delta": delta})
    return out


# ---------------------------------------------------------------- sections

def goals(r: Reader, period: Period, scope: Scope, as_of: dt.date) -> tuple[str, list[dict[str, Any]]]:
    """Progress rows of the first period (itself, then the month/quarter/year containing its
    end) that has goals in scope."""
    from amkit.goals import report as goalreport

    candidates = [period] + [period_containing(kind, period.end) for kind in ("month", "quarter", "year")
                             if _larger(kind, period.kind)]
    for p in candidates:
        rows = [g for g in goalreport.progress_rows(r, p, as_of=as_of) if _goal_in_scope(g, scope)]
        if rows:
            return p.key, [{**{k: g[k] for k in GOAL_KEYS}, **({"calendar": g["calendar"]} if "calendar" in g else {})}
                           for g in rows]
    return period.key, []


def _larger(kind: str, than: str) -> bool:
    order = ("week", "month", "quarter", "year")
    return order.index(kind) > order.index(than)


def _goal_in_scope(row: dict[str, Any], scope: Scope) -> bool:
    if scope.names is None:
        return True
    if row["kind"] == "team":
        return scope.team is not None and row["owner"] == scope.team
    return row["owner"] in scope.names


def deals(r: Reader, period: Period, scope: Scope, whole: figures.Tally) -> dict[str, Any]:
    """The deals created or closed in the period; the won/lost counts, amount and win rate are the
    metrics layer's (``whole``: the tally of the managers in scope)."""
    where, params = scope.where(r, "d.owner_id")
    rows = r.rows(f"""SELECT d.id, c.name, m.name, d.title, d.amount_cents, d.stage, d.created, d.closed_at,
                             d.reason_code, d.lost_reason
                        FROM deals d JOIN customers c ON c.id = d.customer_id
                        LEFT JOIN managers m ON m.id = d.owner_id
                       WHERE ((d.created >= :start AND d.created <= :end)
                              OR (d.closed_at >= :start AND d.closed_at <= :end)){where}
                       ORDER BY d.closed_at, d.id""", start=period.start, end=period.end, **params)
    new, won, lost = [], [], []
    keys = ("id", "customer", "owner", "title", "amount", "stage", "created", "closed_at", "reason_code",
            "lost_reason")
    for values in rows:
        row = dict(zip(keys, values))
        row.update(amount=from_cents(row["amount"]), created=day(row["created"]), closed_at=day(row["closed_at"]))
        if period.contains(row["created"]):
            new.append(row)
        if row["closed_at"] is not None and period.contains(row["closed_at"]):
            (won if row["stage"] == "won" else lost if row["stage"] == "lost" else []).append(row)
    win_rate = figures.rounded("win_rate", whole.value("win_rate"))
    return {"new_deals": len(new), "new_amount": _total(new), "won_deals": whole.value("deals_won"),
            "won_amount": whole.value("revenue"), "lost_deals": whole.value("deals_lost"),
            "lost_amount": _total(lost), "win_rate": win_rate,
            "lost_reasons": lost_reasons(lost), "won": won, "lost": lost}


def _total(rows: list[dict[str, Any]]) -> Decimal:
    return sum((row["amount"] for row in rows if row["amount"] is not None), Decimal("0.00"))


def lost_reasons(lost: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Count and amount per reason_code, most frequent first (null, 'not given', last)."""
    counts = Counter(row["reason_code"] for row in lost)
    rows = [{"reason_code": code, "count": n, "share": round(Decimal(n) / len(lost), 4),
             "amount": _total([row for row in lost if row["reason_code"] == code])} for code, n in counts.items()]
    return sorted(rows, key=lambda row: (-row["count"], row["reason_code"] is None, row["reason_code"] or ""))


def lifecycle(r: Reader, period: Period, scope: Scope) -> list[dict[str, Any]]:
    """Customers that went dormant or churned in the period, dated the day it became true
    (derived from all activity, whether or not anything ran that day), and manual changes."""
    from amkit.metrics import lifecycle as stages

    return stages.moves(r, period.start, period.end, scope.owner_ids, config.merged())


def tier_changes(r: Reader, period: Period, scope: Scope) -> list[dict[str, Any]]:
    where, params = scope.where(r, "c.owner_id") if scope.owner_ids is not None else ("", {})
    rows = r.rows(f"""SELECT c.name, m.name, t."on", t.old_tier, t.new_tier, t.method
                        FROM tier_history t JOIN customers c ON c.id = t.customer_id
                        LEFT JOIN managers m ON m.id = c.owner_id
                       WHERE t."on" >= :start AND t."on" <= :end{where}
                       ORDER BY t."on", c.name, t.id""", start=period.start, end=period.end, **params)
    out = []
    for customer, owner, on, old, new, method in rows:
        if old == new or new is None:
            continue
        direction = "new" if old is None else "up" if new < old else "down"  # A < B < C
        out.append({"customer": customer, "owner": owner, "on": day(on), "old_tier": old, "new_tier": new,
                    "direction": direction, "method": method})
    return out


def ignored_reminders(r: Reader, as_of: dt.date, scope: Scope, days: int, lang: str) -> list[dict[str, Any]]:
    """Cadence reminders overdue by more than ``days`` days on ``as_of`` (most overdue first)."""
    from amkit.reminders import calc as remind, queries as reminders

    owner_id = next(iter(scope.owner_ids)) if scope.owner_ids and len(scope.owner_ids) == 1 else None
    customers = [c for c in reminders.load_customers(r, as_of, owner_id)
                 if scope.names is None or c.owner in scope.names]
    found = remind.compute(as_of, 0, customers, [], [], [], config.merged(), lang)
    rows = [{"customer": x.customer, "owner": x.owner, "due": x.due, "days_overdue": x.days_overdue,
             "reason": x.reason} for x in found if x.kind == "cadence" and x.days_overdue > days]
    return sorted(rows, key=lambda row: (-row["days_overdue"], row["customer"] or ""))


def top_followups(r: Reader, period: Period, scope: Scope, limit: int) -> list[dict[str, Any]]:
    """The latest visits/meetings of the period with an outcome, by the manager who made them."""
    if not limit:
        return []
    where, params = scope.where(r, "f.owner_id") if scope.owner_ids is not None else ("", {})
    channels, names = r.in_list("channel", list(TOP_CHANNELS))
    rows = r.rows(f"""SELECT f.id, f.at, c.name, m.name, f.channel, k.name, f.summary, f.outcome, f.next_action,
                             f.next_date, f.action_done
                        FROM followups f JOIN customers c ON c.id = f.customer_id
                        LEFT JOIN managers m ON m.id = f.owner_id
                        LEFT JOIN contacts k ON k.id = f.contact_id
                       WHERE f.at >= :start AND f.at < :end AND f.channel IN {channels}
                         AND f.outcome IS NOT NULL AND f.outcome != ''{where}
                       ORDER BY f.at DESC, f.id DESC LIMIT :limit""",
                  start=dt.datetime.combine(period.start, dt.time()), end=end_of(period.end), limit=limit,
                  **names, **params)
    keys = ("id", "at", "customer", "owner", "channel", "contact", "summary", "outcome", "next_action",
            "next_date", "action_done")
    out = []
    for values in rows:
        row = dict(zip(keys, values))
        row.update(at=moment(row["at"]), next_date=day(row["next_date"]), action_done=day(row["action_done"]))
        out.append(row)
    return out
