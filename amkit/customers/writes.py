"""Customer archive: add, edit, list with filters, one-screen briefing. Returns plain rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.store import lookup
from amkit.core.enums import parse_lifecycle, parse_tier
from amkit.errors import Conflict, bad_value
from amkit.store.models import Contact, Customer, LifecycleChange, Manager
from amkit.core.parse import parse_tags, require_text
from amkit.store.writer import Store

FIELDS = ("name", "industry", "region", "source", "tier", "lifecycle", "tags", "aliases")


def customer_row(c: Customer, owner: str | None) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "industry": c.industry,
        "region": c.region,
        "source": c.source,
        "owner": owner,
        "tier": c.tier,
        "tier_locked": c.tier_locked,
        "lifecycle": c.lifecycle,
        "tags": [t for t in c.tags.split(",") if t],
        "aliases": [a for a in (c.aliases or "").split(",") if a],
        "created_at": c.created_at,
        "extra": c.extra or {},
    }


def parse_extra(pairs: list[str] | None) -> dict[str, str]:
    extra: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise bad_value("--extra", pair, "expected KEY=VALUE")
        extra[key.strip()] = value.strip()
    return extra


def clean_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate the user-editable fields present in `values` (None = not given)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        if key == "name":
            out[key] = require_text("name", value)
        elif key == "tier":
            out[key] = parse_tier(value)
        elif key == "lifecycle":
            out[key] = parse_lifecycle(value)
        elif key in ("tags", "aliases"):
            out[key] = parse_tags(value)
        else:
            out[key] = str(value).strip() or None
    return out


def add(store: Store, name: str, owner: str | None = None, extra: dict[str, Any] | None = None,
        **fields: Any) -> Customer:
    values = clean_fields({"name": name, **fields})
    _ensure_unique(store.session, values["name"])
    _ensure_free_aliases(store.session, values.get("aliases", ""), values["name"], None)
    from amkit.store import scope as team

    owner_id = lookup.active_manager(store.session, owner).id if owner else team.default_owner_id(store.session)
    customer = Customer(**values, owner_id=owner_id, extra=extra or None, created_at=config.now())
    return store.add(customer)


def edit(store: Store, customer: Customer, owner: str | None = None, extra: dict[str, Any] | None = None,
         add_tags: list[str] | None = None, remove_tags: list[str] | None = None, reason: str | None = None,
         add_aliases: list[str] | None = None, remove_aliases: list[str] | None = None,
         **fields: Any) -> dict[str, tuple[Any, Any]]:
    """Change fields; a lifecycle change is kept in lifecycle_history (dated today) with
    ``reason`` (why the customer churned, went dormant, …); a reason needs such a change."""
    changes = clean_fields(fields)
    why = (reason or "").strip() or None
    moved = "lifecycle" in changes and changes["lifecycle"] != customer.lifecycle
    if reason is not None and not moved:
        raise bad_value("--reason", reason, "needs a lifecycle change (--stage churned, dormant, …)")
    if moved:
        store.add(LifecycleChange(customer_id=customer.id, on=config.today(), old=customer.lifecycle,
                                  new=changes["lifecycle"], reason=why or "edited"))
    if "name" in changes and changes["name"] != customer.name:
        _ensure_unique(store.session, changes["name"])
    if owner is not None:
        changes["owner_id"] = lookup.active_manager(store.session, owner).id if owner else None
    if "tier" in changes and (changes["tier"] != customer.tier or not customer.tier_locked):
        _lock_tier(store, customer, changes["tier"])
        changes["tier_locked"] = True
    if extra:
        changes["extra"] = {**(customer.extra or {}), **extra}
    if add_tags or remove_tags:
        tags = [t for t in (changes.get("tags", customer.tags)).split(",") if t]
        tags += [t for t in parse_tags(add_tags).split(",") if t and t not in tags]
        drop = set(parse_tags(remove_tags).split(","))
        changes["tags"] = ",".join(t for t in tags if t not in drop)
    if add_aliases or remove_aliases:
        aliases = [a for a in (customer.aliases or "").split(",") if a]
        aliases += [a for a in parse_tags(add_aliases).split(",") if a and a not in aliases]
        drop = set(parse_tags(remove_aliases).split(","))
        changes["aliases"] = ",".join(a for a in aliases if a not in drop)
        _ensure_free_aliases(store.session, changes["aliases"], changes.get("name", customer.name), customer.id)
    return store.update(customer, changes)


def _lock_tier(store: Store, customer: Customer, tier: str) -> None:
    """A tier set by hand is a decision: locked, so `tier run` keeps it (unless --override),
    and kept in tier history like `tier lock`."""
    from amkit.store.models import TierChange

    store.add(TierChange(customer_id=customer.id, on=config.today(), old_tier=customer.tier, new_tier=tier,
                         method="lock", value_cents=None, note="customer edit --tier"))


def _ensure_free_aliases(session: Session, aliases: str, name: str, own_id: int | None) -> None:
    """An alias names one customer: not another customer's name or alias (Conflict, exit 4)."""
    for alias in (a for a in aliases.split(",") if a):
        if alias == name:
            continue
        other = session.execute(sa.select(Customer).where(Customer.name == alias)).scalars().first() \
            or lookup.by_alias(session, alias)
        if other is not None and other.id != own_id:
            raise Conflict(f"alias {alias!r} already names customer {other.name!r}")


