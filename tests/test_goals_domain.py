from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amkit.core.workcal import WorkCalendar
from amkit.errors import BadInput
from amkit.goals.calc import (
    METRICS,
    GoalLines,
    default_lines,
    largest_remainder,
    metric_info,
    parse_weights,
    plan,
    progress,
    quantum,
    replan,
    split_team,
    suggest,
)
from amkit.core.periods import parse_period, period_containing

CN = WorkCalendar("CN")
NONE = WorkCalendar("none")
D = Decimal


def bad(fn, *args, **kwargs) -> str:
    with pytest.raises(BadInput) as err:
        fn(*args, **kwargs)
    return str(err.value)


# --- metrics and lines -------------------------------------------------------------------

def test_rate_and_lower_is_better_goals():
    rate = default_lines("collection_rate", "0.9")
    assert (rate.target, rate.excellent, rate.stretch) == (D("0.9000"), D("1.0800"), D("1.3500"))
    hours = default_lines("complaint_response_hours", 12)  # lower is better: 12 / 1.2, 12 / 1.5
    assert (hours.target, hours.excellent, hours.stretch) == (D("12.00"), D("10.00"), D("8.00"))
    p = progress(rate, "2026Q4", WorkCalendar("none"), date(2026, 11, 20), D("0.45"))
    # a rate is not prorated: pace = achievement = 0.45 / 0.9; projected = the rate itself
    assert (p.achievement, p.pace, p.projected, p.projected_line) == (D("0.5000"), D("0.5000"), D("0.45"), "below")
    h = progress(hours, "2026Q4", WorkCalendar("none"), date(2026, 11, 20), D("9.60"))
    assert (h.achievement, h.projected_line) == (D("1.2500"), "excellent")  # 12 / 9.6
    unknown = progress(rate, "2026Q4", WorkCalendar("none"), date(2026, 11, 20), None)
    assert unknown.actual is None and unknown.achievement is None and unknown.projected is None
    assert "not an amount" in bad(plan, "2026Q4", rate, "week", WorkCalendar("none"))


def test_metrics_registry():
    # every metric of the metrics layer can be a goal (SPEC §6), each in its unit
    assert {m: METRICS[m].kind for m in METRICS} == {
        "revenue": "money", "collection": "money", "deals_won": "count", "deals_lost": "count",
        "new_customers": "count", "visits": "count", "followups": "count", "win_rate": "fraction",
        "collection_rate": "fraction", "satisfaction": "score", "completeness": "fraction",
        "repurchases": "count", "repurchase_rate": "fraction", "complaint_response_hours": "hours",
        "renewal_rate": "fraction", "overdue_rate": "fraction", "churn_rate": "fraction"}
    assert quantum("revenue") == D("0.01") and quantum("visits") == 1 and quantum("collection_rate") == D("0.0001")
    msg = bad(metric_info, "profit")
    assert "metric 'profit'" in msg and "revenue" in msg and "followups" in msg


@pytest.mark.parametrize(
    "metric, target, excellent, stretch",
    [
        ("deals_won", 7, 8, 11),  # 8.4 -> 8, 10.5 -> 11 (half up)
        ("visits", 5, 6, 8),  # 6, 7.5 -> 8
        ("visits", 1, 1, 2),  # 1.2 -> 1, 1.5 -> 2
        ("visits", 0, 0, 0),
        ("revenue", D("100.05"), D("120.06"), D("150.08")),  # 150.075 -> 150.08
        ("revenue", "33.33", D("40.00"), D("50.00")),  # 39.996 -> 40.00, 49.995 -> 50.00
        ("collection", 1000000, D("1200000.00"), D("1500000.00")),
    ],
)
def test_default_lines(metric, target, excellent, stretch):
    lines = default_lines(metric, target)
    assert (lines.excellent, lines.stretch) == (excellent, stretch)
    assert type(lines.target) is (int if METRICS[metric].kind == "count" else Decimal)


def test_given_lines_are_kept():
    assert default_lines("revenue", 100, 110, 200) == GoalLines(
        "revenue", D("100.00"), D("110.00"), D("200.00"))
    assert default_lines("visits", 10, stretch=30) == GoalLines("visits", 10, 12, 30)


