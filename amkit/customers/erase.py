"""`customer erase`: remove a customer's personal data (PIPL) and keep anonymised aggregates.

Kept: the customer row (renamed "[erased #ID]") with industry, region, tier, owner, dates;
deal amounts, stages and dates; follow-up channels and dates; survey scores; complaint dates;
the industry/stage of knowledge-base entries linked to the customer (their text is erased).
Removed: names, contacts (deleted), phones, e-mails, WeChat ids, birthdays, every free text,
`extra`, tags, and the payloads of all audit entries about those rows. One audit entry records
that an erase happened, without the data. The file is then vacuumed so nothing lingers in
free pages, the WAL or the full-text index.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from amkit.store import audit
from amkit.store.models import (AuditEntry, Complaint, Contact, Customer, Deal, Followup, Handover, KbEntry,
                          LifecycleChange, Survey, TierChange)
from amkit.core.pinyin import keys
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
]


def erase(st: Store, customer: Customer) -> dict[str, int]:
    session = st.session
    from amkit.store import scope as team

    # erasing redacts audit payloads, which only admins may read and change in team mode
    team.require(session, "admin", action="customer erase", table="customers")
    cid = customer.id
    touched: dict[str, list[int]] = {"customers": [cid]}
    contact_ids = list(session.execute(sa.select(Contact.id).where(Contact.customer_id == cid)).scalars())
    touched["contacts"] = contact_ids
    for model, values in SCRUB:
        ids = list(session.execute(sa.select(model.id).where(model.customer_id == cid)).scalars())
        touched[model.__tablename__] = ids
        if ids:
            session.execute(sa.update(model).where(model.customer_id == cid).values(**values))
    if contact_ids:
        session.execute(sa.delete(Contact).where(Contact.customer_id == cid))
    name = f"[erased #{cid}]"
    pinyin, initials = keys(name)
    session.execute(sa.update(Customer).where(Customer.id == cid).values(
        name=name, name_pinyin=pinyin, name_initials=initials, extra=None, tags=""))
    entry_ids: list[int] = []
    for table, ids in touched.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            entry_ids += session.execute(sa.select(AuditEntry.id).where(
                AuditEntry.table_name == table, AuditEntry.row_id.in_(chunk))).scalars().all()
    st.flush_audit()  # nothing pending normally; keeps ordering explicit
    audit.redact(session, entry_ids)
    _rebuild_fts(session)
    counts = {t: len(ids) for t, ids in touched.items()}
    st.record("erase", "customers", cid, None, {"customer_id": cid, "erased_entries": sorted(entry_ids),
                                               "rows": counts})
    return counts


def _rebuild_fts(session: Any) -> None:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for name in ("followups_fts", "kb_fts"):
        exists = session.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": name}).first()
        if exists:
            session.execute(sa.text(f"INSERT INTO {name}({name}) VALUES ('rebuild')"))


def scrub_file() -> None:
    """After the erase commits: rewrite the SQLite file and empty the WAL."""
    from amkit.store import engine

    eng = engine.engine()
    if not engine.is_sqlite(eng):
        return
    raw = eng.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("VACUUM")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.close()
    finally:
        raw.close()
