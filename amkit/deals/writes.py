"""Deals (商机): add, move through the stages, list with the weighted pipeline.

Rules (SPEC §2 deal):
- amount is required for won and lost deals, optional (unknown) for open ones;
- every stage a deal enters is a row in deal_stage_history with its date (the first row,
  from_stage NULL, is the stage the deal was created at, on its created date — or on its
  closed_at date when it is created already won/lost);
- won/lost set closed_at (the created date on `add`, `--on` on `move`); reopening clears it,
  and also clears lost_reason/reason_code (the reason stays in the history row);
- a deal may move on any day from its created date on (issue 21: past work is entered late; the
  funnel orders a deal's stage changes by date, so durations stay >= 0);
- winning a deal makes its customer `active` again if it was lead/prospect/dormant/churned,
  recorded in lifecycle_history (`reactivate`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.store import lookup
from amkit.core.enums import OPEN_STAGES, parse_stage
from amkit.errors import BadInput, bad_value
from amkit.store.models import Customer, Deal, DealStageChange, Installment, LifecycleChange, Manager
from amkit.core.parse import from_cents, parse_amount, parse_date, to_cents
from amkit.store.writer import Store

CLOSED = ("won", "lost")
REACTIVATE_FROM = ("lead", "prospect", "dormant", "churned")


def reason_codes() -> list[str]:
    """Lost-reason codes from config `pipeline.reason_codes`."""
    codes = config.merged()["pipeline"].get("reason_codes") or []
    if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
        raise bad_value("pipeline.reason_codes", codes, "expected a list of codes")
    return codes


def parse_reason_code(value: str | None) -> str | None:
    if not (value or "").strip():
        return None
    from amkit.core.enums import REASON_CODES, parse_enum

    # the configured codes, each read as any enum is: the key, its label (价格 → price), "no budget"
    return parse_enum("reason_code", value, {code: REASON_CODES.get(code, code) for code in reason_codes()})


def probabilities() -> dict[str, Decimal]:
    """Win probability per stage from config `pipeline.probability.*` (0..1)."""
    raw = config.merged()["pipeline"]["probability"]
    result: dict[str, Decimal] = {}
    for stage in (*OPEN_STAGES, *CLOSED):
        value = raw.get(stage, 1 if stage == "won" else 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise bad_value(f"pipeline.probability.{stage}", value, "expected a number from 0 to 1")
        result[stage] = Decimal(str(value))
    return result


def require_amount(stage: str, cents: int | None) -> None:
    if stage in CLOSED and cents is None:
        raise bad_value("amount", "", f"required for a {stage} deal (use --amount)")


# --- writes ------------------------------------------------------------------------------

def add(st: Store, customer: str, *, stage: str, amount: str | None = None, owner: str | None = None,
        title: str | None = None, created: str | None = None, external_id: str | None = None) -> Deal:
    stage = parse_stage(stage)
    cents = to_cents(parse_amount("amount", amount))
    require_amount(stage, cents)
    created_on = parse_date("created", created) or config.today()
    ext = (external_id or "").strip() or None
    cust = lookup.customer(st.session, customer)
    owner_id = lookup.active_manager(st.session, owner).id if owner else cust.owner_id
    if ext and st.session.execute(sa.select(Deal.id).where(Deal.external_id == ext)).first():
        raise bad_value("external_id", ext, "already used by another deal")
    deal = st.add(Deal(customer_id=cust.id, owner_id=owner_id, title=(title or "").strip() or None,
                       amount_cents=cents, stage=stage, created=created_on,
                       closed_at=created_on if stage in CLOSED else None, external_id=ext,
                       created_at=config.now()))
    st.add(DealStageChange(deal_id=deal.id, from_stage=None, to_stage=stage, on=created_on))
    if stage == "won":
        reactivate(st, cust, created_on, f"deal {deal.id} won")
    return deal


def planned_cents(session: Session, deal_id: int, except_id: int | None = None) -> int:
    """The sum of a deal's payment-plan installments (but `except_id`)."""
    query = sa.select(sa.func.coalesce(sa.func.sum(Installment.amount_cents), 0)).where(Installment.deal_id == deal_id)
    if except_id is not None:
        query = query.where(Installment.id != except_id)
    return int(session.execute(query).scalar_one())


