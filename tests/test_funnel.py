"""The sales funnel on a hand-built fixture, through the pure function and through the CLI.

Fixture (customer, stage history; all dates 2026):
  D1 c1: created contact 01-01, needs 01-11, quote 01-21, negotiation 02-10, won 03-01
  D2 c2: created contact 01-05, needs 01-09, lost 01-29 (from needs)
  D3 c1: created at quote 04-01, negotiation 04-08, won 04-20   (c1's second win: repurchase)
  D4 c3: created contact 02-01, lost 02-04 (from contact)
  D5 c3: created at negotiation 03-01, still open
  D6 c4: created lost 05-01 (no earlier stage known → lost at contact)
  D7 c2: created contact 02-01, quote 02-06 (skips needs), back to needs 02-16, lost 03-08

Furthest stage reached: D1 won, D2 needs, D3 won, D4 contact, D5 negotiation, D6 contact, D7 quote.

contact     entered 7 (all); advanced 5 (D1 D2 D3 D5 D7) → 5/7 = 0.7143; lost 2 (D4, D6);
            days in contact: D1 10, D2 4, D4 3, D7 5 → median of 3,4,5,10 = 4.5
needs       entered 5 (D1 D2 D3 D5 D7: D3/D5 passed it by being created later); advanced 4
            (D1 D3 D5 D7) → 0.8; lost 2 (D2, D7); days: D1 10, D2 20, D7 20 → 20
quote       entered 4 (D1 D3 D5 D7); advanced 3 (D1 D3 D5) → 0.75; lost 0;
            days: D1 20, D3 7, D7 10 → 10
negotiation entered 3 (D1 D3 D5); advanced 2 → 0.6667; lost 0; days: D1 19, D3 12 (D5 still
            there) → 15.5
won         entered 2 (D1 D3); advanced 1 (D1, followed by D3) → 0.5; lost 0;
            sales cycle: D1 01-01→03-01 = 59, D3 04-01→04-20 = 19 → 39
repurchase  entered 1 (D3); days since c1's previous win 03-01→04-20 = 50
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from amkit.deals.calc import Change, DealFacts, Win, funnel

D = dt.date
EXPECTED = [
    {"stage": "contact", "entered": 7, "advanced": 5, "conversion": 0.7143, "lost": 2, "median_days": 4.5},
    {"stage": "needs", "entered": 5, "advanced": 4, "conversion": 0.8, "lost": 2, "median_days": 20.0},
    {"stage": "quote", "entered": 4, "advanced": 3, "conversion": 0.75, "lost": 0, "median_days": 10.0},
    {"stage": "negotiation", "entered": 3, "advanced": 2, "conversion": 0.6667, "lost": 0, "median_days": 15.5},
    {"stage": "won", "entered": 2, "advanced": 1, "conversion": 0.5, "lost": 0, "median_days": 39.0},
    {"stage": "repurchase", "entered": 1, "advanced": None, "conversion": None, "lost": None, "median_days": 50.0},
]

# (deal, customer, [(stage, month, day), ...]) in order; the first entry is the created stage
FIXTURE = [
    (1, 1, [("contact", 1, 1), ("needs", 1, 11), ("quote", 1, 21), ("negotiation", 2, 10), ("won", 3, 1)]),
    (2, 2, [("contact", 1, 5), ("needs", 1, 9), ("lost", 1, 29)]),
    (3, 1, [("quote", 4, 1), ("negotiation", 4, 8), ("won", 4, 20)]),
    (4, 3, [("contact", 2, 1), ("lost", 2, 4)]),
    (5, 3, [("negotiation", 3, 1)]),
    (6, 4, [("lost", 5, 1)]),
    (7, 2, [("contact", 2, 1), ("quote", 2, 6), ("needs", 2, 16), ("lost", 3, 8)]),
]


def _pure_inputs(keep=lambda created: True):  # noqa: ANN001, ANN202
    deals, changes, wins, seq = [], [], [], 0
    for deal_id, customer, path in FIXTURE:
        created = D(2026, path[0][1], path[0][2])
        prev = None
        for stage, month, day in path:
            seq += 1
            changes.append(Change(deal_id, prev, stage, D(2026, month, day), seq))
            prev = stage
        if prev == "won":
            wins.append(Win(deal_id, customer, D(2026, path[-1][1], path[-1][2])))
        if keep(created):
            deals.append(DealFacts(deal_id, customer, prev, created))
    # the repurchases (amkit.metrics.figures decides, from the database): D3, customer 1's
    # second win, 50 days after D1 (1 Mar → 20 Apr)
    return deals, changes, wins, {3: 50}


def test_funnel_by_hand():
    assert funnel(*_pure_inputs()) == EXPECTED


def test_period_filter_keeps_repurchases_of_all_wins():
    # Q1 keeps D1 D2 D4 D5 D7. won: D1 only, still "advanced" because c1 won again (D3) later.
    rows = funnel(*_pure_inputs(lambda created: created < D(2026, 4, 1)))
    by_stage = {r["stage"]: r for r in rows}
    assert by_stage["contact"]["entered"] == 5 and by_stage["contact"]["lost"] == 1  # D4 only
    assert by_stage["won"] == {"stage": "won", "entered": 1, "advanced": 1, "conversion": 1.0, "lost": 0,
                               "median_days": 59.0}
    assert by_stage["repurchase"]["entered"] == 0 and by_stage["repurchase"]["median_days"] is None


def test_empty_funnel_has_null_conversions():
    rows = funnel([], [], [], {})
    assert [r["entered"] for r in rows] == [0] * 6
    assert all(r["conversion"] is None for r in rows)


ORDER = ["contact", "needs", "quote", "negotiation", "won", "lost"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(ORDER), min_size=1, max_size=6), max_size=12))
def test_open_stage_advanced_is_next_stage_entered(paths):
    deals, changes = [], []
    for i, path in enumerate(paths, start=1):
        path = [s for j, s in enumerate(path) if j == 0 or s != path[j - 1]]
        prev = None
        for k, stage in enumerate(path):
            changes.append(Change(i, prev, stage, D(2026, 1, 1) + dt.timedelta(days=k), len(changes)))
            prev = stage
        deals.append(DealFacts(i, i, prev, D(2026, 1, 1)))
    rows = funnel(deals, changes, [], {})
    assert rows[0]["entered"] == len(deals)
    for cur, nxt in zip(rows[:4], rows[1:5]):
        assert cur["advanced"] == nxt["entered"] <= cur["entered"]
        assert cur["conversion"] is None or 0 <= cur["conversion"] <= 1
    assert sum(r["lost"] for r in rows[:5]) == sum(1 for d in deals if d.stage == "lost")


def test_funnel_through_the_cli(cli):
    """The same fixture entered with deal add / deal move gives the same report."""
    assert cli("manager", "add", "张伟").exit_code == 0
    for name in ("甲公司", "乙公司", "丙公司", "丁公司"):
        assert cli("customer", "add", name, "--owner", "张伟").exit_code == 0
    names = {1: "甲公司", 2: "乙公司", 3: "丙公司", 4: "丁公司"}
    for deal_id, customer, path in FIXTURE:
        first, month, day = path[0]
        r = cli("deal", "add", names[customer], "--stage", first, "--amount", "1000",
                "--created", f"2026-{month:02d}-{day:02d}")
        assert r.exit_code == 0, r.stderr
        assert r.stdout.strip() == str(deal_id)
        for stage, month, day in path[1:]:
            r = cli("deal", "move", deal_id, stage, "--on", f"2026-{month:02d}-{day:02d}")
            assert r.exit_code == 0, r.stderr
    r = cli("report", "funnel", "-f", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json() == EXPECTED
    q1 = cli("report", "funnel", "--period", "2026Q1", "-f", "json").json()
    assert q1[0]["entered"] == 5 and q1[4]["entered"] == 1 and q1[5]["entered"] == 0
    table = cli("report", "funnel")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    contact = next(line for line in lines if line.startswith("contact"))
    assert "71.4%" in contact and contact.rstrip().endswith("█" * 24)
    assert cli("report", "funnel", "--period", "2026Q5").exit_code == 2
