"""Score cards: every metric worked out by hand on a small fixture."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from amkit.errors import BadInput
from amkit.metrics.figures import Tally
from amkit.scores.calc import (
    DEFAULT_GRADES,
    DEFAULT_WEIGHTS,
    grade_for,
    rank,
    rank_change,
    score_cards,
    validate_goal,
    validate_grades,
    validate_weights,
)

def ManagerMetrics(owner, revenue=0, deals_won=0, deals_lost=0, new_customers=0, visits=0, followups=0,  # noqa: N802
                   payments=0, satisfaction=None, completeness=None, repurchases=0,
                   complaint_response_hours=None):
    """A manager's sums as the metrics layer tallies them (averages as one survey/customer/complaint)."""
    from amkit.scores.calc import ManagerMetrics as Card

    def one(value):  # an average as (sum, count)
        return (0, 0) if value is None else (D(str(value)), 1)

    return Card(owner, Tally(
        won_cents=int(D(revenue) * 100), won=deals_won, lost=deals_lost, repurchases=repurchases,
        paid_cents=int(D(payments) * 100), followups=followups, visits=visits, new=new_customers,
        complete=one(completeness)[0], owned=one(completeness)[1], score_sum=one(satisfaction)[0],
        surveys=one(satisfaction)[1], hours_sum=one(complaint_response_hours)[0],
        resolved=one(complaint_response_hours)[1]))


WANG = ManagerMetrics(
    owner="王芳",
    revenue=D("120000.00"),
    deals_won=3,
    deals_lost=1,
    new_customers=4,
    visits=12,
    followups=30,
    payments=D("90000.00"),
    satisfaction=4.5,
    completeness=0.8,
    repurchases=1,
    complaint_response_hours=6.0,
)
LI = ManagerMetrics("李雷", D("50000"), deals_won=1, deals_lost=3, new_customers=1, visits=5, followups=9,
                    payments=D("50000"))
ADAM = ManagerMetrics("Adam", D("80000"), deals_won=2, payments=D("20000"))
ZED = ManagerMetrics("Zed", D("999999"), deals_won=9)  # no goals at all
GOALS = {
    "王芳": {"revenue": D("100000"), "collection": D("108000"), "new_customers": 5, "visits": 10, "satisfaction": 4,
             "completeness": 0.9},
    "李雷": {"revenue": 100000, "new_customers": 2, "visits": 10, "followups": 99, "calls": 7},
    "Adam": {"revenue": 160000},
}


def cards():
    return {c.owner: c for c in score_cards([ZED, LI, WANG, ADAM], GOALS)}


def test_plain_metrics_by_hand():
    wang = cards()["王芳"]
    assert wang.revenue == D("120000.00") and wang.target == D("100000.00")
    assert wang.achievement == D("1.2000")  # 120000 / 100000
    assert wang.win_rate == D("0.7500")  # 3 / (3 + 1)
    assert wang.collection_rate == D("0.7500")  # 90000 / 120000
    assert wang.repurchase_rate == D("0.3333")  # 1 / 3
    assert wang.satisfaction == D("4.50") and wang.completeness == D("0.8000")
    assert wang.complaint_response_hours == D("6.00")
    li = cards()["李雷"]
    assert li.achievement == D("0.5000")  # 50000 / 100000
    assert li.win_rate == D("0.2500")  # 1 / (1 + 3)
    assert li.collection_rate == D("1.0000")  # 50000 / 50000
    assert li.repurchase_rate == D("0.0000") and li.satisfaction is None


def test_weighted_score_all_default_metrics():
    wang = cards()["王芳"]
    # ratio = min(actual / goal, 1.2):
    #   revenue 120000/100000 = 1.2        × 40 = 48
    #   collection 90000/108000 = 0.8333…   × 15 = 12.5
    #   new_customers 4/5 = 0.8             × 15 = 12
    #   visits 12/10 = 1.2                  × 10 = 12
    #   satisfaction 4.5/4 = 1.125          × 10 = 11.25
    #   completeness 0.8/0.9 = 0.8888…      × 10 = 8.8888…
    # weights sum to 100 already: score = 104.6388… → 104.64, grade A (95 <= 104.64 < 110)
    assert wang.score == D("104.64") and wang.grade == "A"
    sub = {s.metric: s for s in wang.subscores}
    assert sub["collection"].ratio == D("0.8333") and sub["collection"].points == D("12.50")
    assert sub["completeness"].weight == D("10.00") and sub["completeness"].points == D("8.89")


