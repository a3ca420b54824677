"""Every figure amkit shows, defined once: what counts, which date, whom it is credited to, and
the set-based SQL that computes it per manager on the light read path (amkit.store.raw).

Goals (``goal progress/replan/suggest/split``), the score card and the review read their
numbers here and nowhere else (SPEC §6). README "Metrics: one definition per figure" is this
table in prose.

Window: an inclusive day range ``[start, end]``. DATE columns compare ``>= start AND <= end``;
DATETIME columns ``>= start 00:00 AND < end + 1 day``, so whole days count however the driver
spells them.

Attribution: a figure belongs to one manager id (or to nobody). A team's value is its managers'
tallies added up first and the metric computed on the sum (a team's win rate is its won deals
over its won + lost deals, not an average of rates).

    with store.reader() as r:
        tallies = figures.tallies(r, start, end, ("revenue", "visits"))   # {manager id: Tally}
        tallies[7].value("revenue")                                        # Decimal('50000.50')

One query per group of metrics (deals, payments, follow-ups, new customers, completeness,
surveys, complaints), each grouped by manager: never one query per manager.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from amkit.errors import bad_value
from amkit.store.raw import Reader, day, end_of

Value = Decimal | int

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
UNITS = ("money", "count", "fraction", "score", "hours")
# money and count add up over days and people (a goal of them is planned per workday);
# the others are ratios or averages of what happened in the window.
ADDITIVE = ("money", "count")
QUANTUM: dict[str, Value] = {"money": CENT, "count": 1, "fraction": RATIO, "score": CENT, "hours": CENT}


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str  # money | count | fraction | score | hours
    direction: str  # higher | lower (is better)
    counts: str  # what counts
    period: str  # which date puts it in the window
    credited: str  # attributed to whom
    zh: str
    group: str  # the SQL group computing it

    @property
    def kind(self) -> str:  # the older name of unit
        return self.unit

    @property
    def additive(self) -> bool:
        return self.unit in ADDITIVE

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"


_DEAL_OWNER = "the deal's owner"
_CUSTOMER_OWNER = "the customer's current owner"
# issue 22: renewals, overdue receivables and churn. The window ends at the as-of day at the
# latest (today for a running period): what has not happened yet neither counts nor is due.
MONEY_METRICS = (
    Metric("renewal_rate", "fraction", "higher", "contracts that ended in the window (end date up to the as-of "
           "day) and have a renewal (a contract added with --renewal-of them) / contracts that ended; null when "
           "none ended", "contracts.end_on", _CUSTOMER_OWNER, "续约率", "renewals"),
    Metric("overdue_rate", "fraction", "lower", "outstanding amount of the installments due in the window before "
           "the as-of day (the deal's payments up to that day applied oldest first) / amount of the installments "
           "due in the window up to the as-of day; null when nothing was due", "installments.due",
           _DEAL_OWNER, "逾期率", "receivables"),
    Metric("churn_rate", "fraction", "lower", "customers that became churned in the window (the lifecycle rule, "
           "amkit.metrics.lifecycle: derived from activity or a manual change) / customers owned at the window's "
           "start that were not churned then; null without any", "the day the customer churned",
           _CUSTOMER_OWNER, "流失率", "churn"),
)
METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("revenue", "money", "higher", "sum of the amounts of won deals", "closed_at", _DEAL_OWNER,
           "签约金额", "deals"),
    Metric("deals_won", "count", "higher", "won deals", "closed_at", _DEAL_OWNER, "签约单数", "deals"),
    Metric("deals_lost", "count", "lower", "lost deals", "closed_at", _DEAL_OWNER, "输单数", "deals"),
    Metric("win_rate", "fraction", "higher", "won / (won + lost) deals; null without either", "closed_at",
           _DEAL_OWNER, "赢单率", "deals"),
    Metric("new_customers", "count", "higher", "customers created", "customers.created_at", _CUSTOMER_OWNER,
           "新客户", "new"),
    Metric("visits", "count", "higher", "follow-ups with channel visit", "followups.at",
           "the follow-up's owner when logged (followups.owner_id; none: nobody)", "拜访", "followups"),
    Metric("followups", "count", "higher", "follow-ups of any channel", "followups.at",
           "the follow-up's owner when logged (followups.owner_id; none: nobody)", "跟进", "followups"),
    Metric("collection", "money", "higher", "sum of payments received (回款), whenever the deal was won",
           "payments.date", _DEAL_OWNER + " (of the paid deal)", "回款", "payments"),
    Metric("collection_rate", "fraction", "higher",
           "collection / revenue of the same window (payments on the manager's deals over the amount of "
           "the deals won); null when nothing was won; may exceed 1 when older deals are paid",
           "payments.date and closed_at", _DEAL_OWNER, "回款率", "payments"),
    Metric("satisfaction", "score", "higher", "average score of the 1–5 surveys (NPS surveys excluded); "
           "null without surveys", "surveys.date", _CUSTOMER_OWNER, "满意度", "surveys"),
    Metric("completeness", "fraction", "higher", "share of the customers owned now that have an industry, a "
           "region and a contact with a phone or an email; null without customers", "none (the records as "
           "they are now)", _CUSTOMER_OWNER, "资料完整度", "complete"),
    Metric("repurchases", "count", "higher", "won deals whose customer has an earlier won deal (win day = "
           "closed_at, else created; same day: lower id first)", "closed_at", _DEAL_OWNER, "复购单数", "deals"),
    Metric("repurchase_rate", "fraction", "higher", "repurchases / deals won; null without won deals",
           "closed_at", _DEAL_OWNER, "复购率", "deals"),
    Metric("complaint_response_hours", "hours", "lower", "average hours from opened to resolved of the "
           "resolved complaints; null without any", "complaints.opened", _CUSTOMER_OWNER, "投诉响应时长",
           "complaints"),
    *MONEY_METRICS,
)}
# names used before the metrics layer (score.weights keys)
ALIASES = {"repurchase": "repurchase_rate", "response_hours": "complaint_response_hours"}


def metric(name: str) -> Metric:
    """The definition of ``name`` (or of an old alias); BadInput on ``metric`` listing the names."""
    try:
        return METRICS[ALIASES.get(name, name)]
    except (KeyError, TypeError):
        by_label = {m.zh: m for m in METRICS.values()}  # the name a table shows in zh is accepted back
        if isinstance(name, str) and name.strip() in by_label:
            return by_label[name.strip()]
        spoken = name.strip().lower().replace(" ", "_") if isinstance(name, str) else None
        if spoken in METRICS:  # and as an English table shows it ("new customers")
            return METRICS[spoken]
        raise bad_value("metric", name, f"expected one of {', '.join(METRICS)}") from None


def window(start: dt.date, end: dt.date | None = None, as_of: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """[start, min(end, as_of)]; may be empty (end < start) when as_of is before the start."""
    end = end if as_of is None else min(as_of, end)
    return start, end


def rounded(name: str, value: Value | None) -> Value | None:
    """A value as shown and as compared with goals: money/score/hours 2 places, fractions 4,
    counts whole (half up)."""
    if value is None:
        return None
    q = QUANTUM[metric(name).unit]
    if q == 1:
        return int(Decimal(value).quantize(Decimal(1), ROUND_HALF_UP))
    return Decimal(value).quantize(q, ROUND_HALF_UP)


# ------------------------------------------------------------------ the tally of one manager

@dataclass(frozen=True)
class Tally:
    """The raw sums behind every metric, for one manager (or a team: tallies add up)."""

    won_cents: int = 0
    won: int = 0
    lost: int = 0
    repurchases: int = 0
    paid_cents: int = 0
    followups: int = 0
    visits: int = 0
    new: int = 0
    owned: int = 0
    complete: int = 0
    score_sum: Decimal = Decimal(0)
    surveys: int = 0
    hours_sum: Decimal = Decimal(0)
    resolved: int = 0
    contracts_ended: int = 0  # issue 22: renewal_rate, overdue_rate, churn_rate
    contracts_renewed: int = 0
    due_cents: int = 0
    overdue_cents: int = 0
    churned: int = 0
    owned_at_start: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def value(self, name: str) -> Value | None:
        """The exact (unrounded) value of a metric: money Decimal, counts int, the rest Decimal or None."""
        return _FORMULAS[metric(name).name](self)

    def values(self, names: Iterable[str] | None = None) -> dict[str, Value | None]:
        return {n: self.value(n) for n in (METRICS if names is None else names)}


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def _share(part: Value, whole: Value) -> Decimal | None:
    return None if not whole else Decimal(part) / Decimal(whole)


_FORMULAS = {
    "revenue": lambda t: _money(t.won_cents),
    "deals_won": lambda t: t.won,
    "deals_lost": lambda t: t.lost,
    "win_rate": lambda t: _share(t.won, t.won + t.lost),
    "new_customers": lambda t: t.new,
    "visits": lambda t: t.visits,
    "followups": lambda t: t.followups,
    "collection": lambda t: _money(t.paid_cents),
    "collection_rate": lambda t: _share(t.paid_cents, t.won_cents),
    "satisfaction": lambda t: _share(t.score_sum, t.surveys),
    "completeness": lambda t: _share(t.complete, t.owned),
    "repurchases": lambda t: t.repurchases,
    "repurchase_rate": lambda t: _share(t.repurchases, t.won),
    "complaint_response_hours": lambda t: _share(t.hours_sum, t.resolved),
    "renewal_rate": lambda t: _share(t.contracts_renewed, t.contracts_ended),
    "overdue_rate": lambda t: _share(t.overdue_cents, t.due_cents),
    "churn_rate": lambda t: _share(t.churned, t.owned_at_start),
}


# ------------------------------------------------------------------ SQL, one query per group

def _win_day(alias: str) -> str:
    return f"coalesce({alias}.closed_at, {alias}.created)"


# A repurchase (复购, SPEC §2): a won deal d whose customer has an earlier won deal e. Wins are
# ordered by win day (closed_at, else created) and, on the same day, by id. The one definition:
# the score card, `deal list` (is_repurchase) and `report funnel` all use these two fragments.
EARLIER_WIN = (f"e.customer_id = d.customer_id AND e.stage = 'won' AND e.id != d.id "
               f"AND ({_win_day('e')} < {_win_day('d')} OR ({_win_day('e')} = {_win_day('d')} AND e.id < d.id))")
IS_REPURCHASE = f"EXISTS (SELECT 1 FROM deals e WHERE {EARLIER_WIN})"
PREVIOUS_WIN = f"(SELECT max({_win_day('e')}) FROM deals e WHERE {EARLIER_WIN})"

_SQL = {
    "deals": f"""SELECT d.owner_id,
       sum(CASE WHEN d.stage = 'won' THEN coalesce(d.amount_cents, 0) ELSE 0 END) AS won_cents,
       sum(CASE WHEN d.stage = 'won' THEN 1 ELSE 0 END) AS won,
       sum(CASE WHEN d.stage = 'lost' THEN 1 ELSE 0 END) AS lost,
       sum(CASE WHEN d.stage = 'won' AND {IS_REPURCHASE} THEN 1 ELSE 0 END) AS repurchases
  FROM deals d
 WHERE d.stage IN ('won', 'lost') AND d.closed_at >= :start_day AND d.closed_at <= :end_day
   AND d.owner_id IS NOT NULL
 GROUP BY d.owner_id""",
    "payments": """SELECT d.owner_id, sum(p.amount_cents) AS paid_cents
  FROM payments p JOIN deals d ON d.id = p.deal_id
 WHERE p.date >= :start_day AND p.date <= :end_day AND d.owner_id IS NOT NULL
 GROUP BY d.owner_id""",
    "followups": """SELECT owner_id, count(*) AS followups,
       sum(CASE WHEN channel = 'visit' THEN 1 ELSE 0 END) AS visits
  FROM followups WHERE at >= :start AND at < :end AND owner_id IS NOT NULL
 GROUP BY owner_id""",
    "new": """SELECT owner_id, count(*) AS new FROM customers
 WHERE created_at >= :start AND created_at < :end AND owner_id IS NOT NULL
 GROUP BY owner_id""",
    "complete": """SELECT c.owner_id, count(c.id) AS owned,
       sum(CASE WHEN coalesce(trim(c.industry), '') != '' AND coalesce(trim(c.region), '') != ''
                 AND EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id
                              AND (coalesce(trim(k.phone), '') != '' OR coalesce(trim(k.email), '') != ''))
                THEN 1 ELSE 0 END) AS complete
  FROM customers c WHERE c.owner_id IS NOT NULL GROUP BY c.owner_id""",
    "surveys": """SELECT c.owner_id, sum(s.score) AS score_sum, count(s.id) AS surveys
  FROM surveys s JOIN customers c ON c.id = s.customer_id
 WHERE s.nps = :no AND s.date >= :start_day AND s.date <= :end_day AND c.owner_id IS NOT NULL
 GROUP BY c.owner_id""",
    "complaints": """SELECT c.owner_id, sum({hours}) AS hours_sum, count(x.id) AS resolved
  FROM complaints x JOIN customers c ON c.id = x.customer_id
 WHERE x.opened >= :start AND x.opened < :end AND x.resolved IS NOT NULL AND c.owner_id IS NOT NULL
 GROUP BY c.owner_id""",
}
_HOURS = {"sqlite": "(julianday(x.resolved) - julianday(x.opened)) * 24.0",
          "postgresql": "extract(epoch FROM x.resolved - x.opened) / 3600.0"}
_COLUMNS = {"deals": ("won_cents", "won", "lost", "repurchases"), "payments": ("paid_cents",),
            "followups": ("followups", "visits"), "new": ("new",), "complete": ("owned", "complete"),
            "surveys": ("score_sum", "surveys"), "complaints": ("hours_sum", "resolved")}
# collection_rate needs the deals group too (its denominator is revenue)
_NEEDS = {"collection_rate": ("payments", "deals")}


def groups(names: Iterable[str]) -> list[str]:
    """The SQL groups needed for ``names`` (validated), in a fixed order."""
    wanted = set()
    for name in names:
        m = metric(name)
        wanted.update(_NEEDS.get(m.name, (m.group,)))
    return [g for g in (*_SQL, *_COMPUTED) if g in wanted]


def _number(column: str, raw: object) -> Value:
    if column in ("score_sum", "hours_sum"):
        return Decimal(str(round(float(raw or 0), 6)))
    return int(raw or 0)


def tallies(r: Reader, start: dt.date, end: dt.date,
            names: Iterable[str] | None = None) -> dict[int, Tally]:
    """{manager id: Tally} over the inclusive window for the metrics ``names`` (every metric when
    None; only their groups are queried, other fields stay 0). Managers with nothing in the
    window are absent."""
    wanted = groups(METRICS if names is None else names)
    if end < start:
        return {}
    params = {"start_day": start, "end_day": end, "start": dt.datetime.combine(start, dt.time()),
              "end": end_of(end), "no": False}
    parts: dict[int, dict] = {}
    for group in wanted:
        if group in _COMPUTED:  # groups computed in Python over set-based reads (issue 22)
            for owner_id, values in _COMPUTED[group](r, start, end).items():
                parts.setdefault(owner_id, {}).update(values)
            continue
        sql = _SQL[group].format(hours=_HOURS[r.dialect]) if group == "complaints" else _SQL[group]
        used = {k: v for k, v in params.items() if f":{k}" in sql}
        for owner_id, *values in r.rows(sql, **used):
            row = parts.setdefault(owner_id, {})
            for column, raw in zip(_COLUMNS[group], values):
                row[column] = _number(column, raw)
    return {owner_id: Tally(**row) for owner_id, row in parts.items()}


# ------------------------------------------------------------------ renewals, receivables, churn (issue 22)

def _as_of(end: dt.date) -> dt.date:
    from amkit import config

    return min(end, config.today())


def _renewals(r: Reader, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    rows = r.rows("""SELECT c.owner_id, count(k.id),
       sum(CASE WHEN EXISTS (SELECT 1 FROM contracts n WHERE n.renewal_of_id = k.id) THEN 1 ELSE 0 END)
  FROM contracts k JOIN customers c ON c.id = k.customer_id
 WHERE k.end_on >= :start_day AND k.end_on <= :end_day AND c.owner_id IS NOT NULL
 GROUP BY c.owner_id""", start_day=start, end_day=_as_of(end))
    return {o: {"contracts_ended": int(n or 0), "contracts_renewed": int(k or 0)} for o, n, k in rows}


def _receivables(r: Reader, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """Installments due up to the as-of day, allocated (amkit.core.receivables) per deal."""
    from amkit.core.receivables import Line, allocate

    on = _as_of(end)
    plans: dict[int, tuple[int, int, list[Line]]] = {}
    for iid, deal_id, owner_id, due, cents, paid in r.rows("""SELECT i.id, i.deal_id, d.owner_id, i.due, i.amount_cents,
       (SELECT coalesce(sum(p.amount_cents), 0) FROM payments p WHERE p.deal_id = i.deal_id AND p.date <= :on)
  FROM installments i JOIN deals d ON d.id = i.deal_id
 WHERE i.due <= :on AND d.owner_id IS NOT NULL""", on=on):
        plans.setdefault(deal_id, (owner_id, int(paid or 0), []))[2].append(Line(iid, day(due), int(cents)))
    out: dict[int, dict[str, int]] = {}
    for owner_id, paid, lines in plans.values():
        for covered in allocate(lines, paid):
            if covered.line.due < start:
                continue
            row = out.setdefault(owner_id, {"due_cents": 0, "overdue_cents": 0})
            row["due_cents"] += covered.line.amount_cents
            if covered.overdue_on(on):
                row["overdue_cents"] += covered.outstanding_cents
    return out


def _churn(r: Reader, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """Customers owned at the start (created before it, not churned the day before) and those of
    them that churned in the window, by the lifecycle rule (amkit.metrics.lifecycle)."""
    from amkit import config
    from amkit.metrics import lifecycle

    on = _as_of(end)
    if on < start:
        return {}
    cfg = config.merged()
    found = r.rows("""SELECT id, name, owner_id, lifecycle, created_at FROM customers
 WHERE created_at < :start AND owner_id IS NOT NULL""", start=dt.datetime.combine(start, dt.time()))
    before = start - dt.timedelta(days=1)
    standing = lifecycle.states(r, before, [(i, stage, day(created)) for i, _, _, stage, created in found], cfg)
    owned = {name: (i, owner) for i, name, owner, _, _ in found if standing[i].stage != "churned"}
    churned = {m["customer"] for m in lifecycle.moves(r, start, on, None, cfg) if m["new"] == "churned"}
    out: dict[int, dict[str, int]] = {}
    for name, (_, owner) in owned.items():
        row = out.setdefault(owner, {"owned_at_start": 0, "churned": 0})
        row["owned_at_start"] += 1
        row["churned"] += name in churned
    return out


_COMPUTED = {"renewals": _renewals, "receivables": _receivables, "churn": _churn}


def total(found: dict[int, Tally], owner_ids: Iterable[int] | None = None) -> Tally:
    """The sum of the tallies of ``owner_ids`` (everyone's when None)."""
    chosen = found.keys() if owner_ids is None else owner_ids
    return sum((found[i] for i in chosen if i in found), Tally())


def by_owner_id(r: Reader, start: dt.date, end: dt.date, names: Iterable[str]) -> dict[int, dict[str, Value | None]]:
    """{manager id: {metric: exact value}} for the managers with anything in the window."""
    names = list(names)
    return {i: t.values(names) for i, t in tallies(r, start, end, names).items()}


def teams(r: Reader) -> dict[int, str]:
    """{manager id: team} of the managers that have one (active or not: results stay the team's)."""
    return {i: t for i, t in r.rows("SELECT id, team FROM managers") if t}


def members(r: Reader, team: str) -> list[int]:
    return [i for (i,) in r.rows("SELECT id FROM managers WHERE team = :team", team=team)]


# ------------------------------------------------------------------ repurchases of given deals

def repurchases(r: Reader, customer_ids: Iterable[int] | None = None) -> dict[int, dt.date]:
    """{deal id: the customer's previous win day} for every won deal that is a repurchase
    (optionally only of some customers)."""
    where, params = "", {}
    if customer_ids is not None:
        listed, params = r.in_list("c", sorted(set(customer_ids)))
        where = f" AND d.customer_id IN {listed}"
    rows = r.rows(f"SELECT d.id, {PREVIOUS_WIN} FROM deals d WHERE d.stage = 'won' AND {IS_REPURCHASE}{where}",
                  **params)
    return {deal_id: day(previous) for deal_id, previous in rows}


def win_day(closed_at: dt.date | None, created: dt.date) -> dt.date:
    """A won deal's win day in the repurchase order (closed_at, else created)."""
    return closed_at or created
