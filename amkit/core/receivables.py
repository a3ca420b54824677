"""Payment plans (回款计划), pure: which part of each installment the payments cover.

The one rule (receivable list, remind, customer show and the overdue_rate figure use it):
a deal's payments, summed, are applied to its installments **oldest first** (by due date,
then id) — each installment takes what is left, up to its own amount. Nothing is stored: an
edited or deleted payment changes the allocation the next time it is computed. Money beyond
the plan (overpayment, or a deal paid without a plan) covers nothing more.

An installment is **overdue** on day D when it is due before D and not fully covered by the
payments dated up to D; its days overdue are ``(D - due).days``.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, NamedTuple


STATUSES = {"paid": "已收齐", "open": "待收", "overdue": "逾期"}


class Line(NamedTuple):
    id: int
    due: dt.date
    amount_cents: int


class Covered(NamedTuple):
    line: Line
    received_cents: int

    @property
    def outstanding_cents(self) -> int:
        return self.line.amount_cents - self.received_cents

    def overdue_on(self, day: dt.date) -> bool:
        return self.line.due < day and self.outstanding_cents > 0

    def days_overdue(self, day: dt.date) -> int:
        return (day - self.line.due).days


def allocate(lines: Iterable[Line], paid_cents: int) -> list[Covered]:
    """The installments of one deal, oldest first, each with what ``paid_cents`` covers of it."""
    left = max(paid_cents, 0)
    out = []
    for line in sorted(lines, key=lambda x: (x.due, x.id)):
        take = min(left, line.amount_cents)
        left -= take
        out.append(Covered(line, take))
    return out


def plan_overflow(deal_id: int, deal_cents: int | None, planned_cents: int, adding_cents: int) -> str | None:
    """Why a payment plan may not take ADDING more (its sum would pass the deal's amount), or
    None when it may. The one wording for `payment plan`, import and `receivable edit`."""
    if deal_cents is None or planned_cents + adding_cents <= deal_cents:
        return None
    return (f"the plan would total {_yuan(planned_cents + adding_cents)}, more than deal {deal_id}'s amount "
            f"{_yuan(deal_cents)} ({_yuan(planned_cents)} planned already)")


def _yuan(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else "-" + _yuan(-cents)

