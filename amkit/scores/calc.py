"""KPI scorecards and ranking (SPEC §3.3, §5). Pure: no database, no clock, no printing.

The DB layer fills one :class:`ManagerMetrics` per manager for the period: the manager's
:class:`amkit.metrics.figures.Tally` (the raw sums), from which every metric is computed by
the metrics layer's one definition; goals come as ``{owner: {metric: target}}``.
:func:`score_cards` returns ranked :class:`ScoreCard`s.

Score = Σ wᵢ·min(ratioᵢ, 1.2) / Σ wᵢ × 100 over the weighted metrics (weight > 0) that have a
goal AND a known actual, i.e. the weights are rescaled to 100. ratio = actual / goal, or
goal / actual for the metrics where lower is better (complaint_response_hours, deals_lost; an
actual of 0 scores the 1.2 cap). A metric whose actual is unknown (no surveys, nothing won) is
left out rather than counted as 0. With no such metric, score and grade are None. A goal is in
the metric's unit: money and counts as amounts, fractions 0 < goal <= 1 (collection_rate 0.9 =
90 %), satisfaction 0 < goal <= 5, hours > 0. ``collection`` is money received (回款), not a rate.

Ratios (achievement, win_rate, collection_rate, repurchase_rate, completeness) are Decimal
fractions rounded half up to 4 places; money and score to 2 places; unknown = None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from amkit.config import DEFAULTS
from amkit.errors import BadInput, bad_value
from amkit.metrics import figures
from amkit.metrics.figures import Tally

ZERO = Decimal(0)
CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
CAP = Decimal("1.2")

# Metric names usable as score.weights.<metric> and as goal metrics: every metric of the
# metrics layer (amkit.metrics.figures), old names accepted as aliases.
METRICS = tuple(figures.METRICS)
DEFAULT_WEIGHTS = DEFAULTS["score"]["weights"]  # one definition: the config's defaults
GRADES = ("S", "A", "B", "C")  # below the C threshold: "D"
DEFAULT_GRADES = DEFAULTS["score"]["grades"]
# Fields `score rank --by` accepts; high-to-low, except the metrics where lower is better.
# Every metric of the metrics layer is rankable: a metric added there (one declaration and its
# query) is on the card (ScoreCard.values), can be a goal, weighted and ranked with no edit here.
RANK_FIELDS = ("score", "achievement", *figures.METRICS)


@dataclass(frozen=True)
class ManagerMetrics:
    """One manager's raw sums for the period (amkit.metrics.figures.tallies)."""

    owner: str
    tally: Tally = field(default_factory=Tally)


@dataclass(frozen=True)
class SubScore:
    """One weighted metric of a card (for ``--detail``)."""

    metric: str
    actual: Decimal | None
    goal: Decimal | None
    ratio: Decimal | None  # min(actual/goal, 1.2), 4 places; None when not counted
    weight: Decimal | None  # rescaled weight (sums to 100 over counted metrics), 2 places
    points: Decimal | None  # weight × ratio, 2 places (rounded parts may not sum to score)
    source: str | None = None  # where the goal came from: "goal" (set for the period) or "plan" (quarter share)


@dataclass(frozen=True)
class ScoreCard:
    owner: str
    revenue: Decimal
    target: Decimal | None
    achievement: Decimal | None
    deals_won: int
    deals_lost: int
    win_rate: Decimal | None
    new_customers: int
    visits: int
    followups: int
    collection: Decimal
    payments: Decimal  # = collection (the key scripts read before collection was a metric)
    collection_rate: Decimal | None
    satisfaction: Decimal | None
    completeness: Decimal | None
    repurchases: int
    repurchase_rate: Decimal | None
    complaint_response_hours: Decimal | None
    score: Decimal | None
    grade: str | None
    rank: int | None = None
    subscores: tuple[SubScore, ...] = field(default=())
    renewal_rate: Decimal | None = None  # issue 22 (fractions, lower is better for overdue and churn)
    overdue_rate: Decimal | None = None
    churn_rate: Decimal | None = None
    target_source: str | None = None  # "goal" | "plan" (the month's/week's share of the quarter goal) | None
    values: Mapping[str, Decimal | int | None] = field(default_factory=dict)  # every metric, as shown

    def value(self, name: str) -> Decimal | int | None:
        """A field of the card, or any metric of the metrics layer (as shown)."""
        return getattr(self, name) if name in _CARD_FIELDS else self.values.get(name)


