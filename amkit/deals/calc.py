"""The sales funnel (销售漏斗), pure: stage-history rows in, one row per stage out.

Stages in order: contact → needs → quote → negotiation → won, then `repurchase` (复购: a
customer's second and later won deals). `lost` is not a step of the funnel.

Definitions, per stage S, over the given deals (the caller filters them, e.g. by the period
they were created in and their owner):

- **entered**: deals that reached S, i.e. have any history row at S or at a later stage
  (a deal created at `quote` counts as having passed contact and needs; moving backwards
  does not undo what was reached). Every deal has reached `contact`, including a deal whose
  only known stage is `lost`.
- **advanced**: deals that reached a stage after S (a later open stage or won), so for open
  stages advanced(S) = entered(next stage). For `won`: won deals the same customer followed
  with a later win (the customer bought again).
- **conversion**: advanced / entered, 4 places; null when entered is 0.
- **lost**: deals now lost whose last move to `lost` came from S; a deal that was created
  lost (no earlier stage known) counts as lost at `contact`, a won deal moved to lost as
  lost at `won`.
- **median_days**: for the open stages, the median over deals of the days spent in S (every
  completed stay: from the row entering S to the next history row; a deal still in S, or
  that skipped S, has no figure). For `won`: the median sales cycle, days from the deal's
  created date to its first move to won. For `repurchase`: the median days since the
  customer's previous win.
- **repurchase** row: entered = the filtered deals that are repurchases as the metrics layer
  defines them (amkit.metrics.figures: a won deal whose customer has an earlier win, wins
  ordered by win day = closed_at else created, then id, over ALL the customer's wins);
  advanced, conversion and lost are null.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

ORDER = ("contact", "needs", "quote", "negotiation", "won")
RANK = {stage: i for i, stage in enumerate(ORDER)}


@dataclass(frozen=True)
class DealFacts:
    id: int
    customer_id: int
    stage: str
    created: dt.date


@dataclass(frozen=True)
class Change:
    deal_id: int
    from_stage: str | None
    to_stage: str
    on: dt.date
    seq: int = 0  # tie-break for changes on the same day (the history row id)


@dataclass(frozen=True)
class Win:
    deal_id: int
    customer_id: int
    on: dt.date


def _by_customer(wins: Iterable[Win]) -> dict[int, list[Win]]:
    groups: dict[int, list[Win]] = {}
    for w in wins:
        groups.setdefault(w.customer_id, []).append(w)
    for items in groups.values():
        items.sort(key=lambda w: (w.on, w.deal_id))
    return groups


def followed(wins: Iterable[Win]) -> set[int]:
    """Deal ids of wins the same customer followed with a later win."""
    return {w.deal_id for items in _by_customer(wins).values() for w in items[:-1]}


def ratio(part: int, whole: int) -> float | None:
    """part / whole to 4 places, rounded half up in decimal (0.75005 → 0.7501); None if whole is 0."""
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def _median(values: list[int]) -> float | None:
    return None if not values else round(float(statistics.median(values)), 1)


@dataclass
class _Path:
    reached: int = 0  # rank of the furthest stage reached
    lost_at: str | None = None
    stays: dict[str, int] | None = None  # open stage → days (completed stays only)
    won_on: dt.date | None = None


def _path(deal: DealFacts, changes: list[Change]) -> _Path:
    path = _Path(stays={})
    ordered = sorted(changes, key=lambda c: (c.on, c.seq))
    for i, c in enumerate(ordered):
        if c.to_stage in RANK:
            path.reached = max(path.reached, RANK[c.to_stage])
        if c.to_stage == "won" and path.won_on is None:
            path.won_on = c.on
        if c.to_stage in RANK and c.to_stage != "won" and i + 1 < len(ordered):
            days = (ordered[i + 1].on - c.on).days
            path.stays[c.to_stage] = path.stays.get(c.to_stage, 0) + days
        if c.to_stage == "lost":
            path.lost_at = c.from_stage if c.from_stage in RANK else "contact"
    if deal.stage != "lost":
        path.lost_at = None
    elif path.lost_at is None:
        path.lost_at = "contact"
    return path


def funnel(deals: Iterable[DealFacts], changes: Iterable[Change], wins: Iterable[Win],
           gaps: dict[int, int]) -> list[dict[str, Any]]:
    """One row per stage plus `repurchase`; `wins` are all won deals of the customers, `gaps` the
    repurchases (amkit.metrics.figures.repurchases: the one definition) → days since the
    customer's previous win."""
    deals = list(deals)
    wins = list(wins)
    by_deal: dict[int, list[Change]] = {}
    for c in changes:
        by_deal.setdefault(c.deal_id, []).append(c)
    paths = {d.id: _path(d, by_deal.get(d.id, [])) for d in deals}
    again = followed(wins)
    rows = []
    for stage in ORDER:
        rank = RANK[stage]
        entered = [d for d in deals if paths[d.id].reached >= rank]
        if stage == "won":
            advanced = sum(1 for d in entered if d.id in again)
            days = [(paths[d.id].won_on - d.created).days for d in entered if paths[d.id].won_on]
        else:
            advanced = sum(1 for d in entered if paths[d.id].reached > rank)
            days = [paths[d.id].stays[stage] for d in entered if stage in paths[d.id].stays]
        rows.append({
            "stage": stage, "entered": len(entered), "advanced": advanced,
            "conversion": ratio(advanced, len(entered)),
            "lost": sum(1 for d in deals if paths[d.id].lost_at == stage),
            "median_days": _median(days),
        })
    ids = {d.id for d in deals}
    repeat = [gaps[i] for i in gaps if i in ids]
    rows.append({"stage": "repurchase", "entered": len(repeat), "advanced": None, "conversion": None,
                 "lost": None, "median_days": _median(repeat)})
    return rows
