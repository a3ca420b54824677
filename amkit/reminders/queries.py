"""`amkit remind` against the database: gathers amkit.reminders.calc's inputs with set-based SQL
(one query each for customers with their last follow-up, their last activity, pending next
actions and contact birthdays; never a query per customer), renders and notifies. A read: it
never writes (the lifecycle is derived, amkit.metrics.lifecycle). The rules themselves live in
the pure module amkit.reminders.calc; ``snooze`` is the one write, its own command.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from amkit import config
from amkit.store import raw
from amkit.reminders import calc as remind
from amkit.errors import bad_value
from amkit.core.parse import parse_date
from amkit.reminders.calc import ContactBirthday, CustomerState, PendingAction, Reminder


FORMATS = ("text", "json", "csv", "ics")
ROW_KEYS = ("kind", "customer", "owner", "due", "days_overdue", "reason")


# ---------------------------------------------------------------- the three queries

def load_customers(r: raw.Reader, today: dt.date, owner_id: int | None = None) -> list[CustomerState]:
    """Every customer existing by ``today``, with its last follow-up up to ``today`` (one seek
    per customer on the (customer_id, at) index: 3x quicker than grouping every follow-up)."""
    cutoff = raw.end_of(today)
    rows = r.rows(f"""
        SELECT c.id, c.name, m.name, c.tier, c.industry, c.lifecycle, c.created_at,
               (SELECT max(f.at) FROM followups f WHERE f.customer_id = c.id AND f.at < :cutoff),
               c.snoozed_until
          FROM customers c
          LEFT JOIN managers m ON m.id = c.owner_id
         WHERE c.created_at < :cutoff {'AND c.owner_id = :owner' if owner_id is not None else ''}""",
                  cutoff=cutoff, owner=owner_id)
    day = raw.day
    customers = [CustomerState(cid, name, owner, tier, industry, lifecycle, day(created), day(last), day(snoozed))
                 for cid, name, owner, tier, industry, lifecycle, created, last, snoozed in rows]
    return with_lifecycle(r, today, customers)


def with_lifecycle(r: raw.Reader, today: dt.date, customers: list[CustomerState]) -> list[CustomerState]:
    """The customers with their derived stage on ``today`` and their last activity (SPEC §2)."""
    from amkit.metrics import lifecycle

    standing = lifecycle.states(r, today, [(c.customer_id, c.lifecycle, c.created_at) for c in customers],
                                config.merged())
    return [c._replace(lifecycle=standing[c.customer_id].stage, last_activity=standing[c.customer_id].last_activity)
            for c in customers]


def load_actions(r: raw.Reader, end: dt.date, owner_id: int | None = None) -> list[PendingAction]:
    """Open next actions due by ``end`` (overdue ones whatever their age). A pending action is
    the customer's current owner's to do (a handover moves it without touching who made the
    follow-up, SPEC §6); a customer without an owner leaves it with the follow-up's owner."""
    rows = r.rows(f"""
        SELECT f.id, f.customer_id, c.name, m.name, coalesce(f.next_action, ''), f.next_date
          FROM followups f
          JOIN customers c ON c.id = f.customer_id
          LEFT JOIN managers m ON m.id = coalesce(c.owner_id, f.owner_id)
         WHERE f.next_date IS NOT NULL AND f.next_date <= :end AND f.action_done IS NULL
               {'AND coalesce(c.owner_id, f.owner_id) = :owner' if owner_id is not None else ''}""",
                  end=end, owner=owner_id)
    day = raw.day
    return [PendingAction(fid, cid, name, owner, action, day(due)) for fid, cid, name, owner, action, due in rows]


