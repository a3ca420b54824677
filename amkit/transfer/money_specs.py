"""Import/export specs for contracts and payment plans (issue 22, SPEC §3.5).

contracts: keys customer, title, start, end, amount, external_id, renewal_of (plus deal,
lost_on, lost_reason so an export imports back whole). Natural key `external_id` (rows
without one are always new); each row is checked as `contract add` checks it (start <= end,
amount > 0). `renewal_of` names the renewed contract by its external_id, else its id; it may be
a contract of the database or one of an earlier row of the same file (resolved once the rows
are written), of the same customer, renewed by no other contract.

installments (payment plans, 回款计划): keys deal (its external_id or id), due, amount, note.
Natural key (deal, due). The deal must be won, and a deal's plan (what the database holds plus
this file's rows) may not total more than its amount: such a row is rejected.
"""

from __future__ import annotations

from typing import Any, Iterator

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.core.parse import from_cents, parse_amount, parse_date, to_cents
from amkit.errors import BadInput, bad_value
from amkit.store import lookup
from amkit.transfer.tablespec import Field, TableSpec
from amkit.transfer.tablespec import text as _text

_PENDING = "amkit_import_renewals"  # session.info: (customer_id, external_id or row key) -> renewal_of text
_SEEN = "amkit_import_contracts"  # session.info: external ids of this file's contracts so far
_PLANNED = "amkit_import_plans"  # session.info: deal id -> cents this file adds to its plan


def _cents(value: Any) -> int | None:
    return to_cents(parse_amount("amount", value))


def _row_key(row: dict[str, Any]) -> tuple:
    return (row.get("customer_id"), row.get("external_id"), row.get("start_on"), row.get("end_on"),
            row.get("amount_cents"))


def _find_contract(session: Session, ref: str) -> Any:
    from amkit.store.models import Contract

    found = session.execute(sa.select(Contract).where(Contract.external_id == ref)).scalars().first()
    if found is None:
        found = lookup.by_id(session, Contract, ref)
    return found


def check_contract(session: Session, row: dict[str, Any]) -> None:
    start, end, cents = row.get("start_on"), row.get("end_on"), row.get("amount_cents")
    if start and end and end < start:
        raise bad_value("end", end.isoformat(), f"before the start {start.isoformat()}")
    if cents is not None and cents <= 0:
        raise bad_value("amount", from_cents(cents), "must be more than 0")
    ref = row.pop("renewal_of_id", None)
    seen = session.info.setdefault(_SEEN, set())
    if ref:
        old = _find_contract(session, str(ref))
        if old is None and str(ref) not in seen:
            raise bad_value("renewal_of", ref, "no such contract (by external_id or id)")
        if old is not None and old.customer_id != row.get("customer_id"):
            raise bad_value("renewal_of", ref, "is a contract of another customer")
        session.info.setdefault(_PENDING, {})[_row_key(row)] = str(ref)
    if row.get("external_id"):
        seen.add(row["external_id"])


def _link_renewals(store: Any, inserted: list[dict[str, Any]], updates: list[tuple[dict, dict]]) -> None:
    """Point each renewal at the contract it names, now that this batch is written."""
    from amkit.store.models import Contract

    pending = store.session.info.get(_PENDING, {})
    todo = [(r["id"], r, pending.pop(_row_key(r))) for r in inserted if _row_key(r) in pending]
    todo += [(old["id"], {**old, **changes}, pending.pop(_row_key({**old, **changes})))
             for old, changes in updates if _row_key({**old, **changes}) in pending]
    for row_id, row, ref in todo:
        old = _find_contract(store.session, ref)
        if old is None or old.customer_id != row["customer_id"] or old.id == row_id:
            raise BadInput(f"invalid renewal_of {ref!r} of contract {row_id}: no such contract of its customer")
        other = store.session.execute(sa.select(Contract.id).where(Contract.renewal_of_id == old.id,
                                                                   Contract.id != row_id)).scalars().first()
        if other is not None:
            raise BadInput(f"invalid renewal_of {ref!r}: contract {old.id} is renewed already by contract {other}")
        current = store.session.execute(sa.select(Contract.renewal_of_id).where(Contract.id == row_id)).scalar_one()
        if current != old.id:
            store.update_row(Contract, row_id, {"renewal_of_id": current}, {"renewal_of_id": old.id})