def check_covers_plan(session: Session, deal_id: int, cents: int) -> None:
    """A deal's new amount may not drop below its payment plan (`deal edit` and `deal move --amount`)."""
    planned = planned_cents(session, deal_id)
    if planned > cents:
        raise bad_value("amount", str(from_cents(cents)),
                        f"less than its payment plan ({from_cents(planned)}): edit or delete installments first "
                        "(amkit receivable list --customer …)")


def move(st: Store, deal_id: int, stage: str, *, on: str | None = None, reason: str | None = None,
         reason_code: str | None = None, amount: str | None = None) -> dict[str, tuple[Any, Any]]:
    """Move a deal to `stage` on `on` (default today); returns the changed fields."""
    deal = get(st.session, deal_id)
    stage = parse_stage(stage)
    day = parse_date("on", on) or config.today()
    code = parse_reason_code(reason_code)
    if code and stage != "lost":
        raise bad_value("reason_code", reason_code, "only for a move to lost")
    if stage == deal.stage:
        raise bad_value("stage", stage, f"deal {deal.id} is already at that stage")
    if day < deal.created:
        raise bad_value("on", day.isoformat(), f"before the deal was created ({deal.created.isoformat()}); "
                                               f"amkit deal edit {deal.id} --created DATE moves that")
    changes: dict[str, Any] = {"stage": stage}
    cents = to_cents(parse_amount("amount", amount))
    if cents is not None:
        check_covers_plan(st.session, deal.id, cents)
        changes["amount_cents"] = cents
    require_amount(stage, changes.get("amount_cents", deal.amount_cents))
    changes["closed_at"] = day if stage in CLOSED else None
    text = (reason or "").strip() or None
    if stage == "lost":
        changes.update(lost_reason=text, reason_code=code)
    elif deal.stage == "lost":
        changes.update(lost_reason=None, reason_code=None)
    old_stage = deal.stage
    diff = st.update(deal, changes)
    st.add(DealStageChange(deal_id=deal.id, from_stage=old_stage, to_stage=stage, on=day, reason=text))
    if stage == "won":
        reactivate(st, st.session.get(Customer, deal.customer_id), day, f"deal {deal.id} won")
    return diff


def reactivate(st: Store, customer: Customer, on: dt.date, reason: str) -> bool:
    """A won deal makes a lead/prospect/dormant/churned customer active again (audited)."""
    if customer.lifecycle not in REACTIVATE_FROM:
        return False
    old = customer.lifecycle
    st.update(customer, {"lifecycle": "active"})
    st.add(LifecycleChange(customer_id=customer.id, on=on, old=old, new="active", reason=reason))
    return True


def get(session: Session, deal_id: int | str) -> Deal:
    text = str(deal_id).strip()
    deal = lookup.by_id(session, Deal, text)
    if deal is None:
        deal = session.execute(sa.select(Deal).where(Deal.external_id == text)).scalars().first()
    if deal is None:
        from amkit.store import scope as team

        raise team.not_found(session, "deal", "deals", text)
    return deal


# --- reads -------------------------------------------------------------------------------

@dataclass
class Filters:
    owner: str | None = None
    customer: str | None = None
    stage: str | None = None
    open_only: bool = False
    since: str | None = None
    until: str | None = None


