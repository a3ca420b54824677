"""`amkit remind` against the database: gathers amkit.remind's inputs with set-based SQL (one
query each for customers with their last follow-up, pending next actions and contact
birthdays; never a query per customer), applies lifecycle transitions (audited), snoozes,
renders and notifies. The rules themselves live in the pure module amkit.remind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config, lookup, remind
from amkit.errors import BadInput, bad_value
from amkit.models import Contact, Customer, Followup, LifecycleChange, Manager
from amkit.parse import parse_date
from amkit.remind import ContactBirthday, CustomerState, PendingAction, Reminder, Transition
from amkit.store import Store

FORMATS = ("text", "json", "csv", "ics")
ROW_KEYS = ("kind", "customer", "owner", "due", "days_overdue", "reason")


def _day_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


# ---------------------------------------------------------------- the three queries

def load_customers(session: Session, today: dt.date, owner_id: int | None = None) -> list[CustomerState]:
    """Every customer existing by ``today``, with its last follow-up up to ``today`` (GROUP BY)."""
    cutoff = _day_after(today)
    # datetimes come back as text on SQLite (parsed by _date: 10x faster than the DateTime type)
    last = (sa.select(Followup.customer_id, sa.type_coerce(sa.func.max(Followup.at), sa.String).label("last"))
            .where(Followup.at < cutoff).group_by(Followup.customer_id).subquery())
    query = (sa.select(Customer.id, Customer.name, Manager.name, Customer.tier, Customer.industry,
                       Customer.lifecycle, sa.type_coerce(Customer.created_at, sa.String), last.c.last,
                       Customer.snoozed_until)
             .join(Manager, Manager.id == Customer.owner_id, isouter=True)
             .join(last, last.c.customer_id == Customer.id, isouter=True)
             .where(Customer.created_at < cutoff))
    if owner_id is not None:
        query = query.where(Customer.owner_id == owner_id)
    return [CustomerState(cid, name, owner, tier, industry, lifecycle, _date(created), _date(lastf), snoozed)
            for cid, name, owner, tier, industry, lifecycle, created, lastf, snoozed in session.execute(query)]


def _date(value: dt.datetime | dt.date | str | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def load_actions(session: Session, end: dt.date, owner_id: int | None = None) -> list[PendingAction]:
    """Open next actions due by ``end`` (overdue ones whatever their age)."""
    from amkit.followups import owner_id_expr

    owner = owner_id_expr()
    query = (sa.select(Followup.id, Followup.customer_id, Customer.name, Manager.name,
                       sa.func.coalesce(Followup.next_action, ""), Followup.next_date)
             .join(Customer, Customer.id == Followup.customer_id)
             .join(Manager, Manager.id == owner, isouter=True)
             .where(Followup.next_date.is_not(None), Followup.next_date <= end, Followup.action_done.is_(None)))
    if owner_id is not None:
        query = query.where(owner == owner_id)
    return [PendingAction(*row) for row in session.execute(query)]


def load_birthdays(session: Session, start: dt.date, end: dt.date,
                   owner_id: int | None = None) -> list[ContactBirthday]:
    """Contacts ('YYYY-MM-DD' or 'MM-DD') that may have a birthday from ``start`` to ``end``.

    SQL keeps a superset (solar: the window's MM-DD values, lunar: the lunar months it touches);
    remind.compute decides exactly.
    """
    solar, lunar = _birthday_keys(start, end)
    # the last five characters: a positive start (PostgreSQL's substr does not count from the end)
    tail = sa.func.length(Contact.birthday) - 4
    mmdd, month = sa.func.substr(Contact.birthday, tail), sa.func.substr(Contact.birthday, tail, 2)
    in_window = sa.or_(sa.and_(Contact.birthday_lunar.is_(False), mmdd.in_(solar)),
                       sa.and_(Contact.birthday_lunar.is_(True), month.in_(lunar) if lunar is not None else True))
    query = (sa.select(Contact.id, Contact.name, Customer.id, Customer.name, Manager.name, Contact.birthday,
                       Contact.birthday_lunar)
             .join(Customer, Customer.id == Contact.customer_id)
             .join(Manager, Manager.id == Customer.owner_id, isouter=True)
             .where(Contact.birthday.is_not(None), in_window))
    if owner_id is not None:
        query = query.where(Customer.owner_id == owner_id)
    out = []
    for cid, name, cust_id, cust, owner, birthday, lunar in session.execute(query):
        parts = birthday.split("-")
        try:
            month, day = int(parts[-2]), int(parts[-1])
        except (IndexError, ValueError):
            continue  # not a birthday amkit wrote; skip rather than fail a cron run
        out.append(ContactBirthday(cid, name, cust_id, cust, owner, month, day, bool(lunar)))
    return out


def _birthday_keys(start: dt.date, end: dt.date) -> tuple[list[str], list[str] | None]:
    """'MM-DD' of every day in the window (02-29 with 02-28: it is kept on the 28th in other
    years) and the 'MM' of the lunar months it touches (None = no filter outside lunardate's
    years)."""
    from lunardate import LunarDate

    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    solar = {d.strftime("%m-%d") for d in days}
    if "02-28" in solar:
        solar.add("02-29")
    to_lunar = getattr(LunarDate, "from_solar_date", None) or LunarDate.fromSolarDate  # lunardate < 0.3
    try:
        lunar = sorted({f"{to_lunar(d.year, d.month, d.day).month:02d}" for d in days})
    except ValueError:
        lunar = None
    return sorted(solar), lunar


def holidays_between(start: dt.date, end: dt.date, code: str, lang: str) -> list[tuple[dt.date, str]]:
    """Public holidays of the work calendar ``code`` in the window; years it does not cover
    (or calendar ``none``) contribute nothing instead of failing."""
    from amkit.calendar import NO_HOLIDAYS, WorkCalendar

    cal = WorkCalendar(code, language="zh_CN" if lang == "zh" else None)
    if cal.code == NO_HOLIDAYS:
        return []
    out: list[tuple[dt.date, str]] = []
    for year in range(start.year, end.year + 1):
        if cal.years is not None and year not in cal.years:
            continue
        out.extend(cal.holidays_between(max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))))
    return out


# ---------------------------------------------------------------- lifecycle writes

def apply_transitions(st: Store, transitions: list[Transition], on: dt.date) -> None:
    """Write each move to customers.lifecycle and lifecycle_history, audited, in batches."""
    table = Customer.__table__
    for new in sorted({t.new for t in transitions}):
        moves = [t for t in transitions if t.new == new]
        for i in range(0, len(moves), 500):
            ids = [t.customer_id for t in moves[i:i + 500]]
            st.session.execute(table.update().where(table.c.id.in_(ids)).values(lifecycle=new))
        for t in moves:
            st.record("update", "customers", t.customer_id, {"lifecycle": t.old}, {"lifecycle": t.new})
    st.insert_many(LifecycleChange, [{"customer_id": t.customer_id, "on": on, "old": t.old, "new": t.new,
                                      "reason": t.reason} for t in transitions])


def _moved(customers: list[CustomerState], transitions: Iterable[Transition]) -> list[CustomerState]:
    new = {t.customer_id: t.new for t in transitions}
    return [dataclasses.replace(c, lifecycle=new[c.customer_id]) if c.customer_id in new else c
            for c in customers]


# ---------------------------------------------------------------- one run

@dataclass
class Run:
    today: dt.date
    reminders: list[Reminder] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    written: bool = False

    @property
    def due(self) -> int:
        return remind.due_count(self.reminders)


def run(as_of: str | None, within: str, owner: str | None, lang: str) -> Run:
    """Compute the reminders; on today's run (no past/future --as-of) write the lifecycle moves."""
    from amkit import db

    today = parse_date("--as-of", as_of) or config.today()
    days = remind.parse_within(within)
    cfg = config.merged()
    remind.lifecycle_days(cfg)  # a bad config value fails before any query
    write = today == config.today()
    with (db.store() if write else db.session(write=False)) as handle:
        session = handle.session if write else handle
        owner_id = lookup.manager(session, owner).id if owner else None
        customers = load_customers(session, today, owner_id)
        transitions = remind.lifecycle_transitions(today, customers, cfg)
        if write and transitions:
            apply_transitions(handle, transitions, today)
        end = today + dt.timedelta(days=days)
        actions = load_actions(session, end, owner_id)
        birthdays = load_birthdays(session, today, end, owner_id)
    holidays = holidays_between(today, end, str(cfg.get("calendar", "CN")), lang)
    reminders = remind.compute(today, days, _moved(customers, transitions), actions, birthdays, holidays, cfg,
                               lang)
    return Run(today, reminders, transitions, write)


def snooze(st: Store, ref: str, until: str, today: dt.date) -> tuple[Customer, dt.date]:
    """No cadence/dormant reminders for the customer until ``until`` (inclusive)."""
    day = parse_date("--until", until)
    if day is None:
        raise bad_value("--until", until, "expected a date YYYY-MM-DD")
    if day < today:
        raise bad_value("--until", until, f"is before today ({today.isoformat()})")
    customer = lookup.customer(st.session, ref)
    st.update(customer, {"snoozed_until": day})
    return customer, day


# ---------------------------------------------------------------- output

def render(reminders: list[Reminder], fmt: str, today: dt.date, lang: str) -> str:
    """The digest as text (per owner), JSON/CSV rows of SPEC §3.4, or an iCalendar file."""
    if fmt == "ics":
        return remind.to_ics(reminders, today).decode("utf-8")
    if fmt == "text":
        return remind.to_text(remind.group_by_owner(reminders), lang)
    if fmt not in ("json", "csv"):
        raise bad_value("--format", fmt, "expected one of " + ", ".join(FORMATS))
    from amkit.reports.render import Col
    from amkit.reports.render import render as render_rows

    out = io.StringIO()
    render_rows([r.to_dict() for r in reminders], [Col(k, k) for k in ROW_KEYS], fmt, out=out)
    return out.getvalue()


def notify(url: str, via: str, reminders: list[Reminder], today: dt.date, lang: str) -> int:
    """One digest per owner; returns how many were sent. ServiceError (exit 5) on failure."""
    from amkit import notify as webhooks
    from amkit.i18n import t

    options = notify_options()
    title = t("amkit reminders {date}", date=today.isoformat())
    summary = webhooks.notify_all(url, via, remind.group_by_owner(reminders), title=title, lang=lang,
                                  **options)
    return summary.sent


def notify_options() -> dict:
    """timeout/retries/backoff from config ``notify.*`` (defaults in amkit.config)."""
    section = config.merged().get("notify") or {}
    out = {}
    for key, kind in (("timeout", float), ("retries", int), ("backoff", float)):
        try:
            value = kind(section[key])
        except (KeyError, TypeError, ValueError):
            raise BadInput(f"invalid config notify.{key} {section.get(key)!r}: expected a number") from None
        if value < 0:
            raise bad_value(f"notify.{key}", value, "must not be negative")
        out[key] = value
    return out
