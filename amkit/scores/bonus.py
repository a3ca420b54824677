"""Bonus by rules (奖金): `amkit score bonus --period P --rules bonus.toml`. Pure: no database.

The rules file (README "Bonus by rules"):

    [bonus]
    base = 10000               # or [bonus.base] "张伟" = 12000 per manager (default_base for the rest)
    metric = "achievement"     # or "score"
    cap = 2.0                  # optional, times base
    [[bonus.band]]
    from = 0.8
    rate = 0.8
    [[bonus.gate]]             # optional: unmet → no bonus, with the reason
    metric = "collection_rate"
    min = 0.6                  # and/or max (for lower-is-better metrics)

bonus = base × the rate of the highest band whose ``from`` ≤ value (0 below the first band),
at most ``cap`` × base; a gate that is unmet (or whose metric is unknown for the manager: no
goal, nothing to divide) zeroes it. Money is rounded half up to 0.01. The value is the score
card's ``achievement`` (revenue / revenue goal) or ``score``: a manager without one gets 0.
Every bad key or value is BadInput naming the key and the value.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from amkit.errors import BadInput, bad_value
from amkit.metrics import figures

CENT = Decimal("0.01")
VALUES = ("achievement", "score")
_TOP = ("base", "default_base", "metric", "cap", "band", "gate")
_BAND = ("from", "rate")
_GATE = ("metric", "min", "max")


@dataclass(frozen=True)
class Band:
    start: Decimal  # "from"
    rate: Decimal


@dataclass(frozen=True)
class Gate:
    metric: str
    min: Decimal | None = None
    max: Decimal | None = None

    def unmet(self, value: Decimal | None) -> tuple[str, dict] | None:
        """Why the gate is not met (None when it is)."""
        if value is None:
            return ("gate {metric}: no value", {"metric": self.metric})
        if self.min is not None and value < self.min:
            return ("gate {metric}: {value} < {limit}", {"metric": self.metric, "value": value, "limit": self.min})
        if self.max is not None and value > self.max:
            return ("gate {metric}: {value} > {limit}", {"metric": self.metric, "value": value, "limit": self.max})
        return None


@dataclass(frozen=True)
class Rules:
    metric: str
    bands: tuple[Band, ...]
    base: Decimal | None = None  # one base for everyone
    bases: Mapping[str, Decimal] | None = None  # per manager ([bonus.base] table)
    cap: Decimal | None = None  # times base
    gates: tuple[Gate, ...] = ()

    def base_of(self, owner: str) -> Decimal | None:
        if self.bases is not None and owner in self.bases:
            return self.bases[owner]
        return self.base


@dataclass(frozen=True)
class BonusRow:
    owner: str
    value: Decimal | None
    band: Decimal | None  # the band's "from"
    rate: Decimal | None
    base: Decimal | None
    bonus: Decimal
    why: tuple[str, dict] | None = None  # (English template, its fields): why it is 0 or capped

    @property
    def reason(self) -> str | None:
        """Why the bonus is 0 or capped, in English (JSON); None when the band pays it."""
        return None if self.why is None else self.why[0].format(**self.why[1])

    def row(self) -> dict:
        """The JSON row: owner, value, band, rate, base, bonus, reason."""
        return {"owner": self.owner, "value": self.value, "band": self.band, "rate": self.rate,
                "base": self.base, "bonus": self.bonus, "reason": self.reason}


def _number(key: str, value: object, *, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise bad_value(key, value, "expected a number")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise bad_value(key, value, "expected a number") from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise bad_value(key, value, "expected a number above 0" if positive else "expected a number >= 0")
    return number


def _table(key: str, value: object, allowed: Sequence[str]) -> dict:
    if not isinstance(value, dict):
        raise bad_value(key, value, "expected a table")
    for name in value:
        if name not in allowed:
            raise bad_value(f"{key} key", name, f"unknown key; expected {', '.join(allowed)}")
    return value


def load_rules(text: str) -> Rules:
    """Parse and check a rules file's text; BadInput naming the key and the value."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"invalid rules file: {exc}") from None
    for name in data:
        if name != "bonus":
            raise bad_value("rules key", name, "unknown key; expected [bonus]")
    if "bonus" not in data:
        raise BadInput("invalid rules file: no [bonus] table")
    top = _table("bonus", data["bonus"], _TOP)
    metric = top.get("metric", "achievement")
    if metric not in VALUES:
        raise bad_value("bonus.metric", metric, "expected achievement or score")
    base, bases = None, None
    if "base" not in top:
        raise BadInput("invalid bonus.base: missing (a number, or a table of manager = amount)")
    if isinstance(top["base"], dict):
        bases = {str(k): _number(f"bonus.base.{k}", v) for k, v in top["base"].items()}
        if "default_base" in top:
            base = _number("bonus.default_base", top["default_base"])
    else:
        base = _number("bonus.base", top["base"])
        if "default_base" in top:
            raise bad_value("bonus.default_base", top["default_base"], "only with a [bonus.base] table")
    cap = _number("bonus.cap", top["cap"], positive=True) if "cap" in top else None
    bands = _bands(top.get("band"))
    gates = tuple(_gate(i, g) for i, g in enumerate(_list("bonus.gate", top.get("gate", [])), start=1))
    return Rules(metric, bands, base, bases, cap, gates)