_CARD_FIELDS = {f for f in ScoreCard.__dataclass_fields__ if f not in ("values", "subscores")}


@dataclass(frozen=True)
class RankChange:
    owner: str
    rank: int
    previous_rank: int | None
    change: int | None  # previous_rank - rank: positive = moved up; None if absent before


# --------------------------------------------------------------------------- helpers


def _number(value: object, field_name: str) -> Decimal:
    """A finite number (int, float, Decimal or numeric string) as Decimal; BadInput otherwise."""
    if isinstance(value, bool) or value is None:
        raise bad_value(field_name, value, "expected a number")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise bad_value(field_name, value, "expected a number") from None
    if not number.is_finite():
        raise bad_value(field_name, value, "expected a finite number")
    return number


def _nonneg(value: object, field_name: str) -> Decimal:
    number = _number(value, field_name)
    if number < 0:
        raise bad_value(field_name, value, "must not be negative")
    return number


def _q(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def _div(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else Decimal(numerator) / Decimal(denominator)


# --------------------------------------------------------------------------- validation


def validate_weights(weights: Mapping[str, object]) -> dict[str, Decimal]:
    """Known metric names, numbers >= 0, at least one above 0 (BadInput otherwise). Weights are
    relative: the score rescales those of the metrics with a goal to 100, so they need not sum
    to 100 (the defaults weigh collection and collection_rate alike, 15 each)."""
    out = {}
    for key, value in weights.items():
        if key not in METRICS and key not in figures.ALIASES:
            raise bad_value("score.weights key", key, "expected one of " + ", ".join(METRICS))
        out[figures.metric(key).name] = _nonneg(value, f"score.weights.{key}")
    total = sum(out.values(), ZERO)
    if total <= 0:
        raise bad_value("score.weights", f"sum {total.normalize():f}", "at least one weight must be above 0")
    return out


def validate_grades(grades: Mapping[str, object]) -> dict[str, Decimal]:
    """Thresholds for S, A, B, C (all four), numbers, strictly descending S > A > B > C."""
    out = {}
    for key, value in grades.items():
        if key not in GRADES:
            raise bad_value("score.grades key", key, "expected one of S, A, B, C")
        out[key] = _number(value, f"score.grades.{key}")
    for key in GRADES:
        if key not in out:
            raise BadInput(f"score.grades.{key} is missing (need S, A, B and C)")
    for higher, lower in zip(GRADES, GRADES[1:]):
        if out[higher] <= out[lower]:
            raise bad_value(f"score.grades.{higher}", grades[higher], f"must be above {lower}")
    return {key: out[key] for key in GRADES}


def validate_goal(metric: str, target: object) -> Decimal:
    """A goal target for a scorecard metric: > 0, and within the scale of fraction/score metrics."""
    unit = figures.metric(metric).unit
    goal = _number(target, f"goal {metric}")
    limit = 1 if unit == "fraction" else 5 if unit == "score" else None
    if goal <= 0 or (limit is not None and goal > limit):
        scale = f"between 0 and {limit}" if limit is not None else "above 0"
        raise bad_value(f"goal {metric}", target, f"expected a target {scale}")
    return goal


def grade_for(score: Decimal | None, grades: Mapping[str, Decimal] = DEFAULT_GRADES) -> str | None:
    """The first grade whose threshold the score reaches (>=); below C is D; None → None."""
    if score is None:
        return None
    for key in GRADES:
        if score >= Decimal(grades[key]):
            return key
    return "D"


# --------------------------------------------------------------------------- cards


def _actuals(m: ManagerMetrics) -> dict[str, Decimal | None]:
    """Exact (unrounded) values of every scorecard metric, as the metrics layer defines them."""
    values = m.tally.values()
    for name in ("revenue", "collection"):
        _nonneg(values[name], f"{name} of {m.owner}")
    _optional(values["satisfaction"], f"satisfaction of {m.owner}", 1, 5)
    _optional(values["completeness"], f"completeness of {m.owner}", 0, 1)
    _optional(values["complaint_response_hours"], f"response hours of {m.owner}", 0, None)
    return {k: None if v is None else Decimal(v) for k, v in values.items()}


def _optional(value: object, name: str, low: int, high: int | None) -> Decimal | None:
    if value is None:
        return None
    number = _number(value, name)
    if number < low or (high is not None and number > high):
        raise bad_value(name, value, f"expected {low}–{high}" if high is not None else f"expected >= {low}")
    return number


def _display(metric: str, value: Decimal | None) -> Decimal | None:
    """An actual rounded like it is shown (amkit.metrics.figures.rounded)."""
    shown = figures.rounded(metric, value)
    return None if shown is None else Decimal(shown)


def _ratio(metric: str, actual: Decimal, goal: Decimal) -> Decimal:
    if figures.metric(metric).lower_is_better:
        return CAP if actual == 0 else min(goal / actual, CAP)
    return min(actual / goal, CAP)


def _score(actuals: Mapping, goals: Mapping, weights: Mapping,
           sources: Mapping | None = None) -> tuple[Decimal | None, tuple]:
    """The rescaled weighted score (2 places) and its sub-scores."""
    counted = {}
    for metric, weight in weights.items():
        if weight > 0 and metric in goals and actuals[metric] is not None:
            counted[metric] = (weight, _ratio(metric, actuals[metric], goals[metric]))
    total_weight = sum((w for w, _ in counted.values()), ZERO)
    subscores = []
    for metric, weight in weights.items():
        if weight <= 0:
            continue
        goal = goals.get(metric)
        w, r = counted.get(metric, (None, None))
        scaled = None if w is None else w * 100 / total_weight
        subscores.append(
            SubScore(
                metric=metric,
                actual=_display(metric, actuals[metric]),
                goal=goal,
                ratio=_q(r, RATIO),
                weight=_q(scaled, CENT),
                points=None if w is None else _q(scaled * r, CENT),
                source=None if goal is None else (sources or {}).get(metric, "goal"),
            )
        )
    if not counted:
        return None, tuple(subscores)
    exact = sum((w * r for w, r in counted.values()), ZERO) * 100 / total_weight
    return _q(exact, CENT), tuple(subscores)


def score_card(
    m: ManagerMetrics,
    goals: Mapping[str, object],
    weights: Mapping[str, Decimal],
    grades: Mapping[str, Decimal],
    sources: Mapping[str, str] | None = None,
) -> ScoreCard:
    """One unranked card. ``goals`` = this owner's {metric: target} (old metric names accepted);
    names that are no metric are ignored. ``weights``/``grades`` must already be validated.
    ``sources``: {metric: "goal" | "plan"} (default "goal")."""
    known = {figures.metric(k).name: validate_goal(k, v) for k, v in goals.items()
             if (k in figures.METRICS or k in figures.ALIASES) and v is not None}
    sources = sources or {}
    actuals = _actuals(m)
    score, subscores = _score(actuals, known, weights, sources)
    target = known.get("revenue")
    t = m.tally
    return ScoreCard(
        owner=m.owner,
        revenue=_q(actuals["revenue"], CENT),
        target=_q(target, CENT),
        achievement=_q(_div(actuals["revenue"], target) if target else None, RATIO),
        deals_won=t.won,
        deals_lost=t.lost,
        win_rate=_display("win_rate", actuals["win_rate"]),
        new_customers=t.new,
        visits=t.visits,
        followups=t.followups,
        collection=_q(actuals["collection"], CENT),
        payments=_q(actuals["collection"], CENT),
        collection_rate=_display("collection_rate", actuals["collection_rate"]),
        satisfaction=_display("satisfaction", actuals["satisfaction"]),
        completeness=_display("completeness", actuals["completeness"]),
        repurchases=t.repurchases,
        repurchase_rate=_display("repurchase_rate", actuals["repurchase_rate"]),
        complaint_response_hours=_display("complaint_response_hours", actuals["complaint_response_hours"]),
        score=score,
        grade=grade_for(score, grades),
        subscores=subscores,
        target_source=None if target is None else sources.get("revenue", "goal"),
        values={name: _display(name, value) for name, value in actuals.items()},
        **{name: _display(name, actuals[name]) for name in ("renewal_rate", "overdue_rate", "churn_rate")},
    )


def score_cards(
    metrics: Sequence[ManagerMetrics],
    goals: Mapping[str, Mapping[str, object]],
    weights: Mapping[str, object] | None = None,
    grades: Mapping[str, object] | None = None,
    sources: Mapping[str, Mapping[str, str]] | None = None,
) -> list[ScoreCard]:
    """Ranked cards for all managers (SPEC §3.3). ``weights``/``grades`` are the full
    ``score.weights`` / ``score.grades`` config tables (defaults when None); ``sources``
    {owner: {metric: "goal" | "plan"}} says where each goal came from."""
    w = validate_weights(DEFAULT_WEIGHTS if weights is None else weights)
    g = validate_grades(DEFAULT_GRADES if grades is None else grades)
    owners = [m.owner for m in metrics]
    if len(set(owners)) != len(owners):
        dup = next(o for o in owners if owners.count(o) > 1)
        raise BadInput(f"duplicate manager {dup!r} in score card input")
    cards = [score_card(m, goals.get(m.owner, {}), w, g, (sources or {}).get(m.owner)) for m in metrics]
    return rank(cards, by="score")


# --------------------------------------------------------------------------- ranking


def _rank_key(card: ScoreCard, by: str) -> tuple:
    if by == "score" and card.score is None:
        return (1, -card.revenue)  # unscored managers after scored ones, by revenue
    value = card.value(by)
    if value is None:
        return (2, ZERO)
    lower = by in figures.METRICS and figures.metric(by).lower_is_better
    return (0, value if lower else -value)


def rank(cards: Sequence[ScoreCard], by: str = "score") -> list[ScoreCard]:
    """Competition ranking (1, 1, 3) by ``by`` desc (response hours asc); ties share a rank and
    are listed by owner name. ``by="score"`` ranks managers without a score after those with
    one, by revenue (so with no goals at all it is a revenue ranking); None values go last."""
    if by not in RANK_FIELDS and by not in figures.METRICS:
        raise bad_value("by", by, "expected one of " + ", ".join(RANK_FIELDS))
    ordered = sorted(cards, key=lambda c: (_rank_key(c, by), c.owner))
    out, previous_key, previous_rank = [], None, 0
    for position, card in enumerate(ordered, start=1):
        key = _rank_key(card, by)
        current = previous_rank if key == previous_key else position
        out.append(replace(card, rank=current))
        previous_key, previous_rank = key, current
    return out


def rank_change(current: Sequence[ScoreCard], previous: Sequence[ScoreCard]) -> list[RankChange]:
    """Rank movement per owner of ``current`` (already ranked) against ``previous``."""
    before = {card.owner: card.rank for card in previous}
    out = []
    for card in current:
        old = before.get(card.owner)
        change = None if old is None or card.rank is None else old - card.rank
        out.append(RankChange(owner=card.owner, rank=card.rank, previous_rank=old, change=change))
    return out


@dataclass(frozen=True)
class Improvement:
    owner: str
    rank: int
    score: Decimal | None
    previous_score: Decimal | None
    improvement: Decimal | None  # score − previous_score; None when either is unknown


def rank_improvement(current: Sequence[ScoreCard], previous: Sequence[ScoreCard]) -> list[Improvement]:
    """``score rank --by improvement``: the change in score against the previous period, highest
    first; competition ranks (1, 1, 3), ties by owner name; unknown changes last."""
    before = {card.owner: card.score for card in previous}
    items = []
    for card in current:
        old = before.get(card.owner)
        change = None if card.score is None or old is None else card.score - old
        items.append((card.owner, card.score, old, change))
    items.sort(key=lambda i: ((1, ZERO) if i[3] is None else (0, -i[3]), i[0]))
    out, previous_key, previous_rank = [], None, 0
    for position, (owner, score, old, change) in enumerate(items, start=1):
        key = None if change is None else change
        current_rank = previous_rank if position > 1 and key == previous_key else position
        out.append(Improvement(owner, current_rank, score, old, change))
        previous_key, previous_rank = key, current_rank
    return out
