"""Knowledge base (案例库, 话术): add, search, show, list, and "what worked before" for a customer.

An entry has a title, a body (markdown or plain text), tags, and optionally the industry and
deal stage it is about and the customer it came from. Search is the follow-ups' full-text
search (amkit.fts: FTS5 trigram index ``kb_fts`` over title, body and tags; LIKE for terms
under 3 characters; ILIKE on PostgreSQL).

"What worked before" for a customer (``customer show``): the entries linked to that customer,
and the entries whose industry and stage agree with the customer's industry and the stages of
its open deals — an entry must name at least one of the two, and what it names must match
(an entry for 金融 without a stage matches every 金融 customer; one for 金融 at ``quote`` only a
金融 customer with an open deal at quote; one for ``quote`` alone any customer with such a deal).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.store import fts_orm, lookup
from amkit.core.enums import OPEN_STAGES, parse_stage
from amkit.errors import BadInput, NotFound, bad_value
from amkit.store.models import Customer, Deal, KbEntry
from amkit.core.parse import parse_tags, record_id, require_text
from amkit.store.writer import Store

INDEX = "kb_fts"
SEARCHED = (KbEntry.title, KbEntry.body, KbEntry.tags)
MAX_BODY_BYTES = 1_000_000


def read_body(body: str | None, file: str | None) -> str:
    """``--body TEXT`` or ``--file note.md`` (exactly one; UTF-8, ``-`` is not accepted)."""
    if body is not None and file is not None:
        raise BadInput("give either --body or --file, not both")
    if file is not None:
        path = Path(file)
        if not path.is_file():
            raise bad_value("--file", file, "file not found")
        if path.stat().st_size > MAX_BODY_BYTES:
            raise bad_value("--file", file, f"larger than {MAX_BODY_BYTES // 1_000_000} MB")
        try:
            body = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise bad_value("--file", file, "not UTF-8 text") from None
        return require_text("--file", body, multiline=True)
    if body is None:
        raise BadInput("give the entry's text: --body TEXT or --file note.md")
    return require_text("--body", body, multiline=True)


@dataclass
class NewEntry:
    title: str
    body: str | None = None
    file: str | None = None
    tags: list[str] | None = None
    industry: str | None = None
    stage: str | None = None
    customer: str | None = None


def add(st: Store, new: NewEntry) -> KbEntry:
    """Validate everything, then write one entry (audited)."""
    title = require_text("--title", new.title)
    if len(title) > 300:
        raise bad_value("--title", title[:40] + "…", "longer than 300 characters")
    body = read_body(new.body, new.file)
    stage = parse_stage(new.stage) if new.stage else None
    customer_id = lookup.customer(st.session, new.customer).id if new.customer else None
    return st.add(KbEntry(title=title, body=body, tags=parse_tags(",".join(new.tags or [])),
                          industry=(new.industry or "").strip() or None, stage=stage, customer_id=customer_id,
                          created_at=config.now()))


# ---------------------------------------------------------------- reading

def _base_query() -> sa.Select:
    return (sa.select(KbEntry.id, KbEntry.title, KbEntry.tags, KbEntry.industry, KbEntry.stage,
                      Customer.name.label("customer"), KbEntry.created_at, KbEntry.body)
            .join(Customer, Customer.id == KbEntry.customer_id, isouter=True))


def _rows(session: Session, query: sa.Select) -> list[dict[str, Any]]:
    out = []
    for r in session.execute(query).mappings():
        row = dict(r)
        row["tags"] = [t for t in (row["tags"] or "").split(",") if t]
        out.append(row)
    return out


def _newest(query: sa.Select) -> sa.Select:
    return query.order_by(KbEntry.created_at.desc(), KbEntry.id.desc())


def row(session: Session, entry_id: int | str) -> dict[str, Any]:
    text = str(entry_id).strip()
    rows = _rows(session, _base_query().where(KbEntry.id == record_id(text))) if record_id(text) else []
    if not rows:
        raise NotFound(f"kb entry not found: {text!r}")
    return rows[0]


def list_rows(session: Session, tag: list[str] | None = None, industry: str | None = None,
              stage: str | None = None, limit: int = 0) -> list[dict[str, Any]]:
    """Entries, newest first; every ``tag`` must be present; limit 0 = all."""
    query = _base_query()
    for t in parse_tags(",".join(tag or [])).split(","):
        if t:
            query = query.where(("," + KbEntry.tags + ",").like("%," + lookup.escape_like(t) + ",%", escape="\\"))
    if industry:
        query = query.where(KbEntry.industry == industry.strip())
    if stage:
        query = query.where(KbEntry.stage == parse_stage(stage))
    query = _newest(query)
    return _rows(session, query.limit(limit) if limit else query)


def search(session: Session, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """Entries containing every term in title, body or tags (bm25 first, then newest)."""
    query = fts_orm.apply(session, _base_query(), text, index=INDEX, id_column=KbEntry.id, columns=SEARCHED)
    query = _newest(query)
    return _rows(session, query.limit(limit) if limit else query)


def for_customer(session: Session, customer: Customer, limit: int = 5) -> list[dict[str, Any]]:
    """"What worked before" (module doc): linked first, then industry+stage, industry, stage."""
    stages = sorted(set(session.execute(sa.select(Deal.stage).where(
        Deal.customer_id == customer.id, Deal.stage.in_(OPEN_STAGES))).scalars()))
    industry_ok = KbEntry.industry == customer.industry if customer.industry else sa.false()
    stage_ok = KbEntry.stage.in_(stages) if stages else sa.false()
    described = sa.or_(KbEntry.industry.is_not(None), KbEntry.stage.is_not(None))
    fits = sa.and_(described, sa.or_(KbEntry.industry.is_(None), industry_ok),
                   sa.or_(KbEntry.stage.is_(None), stage_ok))
    linked = KbEntry.customer_id == customer.id
    rank = sa.case((linked, 0), (sa.and_(industry_ok, stage_ok), 1), (industry_ok, 2), else_=3)
    query = _base_query().where(sa.or_(linked, fits)).order_by(rank)
    return _rows(session, _newest(query).limit(limit))


def excerpt(body: str, width: int = 40) -> str:
    """The first line of ``body``, cut to ``width`` characters."""
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    return first if len(first) <= width else first[: width - 1] + "…"