def test_weighted_score_rescaled_to_goals_present():
    li = cards()["李雷"]
    # Goals for revenue (w 40), new_customers (15), visits (10); followups/calls are not weighted,
    # collection/satisfaction/completeness have no goal → weights 40+15+10 = 65 rescaled to 100.
    # ratios 50000/100000 = 0.5, 1/2 = 0.5, 5/10 = 0.5 → (40·.5 + 15·.5 + 10·.5) / 65 × 100 = 50.00
    assert li.score == D("50.00") and li.grade == "D"
    sub = {s.metric: s for s in li.subscores}
    assert sub["revenue"].weight == D("61.54")  # 40 / 65 × 100 = 61.538…
    assert sub["new_customers"].weight == D("23.08")  # 15 / 65 × 100 = 23.076…
    assert sub["visits"].weight == D("15.38")  # 10 / 65 × 100 = 15.384…
    assert sub["collection"].goal is None and sub["collection"].points is None
    # Adam: only a revenue goal → 80000 / 160000 = 0.5 → score 0.5 × 100 = 50.00
    assert cards()["Adam"].score == D("50.00")


def test_rank_with_ties_and_unscored_last():
    ranked = score_cards([ZED, LI, WANG, ADAM], GOALS)
    # 王芳 104.64 → 1; Adam and 李雷 both 50.00 → 2, 2 (by owner name: "Adam" < "李雷");
    # Zed has no goals → no score → after the scored managers → 4 (competition ranking).
    assert [(c.owner, c.rank) for c in ranked] == [("王芳", 1), ("Adam", 2), ("李雷", 2), ("Zed", 4)]
    assert ranked[3].score is None and ranked[3].grade is None


def test_no_goals_ranks_by_revenue():
    ranked = score_cards([ManagerMetrics("b", D(10)), ManagerMetrics("c", D(30)), ManagerMetrics("a", D(10))], {})
    # revenue 30 → 1; a and b tie on 10 → 2, 2 listed by name.
    assert [(c.owner, c.rank, c.score, c.grade) for c in ranked] == [
        ("c", 1, None, None), ("a", 2, None, None), ("b", 2, None, None)]


def test_period_without_data_gives_none_not_errors():
    empty = ManagerMetrics("空")
    no_goal = score_cards([empty], {})[0]
    assert (no_goal.revenue, no_goal.target, no_goal.achievement) == (D("0.00"), None, None)
    assert (no_goal.win_rate, no_goal.collection_rate, no_goal.repurchase_rate) == (None, None, None)
    assert (no_goal.satisfaction, no_goal.completeness, no_goal.complaint_response_hours) == (None, None, None)
    assert (no_goal.score, no_goal.grade, no_goal.rank) == (None, None, 1)
    with_goals = score_cards([empty], {"空": {"revenue": 100, "completeness": 0.9, "satisfaction": 4}})[0]
    # revenue 0/100 = 0 is counted; completeness and satisfaction are unknown → left out → score 0.
    assert with_goals.achievement == D("0.0000") and with_goals.score == D("0.00") and with_goals.grade == "D"
    only_unknown = score_cards([empty], {"空": {"satisfaction": 4}})[0]
    assert only_unknown.score is None and only_unknown.grade is None
    assert score_cards([], {}) == []


def test_custom_weights_cap_and_response_hours():
    m = ManagerMetrics("x", D(500), visits=30, complaint_response_hours=0)
    weights = {"revenue": 50, "visits": 25, "response_hours": 25}
    card = score_cards([m], {"x": {"visits": 10, "response_hours": 4}}, weights=weights)[0]
    # visits 30/10 = 3 → capped 1.2; response 0 h → cap 1.2; revenue no goal →
    # (25·1.2 + 25·1.2) / 50 × 100 = 120.00 → S
    assert card.score == D("120.00") and card.grade == "S"
    slow = ManagerMetrics("y", complaint_response_hours=8)
    # lower is better: ratio = goal / actual = 4 / 8 = 0.5 → 50.00
    assert score_cards([slow], {"y": {"response_hours": 4}}, weights=weights)[0].score == D("50.00")


