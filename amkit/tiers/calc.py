"""Customer tiering (SPEC §3.2): Pareto, RFM and TOML rules, plus the Pareto curve.

Pure functions: no database, no clock, no printing. The DB layer fills the input dataclasses
with set-based queries and writes back the returned rows.

Conventions shared by every method:

* Money (``value``) is a ``Decimal``; inputs are rounded half up to 0.01 and must be >= 0
  (None counts as 0, e.g. a NULL SUM from a LEFT JOIN).
* Rows come back ordered by value desc, then customer name asc (Python code-point order,
  independent of the database collation), then customer_id asc.
* ``share`` = value / S and ``cumulative_share`` = (value of this customer and all before it)
  / S, fractions rounded half up to 4 places. When S = 0 both are ``None`` (JSON ``null``):
  there is no meaningful share of nothing.
* A locked customer keeps ``old_tier`` (if it has none, the computed tier is used) and is never
  ``changed``. ``changed`` means ``tier != old_tier``.
"""

from __future__ import annotations

import bisect
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from amkit.errors import BadInput, bad_value

TIERS = ("A", "B", "C")
LIFECYCLES = ("lead", "prospect", "active", "dormant", "churned")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CustomerValue:
    """Pareto input: won value in the trailing 12 months (``as_of - 12 months < closed_at <= as_of``)."""

    customer_id: int
    customer: str
    value: Decimal
    old_tier: str | None = None
    locked: bool = False
    cents: int | None = field(default=None, repr=False, compare=False)  # value in cents, when known exact

    @classmethod
    def of_cents(cls, customer_id: int, customer: str, cents: int, old_tier: str | None = None,
                 locked: bool = False) -> "CustomerValue":
        """From a database sum of integer cents (no rounding needed)."""
        return cls(customer_id, customer, _money(cents), old_tier, locked, cents)


@dataclass(frozen=True)
class TierRow:
    customer_id: int
    customer: str
    value: Decimal
    share: Decimal | None
    cumulative_share: Decimal | None
    old_tier: str | None
    tier: str
    locked: bool
    changed: bool


@dataclass(frozen=True)
class RfmInput:
    """RFM input. ``value`` is monetary (as for Pareto); ``frequency`` = won deals closed plus
    follow-ups logged in the trailing 12 months; ``last_activity`` = the latest won deal
    ``closed_at`` or follow-up date on or before as_of (None if never)."""

    customer_id: int
    customer: str
    value: Decimal
    frequency: int
    last_activity: date | None
    old_tier: str | None = None
    locked: bool = False


@dataclass(frozen=True)
class RfmRow(TierRow):
    recency_days: int | None
    frequency: int
    r_score: int
    f_score: int
    m_score: int
    rfm_score: int


@dataclass(frozen=True)
class CustomerFacts:
    """Rules input. ``days_since_contact`` is days since the last follow-up (None if never)."""

    customer_id: int
    customer: str
    value: Decimal
    days_since_contact: int | None = None
    followups_90d: int = 0
    has_open_complaint: bool = False
    lifecycle: str | None = None
    industry: str | None = None
    old_tier: str | None = None
    locked: bool = False


@dataclass(frozen=True)
class RuleRow(TierRow):
    rule: int | None  # 1-based number of the matching [[rule]]; None = the default


# --------------------------------------------------------------------------- helpers


def to_money(value: object, field: str = "value") -> Decimal:
    """A non-negative amount rounded half up to 0.01; BadInput naming the field otherwise."""
    if isinstance(value, bool) or value is None:
        raise bad_value(field, value, "expected an amount")
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise bad_value(field, value, "expected an amount") from None
    if not amount.is_finite():
        raise bad_value(field, value, "expected a finite amount")
    if amount < 0:
        raise bad_value(field, value, "must not be negative")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _cents(value: object, field: str = "value") -> int:
    return int(to_money(value, field) * 100)


