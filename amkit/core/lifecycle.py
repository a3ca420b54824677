"""The lifecycle rule (SPEC §2), pure: a customer's stage on a day from its activity.

amkit.metrics.lifecycle reads the activity and applies it; the definitions are written there.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from amkit.errors import bad_value

DEFAULT_DORMANT_DAYS = 90
DEFAULT_CHURN_DAYS = 180
STAGES = ("lead", "prospect", "active", "dormant", "churned")


def days_of(config: dict | None) -> tuple[int, int]:
    """``(dormant_days, churn_days)`` from ``lifecycle.*``; churn must exceed dormant."""
    section = (config or {}).get("lifecycle") or {}
    out = []
    for key, default in (("dormant_days", DEFAULT_DORMANT_DAYS), ("churn_days", DEFAULT_CHURN_DAYS)):
        value = section.get(key, default)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise bad_value(f"lifecycle.{key}", value, "expected a positive whole number of days")
        out.append(value)
    if out[1] <= out[0]:
        raise bad_value("lifecycle.churn_days", out[1], "must be greater than dormant_days")
    return out[0], out[1]


class Event(NamedTuple):
    """A stored stage change: manual (customer edit) or a reactivation written by a follow-up/deal."""

    on: dt.date
    stage: str
    reason: str | None
    old: str | None = None


def _base(stored: str) -> str:
    return stored if stored in ("lead", "prospect", "active") else "active"


def stage_on(on: dt.date, stored: str, anchor: dt.date, event: Event | None, dormant_days: int,
             churn_days: int) -> tuple[str, dt.date | None, str | None]:
    """(stage, since, reason) on day ``on``: ``anchor`` is the last activity up to that day (or
    the creation day), ``event`` the latest stored stage change up to that day."""
    silent = (on - anchor).days
    held = event if event is not None and event.stage in ("dormant", "churned") and event.on >= anchor else None
    if held is not None and held.stage == "churned":
        return "churned", held.on, held.reason
    if silent >= churn_days:
        return "churned", anchor + dt.timedelta(days=churn_days), f"no activity for {silent} days since {anchor}"
    if held is not None:
        return held.stage, held.on, held.reason
    if silent >= dormant_days:
        return "dormant", anchor + dt.timedelta(days=dormant_days), f"no activity for {silent} days since {anchor}"
    if event is not None and event.stage not in ("dormant", "churned") and event.on >= anchor:
        return event.stage, event.on, event.reason
    return _base(stored), None, None


def moves_in(start: dt.date, end: dt.date, active_days: list[dt.date], events: list[Event],
             dormant_days: int, churn_days: int) -> list[tuple[dt.date, str, str, str]]:
    """Derived moves (on, old, new, reason) with ``on`` in [start, end], from a customer's
    sorted activity days covering at least [start - churn_days, end]. A gap of silence makes
    the customer dormant ``dormant_days`` after its start and churned ``churn_days`` after it,
    unless a stored manual stage already holds it there."""
    out = []
    for i, anchor in enumerate(active_days):
        following = active_days[i + 1] if i + 1 < len(active_days) else None
        for new, days in (("dormant", dormant_days), ("churned", churn_days)):
            on = anchor + dt.timedelta(days=days)
            if not start <= on <= end or (following is not None and following <= on):
                continue
            held = _latest(events, on)
            if held is not None and held.on >= anchor and (held.stage == "churned" or held.stage == new):
                continue  # already there by a stored change since the last activity
            old = "dormant" if new == "churned" else (held.stage if held is not None and held.on >= anchor
                                                        else "active")
            out.append((on, old, new, f"no activity for {days} days since {anchor}"))
    return out


def _latest(events: list[Event], on: dt.date) -> Event | None:
    found = None
    for e in events:
        if e.on <= on:
            found = e
    return found
