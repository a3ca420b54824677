"""Import/export specs for deals and payments (SPEC §3.5).

deals: natural key `external_id` (rows without one are always new deals); upsert with
`--mode upsert --key external_id`. Each row is checked as `deal add` would check it:
amount required for won/lost (`amount`: a won/lost row without one is rejected); a won/lost
row without `closed_at` closes on its `created` date; an open row with a `closed_at` is
rejected; closed_at before created is rejected. A row with no customer (e.g. the Maven CRM
pipeline's open deals with an empty `account`) is reported as invalid, never dropped
silently: with --skip-invalid it lands in FILE.rejected.csv.
Every imported deal gets its first stage-history row (from NULL to its stage, on closed_at
for won/lost, else created); an upsert that changes the stage adds a row for the move.
Importing does not touch customers' lifecycle (only `deal add/move` reactivate).

payments: `deal` is the deal's external_id or id; the deal must be won (as `payment add`);
natural key (deal, date, amount) so re-importing the same file changes nothing.
"""

from __future__ import annotations

from typing import Any, Iterator

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.core.enums import OPEN_STAGES, parse_stage
from amkit.errors import bad_value
from amkit.core.parse import from_cents, parse_amount, parse_date, to_cents
from amkit.transfer.tablespec import Field, TableSpec
from amkit.transfer.tablespec import text as _text

CLOSED = ("won", "lost")


def _cents(value: Any) -> int | None:
    return to_cents(parse_amount("amount", value))


def _stage(value: Any) -> str | None:
    return parse_stage(str(value)) if str(value or "").strip() else None


def _reason_code(value: Any) -> str | None:
    from amkit.deals.writes import parse_reason_code

    return parse_reason_code(None if value is None else str(value))


def check_deal(session: Session, row: dict[str, Any]) -> None:
    stage = row.get("stage")
    created, closed = row.get("created"), row.get("closed_at")
    if stage in CLOSED and row.get("amount_cents") is None:
        raise bad_value("amount", "", f"required for a {stage} deal")
    if stage in OPEN_STAGES and closed is not None:
        raise bad_value("closed_at", closed.isoformat(), f"an open deal ({stage}) has no close date")
    if stage in CLOSED and closed is None:
        row["closed_at"] = created  # None when created is unknown too: set to today on insert
    if created and closed and closed < created:
        raise bad_value("closed_at", closed.isoformat(), f"before created {created.isoformat()}")


def _prepare_deal(row: dict[str, Any]) -> None:
    if row.get("stage") in CLOSED and row.get("closed_at") is None and "created" in row:
        row["closed_at"] = row["created"]


def _deal_history(store: Any, inserted: list[dict[str, Any]], updates: list[tuple[dict, dict]]) -> None:
    from amkit.store.models import DealStageChange

    rows = [{"deal_id": r["id"], "from_stage": None, "to_stage": r["stage"],
             "on": r.get("closed_at") or r["created"], "reason": None} for r in inserted]
    for existing, changes in updates:
        if "stage" in changes:
            on = changes.get("closed_at") or existing.get("closed_at") if changes["stage"] in CLOSED else None
            rows.append({"deal_id": existing["id"], "from_stage": existing["stage"], "to_stage": changes["stage"],
                         "on": on or config.today(), "reason": "import"})
    store.insert_many(DealStageChange, rows)


def _deals_export(session: Session) -> Iterator[dict[str, Any]]:
    from amkit.store.models import Customer, Deal, Manager

    query = (sa.select(Deal, Customer.name, Manager.name).join(Customer, Deal.customer_id == Customer.id)
             .join(Manager, Deal.owner_id == Manager.id, isouter=True).order_by(Deal.id))
    for d, customer, owner in session.execute(query).yield_per(1000):
        yield {"customer": customer, "owner": owner, "title": d.title, "amount": from_cents(d.amount_cents),
               "stage": d.stage, "created": d.created, "closed_at": d.closed_at, "external_id": d.external_id,
               "lost_reason": d.lost_reason, "reason_code": d.reason_code}


def deals_spec() -> TableSpec:
    from amkit.store.models import Deal

    return TableSpec(
        "deals", Deal,
        [
            Field("customer", _text("customer"), True, ("客户", "客户名称", "account", "company"), ref="customer",
                  column="customer_id"),
            Field("owner", _text("owner"), aliases=("客户经理", "负责人", "销售", "sales_agent"), ref="manager",
                  column="owner_id"),
            Field("title", _text("title"), aliases=("商机名称", "名称", "产品", "product")),
            Field("amount", _cents, aliases=("金额", "合同金额", "close_value", "value"), column="amount_cents"),
            Field("stage", _stage, True, ("阶段", "商机阶段", "deal_stage")),
            Field("created", lambda v: parse_date("created", v), aliases=("创建日期", "created_at", "engage_date")),
            Field("closed_at", lambda v: parse_date("closed_at", v), aliases=("签约日期", "关闭日期", "close_date")),
            Field("external_id", _text("external_id"), aliases=("商机编号", "opportunity_id")),
            Field("lost_reason", _text("lost_reason"), aliases=("输单原因",)),
            Field("reason_code", _reason_code, aliases=("原因代码",)),
        ],
        key=("external_id",),
        defaults=lambda: {"created": config.today(), "created_at": config.now()},
        prepare=_prepare_deal, export_rows=_deals_export, check=check_deal, after_write=_deal_history,
    )


def check_payment(session: Session, row: dict[str, Any]) -> None:
    from amkit.store.models import Deal

    stage = session.execute(sa.select(Deal.stage).where(Deal.id == row["deal_id"])).scalar_one()
    if stage != "won":
        raise bad_value("deal", row["deal_id"], f"is {stage}, not won: payments are recorded against won deals")
    if not row.get("amount_cents"):
        raise bad_value("amount", row.get("amount_cents"), "must be more than 0")


def _payments_export(session: Session) -> Iterator[dict[str, Any]]:
    from amkit.store.models import Deal, Payment

    query = sa.select(Payment, Deal.external_id).join(Deal, Payment.deal_id == Deal.id).order_by(Payment.id)
    for p, ext in session.execute(query).yield_per(1000):
        yield {"deal": ext or str(p.deal_id), "amount": from_cents(p.amount_cents), "date": p.date, "note": p.note}


def payments_spec() -> TableSpec:
    from amkit.store.models import Payment

    return TableSpec(
        "payments", Payment,
        [
            Field("deal", _text("deal"), True, ("商机", "商机编号", "deal_id", "opportunity_id"), ref="deal",
                  column="deal_id"),
            Field("amount", _cents, True, ("金额", "回款金额"), column="amount_cents"),
            Field("date", lambda v: parse_date("date", v), True, ("日期", "回款日期")),
            Field("note", _text("note"), aliases=("备注",)),
        ],
        key=("deal", "date", "amount"),
        defaults=lambda: {"created_at": config.now()},
        export_rows=_payments_export, check=check_payment,
    )