@pytest.mark.parametrize(
    "kwargs, field, value",
    [
        (dict(target=-1), "target", "-1"),
        (dict(target="abc"), "target", "abc"),
        (dict(target="NaN"), "target", "NaN"),
        (dict(target=True), "target", "True"),
        (dict(target=10, excellent=9), "excellent", "9"),
        (dict(target=10, excellent=20), "excellent", "20"),  # above default stretch 15
        (dict(target=10, excellent=12, stretch=11), "stretch", "11"),
        (dict(target="2.5"), "target", "2.5"),  # counts are whole
    ],
)
def test_bad_lines(kwargs, field, value):
    msg = bad(default_lines, "visits", **kwargs)
    assert msg.startswith(f"invalid {field} ") and value in msg


def test_money_has_at_most_two_decimals():
    msg = bad(default_lines, "revenue", "10.005")
    assert "target '10.005'" in msg


# --- largest remainder ----------------------------------------------------------------------

def test_largest_remainder_ties_go_to_the_earliest_bucket():
    assert largest_remainder(1, [1, 1, 1]) == [1, 0, 0]
    assert largest_remainder(2, [1, 1, 1]) == [1, 1, 0]
    assert largest_remainder(D("100.00"), [1, 1, 1], D("0.01")) == [
        D("33.34"), D("33.33"), D("33.33")]
    assert largest_remainder(5, [0, 2, 0, 3]) == [0, 2, 0, 3]


def test_largest_remainder_all_zero_weights():
    assert largest_remainder(0, [0, 0]) == [0, 0]
    assert largest_remainder(D("0.00"), [0], D("0.01")) == [D("0.00")]
    assert "weights" in bad(largest_remainder, 3, [0, 0])


def test_largest_remainder_bad_input():
    assert "total '-1'" in bad(largest_remainder, -1, [1])
    assert "total '1.005'" in bad(largest_remainder, D("1.005"), [1], D("0.01"))
    assert "weight '-2'" in bad(largest_remainder, 1, [3, -2])


@given(st.integers(min_value=0, max_value=10**12),
       st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=30))
def test_largest_remainder_properties(units, weights):
    if sum(weights) == 0:
        return
    parts = largest_remainder(units, weights)
    assert sum(parts) == units
    for part, w in zip(parts, weights):
        quota = units * w / sum(weights)
        assert part >= 0 and abs(part - quota) < 1
        if w == 0:
            assert part == 0


# --- plan -----------------------------------------------------------------------------------

def test_plan_2026q4_weekly_revenue_by_hand():
    # 620000 over 62 CN workdays = 10000 a workday (workdays per week: see test_calendar):
    # W40 0, W41 3, W42..W52 5 each, W53 4.
    rows = plan("2026Q4", default_lines("revenue", 620000), "week", CN)
    assert [r.bucket for r in rows] == [f"2026-W{w}" for w in range(40, 54)]
    assert rows[0].workdays == 0 and rows[0].target == D("0.00")
    assert (rows[1].workdays, rows[1].target, rows[1].excellent, rows[1].stretch) == (
        3, D("30000.00"), D("36000.00"), D("45000.00"))
    assert all(r.target == D("50000.00") for r in rows[2:13])
    assert (rows[-1].start, rows[-1].end, rows[-1].target) == (
        date(2026, 12, 28), date(2026, 12, 31), D("40000.00"))
    assert rows[2].cumulative_target == D("80000.00")
    assert rows[-1].cumulative_target == D("620000.00")


def test_plan_counts_largest_remainder_by_hand():
    # 100 deals over 62 workdays: quotas W41 300/62 = 4.839, regular weeks 500/62 = 8.065,
    # W53 400/62 = 6.452. Floors 4 + 11*8 + 6 = 98, 2 left: largest remainders are
    # W41 (.839) and W53 (.452) -> W41 5, W53 7, other weeks 8.
    rows = plan("2026Q4", default_lines("deals_won", 100), "week", CN)
    assert [r.target for r in rows] == [0, 5] + [8] * 11 + [7]
    # by month: 18/21/23 workdays -> quotas 29.03, 33.87, 37.10 -> floors 29+33+37 = 99,
    # the 1 left goes to November (.87)
    months = plan("2026Q4", default_lines("deals_won", 100), "month", CN)
    assert [(r.bucket, r.workdays, r.target) for r in months] == [
        ("2026-10", 18, 29), ("2026-11", 21, 34), ("2026-12", 23, 37)]
    assert [r.cumulative_target for r in months] == [29, 63, 100]


def test_plan_period_without_workdays():
    # 2026W08 is Mon 02-16 .. Sun 02-22: New Year's Eve, Spring Festival 17-19, Fri 20
    # day off (swapped for Sat 02-14), then the weekend: no workday at all.
    msg = bad(plan, "2026W08", default_lines("visits", 3), "week", CN)
    assert "period '2026W08'" in msg
    rows = plan("2026W08", default_lines("visits", 0), "week", CN)
    assert [(r.workdays, r.target, r.stretch) for r in rows] == [(0, 0, 0)]


