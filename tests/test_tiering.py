"""Tiering: Pareto boundaries, RFM, rules and the Pareto curve, with hand-computed values."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amkit.errors import BadInput
from amkit.tiers.calc import (
    CustomerFacts,
    CustomerValue,
    RfmInput,
    apply_rules,
    load_rules,
    pareto,
    pareto_curve,
    quintile_scores,
    rfm,
)

# S = 500 + 150 + 150 + 100 + 50 + 30 + 20 + 0 = 1000, so 0.8·S = 800 and 0.95·S = 950.
FIXTURE = [
    CustomerValue(1, "Acme", D("500"), old_tier="C"),
    CustomerValue(3, "Bravo", D("150"), old_tier="A"),  # ties with Beta; Beta sorts first
    CustomerValue(2, "Beta", D("150"), old_tier="B"),
    CustomerValue(4, "Delta", D("100"), old_tier="A"),
    CustomerValue(5, "Echo", D("50"), old_tier="A", locked=True),
    CustomerValue(6, "Fox", D("30"), old_tier="C"),
    CustomerValue(7, "Golf", D("20"), old_tier="C"),
    CustomerValue(8, "Zero", D("0"), old_tier="A"),
]


def by_name(rows):
    return {row.customer: row for row in rows}


def test_pareto_order_and_tiers_at_exact_boundaries():
    rows = pareto(FIXTURE)
    assert [r.customer for r in rows] == ["Acme", "Beta", "Bravo", "Delta", "Echo", "Fox", "Golf", "Zero"]
    # c (value strictly before):   0    500    650    800    900   950   980   1000
    # A if c < 800, B if c < 950, else C; Delta has c = 800 = 0.8·S exactly → B;
    # Echo (c = 900) would be B but is locked at A; Fox has c = 950 = 0.95·S exactly → C;
    # Zero has value 0 → C whatever c is.
    assert [r.tier for r in rows] == ["A", "A", "A", "B", "A", "C", "C", "C"]


def test_pareto_shares_and_changes():
    rows = by_name(pareto(FIXTURE))
    # share = value / 1000, cumulative includes the customer itself.
    assert rows["Acme"].share == D("0.5000") and rows["Acme"].cumulative_share == D("0.5000")
    assert rows["Beta"].cumulative_share == D("0.6500")  # (500 + 150) / 1000
    assert rows["Bravo"].cumulative_share == D("0.8000")  # (650 + 150) / 1000
    assert rows["Fox"].share == D("0.0300") and rows["Fox"].cumulative_share == D("0.9800")
    assert rows["Zero"].share == D("0.0000") and rows["Zero"].cumulative_share == D("1.0000")
    assert rows["Acme"].value == D("500.00")
    changed = {name for name, row in rows.items() if row.changed}
    # Acme C→A, Beta B→A, Delta A→B, Zero A→C; Bravo stays A; Fox, Golf stay C; Echo locked.
    assert changed == {"Acme", "Beta", "Delta", "Zero"}
    assert rows["Echo"].locked and rows["Echo"].old_tier == "A" and not rows["Echo"].changed


def test_pareto_tie_decided_by_name_across_a_boundary():
    # S = 100. P: c=0 → A; Q: c=70 → A; R (same value as Q, sorts after it): c=80 = 0.8·S → B;
    # S: c=90 < 95 → B.
    values = [CustomerValue(i, n, D(v)) for i, (n, v) in enumerate([("S", 10), ("R", 10), ("Q", 10), ("P", 70)])]
    assert [(r.customer, r.tier) for r in pareto(values)] == [("P", "A"), ("Q", "A"), ("R", "B"), ("S", "B")]


def test_pareto_exact_with_cents():
    # S = 0.56 + 0.14 + 0.10 + 0.10 = 0.90; 0.8·S = 0.72; 0.95·S = 0.855.
    # x: c=0 A; y: c=0.56 A; z1: c=0.70 A; z2: c=0.80 → B (0.80 < 0.855).
    values = [
        CustomerValue(1, "x", D("0.56")),
        CustomerValue(2, "y", D("0.14")),
        CustomerValue(3, "z1", D("0.10")),
        CustomerValue(4, "z2", D("0.10")),
    ]
    assert [r.tier for r in pareto(values)] == ["A", "A", "A", "B"]
    # S = 1.00 with c = 0.80 exactly for the third customer → B, not A (no float drift).
    values = [CustomerValue(1, "a", D("0.7")), CustomerValue(2, "b", D("0.1")), CustomerValue(3, "c", D("0.1")),
              CustomerValue(4, "d", D("0.1"))]
    assert [r.tier for r in pareto(values)] == ["A", "A", "B", "B"]  # c = 0, .7, .8, .9


def test_pareto_float_input_is_rounded_to_cents():
    rows = pareto([CustomerValue(1, "a", 0.1 + 0.2), CustomerValue(2, "b", 0.7)])
    assert [r.value for r in rows] == [D("0.70"), D("0.30")]


def test_pareto_second_run_changes_nothing():
    first = pareto(FIXTURE)
    again = [CustomerValue(r.customer_id, r.customer, r.value, r.tier, r.locked) for r in first]
    second = pareto(again)
    assert not any(r.changed for r in second)
    assert [r.tier for r in second] == [r.tier for r in first]


def test_pareto_all_zero_and_empty():
    rows = pareto([CustomerValue(1, "a", D(0), "A"), CustomerValue(2, "b", D(0), None)])
    assert [(r.tier, r.share, r.cumulative_share) for r in rows] == [("C", None, None), ("C", None, None)]
    assert pareto([]) == []


def test_pareto_none_value_counts_as_zero():
    rows = pareto([CustomerValue(1, "a", None, "B"), CustomerValue(2, "b", D(5), "B")])
    assert [(r.customer, r.value, r.tier) for r in rows] == [("b", D("5.00"), "A"), ("a", D("0.00"), "C")]


def test_pareto_locked_without_old_tier_gets_computed_tier():
    rows = pareto([CustomerValue(1, "a", D(10), None, locked=True)])
    assert rows[0].tier == "A" and rows[0].changed


@pytest.mark.parametrize(
    "value, tier, field",
    [(D("-1"), "A", "value"), ("lots", "A", "value"), (D("NaN"), "A", "value"), (D(1), "X", "old_tier")],
)
def test_pareto_bad_input(value, tier, field):
    with pytest.raises(BadInput) as err:
        pareto([CustomerValue(1, "a", value, tier)])
    assert err.value.exit_code == 2 and field in err.value.message


# --------------------------------------------------------------------------- property

TIER_ORDER = {"A": 0, "B": 1, "C": 2}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**8), max_size=40), st.randoms())
def test_pareto_properties(cents, rnd):
    values = [CustomerValue(i, f"c{i:03d}", D(c).scaleb(-2)) for i, c in enumerate(cents)]
    rnd.shuffle(values)
    rows = pareto(values)
    assert len(rows) == len(values)
    keys = [(-r.value, r.customer) for r in rows]
    assert keys == sorted(keys)
    ranks = [TIER_ORDER[r.tier] for r in rows if r.value > 0]
    assert ranks == sorted(ranks)  # never an A after a B, never a B after a C
    assert all(r.tier == "C" for r in rows if r.value == 0)
    if any(r.value > 0 for r in rows):
        assert rows[0].tier == "A"  # the top customer always has c = 0 < 0.8·S
        assert rows[-1].cumulative_share == D("1.0000")
    rerun = pareto([CustomerValue(r.customer_id, r.customer, r.value, r.tier) for r in rows])
    assert not any(r.changed for r in rerun)


# --------------------------------------------------------------------------- curve


def test_pareto_curve_fixture():
    curve = pareto_curve(FIXTURE)
    assert curve.customers == 8 and curve.total == D("1000.00")
    # Cumulative 500, 650, 800 → 800 >= 0.8·1000 at rank 3: 3 of 8 customers = 0.375.
    assert curve.customers_for_80 == 3 and curve.customer_share_for_80 == D("0.3750")
    third = curve.rows[2]
    assert (third.rank, third.customer, third.cumulative_share, third.customer_share) == (
        3, "Bravo", D("0.8000"), D("0.3750"))
    assert curve.rows[-1].customer_share == D("1.0000")


def test_pareto_curve_empty_and_zero():
    empty = pareto_curve([])
    assert (empty.rows, empty.customers, empty.total, empty.customers_for_80) == ([], 0, D("0.00"), None)
    zero = pareto_curve([CustomerValue(1, "a", D(0))])
    assert zero.customers_for_80 is None and zero.customer_share_for_80 is None
    assert zero.rows[0].customer_share == D("1.0000") and zero.rows[0].cumulative_share is None


# --------------------------------------------------------------------------- RFM

AS_OF = date(2026, 11, 30)
RFM_FIXTURE = [
    RfmInput(1, "Ann", D(5000), 10, date(2026, 11, 29), "B"),  # 1 day
    RfmInput(2, "Bob", D(4000), 2, date(2026, 11, 20), "B"),  # 10 days
    RfmInput(3, "Cat", D(100), 8, date(2026, 11, 28), "C"),  # 2 days
    RfmInput(4, "Dan", D(0), 0, None, "A", locked=True),  # never
    RfmInput(5, "Eve", D(2000), 5, date(2026, 6, 1), "A"),  # 30+31+31+30+31+29 = 182 days
]


def test_quintile_scores_by_hand():
    # n = 5 distinct: k strictly worse = 0..4 → 1 + floor(5k/5) = 1..5.
    assert quintile_scores([3, 1, 4, 0, 2]) == [4, 2, 5, 1, 3]
    # n = 10 distinct: 1 + floor(5k/10) = 1,1,2,2,3,3,4,4,5,5.
    assert quintile_scores(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # ties: sorted [0, 5, 10, 10]; both 10s have k=2 → 1 + 10//4 = 3; 5 has k=1 → 1 + 5//4 = 2.
    assert quintile_scores([10, 10, 5, 0]) == [3, 3, 2, 1]
    assert quintile_scores([]) == []


def test_rfm_fixture_by_hand():
    rows = rfm(RFM_FIXTURE, AS_OF)
    # Ordered by value: Ann 5000, Bob 4000, Eve 2000, Cat 100, Dan 0.
    assert [r.customer for r in rows] == ["Ann", "Bob", "Eve", "Cat", "Dan"]
    got = {r.customer: (r.recency_days, r.r_score, r.f_score, r.m_score, r.rfm_score, r.tier) for r in rows}
    # recency best→worst: Ann 1, Cat 2, Bob 10, Eve 182, Dan never → R 5,4,3,2,1
    # frequency: Ann 10, Cat 8, Eve 5, Bob 2, Dan 0 → F 5,4,3,2,1
    # monetary: Ann, Bob, Eve, Cat, Dan → M 5,4,3,2,1
    # totals: Ann 5+5+5=15 A; Bob 3+2+4=9 B; Eve 2+3+3=8 B (>= 8); Cat 4+4+2=10 B; Dan 3 → C
    # but Dan is locked at A.
    assert got == {
        "Ann": (1, 5, 5, 5, 15, "A"),
        "Bob": (10, 3, 2, 4, 9, "B"),
        "Eve": (182, 2, 3, 3, 8, "B"),
        "Cat": (2, 4, 4, 2, 10, "B"),
        "Dan": (None, 1, 1, 1, 3, "A"),
    }
    assert {r.customer for r in rows if r.changed} == {"Ann", "Eve", "Cat"}


def test_rfm_is_order_independent_and_thresholds_configurable():
    shuffled = list(RFM_FIXTURE)
    random.Random(7).shuffle(shuffled)
    assert rfm(shuffled, AS_OF) == rfm(RFM_FIXTURE, AS_OF)
    # thresholds (10, 9): Ann 15 A, Cat 10 A, Bob 9 B, Eve 8 C.
    tiers = {r.customer: r.tier for r in rfm(RFM_FIXTURE, AS_OF, thresholds=(10, 9))}
    assert (tiers["Ann"], tiers["Cat"], tiers["Bob"], tiers["Eve"]) == ("A", "A", "B", "C")


def test_rfm_future_activity_counts_as_zero_days_and_bad_input():
    row = rfm([RfmInput(1, "a", D(1), 1, date(2026, 12, 5))], AS_OF)[0]
    assert row.recency_days == 0
    with pytest.raises(BadInput, match="frequency"):
        rfm([RfmInput(1, "a", D(1), -1, None)], AS_OF)
    with pytest.raises(BadInput, match="thresholds"):
        rfm(RFM_FIXTURE, AS_OF, thresholds=(8, 12))


# --------------------------------------------------------------------------- rules

RULES_TOML = """
default = "C"
[[rule]]            # first match wins
tier = "A"
min_value = 1000000
[[rule]]
tier = "B"
min_value = 100000
max_days_since_contact = 30
[[rule]]
tier = "C"
has_open_complaint = true
[[rule]]
tier = "B"
lifecycle = ["active", "prospect"]
min_followups_90d = 3
industry = "银行"
"""


def facts(cid, name, value, **kw):
    return CustomerFacts(cid, name, D(value), **kw)


def test_rules_first_match_and_default():
    rules = load_rules(RULES_TOML)
    rows = apply_rules(rules, [
        facts(1, "Big", 2_000_000, days_since_contact=200, has_open_complaint=True, old_tier="B"),
        facts(2, "Edge", 1_000_000, old_tier="A"),  # min_value is inclusive → rule 1
        facts(3, "Mid", 200_000, days_since_contact=30, old_tier="C"),  # max days inclusive
        facts(4, "Stale", 200_000, days_since_contact=31, lifecycle="active", old_tier="B"),
        facts(5, "Never", 150_000, days_since_contact=None, old_tier="C"),
        facts(6, "中国银行", 0, lifecycle="active", followups_90d=3, industry="银行"),
        facts(7, "工商银行", 0, lifecycle="active", followups_90d=5, industry="银行", has_open_complaint=True),
        facts(8, "Lead", 0, lifecycle="lead", followups_90d=9, industry="银行", old_tier="A", locked=True),
    ])
    got = {r.customer: (r.tier, r.rule) for r in rows}
    assert got == {
        "Big": ("A", 1),  # rules 1 and 3 match; the first wins
        "Edge": ("A", 1),
        "Mid": ("B", 2),
        "Stale": ("C", None),  # 31 days > 30 → no rule → default
        "Never": ("C", None),  # never contacted fails max_days_since_contact
        "中国银行": ("B", 4),
        "工商银行": ("C", 3),  # open complaint matches rule 3 before rule 4
        "Lead": ("A", None),  # lifecycle lead matches nothing; locked keeps A
    }
    assert [r.customer for r in rows][:3] == ["Big", "Edge", "Mid"]
    # S = 2,000,000 + 1,000,000 + 200,000 + 200,000 + 150,000 = 3,550,000
    assert rows[0].share == D("0.5634")  # 2,000,000 / 3,550,000 = 0.56338…


def test_rules_default_and_min_days():
    rules = load_rules({"default": "B", "rule": [{"tier": "C", "min_days_since_contact": 90}]})
    rows = apply_rules(rules, [facts(1, "old", 5, days_since_contact=90), facts(2, "never", 4),
                               facts(3, "fresh", 3, days_since_contact=89)])
    assert [(r.customer, r.tier) for r in rows] == [("old", "C"), ("never", "C"), ("fresh", "B")]
    assert load_rules("") == load_rules({"default": "C"})


@pytest.mark.parametrize(
    "text, words",
    [
        ('[[rule]]\ntier = "A"\n[[rule]]\ntier = "B"\nmin_revenue = 5\n', ["min_revenue", "rule #2"]),
        ('defualt = "C"\n', ["defualt"]),
        ('default = "D"\n', ["default", "'D'"]),
        ('[[rule]]\ntier = "a"\n', ["rule #1 tier"]),
        ('[[rule]]\nmin_value = 5\n', ["rule #1", "no tier"]),
        ('[[rule]]\ntier = "A"\nmin_value = "lots"\n', ["rule #1 min_value", "'lots'"]),
        ('[[rule]]\ntier = "A"\nmin_value = -1\n', ["min_value", "negative"]),
        ('[[rule]]\ntier = "A"\nhas_open_complaint = "yes"\n', ["has_open_complaint"]),
        ('[[rule]]\ntier = "A"\nmax_days_since_contact = 1.5\n', ["max_days_since_contact"]),
        ('[[rule]]\ntier = "A"\nmin_followups_90d = true\n', ["min_followups_90d"]),
        ('[[rule]]\ntier = "A"\nlifecycle = "asleep"\n', ["lifecycle", "asleep"]),
        ('[[rule]]\ntier = "A"\nindustry = 3\n', ["industry"]),
        ('[[rule]]\ntier = "A"\nmin_value = 10\nmax_value = 5\n', ["max_value"]),
        ('[rule]\ntier = "A"\n', ["rule", "[[rule]]"]),
        ('tier = = "A"\n', ["invalid rules file"]),
    ],
)
def test_rules_errors_name_the_key(text, words):
    with pytest.raises(BadInput) as err:
        load_rules(text)
    assert err.value.exit_code == 2
    assert "\n" not in err.value.message
    for word in words:
        assert word in err.value.message


def test_rules_rerun_changes_nothing():
    rules = load_rules(RULES_TOML)
    first = apply_rules(rules, [facts(1, "a", 2_000_000), facts(2, "b", 10)])
    again = apply_rules(rules, [replace(facts(r.customer_id, r.customer, r.value), old_tier=r.tier) for r in first])
    assert not any(r.changed for r in again)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=1, max_value=10**15))
def test_shares_round_half_up_like_decimal(numerator, denominator):
    """Shares are rounded in integers; Decimal division with ROUND_HALF_UP is the reference."""
    from decimal import ROUND_HALF_UP

    from amkit.tiers.calc import _fraction

    expected = (D(numerator) / D(denominator)).quantize(D("0.0001"), rounding=ROUND_HALF_UP)
    got = _fraction(numerator, denominator)
    assert got == expected and str(got) == str(expected)


def test_values_known_in_cents_tier_like_decimal_values():
    """CustomerValue.of_cents (the database path) gives the rows the Decimal inputs give."""
    rng = random.Random(7)
    cents = [rng.choice([0, 0, rng.randint(1, 10**9)]) for _ in range(300)]
    as_decimal = [CustomerValue(i, f"c{i:03d}", D(c) / 100, "B", i % 17 == 0) for i, c in enumerate(cents)]
    as_cents = [CustomerValue.of_cents(i, f"c{i:03d}", c, "B", i % 17 == 0) for i, c in enumerate(cents)]
    assert pareto(as_cents) == pareto(as_decimal)
