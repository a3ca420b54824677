"""`customer erase`: remove a customer's personal data (PIPL) and keep anonymised aggregates.

Kept: the customer row (renamed "[erased #ID]") with industry, region, tier, owner, dates;
deal amounts, stages and dates; follow-up channels and dates; survey scores; complaint dates;
payment amounts and dates; the industry/stage of knowledge-base entries linked to the customer
(their text is erased).
Removed: names, contacts (deleted), phones, e-mails, WeChat ids, birthdays, every free text
(follow-ups, deal titles and lost reasons, stage-history reasons, payment notes, survey and
complaint notes, handover notes, lifecycle and tier-history reasons), `extra`, tags, and the
payloads of every audit entry about those rows: rows deleted earlier (found by the customer or
deal id in their logged payload), customers merged into this one (`customer merge` names the
dropped customer in a "merge" entry; older merges are found through the rows they moved), and
row-less entries (`--reveal`, export) that name the customer or a contact. One audit entry
records that an erase happened, without the data.

After the commit the bytes are removed from the files too (amkit.store.scrub): SQLite is
vacuumed and its WAL truncated (the full-text shadow tables are rebuilt first); PostgreSQL gets
VACUUM FULL of the touched tables and a CHECKPOINT. Backups made earlier still hold everything:
`earlier_backups` lists the ones the audit log recorded that are still on disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from amkit.core.pinyin import keys
from amkit.store import audit
from amkit.store.crypto import open_
from amkit.store.models import (
    AuditEntry,
    Complaint,
    Contact,
    Contract,
    Customer,
    Deal,
    DealStageChange,
    Followup,
    Handover,
    Installment,
    KbEntry,
    LifecycleChange,
    Payment,
    Survey,
    TierChange,
)
from amkit.store.writer import Store

ERASED = "[erased]"
# table model → columns set to a value (None or ERASED) on that customer's rows
SCRUB: list[tuple[Any, dict[str, Any]]] = [
    (Followup, {"summary": ERASED, "outcome": None, "next_action": None, "contact_id": None}),
    (Deal, {"title": None, "lost_reason": None}),
    (Survey, {"note": None}),
    (Complaint, {"text": ERASED, "resolution": None}),
    (Handover, {"note": ERASED}),
    (LifecycleChange, {"reason": None}),
    (TierChange, {"note": None}),
    (KbEntry, {"title": ERASED, "body": ERASED, "tags": ""}),  # a case written about this customer
    (Contract, {"title": None, "lost_reason": None}),
]
# rows hanging off the customer's deals
DEAL_SCRUB: list[tuple[Any, dict[str, Any]]] = [
    (DealStageChange, {"reason": None}),
    (Payment, {"note": None}),
    (Installment, {"note": None}),
]
# every table erase may change: amkit.store.scrub rewrites these files after the commit
TABLES = ["customers", "contacts", "audit_log", *(m.__tablename__ for m, _ in SCRUB + DEAL_SCRUB)]
# logged fields that identify the person (row-less audit entries naming them are redacted too)
NAMING = {"customers": ("name", "name_pinyin", "name_initials"),
          "contacts": ("name", "phone", "email", "wechat")}
CHUNK = 500


def erase(st: Store, customer: Customer) -> dict[str, int]:
    session = st.session
    from amkit.store import scope as team

    # erasing redacts audit payloads, which only admins may read and change in team mode
    team.require(session, "admin", action="customer erase", table="customers")
    cid = customer.id
    merged = _merged_into(session, cid)
    touched: dict[str, list[int]] = {"customers": sorted(merged)}
    contact_ids = _ids(session, Contact.id, Contact.customer_id == cid)
    touched["contacts"] = sorted(set(contact_ids) | _gone(session, "contacts", "customer_id", merged))
    for model, values in SCRUB:
        ids = _ids(session, model.id, model.customer_id == cid)
        touched[model.__tablename__] = sorted(set(ids) | _gone(session, model.__tablename__, "customer_id", merged))
        if ids:
            session.execute(sa.update(model).where(model.customer_id == cid).values(**values))
    deal_ids = touched["deals"]
    for model, values in DEAL_SCRUB:
        ids: list[int] = []
        for chunk in _chunks(deal_ids):
            ids += _ids(session, model.id, model.deal_id.in_(chunk))
            session.execute(sa.update(model).where(model.deal_id.in_(chunk)).values(**values))
        touched[model.__tablename__] = sorted(set(ids) | _gone(session, model.__tablename__, "deal_id", set(deal_ids)))
    names = _naming(session, customer, touched)
    if contact_ids:
        session.execute(sa.delete(Contact).where(Contact.customer_id == cid))
    name = f"[erased #{cid}]"
    pinyin, initials = keys(name)
    session.execute(sa.update(Customer).where(Customer.id == cid).values(
        name=name, name_pinyin=pinyin, name_initials=initials, extra=None, tags=""))
    entry_ids: list[int] = []
    for table, ids in touched.items():
        for chunk in _chunks(ids):
            entry_ids += session.execute(sa.select(AuditEntry.id).where(
                AuditEntry.table_name == table, AuditEntry.row_id.in_(chunk))).scalars().all()
    entry_ids += _rowless_naming(session, names)
    st.flush_audit()  # nothing pending normally; keeps ordering explicit
    audit.redact(session, entry_ids)
    _rebuild_fts(session)
    counts = {t: len(ids) for t, ids in touched.items()}
    st.record("erase", "customers", cid, None, {"customer_id": cid, "erased_entries": sorted(set(entry_ids)),
                                               "rows": counts})
    return counts


def _ids(session: Any, column: Any, where: Any) -> list[int]:
    return list(session.execute(sa.select(column).where(where)).scalars())


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _merged_into(session: Any, cid: int) -> set[int]:
    """CID and every customer merged into it, directly or through another merged one: the
    "merge" entries `customer merge` writes, and (for merges logged before those) the rows a
    merge moved, whose update entries go from the dropped customer's id to the kept one's."""
    found, frontier = {cid}, [cid]
    moved = [m.__tablename__ for m in (Contact, *(m for m, _ in SCRUB))]
    while frontier:
        new: set[int] = set()
        for after in session.execute(sa.select(AuditEntry.after).where(
                AuditEntry.action == "merge", AuditEntry.table_name == "customers",
                AuditEntry.row_id.in_(frontier), AuditEntry.erased.is_(False))).scalars():
            if isinstance(after, dict) and isinstance(after.get("dropped"), int):
                new.add(after["dropped"])
        old = AuditEntry.before["customer_id"].as_integer()
        new.update(session.execute(sa.select(old).distinct().where(
            AuditEntry.action == "update", AuditEntry.command == "customer merge",
            AuditEntry.table_name.in_(moved), AuditEntry.after["customer_id"].as_integer().in_(frontier),
            old.is_not(None))).scalars())
        existing = set(_ids(session, Customer.id, Customer.id.in_(new))) if new else set()
        frontier = sorted(new - found - existing)  # a dropped customer no longer exists
        found.update(frontier)
    return found


def _gone(session: Any, table: str, column: str, owners: set[int]) -> set[int]:
    """Ids of TABLE rows deleted earlier whose logged payload has COLUMN in OWNERS."""
    if not owners:
        return set()
    existing = sa.select(sa.column("id")).select_from(sa.table(table))
    found: set[int] = set()
    for row_id, before, after in session.execute(sa.select(AuditEntry.row_id, AuditEntry.before, AuditEntry.after)
                                                 .where(AuditEntry.table_name == table,
                                                        AuditEntry.row_id.is_not(None),
                                                        AuditEntry.row_id.not_in(existing))):
        if any(isinstance(p, dict) and p.get(column) in owners for p in (before, after)):
            found.add(row_id)
    return found


def _naming(session: Any, customer: Customer, touched: dict[str, list[int]]) -> set[str]:
    """The strings that name the person: every name, pinyin key, contact name, phone, e-mail and
    WeChat id they had, read from the rows and from the payloads about to be redacted."""
    names = {customer.name, customer.name_pinyin, customer.name_initials}
    for c in session.execute(sa.select(Contact).where(Contact.customer_id == customer.id)).scalars():
        names.update(open_(f, getattr(c, f)) for f in ("phone", "email", "wechat"))
        names.add(c.name)
    for table, fields in NAMING.items():
        for chunk in _chunks(touched.get(table, [])):
            for before, after in session.execute(sa.select(AuditEntry.before, AuditEntry.after).where(
                    AuditEntry.table_name == table, AuditEntry.row_id.in_(chunk))):
                for payload in (before, after):
                    if isinstance(payload, dict):
                        names.update(_plain(f, payload.get(f)) for f in fields)
    return {n for n in names if isinstance(n, str) and len(n.strip()) >= 2}


def _plain(field: str, value: Any) -> Any:
    if field in ("phone", "email", "wechat") and isinstance(value, str):
        try:
            return open_(field, value)
        except Exception:  # noqa: BLE001 - sealed with another key: the sealed text is what is logged
            return value
    return value


def _rowless_naming(session: Any, names: set[str]) -> list[int]:
    """Entries about no row (`--reveal`, export) whose payload names the person: a value equal
    to, containing, or a typed prefix of one of NAMES."""
    if not names:
        return []
    hits = []
    for entry_id, before, after in session.execute(sa.select(AuditEntry.id, AuditEntry.before, AuditEntry.after)
                                                   .where(AuditEntry.row_id.is_(None),
                                                          AuditEntry.erased.is_(False))):
        if any(_names(value, names) for value in _strings((before, after))):
            hits.append(entry_id)
    return hits


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _names(value: str, names: set[str]) -> bool:
    text = value.strip().lower()
    if len(text) < 2:
        return False
    return any(n.lower() in text or n.lower().startswith(text) for n in names)


def _rebuild_fts(session: Any) -> None:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for name in ("followups_fts", "kb_fts"):
        exists = session.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": name}).first()
        if exists:
            session.execute(sa.text(f"INSERT INTO {name}({name}) VALUES ('rebuild')"))


def earlier_backups(session: Any) -> list[dict[str, str]]:
    """Backups the audit log recorded (action "backup": {"path", "at"}), all made before this
    erase, that are still on disk: they hold the erased data until they are removed."""
    found: dict[str, str] = {}
    for after in session.execute(sa.select(AuditEntry.after).where(
            AuditEntry.action == "backup", AuditEntry.table_name == "backup",
            AuditEntry.erased.is_(False)).order_by(AuditEntry.id)).scalars():
        if not isinstance(after, dict) or not isinstance(after.get("path"), str):
            continue
        at = str(after.get("at") or "")
        try:
            when = dt.datetime.fromisoformat(at)
        except ValueError:
            continue
        if when.tzinfo is not None:
            when = when.astimezone().replace(tzinfo=None)
        if Path(after["path"]).exists():
            found[after["path"]] = when.isoformat(sep=" ", timespec="seconds")
    return [{"path": path, "at": at} for path, at in sorted(found.items(), key=lambda kv: kv[1])]


def prune_date(backups: list[dict[str, str]]) -> str:
    """The --before DATE of `backup prune` that removes every listed backup: the day after the
    newest one."""
    newest = max(dt.datetime.fromisoformat(b["at"]) for b in backups)
    return (newest.date() + dt.timedelta(days=1)).isoformat()