def _contracts_export(session: Session) -> Iterator[dict[str, Any]]:
    from sqlalchemy.orm import aliased

    from amkit.store.models import Contract, Customer, Deal

    renewed = aliased(Contract)
    query = (sa.select(Contract, Customer.name, Deal.external_id, renewed.external_id)
             .join(Customer, Contract.customer_id == Customer.id)
             .join(Deal, Contract.deal_id == Deal.id, isouter=True)
             .join(renewed, Contract.renewal_of_id == renewed.id, isouter=True).order_by(Contract.id))
    for c, customer, deal_ext, renewed_ext in session.execute(query).yield_per(1000):
        yield {"customer": customer, "title": c.title, "start": c.start_on, "end": c.end_on,
               "amount": from_cents(c.amount_cents), "external_id": c.external_id,
               "renewal_of": renewed_ext or (str(c.renewal_of_id) if c.renewal_of_id else None),
               "deal": deal_ext or (str(c.deal_id) if c.deal_id else None), "lost_on": c.lost_on,
               "lost_reason": c.lost_reason}


def contracts_spec() -> TableSpec:
    from amkit.store.models import Contract

    return TableSpec(
        "contracts", Contract,
        [
            Field("customer", _text("customer"), True, ("客户", "客户名称", "account", "company"), ref="customer",
                  column="customer_id"),
            Field("title", _text("title"), aliases=("合同名称", "名称")),
            Field("start", lambda v: parse_date("start", v), True, ("开始日期", "起始日期", "start_date"),
                  column="start_on"),
            Field("end", lambda v: parse_date("end", v), True, ("结束日期", "到期日", "end_date"), column="end_on"),
            Field("amount", _cents, True, ("金额", "合同金额"), column="amount_cents"),
            Field("external_id", _text("external_id"), aliases=("合同编号", "contract_id")),
            Field("renewal_of", _text("renewal_of"), aliases=("续约自", "原合同"), column="renewal_of_id"),
            Field("deal", _text("deal"), aliases=("商机", "商机编号"), ref="deal", column="deal_id"),
            Field("lost_on", lambda v: parse_date("lost_on", v), aliases=("流失日期",)),
            Field("lost_reason", _text("lost_reason"), aliases=("流失原因",)),
        ],
        key=("external_id",),
        defaults=lambda: {"created_at": config.now()},
        export_rows=_contracts_export, check=check_contract, after_write=_link_renewals,
    )


def check_installment(session: Session, row: dict[str, Any]) -> None:
    from amkit.deals.payments import check_deal
    from amkit.deals.plans import check_total
    from amkit.store.models import Deal, Installment

    deal = session.get(Deal, row["deal_id"])
    check_deal(deal)
    cents = row.get("amount_cents")
    if not cents or cents <= 0:
        raise bad_value("amount", from_cents(cents), "must be more than 0")
    planned = session.execute(sa.select(sa.func.coalesce(sa.func.sum(Installment.amount_cents), 0))
                              .where(Installment.deal_id == deal.id, Installment.due != row["due"])).scalar_one()
    pending = session.info.setdefault(_PLANNED, {})
    check_total(deal, int(planned) + pending.get(deal.id, 0), cents, str(from_cents(cents)))
    pending[deal.id] = pending.get(deal.id, 0) + cents


def _installments_export(session: Session) -> Iterator[dict[str, Any]]:
    from amkit.store.models import Deal, Installment

    query = (sa.select(Installment, Deal.external_id).join(Deal, Installment.deal_id == Deal.id)
             .order_by(Installment.id))
    for i, ext in session.execute(query).yield_per(1000):
        yield {"deal": ext or str(i.deal_id), "due": i.due, "amount": from_cents(i.amount_cents), "note": i.note}


def installments_spec() -> TableSpec:
    from amkit.store.models import Installment

    return TableSpec(
        "installments", Installment,
        [
            Field("deal", _text("deal"), True, ("商机", "商机编号", "deal_id", "opportunity_id"), ref="deal",
                  column="deal_id"),
            Field("due", lambda v: parse_date("due", v), True, ("到期日", "计划回款日期", "应收日期", "due_date")),
            Field("amount", _cents, True, ("金额", "计划回款金额", "应收金额"), column="amount_cents"),
            Field("note", _text("note"), aliases=("备注",)),
        ],
        key=("deal", "due"),
        defaults=lambda: {"created_at": config.now()},
        export_rows=_installments_export, check=check_installment,
    )