def test_grades_default_and_configured():
    assert [grade_for(D(s)) for s in ("110", "109.99", "95", "94.99", "80", "60", "59.99")] == [
        "S", "A", "A", "B", "B", "C", "D"]
    assert grade_for(None) is None
    grades = validate_grades({"S": 100, "A": 90, "B": 70, "C": 50})
    assert grade_for(D("100"), grades) == "S" and grade_for(D("49.99"), grades) == "D"
    assert validate_grades(DEFAULT_GRADES)["S"] == D(110)


def test_validate_weights():
    assert validate_weights(DEFAULT_WEIGHTS)["revenue"] == D(40)
    assert sum(validate_weights({"revenue": 33.3, "visits": 33.3, "collection": "33.4"}).values()) == 100
    # weights are relative (the score rescales them): 99 alone is as good as 100
    assert validate_weights({"revenue": 99}) == {"revenue": D(99)}
    cases = [
        ({"revenue": 40, "charm": 60}, "charm"),
        ({"revenue": 0, "visits": 0}, "above 0"),
        ({"revenue": 110, "visits": -10}, "score.weights.visits"),
        ({"revenue": True}, "score.weights.revenue"),
        ({"revenue": "much"}, "'much'"),
        ({}, "above 0"),
    ]
    for weights, word in cases:
        with pytest.raises(BadInput) as err:
            validate_weights(weights)
        assert err.value.exit_code == 2 and word in err.value.message


@pytest.mark.parametrize(
    "grades, word",
    [
        ({"S": 110, "A": 95, "B": 80, "C": 60, "E": 1}, "'E'"),
        ({"S": 110, "A": 95, "B": 80}, "score.grades.C"),
        ({"S": 90, "A": 95, "B": 80, "C": 60}, "score.grades.S"),
        ({"S": "x", "A": 95, "B": 80, "C": 60}, "score.grades.S"),
    ],
)
def test_validate_grades_errors(grades, word):
    with pytest.raises(BadInput) as err:
        validate_grades(grades)
    assert word in err.value.message


def test_validate_goal_scales():
    assert validate_goal("collection_rate", 0.9) == D("0.9")
    assert validate_goal("collection", 90000) == D(90000)  # collection is money
    assert validate_goal("satisfaction", 5) == D(5)
    for metric, target in [("collection_rate", 90), ("completeness", 0), ("satisfaction", 6), ("revenue", -1)]:
        with pytest.raises(BadInput, match=f"goal {metric}"):
            validate_goal(metric, target)
    with pytest.raises(BadInput, match="goal collection_rate"):
        score_cards([WANG], {"王芳": {"collection_rate": 90}})


def test_bad_metrics_and_duplicates():
    with pytest.raises(BadInput, match="satisfaction of x"):
        score_cards([ManagerMetrics("x", satisfaction=7)], {})
    with pytest.raises(BadInput, match="revenue of x"):
        score_cards([ManagerMetrics("x", D(-1))], {})
    with pytest.raises(BadInput, match="duplicate"):
        score_cards([ManagerMetrics("x"), ManagerMetrics("x")], {})


def test_rank_by_other_fields():
    all_cards = score_cards([ZED, LI, WANG, ADAM], GOALS)
    # win rate: Adam 2/2 = 1, Zed 9/9 = 1 (tie → 1, 1 by name), 王芳 0.75, 李雷 0.25
    assert [(c.owner, c.rank) for c in rank(all_cards, by="win_rate")] == [
        ("Adam", 1), ("Zed", 1), ("王芳", 3), ("李雷", 4)]
    # response hours: lower is better; unknown (None) goes last, tied.
    assert [(c.owner, c.rank) for c in rank(all_cards, by="complaint_response_hours")] == [
        ("王芳", 1), ("Adam", 2), ("Zed", 2), ("李雷", 2)]
    with pytest.raises(BadInput, match="'charm'"):
        rank(all_cards, by="charm")


def test_rank_change():
    current = score_cards([ZED, LI, WANG, ADAM], GOALS)  # 王芳 1, Adam 2, 李雷 2, Zed 4
    previous = rank(score_cards([LI, WANG, ADAM], {}), by="revenue")  # 王芳 1, Adam 2, 李雷 3
    changes = {c.owner: (c.rank, c.previous_rank, c.change) for c in rank_change(current, previous)}
    # change = previous - current: 李雷 3 → 2 is +1 (up); Zed is new → None.
    assert changes == {"王芳": (1, 1, 0), "Adam": (2, 2, 0), "李雷": (2, 3, 1), "Zed": (4, None, None)}