def load_birthdays(r: raw.Reader, start: dt.date, end: dt.date,
                   owner_id: int | None = None) -> list[ContactBirthday]:
    """Contacts ('YYYY-MM-DD' or 'MM-DD') that may have a birthday from ``start`` to ``end``.

    SQL keeps a superset (solar: the window's MM-DD values, lunar: the lunar months it touches);
    remind.compute decides exactly. Birthdays sealed with AMKIT_KEY (amkit.crypto) cannot be
    filtered in SQL: every sealed one is a candidate, decrypted here (one AES-GCM open per contact
    with a birthday per run; the price of keeping no plaintext month-day in the database).
    """
    from amkit.store import crypto

    solar, lunar = _birthday_keys(start, end)
    # 'MM-DD' is the tail of the value (portable: no negative substr)
    solar_in, solar_params = r.in_list("solar", solar)
    lunar_in, lunar_params = r.in_list("lunar", lunar or [])
    lunar_cond = f"substr(k.birthday, length(k.birthday) - 4, 2) IN {lunar_in}" if lunar is not None else "1 = 1"
    rows = r.rows(f"""
        SELECT k.id, k.name, c.id, c.name, m.name, k.birthday, k.birthday_lunar
          FROM contacts k
          JOIN customers c ON c.id = k.customer_id
          LEFT JOIN managers m ON m.id = c.owner_id
         WHERE k.birthday IS NOT NULL
           AND ((k.birthday_lunar = :no AND substr(k.birthday, length(k.birthday) - 4) IN {solar_in})
                OR (k.birthday_lunar = :yes AND {lunar_cond})
                OR k.birthday LIKE :sealed)
               {'AND c.owner_id = :owner' if owner_id is not None else ''}""",
                  no=False, yes=True, sealed=crypto.PREFIX + "%", owner=owner_id, **solar_params, **lunar_params)
    out = []
    for cid, name, cust_id, cust, owner, birthday, lunar_flag in rows:
        parts = crypto.open_("birthday", birthday).split("-")
        try:
            month, day = int(parts[-2]), int(parts[-1])
        except (IndexError, ValueError):
            continue  # not a birthday amkit wrote; skip rather than fail a cron run
        out.append(ContactBirthday(cid, name, cust_id, cust, owner, month, day, bool(lunar_flag)))
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


def holidays_between(start: dt.date, end: dt.date, code: str, lang: str,
                     r: raw.Reader | None = None) -> list[tuple[dt.date, str]]:
    """Public holidays of the work calendar ``code`` in the window, with the days loaded by
    `amkit calendar load` when a reader is given (amkit.calendar); a provisional year's
    holidays are marked so; years nothing covers (or calendar ``none``) contribute nothing
    instead of failing."""
    from amkit.calendar import queries as calendar_queries
    from amkit.core.workcal import NO_HOLIDAYS, PROVISIONAL, WorkCalendar

    if r is not None:
        cal = calendar_queries.work_calendar(r, code, lang)
    else:
        cal = WorkCalendar(code, language="zh_CN" if lang == "zh" else None)
    if cal.code == NO_HOLIDAYS:
        return []
    mark = "（暂定）" if lang == "zh" else " (provisional)"
    out: list[tuple[dt.date, str]] = []
    for year in range(start.year, end.year + 1):
        if not cal.covers(year):
            continue
        days = cal.holidays_between(max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31)))
        if cal.source(year) == PROVISIONAL:
            days = [(d, name + mark) for d, name in days]
        out.extend(days)
    return out


# ---------------------------------------------------------------- one run

@dataclass
class Run:
    today: dt.date
    reminders: list[Reminder] = field(default_factory=list)

    @property
    def due(self) -> int:
        return remind.due_count(self.reminders)


def run(r: raw.Reader, as_of: str | None, within: str, owner: str | None, lang: str) -> Run:
    """Compute the reminders on the light read path (amkit.store.raw); nothing is written."""
    today = parse_date("--as-of", as_of) or config.today()
    days = remind.parse_within(within)
    cfg = config.merged()
    remind.lifecycle_days(cfg)  # a bad config value fails before any query
    end = today + dt.timedelta(days=days)
    owner_id = raw.manager_id(r, owner) if owner else None
    customers = load_customers(r, today, owner_id)
    actions = load_actions(r, end, owner_id)
    birthdays = load_birthdays(r, today, end, owner_id)
    holidays = holidays_between(today, end, str(cfg.get("calendar", "CN")), lang, r)
    reminders = remind.compute(today, days, customers, actions, birthdays, holidays, cfg, lang)
    reminders = sorted(reminders + money_reminders(r, today, days, owner_id, cfg, lang), key=remind.sort_key)
    return Run(today, reminders)