def _list(key: str, value: object) -> list:
    if not isinstance(value, list):
        raise bad_value(key, value, f"expected [[{key}]] tables")
    return value


def _bands(value: object) -> tuple[Band, ...]:
    if value is None:
        raise BadInput("invalid bonus.band: missing (at least one [[bonus.band]] with from and rate)")
    bands = []
    for i, raw in enumerate(_list("bonus.band", value), start=1):
        band = _table(f"bonus.band[{i}]", raw, _BAND)
        for key in _BAND:
            if key not in band:
                raise BadInput(f"invalid bonus.band[{i}]: {key} is missing")
        bands.append(Band(_number(f"bonus.band[{i}].from", band["from"]),
                          _number(f"bonus.band[{i}].rate", band["rate"])))
    if not bands:
        raise BadInput("invalid bonus.band: at least one [[bonus.band]] is needed")
    for i, (low, high) in enumerate(zip(bands, bands[1:]), start=2):
        if high.start <= low.start:
            raise bad_value(f"bonus.band[{i}].from", float(high.start), f"must be above the band before ({low.start})")
    return tuple(bands)


def _gate(i: int, raw: object) -> Gate:
    gate = _table(f"bonus.gate[{i}]", raw, _GATE)
    name = gate.get("metric")
    if name is None:
        raise BadInput(f"invalid bonus.gate[{i}]: metric is missing")
    if name not in VALUES and name not in figures.METRICS:
        raise bad_value(f"bonus.gate[{i}].metric", name, "expected achievement, score or a metric: "
                        + ", ".join(figures.METRICS))
    if "min" not in gate and "max" not in gate:
        raise BadInput(f"invalid bonus.gate[{i}]: give min or max")
    low = _number(f"bonus.gate[{i}].min", gate["min"]) if "min" in gate else None
    high = _number(f"bonus.gate[{i}].max", gate["max"]) if "max" in gate else None
    return Gate(name, low, high)


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def bonus(owner: str, values: Mapping[str, object], rules: Rules) -> BonusRow:
    """One manager's bonus from their card's values ({"achievement": …, "score": …, metric: …})."""
    value = _decimal(values.get(rules.metric))
    base = rules.base_of(owner)
    band = next((b for b in reversed(rules.bands) if value is not None and b.start <= value), None)
    rate = None if band is None else band.rate
    if base is None:
        return BonusRow(owner, value, None if band is None else band.start, rate, None, Decimal("0.00"),
                        ("no base for this manager", {}))
    if value is None:
        why = "no revenue goal" if rules.metric == "achievement" else "no score"
        return BonusRow(owner, None, None, None, base, Decimal("0.00"), (why, {}))
    for gate in rules.gates:
        unmet = gate.unmet(_decimal(values.get(gate.metric)))
        if unmet:
            return BonusRow(owner, value, None if band is None else band.start, rate, base, Decimal("0.00"), unmet)
    if band is None:
        return BonusRow(owner, value, None, None, base, Decimal("0.00"),
                        ("below the first band ({start})", {"start": rules.bands[0].start}))
    amount, reason = base * band.rate, None
    if rules.cap is not None and amount > rules.cap * base:
        amount, reason = rules.cap * base, ("capped at {cap} × base", {"cap": rules.cap})
    return BonusRow(owner, value, band.start, band.rate, base, amount.quantize(CENT, ROUND_HALF_UP), reason)


def bonuses(cards: Sequence[Mapping[str, object]], rules: Rules) -> list[BonusRow]:
    """Bonus rows for score-card rows (dicts with ``owner`` and the metric values), in their order."""
    return [bonus(str(card["owner"]), card, rules) for card in cards]
