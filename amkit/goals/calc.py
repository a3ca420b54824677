"""Goal domain logic (SPEC §2 goal, §3.1): three lines, plans, splits, progress, replan, suggest.

Pure: no database, no output, no clock. Money is ``Decimal`` with 2 places, counts are
``int``; ratios (achievement, pace) are ``Decimal`` fractions rounded half up to 4 places.
All rounding is half up and done on exact fractions.

Decisions (the contract for the CLI):

* Lines must satisfy ``0 <= target <= excellent <= stretch``. Defaults (1.2× and 1.5× the
  target) are computed from the target alone; a given excellent above the default stretch
  is BadInput on ``excellent`` (give stretch too) rather than a silently moved stretch.
* Splits use the largest-remainder method per line: every column sums exactly to its line,
  zero-weight buckets get 0, equal remainders go to the earliest bucket. Lines are split
  independently, so within one bucket ``target <= excellent`` is not guaranteed in rare
  cases (the Alabama paradox of the method); the column totals always are.
* A non-zero line over a period with no workdays is BadInput on ``period``; all-zero lines
  give all-zero rows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction

from amkit.core.parse import MAX_TARGET
from amkit.core.workcal import WorkCalendar
from amkit.core.periods import Period, parse_period
from amkit.errors import bad_value
from amkit.metrics import figures

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
LINES = ("target", "excellent", "stretch")
Value = Decimal | int


METRICS = figures.METRICS  # every metric of the metrics layer can be a goal (SPEC §6)
Metric = figures.Metric


def metric_info(name: str) -> Metric:
    """The definition (amkit.metrics.figures); BadInput on ``metric`` listing the valid names if unknown."""
    return figures.metric(name)


def quantum(metric: str) -> Value:
    """Rounding unit of a metric: 0.01 for money, scores and hours, 0.0001 for fractions, 1 for counts."""
    return figures.QUANTUM[metric_info(metric).unit]


def line_quantum(metric: str) -> Value:
    """Rounding unit of a goal's lines: as the metric, but fractions in whole percents (0.01),
    the precision a stored goal keeps (NUMERIC(18, 2))."""
    return CENT if metric_info(metric).unit == "fraction" else quantum(metric)


def to_line(metric: str, value: object, field: str) -> Value:
    """A goal line: a value of the metric within the line precision (see line_quantum)."""
    number = to_value(metric, value, field)
    if number > MAX_TARGET:  # the documented range of a typed line (README Conventions)
        raise bad_value(field, value, "over the limit of 1,000,000,000,000 (1万亿)")
    unit = line_quantum(metric)
    if unit != quantum(metric) and number != number.quantize(unit):
        raise bad_value(field, value, f"{metric} goals are whole percents (at most 2 decimals, 0.85 = 85 %)")
    return number


def to_value(metric: str, value: object, field: str) -> Value:
    """Validate a non-negative value of ``metric``: money ≤ 2 decimals, counts whole."""
    if isinstance(value, bool) or value is None:
        raise bad_value(field, value, "expected a number")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise bad_value(field, value, "expected a number") from None
    if not number.is_finite():
        raise bad_value(field, value, "expected a finite number")
    if number < 0:
        raise bad_value(field, value, "must not be negative")
    if number.adjusted() >= 16:  # beyond what a goal column holds (NUMERIC(18, 2)); typed lines: to_line
        raise bad_value(field, value, "over the limit of 1,000,000,000,000 (1万亿)")
    unit = quantum(metric)
    if unit == 1:
        if number != number.to_integral_value():
            raise bad_value(field, value, f"{metric} is a count and must be a whole number")
        return int(number)
    if number != number.quantize(unit):
        places = -unit.as_tuple().exponent
        what = "money has" if unit == CENT and metric_info(metric).unit == "money" else f"{metric} has"
        raise bad_value(field, value, f"{what} at most {places} decimals")
    return number.quantize(unit)


def half_up(x: Fraction | Value, unit: Value) -> Value:
    """Round a non-negative exact number half up to a multiple of ``unit`` (same type)."""
    steps = math.floor(Fraction(x) / Fraction(unit) + Fraction(1, 2))
    return steps if unit == 1 and isinstance(unit, int) else (Decimal(steps) * unit).quantize(unit)


def _ratio(numerator: Value, denominator: Fraction | Value) -> Decimal | None:
    return None if denominator == 0 else half_up(Fraction(numerator) / Fraction(denominator), RATIO)


@dataclass(frozen=True)
class GoalLines:
    """The three lines of one goal (达标 target / 优秀 excellent / 冲刺 stretch)."""

    metric: str
    target: Value
    excellent: Value
    stretch: Value

    def items(self) -> list[tuple[str, Value]]:
        return [(name, getattr(self, name)) for name in LINES]


def default_lines(metric: str, target: object, excellent: object = None,
                  stretch: object = None) -> GoalLines:
    """Three lines with the SPEC defaults: excellent 1.2×, stretch 1.5× target, half up (a 1–5
    score's derived lines stop at 5). Where lower is better (hours, lost deals) the lines go down:
    excellent target/1.2, stretch target/1.5."""
    unit = line_quantum(metric)
    tgt = to_line(metric, target, "target")
    if metric_info(metric).lower_is_better:
        return _lower_lines(metric, tgt, excellent, stretch)
    top = SCORE_TOP if metric_info(metric).unit == "score" else None  # a 1–5 score cannot pass 5
    exc = _at(metric, _capped(half_up(Fraction(tgt) * Fraction(6, 5), unit), top)) if excellent is None \
        else to_line(metric, excellent, "excellent")
    stc = _at(metric, _capped(half_up(Fraction(tgt) * Fraction(3, 2), unit), top)) if stretch is None \
        else to_line(metric, stretch, "stretch")
    if exc < tgt:
        raise bad_value("excellent", excellent, f"must be at least the target {tgt}")
    if stc < exc:
        if stretch is None:
            raise bad_value("excellent", excellent,
                            f"exceeds the default stretch {stc}; give stretch too")
        raise bad_value("stretch", stretch, f"must be at least excellent {exc}")
    return GoalLines(metric_info(metric).name, tgt, exc, stc)


SCORE_TOP = 5


def _capped(value: Value, top: int | None) -> Value:
    """A derived line no higher than the top of the metric's scale (satisfaction: 4.5 → 5, not 5.40)."""
    return value if top is None or value <= top else type(value)(top)


def _at(metric: str, value: Value) -> Value:
    """A line in the metric's own precision (0.90 → 0.9000 for a fraction)."""
    return to_value(metric, value, "line")


def _lower_lines(metric: str, tgt: Value, excellent: object, stretch: object) -> GoalLines:
    unit = line_quantum(metric)
    exc = _at(metric, half_up(Fraction(tgt) * Fraction(5, 6), unit)) if excellent is None \
        else to_line(metric, excellent, "excellent")
    stc = _at(metric, half_up(Fraction(tgt) * Fraction(2, 3), unit)) if stretch is None \
        else to_line(metric, stretch, "stretch")
    if exc > tgt:
        raise bad_value("excellent", excellent, f"must be at most the target {tgt} ({metric}: lower is better)")
    if stc > exc:
        raise bad_value("stretch", stretch, f"must be at most excellent {exc} ({metric}: lower is better)")
    return GoalLines(metric_info(metric).name, tgt, exc, stc)


def largest_remainder(total: Value, weights: list, unit: Value = 1) -> list[Value]:
    """Split ``total`` in proportion to ``weights`` into multiples of ``unit`` summing exactly.

    Each part gets the floor of its quota; the units left go one each to the largest
    remainders, ties to the earliest bucket. Zero weights get 0. All weights zero: a zero
    total gives zeros, otherwise BadInput on ``weights``.
    """
    units = Fraction(total) / Fraction(unit)
    if units < 0:
        raise bad_value("total", str(total), "must not be negative")
    if units.denominator != 1:
        raise bad_value("total", str(total), f"is not a multiple of {unit}")
    shares = [Fraction(w) for w in weights]
    if any(w < 0 for w in shares):
        raise bad_value("weight", str(min(weights)), "must not be negative")
    whole = sum(shares)
    if whole == 0 and units:
        raise bad_value("weights", ",".join(map(str, weights)), f"all zero; cannot split {total}")
    if whole == 0:
        return [half_up(0, unit) for _ in shares]
    quotas = [units * w / whole for w in shares]
    parts = [math.floor(q) for q in quotas]
    order = sorted(range(len(parts)), key=lambda i: (parts[i] - quotas[i], i))
    for i in order[: int(units) - sum(parts)]:
        parts[i] += 1
    return [half_up(p * Fraction(unit), unit) for p in parts]


def _split_lines(lines: GoalLines, weights: list[int], period: Period) -> dict[str, list[Value]]:
    if sum(weights) == 0 and any(v for _, v in lines.items()):
        raise bad_value("period", period.key, "has no workdays in this calendar; "
                        "cannot spread a non-zero goal over it")
    unit = quantum(lines.metric)
    return {name: largest_remainder(value, weights, unit) for name, value in lines.items()}


@dataclass(frozen=True)
class PlanRow:
    """One bucket of ``goal plan`` (SPEC §3.1 JSON keys)."""

    bucket: str
    start: date
    end: date
    workdays: int
    target: Value
    excellent: Value
    stretch: Value
    cumulative_target: Value


def plan(period: Period | str, lines: GoalLines, by: str = "week",
         calendar: WorkCalendar | None = None) -> list[PlanRow]:
    """Split each line over ISO-week or month buckets in proportion to workdays."""
    period = parse_period(period)
    additive_only(lines.metric, "plan")
    calendar = calendar or WorkCalendar()
    buckets = period.buckets(by)
    days = [calendar.workdays(b.start, b.end) for b in buckets]
    cols = _split_lines(lines, days, period)
    rows, running = [], half_up(0, quantum(lines.metric))
    for i, b in enumerate(buckets):
        running += cols["target"][i]
        rows.append(PlanRow(b.name, b.start, b.end, days[i], cols["target"][i],
                            cols["excellent"][i], cols["stretch"][i], running))
    return rows


def planned_share(lines: GoalLines, outer: Period | str, inner: Period | str,
                  calendar: WorkCalendar | None = None) -> GoalLines:
    """A month's or a week's share of a goal of a longer period (a quarter), as ``goal plan``
    splits it: money and counts get the plan buckets lying in ``inner`` (months, or ISO weeks
    clipped to ``outer``; workday shares, largest remainder, so the parts add up exactly to the
    goal); rates, scores and hours keep their lines (a 90 % rate is 90 % every month)."""
    outer, inner = parse_period(outer), parse_period(inner)
    if not metric_info(lines.metric).additive:
        return lines
    rows = [r for r in plan(outer, lines, "week" if inner.kind == "week" else "month", calendar)
            if inner.start <= r.start and r.end <= inner.end]
    zero = half_up(0, quantum(lines.metric))
    return GoalLines(lines.metric, *(sum((getattr(r, n) for r in rows), zero) for n in LINES))


def add_lines(a: GoalLines, b: GoalLines) -> GoalLines:
    """Two parts of one goal added (a week straddling two quarters)."""
    return GoalLines(a.metric, *(getattr(a, n) + getattr(b, n) for n in LINES))


_WEIGHT_SEP = re.compile(r"[,，;；]")


def parse_weights(text: str) -> dict[str, Decimal]:
    """Parse ``name=share,...`` (full-width ，＝ too; ``40%`` allowed) into name → share."""
    items = [p.strip() for p in _WEIGHT_SEP.split(str(text or "")) if p.strip()]
    if not items:
        raise bad_value("weights", text, "expected name=share,... (e.g. 张三=2,李四=1)")
    shares: dict[str, Decimal] = {}
    for item in items:
        name, sep, raw = item.replace("＝", "=").partition("=")
        name, raw = name.strip(), raw.strip().removesuffix("%").strip()
        if not sep or not name or not raw:
            raise bad_value("weights", item, "expected name=share")
        try:
            share = Decimal(raw)
        except InvalidOperation:
            share = Decimal("NaN")
        if not share.is_finite():
            raise bad_value("weights", item, "share is not a number")
        if share < 0:
            raise bad_value("weights", item, "share must not be negative")
        if name in shares:
            raise bad_value("weights", name, "is given twice")
        shares[name] = share
    if not any(shares.values()):
        raise bad_value("weights", text, "all shares are zero")
    return shares


def _member_shares(members: list[str], weights, by_history: bool) -> list:
    if weights is None:
        return [1] * len(members)
    if isinstance(weights, str):
        weights = parse_weights(weights)
    field = "history" if by_history else "weights"
    for name, share in weights.items():
        if Fraction(share) < 0:
            raise bad_value(field, f"{name}={share}", "must not be negative")
        if not by_history and name not in members:
            raise bad_value("weights", name, f"is not a team member ({', '.join(members)})")
    shares = [weights.get(name, 0) for name in members]
    if not any(shares):
        raise bad_value(field, ",".join(f"{m}={s}" for m, s in zip(members, shares)),
                        "all zero; split equally or give explicit weights")
    return shares


def split_team(lines_or_total: GoalLines | Value, members: list[str], weights=None,
               *, by_history: bool = False) -> dict[str, GoalLines | Value]:
    """Spread a team goal over ``members`` (in order) so each line sums exactly.

    ``weights``: None (equal), a ``name=share,...`` string or dict name → share (no
    outsiders; a member not named gets nothing: the caller leaves them out, e.g. the team
    lead), or with ``by_history=True`` a dict name → past value (members without history get
    0, other names are ignored). A bare total splits as money (0.01) if it is a Decimal, else
    as a count.
    """
    members = list(members)
    if not members:
        raise bad_value("members", "", "the team has no members")
    if len(set(members)) != len(members):
        raise bad_value("members", ",".join(members), "a member is listed twice")
    shares = _member_shares(members, weights, by_history)
    if isinstance(lines_or_total, GoalLines):
        additive_only(lines_or_total.metric, "split")
        lines, unit = lines_or_total, quantum(lines_or_total.metric)
        cols = {n: largest_remainder(v, shares, unit) for n, v in lines.items()}
        return {m: GoalLines(lines.metric, *(cols[n][i] for n in LINES))
                for i, m in enumerate(members)}
    unit = CENT if isinstance(lines_or_total, Decimal) else 1
    return dict(zip(members, largest_remainder(lines_or_total, shares, unit)))


@dataclass(frozen=True)
class Progress:
    """``goal progress`` figures (SPEC §5 keys plus achievement of the upper lines)."""

    target: Value
    excellent: Value
    stretch: Value
    actual: Value
    achievement: Decimal | None
    excellent_achievement: Decimal | None
    stretch_achievement: Decimal | None
    pace: Decimal | None
    projected: Value | None
    projected_line: str | None
    planned_to_date: Value
    workdays_elapsed: int
    workdays_total: int


def _line_reached(lines: GoalLines, value: Value) -> str | None:
    """The best line ``value`` reaches; None (n/a) for a zero target, which has no achievement."""
    if not lines.target:
        return None
    lower = metric_info(lines.metric).lower_is_better
    for name in ("stretch", "excellent", "target"):
        line = getattr(lines, name)
        if (value <= line) if lower else (value >= line):
            return name
    return "below"


def _achieved(metric: str, actual: Value, line: Value) -> Decimal | None:
    """actual / line, or line / actual where lower is better (None when the divisor is 0)."""
    if metric_info(metric).lower_is_better:
        return _ratio(line, actual)
    return _ratio(actual, line)


def progress(lines: GoalLines, period: Period | str, calendar: WorkCalendar | None,
             as_of: date, actual: object) -> Progress:
    """Actual to ``as_of`` against the three lines, the plan to date and the run-rate.

    Money and count goals add up over the period: workdays elapsed = workdays from the period
    start to ``as_of`` inclusive (capped at the period end); planned_to_date = target × elapsed
    / total workdays; pace = actual / planned_to_date (None while it is 0). projected = actual /
    elapsed × total, rounded like the metric; once the period is over it is the actual; before
    any workday has elapsed (as_of before the start, or only rest days so far) projected and
    projected_line are None. A period without workdays projects the actual.
    Rates, averages and hours do not add up: planned_to_date is the target itself, pace the
    achievement and projected the actual as it stands. Where lower is better, achievement is
    line / actual. An unknown actual (a rate with nothing to divide by) gives None throughout.
    projected_line is the best line the projection reaches (stretch, excellent, target) or "below".
    """
    period, calendar = parse_period(period), calendar or WorkCalendar()
    unit = quantum(lines.metric)
    total = calendar.workdays(period.start, period.end)
    elapsed = calendar.workdays(period.start, min(as_of, period.end))
    if actual is None:
        return Progress(lines.target, lines.excellent, lines.stretch, None, None, None, None, None, None, None,
                        lines.target, elapsed, total)
    value = to_value(lines.metric, actual, "actual")
    m = lines.metric
    if not metric_info(m).additive:
        achievement = _achieved(m, value, lines.target)
        return Progress(lines.target, lines.excellent, lines.stretch, value, achievement,
                        _achieved(m, value, lines.excellent), _achieved(m, value, lines.stretch), achievement,
                        value, _line_reached(lines, value), lines.target, elapsed, total)
    planned = Fraction(lines.target) * elapsed / total if total else Fraction(0)
    if as_of >= period.end or total == 0:
        projected = value
    elif elapsed:
        projected = half_up(Fraction(value) * total / elapsed, unit)
    else:
        projected = None
    return Progress(
        lines.target, lines.excellent, lines.stretch, value,
        _achieved(m, value, lines.target), _achieved(m, value, lines.excellent),
        _achieved(m, value, lines.stretch), _ratio(value, planned), projected,
        None if projected is None else _line_reached(lines, projected),
        half_up(planned, unit), elapsed, total)


@dataclass(frozen=True)
class ReplanRow:
    """A bucket with its original plan and the replanned remainder beside it."""

    bucket: str
    start: date
    end: date
    workdays: int
    remaining_workdays: int
    target: Value
    replanned_target: Value
    excellent: Value
    replanned_excellent: Value
    stretch: Value
    replanned_stretch: Value


def replan(period: Period | str, lines: GoalLines, as_of: date, actual: object,
           by: str = "week", calendar: WorkCalendar | None = None) -> list[ReplanRow]:
    """Spread what is left of each line (line − actual, at least 0) over the workdays after
    ``as_of`` (``as_of`` itself counts as done), largest remainder per line.

    Buckets wholly before ``as_of`` get 0. If something is left but no workday remains in
    the period, BadInput on ``as_of``.
    """
    period, calendar = parse_period(period), calendar or WorkCalendar()
    additive_only(lines.metric, "replan")
    value = to_value(lines.metric, actual, "actual")
    original = plan(period, lines, by, calendar)
    tomorrow = as_of + timedelta(days=1)
    left = [calendar.workdays(max(r.start, tomorrow), r.end) for r in original]
    rest = {n: max(v - value, 0) for n, v in lines.items()}
    if sum(left) == 0 and any(rest.values()):
        raise bad_value("as_of", as_of.isoformat(),
                        f"no workdays of {period.key} are left after it to replan onto")
    unit = quantum(lines.metric)
    cols = {n: largest_remainder(v, left, unit) for n, v in rest.items()}
    return [ReplanRow(r.bucket, r.start, r.end, r.workdays, left[i],
                      r.target, cols["target"][i], r.excellent, cols["excellent"][i],
                      r.stretch, cols["stretch"][i])
            for i, r in enumerate(original)]


def additive_only(metric: str, what: str) -> None:
    """Plans, replans and splits spread an amount; a rate or an average cannot be spread."""
    m = metric_info(metric)
    if not m.additive:
        raise bad_value("metric", metric, f"is a {m.unit} ({'lower' if m.lower_is_better else 'higher'} is "
                        f"better), not an amount: {what} spreads money and count goals only")


@dataclass(frozen=True)
class Explanation:
    key: str  # English snake_case: average, minimum, maximum, last, growth, ...
    value: Value | None
    note: str


@dataclass(frozen=True)
class Suggestion:
    lines: GoalLines
    explanation: list[Explanation]


def _growth(values: list[Value]) -> Decimal:
    """Compound growth per period from the first to the last value, clamped to [-0.5, 1]."""
    if len(values) < 2 or values[0] == 0:
        return Decimal("0.0000")
    with localcontext() as ctx:
        ctx.prec = 28
        ratio = Decimal(values[-1]) / Decimal(values[0])
        rate = ratio ** (Decimal(1) / Decimal(len(values) - 1)) - 1 if ratio else Decimal(-1)
    return min(max(rate.quantize(RATIO), Decimal("-0.5")), Decimal(1))


def suggest(history: list[tuple[str, object]], same_period_last_year: object = None,
            *, metric: str) -> Suggestion:
    """Propose three lines from past values of ``metric`` (deterministic).

    history: (period key, value) pairs, any order (sorted by period start here).
    growth g = (last / first) ** (1 / (n − 1)) − 1, 4 places, clamped to [−0.5, 1]
    (0 with fewer than 2 values or a zero first value); trend = last × (1 + g).
    seasonality s = same_period_last_year / average, 4 places, clamped to [0.5, 2]
    (1 without it). target = max(trend × s, minimum), or same_period_last_year alone
    when there is no history; excellent = 1.2 × target; stretch = max(1.5 × target,
    maximum). Rounded like the metric. No data at all is BadInput on ``history``.
    """
    unit = quantum(metric)
    pairs = sorted(((parse_period(k), to_value(metric, v, "history")) for k, v in history),
                   key=lambda p: p[0].start)
    values = [v for _, v in pairs]
    last_year = None if same_period_last_year is None else \
        to_value(metric, same_period_last_year, "same_period_last_year")
    if not values and last_year is None:
        raise bad_value("history", "[]", f"no past {metric} values; set the target explicitly")
    notes = []
    if values:
        average = Fraction(sum(values)) / len(values)
        growth = _growth(values)
        season = Decimal("1.0000")
        if last_year is not None and average:
            season = min(max(half_up(Fraction(last_year) / average, RATIO), Decimal("0.5")), Decimal(2))
        estimate = Fraction(values[-1]) * (1 + Fraction(growth)) * Fraction(season)
        target = half_up(max(estimate, Fraction(min(values))), unit)
        notes += [Explanation("periods", len(values), ", ".join(p.key for p, _ in pairs)),
                  Explanation("average", half_up(average, CENT), "mean of past periods"),
                  Explanation("minimum", min(values), "floor for the target"),
                  Explanation("maximum", max(values), "floor for the stretch line"),
                  Explanation("last", values[-1], "most recent period"),
                  Explanation("growth", growth, "compound growth per period, clamped"),
                  Explanation("seasonality", season, "same period last year / average")]
    else:
        target = last_year
    notes.append(Explanation("same_period_last_year", last_year, "seasonal reference"))
    stretch = max(half_up(Fraction(target) * Fraction(3, 2), unit), max(values, default=0))
    lines = default_lines(metric, target, stretch=stretch)
    notes.append(Explanation("target", lines.target, "trend × seasonality, at least minimum"))
    return Suggestion(lines, notes)