def _ensure_unique(session: Session, name: str) -> None:
    if session.execute(sa.select(Customer.id).where(Customer.name == name)).first():
        raise Conflict(f"customer already exists: {name!r}")


@dataclass
class Filters:
    owner: str | None = None
    tier: str | None = None
    lifecycle: str | None = None
    tags: list[str] = field(default_factory=list)
    search: str | None = None
    industry: str | None = None
    region: str | None = None
    limit: int = 0


def list_rows(session: Session, f: Filters) -> list[dict[str, Any]]:
    query = sa.select(Customer, Manager.name).join(Manager, Customer.owner_id == Manager.id, isouter=True)
    if f.owner:
        query = query.where(Customer.owner_id == lookup.manager(session, f.owner).id)
    if f.tier:
        query = query.where(Customer.tier == parse_tier(f.tier))
    for tag in f.tags:
        query = query.where(("," + Customer.tags + ",").like(f"%,{tag.strip()},%"))
    if f.industry:
        query = query.where(Customer.industry == f.industry)
    if f.region:
        query = query.where(Customer.region == f.region)
    if f.search:
        query = query.where(_search_condition(f.search))
    query = query.order_by(Customer.name)
    stage = parse_lifecycle(f.lifecycle) if f.lifecycle else None
    if f.limit and stage is None:
        query = query.limit(f.limit)
    rows = [customer_row(c, owner) for c, owner in session.execute(query)]
    rows = with_lifecycle(session, rows)
    if stage is not None:  # the derived stage (SPEC §2), so filtered after it is known
        rows = [r for r in rows if r["lifecycle"] == stage][:f.limit or None]
    return rows


def with_lifecycle(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Customer rows with their stage as of today, derived from all activity (the stored value
    is the base: lead/prospect/active or a manual change), and the day of the last activity."""
    from amkit.metrics import lifecycle
    from amkit.store.raw import Reader

    standing = lifecycle.states(Reader.of_session(session), config.today(),
                                [(r["id"], r["lifecycle"], _day(r["created_at"])) for r in rows], config.merged())
    for r in rows:
        r["lifecycle"] = standing[r["id"]].stage
    return rows


def _day(value: Any) -> Any:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _search_condition(text: str) -> Any:
    from amkit.core.pinyin import looks_like_pinyin

    like = f"%{text}%"
    conditions = [Customer.name.like(like), Customer.industry.like(like), Customer.region.like(like),
                  Customer.tags.like(like)]
    if looks_like_pinyin(text):
        key = text.lower().replace(" ", "")
        conditions += [Customer.name_pinyin.like(f"%{key}%"), Customer.name_initials.like(f"{key}%")]
    return sa.or_(*conditions)


def owner_name(session: Session, customer: Customer) -> str | None:
    if customer.owner_id is None:
        return None
    return session.get(Manager, customer.owner_id).name


def briefing(session: Session, customer: Customer) -> dict[str, Any]:
    """`customer show`: the record, its contacts and whatever later features attach."""
    row = customer_row(customer, owner_name(session, customer))
    row = with_lifecycle(session, [row])[0]
    contacts = session.execute(
        sa.select(Contact).where(Contact.customer_id == customer.id)
        .order_by(Contact.is_decision_maker.desc(), Contact.name)
    ).scalars().all()
    row["contacts"] = [contact_row(c, customer.name) for c in contacts]
    from amkit.followups import writes as followups

    row["followups"] = followups.recent(session, customer.id, 5)
    row["next_actions"] = followups.pending_actions(session, customer.id)
    from amkit.kb import writes as kb

    row["kb"] = kb.for_customer(session, customer)
    from amkit.customers.briefing import money_sections

    row.update(money_sections(session, customer))
    return row


def contact_row(c: Contact, customer_name: str, reveal: bool = False) -> dict[str, Any]:
    """Sensitive values decrypted, and masked unless `reveal` when AMKIT_KEY is set (amkit.crypto)."""
    from amkit.store.crypto import shown

    return shown({
        "id": c.id,
        "customer": customer_name,
        "name": c.name,
        "role": c.role,
        "is_decision_maker": c.is_decision_maker,
        "phone": c.phone,
        "email": c.email,
        "wechat": c.wechat,
        "birthday": c.birthday,
        "birthday_lunar": c.birthday_lunar,
    }, reveal)