def test_plan_uncovered_year_and_bad_by():
    assert "calendar 'CN'" in bad(plan, "2000Q1", default_lines("visits", 3), "week", CN)  # before the package
    assert "by 'day'" in bad(plan, "2026Q4", default_lines("visits", 3), "day", CN)


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False,
                    allow_infinity=False)
cn_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))
kinds = st.sampled_from(["year", "quarter", "month", "week"])


def lines_strategy():
    counts = st.integers(min_value=0, max_value=10**6).map(
        lambda t: default_lines("visits", t))
    return st.one_of(money.map(lambda t: default_lines("revenue", t)), counts)


@settings(max_examples=150, deadline=None)
@given(lines_strategy(), kinds, cn_days, st.sampled_from(["week", "month"]),
       st.sampled_from([CN, NONE]))
def test_plan_properties(lines, kind, day, by, cal):
    period = period_containing(kind, day)
    if period.end.year > 2026 or period.start.year < 2024:
        period = period_containing("month", day)
    total_days = cal.workdays(period.start, period.end)
    if total_days == 0 and lines.target > 0:
        assert "period" in bad(plan, period, lines, by, cal)
        return
    rows = plan(period, lines, by, cal)
    assert sum(r.workdays for r in rows) == total_days
    for name, value in lines.items():
        column = [getattr(r, name) for r in rows]
        assert sum(column) == value
        assert all(v >= 0 for v in column)
    assert all(r.target == r.excellent == r.stretch == 0 for r in rows if r.workdays == 0)
    assert rows[-1].cumulative_target == lines.target


# --- team split -----------------------------------------------------------------------------

def test_split_equal_weighted_and_by_history():
    assert split_team(D("100000.00"), ["张三", "李四", "王五"]) == {
        "张三": D("33333.34"), "李四": D("33333.33"), "王五": D("33333.33")}
    # 10 in 2:1:1 -> quotas 5, 2.5, 2.5; the 1 left goes to the earliest tie (李四)
    assert split_team(10, ["张三", "李四", "王五"], "张三=2,李四=1，王五＝1") == {
        "张三": 5, "李四": 3, "王五": 2}
    history = {"张三": D("300"), "李四": D("100"), "外人": D("999")}
    got = split_team(default_lines("revenue", 1000), ["张三", "李四", "王五"], history,
                     by_history=True)
    assert got["张三"] == GoalLines("revenue", D("750.00"), D("900.00"), D("1125.00"))
    assert got["王五"] == GoalLines("revenue", D("0.00"), D("0.00"), D("0.00"))


@given(money, st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=12))
def test_split_sums_exactly(total, shares):
    members = [f"m{i}" for i in range(len(shares))]
    lines = default_lines("revenue", total)
    if not any(shares):
        assert "weights" in bad(split_team, lines, members, dict(zip(members, shares)))
        return
    got = split_team(lines, members, dict(zip(members, shares)))
    assert list(got) == members
    for name, value in lines.items():
        assert sum(getattr(g, name) for g in got.values()) == value


@pytest.mark.parametrize(
    "text, shown",
    [("", "''"), ("张三", "'张三'"), ("张三=abc", "'张三=abc'"), ("张三=-1", "'张三=-1'"),
     ("张三=1,张三=2", "'张三'"), ("张三=0,李四=0", "'张三=0,李四=0'"), ("=3", "'=3'")],
)
def test_parse_weights_errors(text, shown):
    msg = bad(parse_weights, text)
    assert msg.startswith("invalid weights ") and shown in msg


def test_parse_weights_forms():
    assert parse_weights(" 张三 = 40% ; 李四=60 ") == {"张三": D("40"), "李四": D("60")}


def test_split_errors():
    assert "weights '王五'" in bad(split_team, 10, ["张三", "李四"], "张三=1,王五=1")
    # a member without a share gets nothing (goals.writes.split leaves them out with a note)
    assert split_team(10, ["张三", "李四"], {"张三": 1}) == {"张三": 10, "李四": 0}
    assert "history" in bad(split_team, 10, ["张三"], {"李四": 5}, by_history=True)
    assert "members" in bad(split_team, 10, [])
    assert "members" in bad(split_team, 10, ["张三", "张三"])


# --- progress -------------------------------------------------------------------------------

# 2026-10 under CN: workdays Oct 8, 9, 10 (Sat, 调休), 12-16, 19-23, 26-30 = 18.
# revenue target 18000 (1000 a workday), excellent 21600, stretch 27000.
OCT = default_lines("revenue", 18000)