def list_rows(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Deals created in [since, until], newest first, each with its weighted amount."""
    query = (sa.select(Deal, Customer.name, Manager.name)
             .join(Customer, Deal.customer_id == Customer.id)
             .join(Manager, Deal.owner_id == Manager.id, isouter=True))
    if f.owner:
        query = query.where(Deal.owner_id == lookup.manager(session, f.owner).id)
    if f.customer:
        query = query.where(Deal.customer_id == lookup.customer(session, f.customer).id)
    if f.stage:
        query = query.where(Deal.stage == parse_stage(f.stage))
    if f.open_only:
        query = query.where(Deal.stage.in_(OPEN_STAGES))
    since, until = parse_date("since", f.since), parse_date("until", f.until)
    if since and until and since > until:
        raise BadInput(f"invalid --since {since.isoformat()!r}: after --until {until.isoformat()!r}")
    if since:
        query = query.where(Deal.created >= since)
    if until:
        query = query.where(Deal.created <= until)
    deals = session.execute(query.order_by(Deal.created.desc(), Deal.id.desc())).all()
    repeat = repurchase_ids(session, {d.customer_id for d, _, _ in deals})
    probs = probabilities()
    return [deal_row(d, customer, owner, probs, d.id in repeat) for d, customer, owner in deals]


def repurchase_ids(session: Session, customer_ids: set[int] | None = None) -> set[int]:
    """Ids of won deals that are repurchases (复购), by the metrics layer's one definition."""
    from amkit.metrics import figures
    from amkit.store.raw import Reader

    if customer_ids is not None and len(customer_ids) > 500:
        customer_ids = None  # all of them: one query rather than a huge IN list
    return set(figures.repurchases(Reader.of_session(session), customer_ids))


def deal_row(d: Deal, customer: str, owner: str | None, probs: dict[str, Decimal],
             is_repurchase: bool = False) -> dict[str, Any]:
    amount = from_cents(d.amount_cents)
    prob = probs[d.stage] if d.probability is None or d.stage in CLOSED else Decimal(d.probability)
    weighted = None if amount is None else (amount * prob).quantize(Decimal("0.01"))
    return {
        "id": d.id, "customer": customer, "owner": owner, "title": d.title, "stage": d.stage,
        "amount": amount, "probability": prob, "weighted_amount": weighted,
        "created": d.created, "closed_at": d.closed_at, "is_repurchase": is_repurchase,
        "external_id": d.external_id, "lost_reason": d.lost_reason, "reason_code": d.reason_code,
    }


def one_row(session: Session, deal_id: int) -> dict[str, Any]:
    d = get(session, deal_id)
    customer = session.get(Customer, d.customer_id).name
    owner = session.get(Manager, d.owner_id).name if d.owner_id else None
    return deal_row(d, customer, owner, probabilities(), d.id in repurchase_ids(session, {d.customer_id}))


def pipeline_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals of the listed deals: open pipeline and its weighted value, and won."""
    open_rows = [r for r in rows if r["stage"] in OPEN_STAGES]
    return {
        "deals": len(rows),
        "open": len(open_rows),
        "open_amount": sum((r["amount"] for r in open_rows if r["amount"] is not None), Decimal("0.00")),
        "unknown_amount": sum(1 for r in open_rows if r["amount"] is None),
        "weighted": sum((r["weighted_amount"] for r in open_rows if r["weighted_amount"] is not None),
                        Decimal("0.00")),
        "won_amount": sum((r["amount"] for r in rows if r["stage"] == "won"), Decimal("0.00")),
    }


def funnel_report(session: Session, period: str | None = None, owner: str | None = None,
                  owner_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """`report funnel`: deals created in `period` (all when None), optionally one owner's (or, for
    the review of a team, those of the managers ``owner_ids``)."""
    from amkit.deals.calc import Change, DealFacts, Win, funnel
    from amkit.core.periods import parse_period

    query = sa.select(Deal.id, Deal.customer_id, Deal.stage, Deal.created)
    if period:
        p = parse_period(period)
        query = query.where(Deal.created >= p.start, Deal.created <= p.end)
    if owner:
        query = query.where(Deal.owner_id == lookup.manager(session, owner).id)
    if owner_ids is not None:
        query = query.where(Deal.owner_id.in_(sorted(owner_ids)))
    deals = [DealFacts(*row) for row in session.execute(query)]
    ids = [d.id for d in deals]
    changes: list[Change] = []
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk:chunk + 5000]
        rows = session.execute(sa.select(DealStageChange.deal_id, DealStageChange.from_stage,
                                         DealStageChange.to_stage, DealStageChange.on, DealStageChange.id)
                               .where(DealStageChange.deal_id.in_(part)))
        changes.extend(Change(*row) for row in rows)
    from amkit.metrics import figures
    from amkit.store.raw import Reader

    customers = {d.customer_id for d in deals}
    wins = [Win(i, c, figures.win_day(closed, created)) for i, c, closed, created in session.execute(
        sa.select(Deal.id, Deal.customer_id, Deal.closed_at, Deal.created).where(Deal.stage == "won"))
        if c in customers]
    previous = figures.repurchases(Reader.of_session(session))  # the one definition of a repurchase
    on = {w.deal_id: w.on for w in wins}
    gaps = {i: (on[i] - before).days for i, before in previous.items() if i in on}
    return funnel(deals, changes, wins, gaps)
