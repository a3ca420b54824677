"""Payment plans (回款计划): installments with due dates on a won deal (audited writes).

Rules:
- installments go on a **won** deal (as payments do), amount > 0, a due date required;
- the plan's sum may not exceed the deal's amount: exit 2 naming the amount, nothing stored;
- what each installment has received is computed, never stored: the deal's payments applied
  oldest first (amkit.core.receivables), so editing or deleting a payment stays consistent.
"""

from __future__ import annotations


from amkit import config
from amkit.core.parse import parse_amount, parse_date, to_cents
from amkit.core.receivables import plan_overflow
from amkit.deals import writes as deals
from amkit.deals.writes import planned_cents
from amkit.deals.payments import check_deal
from amkit.errors import bad_value
from amkit.store.models import Deal, Installment
from amkit.store.writer import Store


def check_total(deal: Deal, planned: int, adding: int, shown: str) -> None:
    """Refuse a plan whose sum would pass the deal's amount."""
    why = plan_overflow(deal.id, deal.amount_cents, planned, adding)
    if why:
        raise bad_value("amount", shown, why)


def add(st: Store, deal_ref: str, due: str | None, amount: str | None, note: str | None = None) -> Installment:
    deal = deals.get(st.session, deal_ref)
    day = parse_date("due", due)
    if day is None:
        raise bad_value("due", due or "", "required (--due YYYY-MM-DD)")
    cents = to_cents(parse_amount("amount", amount))
    if not cents:
        raise bad_value("amount", amount or "", "must be more than 0")
    check_deal(deal)
    check_total(deal, planned_cents(st.session, deal.id), cents, str(amount))
    return st.add(Installment(deal_id=deal.id, due=day, amount_cents=cents, note=(note or "").strip() or None,
                              created_at=config.now()))