# ---------------------------------------------------------------- renewals, receivables, stalled deals

def money_reminders(r: raw.Reader, today: dt.date, days: int, owner_id: int | None, cfg: dict,
                    lang: str) -> list[Reminder]:
    """The issue-22 kinds: open renewals, overdue installments, stalled open deals."""
    from amkit.contracts import calc as contracts
    from amkit.contracts.queries import open_renewals
    from amkit.deals.queries import receivables

    lead = contracts.lead_days(cfg)
    renewals = [remind.RenewalDue(c["id"], c["customer_id"], c["customer"], c["owner"], c["title"], c["end"],
                                  c["amount"]) for c in open_renewals(r, owner_id)]
    late = [remind.ReceivableDue(x["id"], x["deal_id"], x["customer"], x["owner"], x["due"], x["amount"],
                                 x["outstanding"]) for x in receivables(r, today, owner_id=owner_id, overdue_only=True)]
    return remind.money_reminders(today, days, renewals, late, load_open_deals(r, today, owner_id), lead, cfg, lang)


def load_open_deals(r: raw.Reader, today: dt.date, owner_id: int | None = None) -> list[remind.OpenDeal]:
    """Open deals with the day they entered their current stage: their last stage-history row
    into that stage up to ``today`` (else the deal's created date). The customer's current owner
    chases it."""
    rows = r.rows(f"""
        SELECT d.id, d.customer_id, c.name, m.name, d.title, d.stage, d.created,
               (SELECT max(h."on") FROM deal_stage_history h
                 WHERE h.deal_id = d.id AND h.to_stage = d.stage AND h."on" <= :today)
          FROM deals d
          JOIN customers c ON c.id = d.customer_id
          LEFT JOIN managers m ON m.id = coalesce(c.owner_id, d.owner_id)
         WHERE d.stage IN ('contact', 'needs', 'quote', 'negotiation') AND d.created <= :today
               {'AND coalesce(c.owner_id, d.owner_id) = :owner' if owner_id is not None else ''}""",
                  today=today, owner=owner_id)
    day = raw.day
    return [remind.OpenDeal(i, cid, name, owner, title, stage, day(since) or day(created))
            for i, cid, name, owner, title, stage, created, since in rows]


# ---------------------------------------------------------------- output

def render(reminders: list[Reminder], fmt: str, today: dt.date, lang: str) -> str:
    """The digest as text (per owner), JSON/CSV rows of SPEC §3.4, or an iCalendar file."""
    if fmt == "ics":
        return remind.to_ics(reminders, today).decode("utf-8")
    if fmt == "text":
        return remind.to_text(remind.group_by_owner(reminders), lang)
    if fmt not in ("json", "csv"):
        raise bad_value("--format", fmt, "expected one of " + ", ".join(FORMATS))
    from amkit.ui.render import Col
    from amkit.ui.render import render as render_rows

    out = io.StringIO()
    render_rows([r.to_dict() for r in reminders], [Col(k, k) for k in ROW_KEYS], fmt, out=out)
    return out.getvalue()


def mentions(r: raw.Reader) -> dict[str, dict]:
    """Manager name → how chat apps can @-mention them (mobile, WeCom and DingTalk user ids)."""
    rows = r.rows("SELECT name, mobile, wecom_userid, dingtalk_userid FROM managers")
    return {name: {"mobile": mobile, "wecom_userid": wecom, "dingtalk_userid": ding}
            for name, mobile, wecom, ding in rows if mobile or wecom or ding}