def test_progress_by_hand():
    # as of Fri 10-09: 2 workdays elapsed (8, 9); actual 3000.
    # achievement 3000/18000 = 0.16666 -> 0.1667; planned to date 18000*2/18 = 2000;
    # pace 3000/2000 = 1.5; projected 3000/2*18 = 27000 = stretch.
    p = progress(OCT, "2026-10", CN, date(2026, 10, 9), 3000)
    assert (p.achievement, p.excellent_achievement, p.stretch_achievement) == (
        D("0.1667"), D("0.1389"), D("0.1111"))
    assert (p.workdays_elapsed, p.workdays_total, p.planned_to_date) == (2, 18, D("2000.00"))
    assert (p.pace, p.projected, p.projected_line) == (D("1.5000"), D("27000.00"), "stretch")
    # as of Sat 10-10 (a workday): 3 elapsed; planned 3000, pace 1, projected 18000 = target
    p = progress(OCT, "2026-10", CN, date(2026, 10, 10), 3000)
    assert (p.pace, p.projected, p.projected_line) == (D("1.0000"), D("18000.00"), "target")
    # Sun 10-11 is a rest day: same figures as Saturday
    assert progress(OCT, "2026-10", CN, date(2026, 10, 11), 3000).projected == D("18000.00")


def test_progress_counts_round_half_up_by_hand():
    # visits 20 (excellent 24, stretch 30); as of Mon 10-12: elapsed 8, 9, 10, 12 = 4;
    # actual 5 -> projected 5/4*18 = 22.5 -> 23 ("target": >= 20, < 24);
    # planned 20*4/18 = 4.444 -> pace 5/4.444 = 1.125; achievement 5/20 = 0.25.
    p = progress(default_lines("visits", 20), "2026-10", CN, date(2026, 10, 12), 5)
    assert (p.projected, p.projected_line, p.pace, p.achievement, p.planned_to_date) == (
        23, "target", D("1.1250"), D("0.2500"), 4)


def test_progress_edges():
    before = progress(OCT, "2026-10", CN, date(2026, 9, 30), 0)
    assert (before.workdays_elapsed, before.pace, before.projected, before.projected_line) == (
        0, None, None, None)
    after = progress(OCT, "2026-10", CN, date(2026, 11, 5), 20000)
    assert (after.projected, after.projected_line, after.pace, after.achievement) == (
        D("20000.00"), "target", D("1.1111"), D("1.1111"))
    low = progress(OCT, "2026-10", CN, date(2026, 10, 31), 100)
    assert (low.projected, low.projected_line) == (D("100.00"), "below")
    zero = progress(default_lines("visits", 0), "2026-10", CN, date(2026, 10, 9), 2)
    assert (zero.achievement, zero.pace, zero.projected) == (None, None, 18)
    # a week without workdays: projected = actual
    holiday = progress(default_lines("visits", 0), "2026W08", CN, date(2026, 2, 18), 2)
    assert (holiday.projected, holiday.pace) == (2, None)
    assert "actual -5" in bad(progress, OCT, "2026-10", CN, date(2026, 10, 9), -5)


# --- replan ---------------------------------------------------------------------------------

def test_replan_by_hand():
    # as of Fri 10-09 with 3000 done: left are Sat 10-10 (W41) and the 15 workdays of
    # W42-W44 = 16. target left 15000 -> 937.50 a day: W41 937.50, W42-44 4687.50 each;
    # excellent left 18600 -> 1162.50 a day; stretch left 24000 -> 1500 a day.
    rows = replan("2026-10", OCT, date(2026, 10, 9), 3000, "week", CN)
    assert [(r.bucket, r.workdays, r.remaining_workdays) for r in rows] == [
        ("2026-W40", 0, 0), ("2026-W41", 3, 1), ("2026-W42", 5, 5), ("2026-W43", 5, 5),
        ("2026-W44", 5, 5)]
    assert [r.target for r in rows] == [D(0), D(3000), D(5000), D(5000), D(5000)]
    assert [r.replanned_target for r in rows] == [
        D(0), D("937.50"), D("4687.50"), D("4687.50"), D("4687.50")]
    assert [r.replanned_excellent for r in rows][1:3] == [D("1162.50"), D("5812.50")]
    assert [r.replanned_stretch for r in rows][1:3] == [D("1500.00"), D("7500.00")]


