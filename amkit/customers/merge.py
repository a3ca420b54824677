"""`customer dupes` (likely duplicates) and `customer merge KEEP DROP`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit.core.text import normalise_name, normalise_phone
from amkit.errors import bad_value
from amkit.store.models import (Complaint, Contact, Contract, Customer, Deal, Followup, Handover, KbEntry, LifecycleChange, Survey,
                          TierChange)
from amkit.store.writer import Store

def dupes(session: Session) -> list[dict[str, Any]]:
    """Groups of customers sharing a normalised name, a contact phone or a contact e-mail."""
    groups: dict[tuple[str, str], set[int]] = {}
    names = dict(session.execute(sa.select(Customer.id, Customer.name)).all())
    for cid, name in names.items():
        groups.setdefault(("name", normalise_name(name)), set()).add(cid)
    from amkit.store.crypto import open_

    for cid, phone, email in session.execute(sa.select(Contact.customer_id, Contact.phone, Contact.email)):
        phone, email = open_("phone", phone), open_("email", email)
        if normalise_phone(phone):
            groups.setdefault(("phone", normalise_phone(phone)), set()).add(cid)
        if email:
            groups.setdefault(("email", email.strip().lower()), set()).add(cid)
    from amkit.store.crypto import active, mask

    rows = []
    for (reason, key), ids in groups.items():
        if len(ids) > 1:
            ordered = sorted(ids)
            rows.append({"reason": reason, "key": mask(reason, key) if reason != "name" and active() else key, "ids": ordered, "customers": [names[i] for i in ordered]})
    rows.sort(key=lambda r: (r["ids"][0], r["reason"]))
    return rows


MOVED = [Contact, Followup, Deal, Survey, Complaint, TierChange, LifecycleChange, Handover, KbEntry, Contract]
FILLED = ("industry", "region", "source", "owner_id")


def merge(st: Store, keep: Customer, drop: Customer, dry_run: bool = False) -> dict[str, int]:
    """Move every record of DROP to KEEP, fill KEEP's empty fields, then delete DROP."""
    if keep.id == drop.id:
        raise bad_value("DROP", drop.name, "is the same customer as KEEP")
    counts: dict[str, int] = {}
    for model in MOVED:
        rows = st.session.execute(sa.select(model).where(model.customer_id == drop.id)).scalars().all()
        counts[model.__tablename__] = len(rows)
        if not dry_run:
            for row in rows:
                st.update(row, {"customer_id": keep.id})
    changes: dict[str, Any] = {f: getattr(drop, f) for f in FILLED if getattr(keep, f) is None and getattr(drop, f)}
    tags = [t for t in keep.tags.split(",") if t] + [t for t in drop.tags.split(",") if t]
    merged_tags = ",".join(dict.fromkeys(tags))
    if merged_tags != keep.tags:
        changes["tags"] = merged_tags
    if drop.extra:
        changes["extra"] = {**drop.extra, **(keep.extra or {}), "merged_from": drop.name}
    counts["fields_filled"] = len(changes)
    if not dry_run:
        st.update(keep, changes)
        st.session.refresh(drop)
        st.delete(drop)
        # names the dropped customer for `customer erase` of KEEP (ids only: no personal data)
        st.record("merge", "customers", keep.id, None, {"dropped": drop.id})
    return counts