@lru_cache(maxsize=65536)
def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _fraction(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator (both >= 0) rounded half up to 4 places, in integers."""
    if denominator == 0:
        return None
    return _ten_thousandths((20000 * numerator + denominator) // (2 * denominator))


@lru_cache(maxsize=65536)
def _ten_thousandths(units: int) -> Decimal:
    """Shares repeat (a cumulative share has at most 10,001 values): build each Decimal once."""
    return Decimal(units).scaleb(-4)


def _check_tier(value: object, field: str = "old_tier") -> None:
    if value is not None and value not in TIERS:
        raise bad_value(field, value, "expected one of A, B, C")


def _ordered(items: Sequence) -> list[tuple[object, int]]:
    """Validate and sort by value desc, name asc, id asc; pair each item with its cents."""
    keyed = []
    for item in items:
        _check_tier(item.old_tier)
        cents = getattr(item, "cents", None)
        if cents is None:
            value = 0 if item.value is None else item.value  # NULL from a LEFT JOIN: no won deals
            cents = _cents(value, f"value of {item.customer}")
        keyed.append((-cents, item.customer, item.customer_id, item))
    keyed.sort()  # tuples compare in C; ids are unique, so items themselves are never compared
    return [(item, -negative) for negative, _, _, item in keyed]


def _base_fields(items: Sequence, computed: Sequence[str]) -> list[tuple]:
    """TierRow fields, in field order, for items (already ordered) and their computed tiers."""
    total = sum(cents for _, cents in items)
    out, running = [], 0
    for (item, cents), tier in zip(items, computed):
        running += cents
        final = item.old_tier if item.locked and item.old_tier else tier
        out.append((item.customer_id, item.customer, _money(cents), _fraction(cents, total),
                    _fraction(running, total), item.old_tier, final, bool(item.locked), final != item.old_tier))
    return out


# --------------------------------------------------------------------------- Pareto


def pareto_tier(cents: int, before: int, total: int) -> str:
    """SPEC §3.2 with exact integer arithmetic: A if c < 0.8·S, B if c < 0.95·S, else C;
    value 0 is always C. ``before`` (c) is the cumulative value strictly before."""
    if cents == 0:
        return "C"
    if 10 * before < 8 * total:
        return "A"
    if 100 * before < 95 * total:
        return "B"
    return "C"


def pareto(values: Sequence[CustomerValue]) -> list[TierRow]:
    """Pareto A/B/C tiers for every customer, in value order (see module docstring)."""
    items = _ordered(values)
    total = sum(cents for _, cents in items)
    computed, before = [], 0
    for _, cents in items:
        computed.append(pareto_tier(cents, before, total))
        before += cents
    return [TierRow(*fields) for fields in _base_fields(items, computed)]


@dataclass(frozen=True)
class CurveRow:
    rank: int
    customer_id: int
    customer: str
    value: Decimal
    share: Decimal | None
    cumulative_share: Decimal | None
    customer_share: Decimal  # rank / n, 4 places


@dataclass(frozen=True)
class ParetoCurve:
    rows: list[CurveRow]
    customers: int  # n, zero-value customers included
    total: Decimal  # S
    customers_for_80: int | None  # fewest top customers whose value reaches >= 0.8·S
    customer_share_for_80: Decimal | None  # customers_for_80 / n, 4 places; None if S = 0


def pareto_curve(values: Sequence[CustomerValue]) -> ParetoCurve:
    """The cumulative-share curve for ``report pareto`` and the share of customers making 80%."""
    items = _ordered(values)
    n, total = len(items), sum(cents for _, cents in items)
    rows = [
        CurveRow(rank, *base[:5], customer_share=_fraction(rank, n))  # id, customer, value, share, cumulative
        for rank, base in enumerate(_base_fields(items, ["C"] * n), start=1)
    ]
    top, running = None, 0
    for rank, (_, cents) in enumerate(items, start=1):
        running += cents
        if total > 0 and 10 * running >= 8 * total:
            top = rank
            break
    return ParetoCurve(
        rows=rows,
        customers=n,
        total=_money(total),
        customers_for_80=top,
        customer_share_for_80=None if top is None else _fraction(top, n),
    )


# --------------------------------------------------------------------------- RFM

RFM_THRESHOLDS = (12, 8)  # total R+F+M (3..15): >= 12 A, >= 8 B, else C


def quintile_scores(goodness: Sequence) -> list[int]:
    """Score 1..5 per item: 1 + floor(5·k / n), k = number of items strictly worse.

    Equal items always get the same score (independent of input order); the worst group
    gets 1; with n >= 5 distinct items the best gets 5.
    """
    n = len(goodness)
    ordered = sorted(goodness)
    return [1 + (5 * bisect.bisect_left(ordered, g)) // n for g in goodness]


def _rfm_tier(total: int, thresholds: tuple[int, int]) -> str:
    a_min, b_min = thresholds
    return "A" if total >= a_min else "B" if total >= b_min else "C"


def _check_thresholds(thresholds: Sequence[int]) -> tuple[int, int]:
    if len(thresholds) != 2 or not all(isinstance(t, int) and not isinstance(t, bool) for t in thresholds):
        raise bad_value("rfm thresholds", thresholds, "expected two integers (A, B)")
    a_min, b_min = thresholds
    if not 3 <= b_min <= a_min <= 15:
        raise bad_value("rfm thresholds", thresholds, "need 3 <= B <= A <= 15")
    return a_min, b_min


def rfm(
    inputs: Sequence[RfmInput], as_of: date, thresholds: Sequence[int] = RFM_THRESHOLDS
) -> list[RfmRow]:
    """RFM tiers: recency (fewer days better; never = worst), frequency and monetary each
    scored 1..5 by :func:`quintile_scores`; total >= thresholds[0] → A, >= thresholds[1] → B,
    else C. A last_activity after as_of counts as 0 days."""
    limits = _check_thresholds(thresholds)
    items = _ordered(inputs)
    recency = []
    for item, _ in items:
        if isinstance(item.frequency, bool) or not isinstance(item.frequency, int) or item.frequency < 0:
            raise bad_value(f"frequency of {item.customer}", item.frequency, "expected a count >= 0")
        last = item.last_activity
        recency.append(None if last is None else max((as_of - last).days, 0))
    r = quintile_scores([(0, 0) if d is None else (1, -d) for d in recency])
    f = quintile_scores([item.frequency for item, _ in items])
    m = quintile_scores([cents for _, cents in items])
    totals = [a + b + c for a, b, c in zip(r, f, m)]
    computed = [_rfm_tier(t, limits) for t in totals]
    extra = zip(recency, items, r, f, m, totals)
    return [
        RfmRow(*base, recency_days=d, frequency=it.frequency, r_score=rs, f_score=fs, m_score=ms, rfm_score=t)
        for base, (d, (it, _), rs, fs, ms, t) in zip(_base_fields(items, computed), extra)
    ]


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """One [[rule]]: every given condition must hold (min/max bounds are inclusive)."""

    tier: str
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_days_since_contact: int | None = None  # never contacted does not match
    min_days_since_contact: int | None = None  # never contacted matches
    min_followups_90d: int | None = None
    has_open_complaint: bool | None = None
    lifecycle: tuple[str, ...] | None = None
    industry: tuple[str, ...] | None = None  # compared case-insensitively

    def matches(self, f: CustomerFacts) -> bool:
        days = f.days_since_contact
        checks = (
            self.min_value is None or f.value >= self.min_value,
            self.max_value is None or f.value <= self.max_value,
            self.max_days_since_contact is None or (days is not None and days <= self.max_days_since_contact),
            self.min_days_since_contact is None or days is None or days >= self.min_days_since_contact,
            self.min_followups_90d is None or f.followups_90d >= self.min_followups_90d,
            self.has_open_complaint is None or bool(f.has_open_complaint) == self.has_open_complaint,
            self.lifecycle is None or f.lifecycle in self.lifecycle,
            self.industry is None or (f.industry or "").strip().casefold() in self.industry,
        )
        return all(checks)


@dataclass(frozen=True)
class Rules:
    default: str = "C"
    rules: tuple[Rule, ...] = ()


def _parse_tier(field: str, value: object) -> str:
    if value not in TIERS:
        raise bad_value(field, value, "expected one of A, B, C")
    return value


def _parse_amount(field: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad_value(field, value, "expected a number")
    return to_money(value, field)


def _parse_count(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_value(field, value, "expected a whole number >= 0")
    return value


def _parse_bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise bad_value(field, value, "expected true or false")
    return value


def _parse_strings(field: str, value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v.strip() for v in items):
        raise bad_value(field, value, "expected a string or a list of strings")
    return tuple(v.strip().casefold() for v in items)


def _parse_lifecycle(field: str, value: object) -> tuple[str, ...]:
    stages = _parse_strings(field, value)
    for stage in stages:
        if stage not in LIFECYCLES:
            raise bad_value(field, stage, "expected one of " + ", ".join(LIFECYCLES))
    return stages


_RULE_KEYS = {
    "tier": _parse_tier,
    "min_value": _parse_amount,
    "max_value": _parse_amount,
    "max_days_since_contact": _parse_count,
    "min_days_since_contact": _parse_count,
    "min_followups_90d": _parse_count,
    "has_open_complaint": _parse_bool,
    "lifecycle": _parse_lifecycle,
    "industry": _parse_strings,
}


def _parse_rule(number: int, table: object) -> Rule:
    where = f"rule #{number}"
    if not isinstance(table, Mapping):
        raise bad_value(where, table, "expected a table ([[rule]])")
    for key in table:
        if key not in _RULE_KEYS:
            raise BadInput(
                f"unknown key {key!r} in {where} of the rules file (known: {', '.join(_RULE_KEYS)})"
            )
    if "tier" not in table:
        raise BadInput(f"{where} of the rules file has no tier")
    parsed = {key: _RULE_KEYS[key](f"{where} {key}", value) for key, value in table.items()}
    rule = Rule(**parsed)
    if rule.min_value is not None and rule.max_value is not None and rule.min_value > rule.max_value:
        raise bad_value(f"{where} max_value", table["max_value"], "is below min_value")
    return rule


def load_rules(source: str | Mapping) -> Rules:
    """Parse a rules file (TOML text) or an already-parsed mapping (SPEC §5).

    Top-level keys: ``default`` (tier, default "C") and ``rule`` (array of tables, first
    match wins). Any other key, a bad tier or a value of the wrong type is BadInput (exit 2)
    naming the key and the rule number.
    """
    if isinstance(source, str):
        try:
            data = tomllib.loads(source)
        except tomllib.TOMLDecodeError as exc:
            raise BadInput(f"invalid rules file: {exc}") from None
    elif isinstance(source, Mapping):
        data = source
    else:
        raise bad_value("rules", source, "expected TOML text or a table")
    for key in data:
        if key not in ("default", "rule"):
            raise BadInput(f"unknown key {key!r} in the rules file (known: default, rule)")
    default = _parse_tier("default", data.get("default", "C"))
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise bad_value("rule", tables, "expected an array of tables ([[rule]])")
    return Rules(default=default, rules=tuple(_parse_rule(i, t) for i, t in enumerate(tables, 1)))


def match_rule(rules: Rules, facts: CustomerFacts) -> tuple[str, int | None]:
    """(tier, 1-based rule number) of the first matching rule, or (default, None)."""
    for number, rule in enumerate(rules.rules, start=1):
        if rule.matches(facts):
            return rule.tier, number
    return rules.default, None


def apply_rules(rules: Rules, facts: Sequence[CustomerFacts]) -> list[RuleRow]:
    """Tier every customer by the first matching rule; rows in value order with shares."""
    items = _ordered(facts)
    money = [(f, _money(c)) for f, c in items]
    # Compare with the rounded amount so a rule sees exactly the value that is shown.
    matches = [match_rule(rules, replace(f, value=v)) for f, v in money]
    fields = _base_fields(items, [tier for tier, _ in matches])
    return [RuleRow(*row, rule=number) for row, (_, number) in zip(fields, matches)]