def test_replan_counts_by_hand():
    # visits 20, 5 done by Fri 10-09: 15 left over remaining workdays [0, 1, 5, 5, 5]:
    # quotas 0.9375, 4.6875 x3 -> floors 0+4+4+4 = 12, 3 left: W41 (.9375) then the
    # earliest of the .6875 ties, W42 and W43 -> [0, 1, 5, 5, 4].
    rows = replan("2026-10", default_lines("visits", 20), date(2026, 10, 9), 5, "week", CN)
    assert [r.replanned_target for r in rows] == [0, 1, 5, 5, 4]


def test_replan_edges():
    fresh = replan("2026-10", OCT, date(2026, 9, 30), 0, "month", CN)
    assert fresh[0].replanned_target == fresh[0].target == D("18000.00")
    done = replan("2026-10", OCT, date(2026, 10, 20), 30000, "week", CN)
    assert all(r.replanned_target == r.replanned_stretch == 0 for r in done)
    msg = bad(replan, "2026-10", OCT, date(2026, 10, 30), 100, "week", CN)
    assert "as_of '2026-10-30'" in msg


@settings(max_examples=100, deadline=None)
@given(money, money, st.dates(min_value=date(2026, 9, 1), max_value=date(2026, 12, 31)))
def test_replan_properties(target, actual, as_of):
    lines = default_lines("revenue", target)
    rest = {n: max(v - actual, 0) for n, v in lines.items()}
    left = CN.workdays(as_of + timedelta(days=1), date(2026, 12, 31))
    if left == 0 and any(rest.values()):
        assert "as_of" in bad(replan, "2026Q4", lines, as_of, actual, "week", CN)
        return
    rows = replan("2026Q4", lines, as_of, actual, "week", CN)
    assert sum(r.remaining_workdays for r in rows) == min(left, 62)
    for name, value in rest.items():
        assert sum(getattr(r, "replanned_" + name) for r in rows) == value
    assert all(r.replanned_target == 0 for r in rows if r.remaining_workdays == 0)


# --- suggest --------------------------------------------------------------------------------

HISTORY = [("2026Q3", 110000), ("2025Q4", 100000), ("2026Q2", 90000), ("2026Q1", 80000)]


def test_suggest_by_hand():
    # sorted: 100000, 80000, 90000, 110000; average 95000, min 80000, max 110000.
    # growth (110000/100000)^(1/3) - 1 = 0.03228 -> 0.0323; trend 110000*1.0323 = 113553
    # seasonality 100000/95000 = 1.05263 -> 1.0526; 113553*1.0526 = 119525.8878
    # target 119525.89; excellent 1.2x = 143431.068 -> 143431.07;
    # stretch max(1.5x = 179288.835 -> 179288.84, 110000)
    s = suggest(HISTORY, 100000, metric="revenue")
    assert s.lines == GoalLines("revenue", D("119525.89"), D("143431.07"), D("179288.84"))
    facts = {e.key: e.value for e in s.explanation}
    assert facts["average"] == D("95000.00") and facts["minimum"] == D("80000.00")
    assert facts["maximum"] == D("110000.00") and facts["growth"] == D("0.0323")
    assert facts["seasonality"] == D("1.0526") and facts["periods"] == 4
    assert facts["same_period_last_year"] == D("100000.00")


def test_suggest_clamps_and_floors():
    # growth 100/10 = 10x -> 9.0, clamped to 1.0: trend 200; target 200, stretch 300
    assert suggest([("2026Q1", 10), ("2026Q2", 100)], metric="visits").lines == GoalLines(
        "visits", 200, 240, 300)
    # decline 100 -> 10: growth -0.9 clamped to -0.5: trend 5, floored at the minimum 10;
    # excellent 12; stretch max(15, maximum 100) = 100
    assert suggest([("2026-01", 100), ("2026-02", 10)], metric="visits").lines == GoalLines(
        "visits", 10, 12, 100)
    # only last year's same period: taken as the target
    assert suggest([], 50, metric="visits").lines == GoalLines("visits", 50, 60, 75)


def test_suggest_bad_input():
    assert "history '[]'" in bad(suggest, [], metric="revenue")
    assert "period '2026Q9'" in bad(suggest, [("2026Q9", 1)], metric="revenue")
    assert "history -1" in bad(suggest, [("2026Q1", -1)], metric="revenue")
    assert "metric 'gmv'" in bad(suggest, [("2026Q1", 1)], metric="gmv")


def test_period_objects_are_accepted():
    rows = plan(parse_period("2026-11"), default_lines("visits", 21), "month", CN)
    assert [(r.workdays, r.target) for r in rows] == [(21, 21)]
