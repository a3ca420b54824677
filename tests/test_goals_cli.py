"""goal set|plan|split|progress|replan|suggest through the CLI, values worked out by hand.

Calendar facts used (CN, 2026): National Day 10-01..10-07 off, make-up working days Sunday
2026-09-20 and Saturday 2026-10-10; Mid-Autumn Friday 2026-09-25 off. 2026 has 53 ISO weeks.
Q4 workdays: October 18 (22 weekdays − 5 holiday weekdays + Saturday 10-10), November 21,
December 23 = 62. TODAY is Monday 2026-11-23: workdays 10-01..11-23 = 18 + 16 = 34.
"""

from __future__ import annotations

from conftest import connect
from decimal import Decimal

import pytest

# ISO weeks of 2026Q4 clipped to the quarter, with CN workdays counted by hand:
# W40 Thu 10-01..Sun 10-04 all holiday; W41 Mon-Wed holiday, Thu, Fri, Sat 10-10 (调休);
# W53 Mon 12-28..Thu 12-31.
WEEKS_Q4 = [("2026-W40", "2026-10-01", "2026-10-04", 0), ("2026-W41", "2026-10-05", "2026-10-11", 3)] + [
    (f"2026-W{w}", s, e, 5) for w, s, e in [
        (42, "2026-10-12", "2026-10-18"), (43, "2026-10-19", "2026-10-25"), (44, "2026-10-26", "2026-11-01"),
        (45, "2026-11-02", "2026-11-08"), (46, "2026-11-09", "2026-11-15"), (47, "2026-11-16", "2026-11-22"),
        (48, "2026-11-23", "2026-11-29"), (49, "2026-11-30", "2026-12-06"), (50, "2026-12-07", "2026-12-13"),
        (51, "2026-12-14", "2026-12-20"), (52, "2026-12-21", "2026-12-27")]] + [
    ("2026-W53", "2026-12-28", "2026-12-31", 4)]


def _write(env, statement: str, rows: list[tuple]) -> None:  # noqa: ANN001
    con = connect(env)
    try:
        con.executemany(statement, rows)
        con.commit()
    finally:
        con.close()


def _deals(env, rows):  # noqa: ANN001, ANN202
    """rows: (customer_id, owner_id, amount_cents, stage, closed_at)."""
    _write(env, "INSERT INTO deals (customer_id, owner_id, amount_cents, stage, created, closed_at, created_at)"
                " VALUES (?, ?, ?, ?, '2026-01-05', ?, '2026-01-05 09:00:00')", rows)


def _followups(env, rows):  # noqa: ANN001, ANN202
    """rows: (customer_id, owner_id, channel, at)."""
    _write(env, "INSERT INTO followups (customer_id, owner_id, channel, at, summary, created_at)"
                " VALUES (?, ?, ?, ?, 'note', '2026-01-05 09:00:00')", rows)


@pytest.fixture
def team(cli):  # noqa: ANN001, ANN201
    """张伟 (id 1) and 李娜 (id 2) in 华东, 王强 (id 3) in 华东 but inactive, 刘洋 (id 4) in 华北."""
    for args in (["张伟", "--team", "华东"], ["李娜", "--team", "华东"], ["王强", "--team", "华东", "--inactive"],
                 ["刘洋", "--team", "华北"]):
        assert cli("manager", "add", *args).exit_code == 0
    return cli


def _cents(sql, where: str, *params):  # noqa: ANN001, ANN202
    """Sum of the three lines in cents over goals matching ``where`` (raw SQL)."""
    return sql(f"SELECT SUM(CAST(ROUND(target*100) AS INTEGER)), SUM(CAST(ROUND(excellent*100) AS INTEGER)),"
               f" SUM(CAST(ROUND(stretch*100) AS INTEGER)) FROM goals WHERE {where}", *params)[0]


# --- goal plan ----------------------------------------------------------------------------

def test_plan_2026q4_by_week_hand_computed(team, sql):
    assert team("goal", "set", "--period", "2026q4", "--owner", "张伟", "--metric", "revenue",
                "--target", "100000").exit_code == 0
    rows = team("goal", "plan", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--by", "week",
                "-f", "json").json()
    assert list(rows[0]) == ["bucket", "start", "end", "workdays", "target", "excellent", "stretch",
                             "cumulative_target"]
    assert [(r["bucket"], r["start"], r["end"], r["workdays"]) for r in rows] == WEEKS_Q4
    # target 100000.00 = 10,000,000 cents over 62 days: floors 483870 (3 days), 806451 (5), 645161 (4)
    # leave 8 cents for the largest remainders: W41 (.97), then the first seven 5-day weeks (.61).
    five = [Decimal("8064.52")] * 7 + [Decimal("8064.51")] * 4
    assert [Decimal(str(r["target"])) for r in rows] == [0, Decimal("4838.71"), *five, Decimal("6451.61")]
    # excellent 120000.00: floors leave 11 cents, all to the eleven 5-day weeks (.935)
    assert [Decimal(str(r["excellent"])) for r in rows] == [0, Decimal("5806.45"), *[Decimal("9677.42")] * 11,
                                                            Decimal("7741.93")]
    # stretch 150000.00: 6 cents left: W53 (.935), W41 (.452), then the first four 5-day weeks (.419)
    assert [Decimal(str(r["stretch"])) for r in rows] == [0, Decimal("7258.07"), *[Decimal("12096.78")] * 4,
                                                          *[Decimal("12096.77")] * 7, Decimal("9677.42")]
    running = Decimal(0)
    for r in rows:
        running += Decimal(str(r["target"]))
        assert Decimal(str(r["cumulative_target"])) == running
    stored = _cents(sql, "owner_id = 1 AND period = '2026Q4' AND metric = 'revenue'")
    assert stored == (10_000_000, 12_000_000, 15_000_000)
    for i, line in enumerate(("target", "excellent", "stretch")):
        assert sum(round(Decimal(str(r[line])) * 100) for r in rows) == stored[i]


def test_plan_by_month_csv_and_table_total(team, sql):
    team("goal", "set", "--period", "2026Q4", "--team", "华东", "--metric", "visits", "--target", "124")
    out = team("goal", "plan", "--period", "2026Q4", "--team", "华东", "--metric", "visits", "--by", "month",
               "-f", "csv").stdout.splitlines()
    assert out[0] == "bucket,start,end,workdays,target,excellent,stretch,cumulative_target"
    # 124 visits over 62 workdays: 2 a day; excellent 148.8 → 149, stretch 186
    # 149 × 18/62 = 43.26, × 21/62 = 50.47, × 23/62 = 55.27 → floors 43, 50, 55 and the 1 left to .47
    assert out[1:] == ["2026-10,2026-10-01,2026-10-31,18,36,43,54,36",
                       "2026-11,2026-11-01,2026-11-30,21,42,51,63,78",
                       "2026-12,2026-12-01,2026-12-31,23,46,55,69,124"]
    assert sql("SELECT target, excellent, stretch FROM goals WHERE team = '华东'") == [(124, 149, 186)]
    table = team("goal", "plan", "--period", "2026Q4", "--team", "华东", "--metric", "visits", "--by", "month")
    assert table.stdout.splitlines()[-1].split() == ["Total", "62", "124", "149", "186"]


def test_plan_ad_hoc_september_counts_the_makeup_sunday(team, sql):
    args = ["goal", "plan", "--period", "2026-09", "--metric", "visits", "--target", "22", "-f", "json"]
    rows = team(*args).json()
    # W36 Tue 09-01..Sun: 4; W37: 5; W38 Mon-Fri + Sunday 09-20 (调休): 6; W39 minus Fri 09-25: 4; W40 Mon-Wed: 3
    assert [(r["bucket"], r["workdays"], r["target"]) for r in rows] == [
        ("2026-W36", 4, 4), ("2026-W37", 5, 5), ("2026-W38", 6, 6), ("2026-W39", 4, 4), ("2026-W40", 3, 3)]
    plain = team(*args, "--calendar", "none").json()
    assert [r["workdays"] for r in plain] == [4, 5, 5, 5, 3]
    assert sql("SELECT count(*) FROM goals") == [(0,)]


def test_plan_needs_a_stored_goal(team):
    result = team("goal", "plan", "--period", "2026Q4", "--owner", "张伟", "--metric", "visits")
    assert result.exit_code == 3
    assert "no visits goal for 张伟 in 2026Q4" in result.stderr
    assert team("goal", "plan", "--period", "2026Q4", "--owner", "张伟", "--team", "华东").exit_code == 2


# --- goal set -----------------------------------------------------------------------------

def test_set_again_updates_the_one_goal_and_is_audited(team, sql):
    first = team("goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--target", "3万")
    assert first.exit_code == 0 and first.stdout.strip() == "1"
    assert sql("SELECT owner_id, team, period, metric, target, excellent, stretch FROM goals") == [
        (1, None, "2026Q4", "revenue", 30000, 36000, 45000)]
    again = team("goal", "set", "--period", "2026-Q4", "--owner", "张伟", "--metric", "revenue",
                 "--target", "30000", "--excellent", "40000")
    assert again.exit_code == 0
    assert again.stdout.splitlines() == ["Excellent 36000.00 → 40000.00"]
    assert sql("SELECT count(*), max(excellent), max(stretch) FROM goals") == [(1, 40000, 45000)]
    assert sql("SELECT action FROM audit_log WHERE table_name = 'goals' ORDER BY id") == [("insert",), ("update",)]
    same = team("goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--target", "30000",
                "--excellent", "40000", "-f", "json")
    assert same.json() == {"id": 1, "owner": "张伟", "kind": "manager", "period": "2026Q4", "metric": "revenue",
                           "target": 30000, "excellent": 40000, "stretch": 45000}
    assert sql("SELECT count(*) FROM audit_log WHERE table_name = 'goals'") == [(2,)]


def test_counts_round_half_up_and_team_and_owner_goals_coexist(team, sql):
    team("goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "visits", "--target", "13")
    team("goal", "set", "--period", "2026Q4", "--team", "华东", "--metric", "visits", "--target", "13")
    # 1.2 × 13 = 15.6 → 16; 1.5 × 13 = 19.5 → 20 (half up)
    assert sql("SELECT owner_id, team, target, excellent, stretch FROM goals ORDER BY id") == [
        (1, None, 13, 16, 20), (None, "华东", 13, 16, 20)]


@pytest.mark.parametrize(("args", "field"), [
    (["--period", "2026Q5", "--metric", "revenue", "--target", "100"], "period"),
    (["--period", "2026Q4", "--metric", "profit", "--target", "100"], "metric"),
    (["--period", "2026Q4", "--metric", "revenue", "--target=-100"], "target"),
    (["--period", "2026Q4", "--metric", "revenue", "--target", "100", "--excellent", "99"], "excellent"),
    (["--period", "2026Q4", "--metric", "revenue", "--target", "100", "--stretch", "110"], "stretch"),
    (["--period", "2026Q4", "--metric", "visits", "--target", "2.5"], "target"),
    (["--period", "2026Q4", "--metric", "revenue", "--target", "abc"], "target"),
])
def test_set_bad_input_exit_2_one_line_nothing_written(team, sql, args, field):
    audit = sql("SELECT count(*) FROM audit_log")
    result = team("goal", "set", "--owner", "张伟", *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"amkit: invalid {field} ")
    assert sql("SELECT count(*) FROM goals") == [(0,)]
    assert sql("SELECT count(*) FROM audit_log") == audit


def test_set_unknown_owner_or_team_is_not_found(team, sql):
    owner = team("goal", "set", "--period", "2026Q4", "--owner", "无名", "--metric", "revenue", "--target", "1")
    assert owner.exit_code == 3 and "无名" in owner.stderr
    crew = team("goal", "set", "--period", "2026Q4", "--team", "西北", "--metric", "revenue", "--target", "1")
    assert crew.exit_code == 3 and "西北" in crew.stderr
    assert sql("SELECT count(*) FROM goals") == [(0,)]


# --- goal split ---------------------------------------------------------------------------

def test_split_equal_and_by_weights_sum_exactly(team, sql):
    team("goal", "set", "--period", "2026Q4", "--team", "华东", "--metric", "revenue", "--target", "100000.01")
    # lines 100000.01 / 120000.01 / 150000.02; active members by name: 张伟 (U+5F20) before 李娜 (U+674E);
    # the inactive 王强 gets nothing. Equal halves: the odd cent goes to the first.
    rows = team("goal", "split", "--team", "华东", "--period", "2026Q4", "-f", "json").json()
    assert [(r["owner"], r["target"], r["excellent"], r["stretch"], r["status"]) for r in rows] == [
        ("张伟", 50000.01, 60000.01, 75000.01, "new"), ("李娜", 50000.0, 60000.0, 75000.01, "new")]
    members = "owner_id IN (1, 2) AND period = '2026Q4' AND metric = 'revenue'"
    assert _cents(sql, members) == _cents(sql, "team = '华东'") == (10_000_001, 12_000_001, 15_000_002)
    # 2:1 → target 6666667.33 / 3333333.67 cents: the cent left goes to 李娜 (.67)
    rows = team("goal", "split", "--team", "华东", "--period", "2026Q4", "--weights", "张伟=2,李娜=1",
                "-f", "json").json()
    assert [(r["owner"], r["target"], r["excellent"], r["status"]) for r in rows] == [
        ("张伟", 66666.67, 80000.01, "updated"), ("李娜", 33333.34, 40000.0, "updated")]
    assert _cents(sql, members) == (10_000_001, 12_000_001, 15_000_002)
    assert sql("SELECT count(*) FROM goals WHERE owner_id = 3") == [(0,)]


def test_split_dry_run_writes_nothing(team, sql):
    team("goal", "set", "--period", "2026Q4", "--team", "华东", "--metric", "visits", "--target", "9")
    audit = sql("SELECT count(*) FROM audit_log")
    result = team("goal", "split", "--team", "华东", "--period", "2026Q4", "--metric", "visits", "--dry-run",
                  "-f", "json")
    assert [(r["owner"], r["target"]) for r in result.json()] == [("张伟", 5), ("李娜", 4)]
    assert "dry run" in result.stderr
    assert sql("SELECT count(*) FROM goals") == [(1,)]
    assert sql("SELECT count(*) FROM audit_log") == audit


def test_split_by_history_uses_the_previous_quarter(team, sql, env):
    team("customer", "add", "甲公司", "--owner", "张伟")
    # 2026Q3 revenue: 张伟 30000, 李娜 10000 (a Q2 deal and a lost one do not count)
    _deals(env, [(1, 1, 3_000_000, "won", "2026-08-01"), (1, 2, 1_000_000, "won", "2026-09-30"),
                 (1, 2, 9_000_000, "won", "2026-06-30"), (1, 2, 5_000_000, "lost", "2026-08-01")])
    team("goal", "set", "--period", "2026Q4", "--team", "华东", "--metric", "revenue", "--target", "100")
    result = team("goal", "split", "--team", "华东", "--period", "2026Q4", "--by-history", "-f", "json")
    assert [(r["owner"], r["target"], r["weight"]) for r in result.json()] == [("张伟", 75, 30000), ("李娜", 25, 10000)]
    assert "2026Q3" in result.stderr


def test_split_errors(team, sql):
    assert team("goal", "split", "--team", "华东", "--period", "2026Q4").exit_code == 3  # no team goal
    team("goal", "set", "--period", "2026Q4", "--team", "华东", "--metric", "revenue", "--target", "100")
    outsider = team("goal", "split", "--team", "华东", "--period", "2026Q4", "--weights", "张伟=1,刘洋=1")
    assert outsider.exit_code == 2 and "刘洋" in outsider.stderr
    empty = team("goal", "split", "--team", "华东", "--period", "2026Q4", "--by-history")
    assert empty.exit_code == 2 and "history" in empty.stderr
    assert sql("SELECT count(*) FROM goals") == [(1,)]


# --- actuals, progress, replan ------------------------------------------------------------

@pytest.fixture
def activity(team, env):  # noqa: ANN001, ANN201
    """Goals and records of 2026Q4 for 张伟 (1), 李娜 (2), as of TODAY 2026-11-23."""
    team("customer", "add", "甲公司", "--owner", "张伟")  # created today: a new customer of Q4
    team("customer", "add", "乙公司", "--owner", "张伟")
    team("customer", "add", "丙公司", "--owner", "李娜")
    _write(env, "INSERT INTO customers (name, tier, tier_locked, lifecycle, tags, owner_id, name_pinyin,"
                " name_initials, created_at) VALUES ('老客户', 'C', false, 'active', '', 1, '', '', ?)",
           [("2026-09-30 23:59:00",)])
    _deals(env, [(1, 1, 3_000_000, "won", "2026-10-15"), (1, 1, 2_000_050, "won", "2026-11-23"),
                 (1, 1, 500_000, "won", "2026-09-30"),   # before the quarter
                 (1, 1, 700_000, "won", "2026-11-24"),   # after as_of
                 (1, 1, 900_000, "lost", "2026-10-20"),  # lost
                 (3, 2, 1_111_100, "won", "2026-10-20")])
    visits = ["2026-10-08 10:00:00", "2026-10-09 10:00:00", "2026-11-02 10:00:00", "2026-11-10 10:00:00",
              "2026-11-20 10:00:00", "2026-11-23 18:00:00"]
    _followups(env, [(1, 1, "visit", at) for at in visits] + [
        (1, 1, "call", "2026-11-23 18:00:00"), (1, 1, "visit", "2026-11-24 09:00:00"),
        (1, 1, "visit", "2026-09-30 09:00:00"), (3, 2, "wechat", "2026-10-10 09:00:00")])
    _write(env, "INSERT INTO payments (deal_id, amount_cents, date, created_at) VALUES (?, ?, ?, '2026-11-01')",
           [(1, 1_000_000, "2026-10-20"), (1, 500_000, "2026-11-24"), (3, 250_000, "2026-10-01"),
            (6, 111_100, "2026-11-01")])
    team("goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--target", "100000")
    team("goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "visits", "--target", "10")
    team("goal", "set", "--period", "2026Q4", "--team", "华东", "--metric", "revenue", "--target", "200000")
    return team


def test_figures_by_owner_one_query_per_metric_group(activity, env):
    import datetime as dt

    from amkit import store
    from amkit.metrics import figures

    metrics = ["revenue", "collection", "deals_won", "new_customers", "visits", "followups"]
    with store.reader() as r:
        ids = dict(r.rows("SELECT name, id FROM managers"))
        statements, rows = [], r.rows
        r.rows = lambda sql, **params: (statements.append(sql), rows(sql, **params))[1]
        values = figures.by_owner_id(r, dt.date(2026, 10, 1), dt.date(2026, 11, 23), metrics)
    assert len(statements) == 4  # deals, payments, follow-ups, new customers: each grouped by manager
    assert values[ids["张伟"]] == {"revenue": Decimal("50000.50"), "collection": Decimal("12500.00"), "deals_won": 2,
                                   "new_customers": 2, "visits": 6, "followups": 7}
    assert values[ids["李娜"]] == {"revenue": Decimal("11111.00"), "collection": Decimal("1111.00"), "deals_won": 1,
                                   "new_customers": 1, "visits": 0, "followups": 1}
    assert ids["刘洋"] not in values  # nothing in the window


def test_progress_hand_computed(activity):
    rows = activity("goal", "progress", "--period", "2026Q4", "-f", "json").json()
    by_key = {(r["owner"], r["metric"]): r for r in rows}
    spec_keys = ["owner", "period", "metric", "target", "excellent", "stretch", "actual", "achievement", "pace",
                 "projected", "projected_line"]
    assert list(rows[0])[:11] == spec_keys
    revenue = by_key[("张伟", "revenue")]
    # actual 30000 + 20000.50; planned to date 100000 × 34/62; projected 50000.50 × 62/34 = 91177.382…
    assert (revenue["actual"], revenue["achievement"], revenue["pace"], revenue["projected"],
            revenue["projected_line"]) == (50000.5, 0.5, 0.9118, 91177.38, "below")
    assert (revenue["excellent_achievement"], revenue["stretch_achievement"]) == (0.4167, 0.3333)
    assert (revenue["workdays_elapsed"], revenue["workdays_total"]) == (34, 62)
    visits = by_key[("张伟", "visits")]
    # 6 visits: 6/10, 6/12, 6/15; pace 6 / (10 × 34/62) = 1.0941; projected 6 × 62/34 = 10.94 → 11 ≥ target
    assert (visits["actual"], visits["achievement"], visits["excellent_achievement"],
            visits["stretch_achievement"], visits["pace"], visits["projected"], visits["projected_line"]) == (
        6, 0.6, 0.5, 0.4, 1.0941, 11, "target")
    crew = by_key[("华东", "revenue")]
    # 50000.50 + 11111.00 (李娜); the inactive 王强 had nothing; projected 61111.50 × 62/34 = 111438.62 ≥ 100000?
    # team target is 200000: 61111.5 / 200000 = 0.3056; pace 61111.5 × 62 / (200000 × 34) = 0.5572
    assert (crew["kind"], crew["actual"], crew["achievement"], crew["pace"], crew["projected"],
            crew["projected_line"]) == ("team", 61111.5, 0.3056, 0.5572, 111438.62, "below")


def test_progress_as_of_filters_and_table(activity):
    early = activity("goal", "progress", "--owner", "张伟", "--metric", "revenue", "--as-of", "2026-10-31",
                     "-f", "json").json()
    # Oct: 18 workdays elapsed, actual 30000: pace 30000 × 62 / (100000 × 18) = 1.0333; projected 103333.33
    assert [(r["actual"], r["pace"], r["projected"], r["projected_line"]) for r in early] == [
        (30000, 1.0333, 103333.33, "target")]
    end = activity("goal", "progress", "--owner", "张伟", "--metric", "revenue", "--as-of", "2027-01-15",
                   "-f", "json").json()
    assert [(r["actual"], r["projected"]) for r in end] == [(57000.5, 57000.5)]
    table = activity("goal", "progress", "--owner", "张伟").stdout
    line = next(x for x in table.splitlines() if "visits" in x)
    assert "60.0%" in line and "50.0%" in line and "40.0%" in line and "████████" in line
    missing = activity("goal", "progress", "--owner", "李娜", "--metric", "visits")
    assert missing.exit_code == 3


def test_replan_hand_computed(activity):
    result = activity("goal", "replan", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "-f", "json")
    rows = result.json()
    # 49999.50 left over the 28 workdays after Monday 11-23: W48 Tue-Fri 4, W49-W52 5 each, W53 4.
    # 4999950 cents: floors 714278 (4 days, .571), 892848 (5 days, .214): the 2 cents go to W48 and W53.
    assert [r["remaining_workdays"] for r in rows] == [0] * 8 + [4, 5, 5, 5, 5, 4]
    assert [r["replanned_target"] for r in rows] == [0] * 8 + [7142.79] + [8928.48] * 4 + [7142.79]
    assert round(sum(Decimal(str(r["replanned_excellent"])) for r in rows), 2) == Decimal("69999.50")
    assert round(sum(Decimal(str(r["replanned_stretch"])) for r in rows), 2) == Decimal("99999.50")
    assert [r["target"] for r in rows][:2] == [0, 4838.71]  # the original plan beside it
    assert "49999.50 left to target over 28 workdays" in result.stderr


def test_suggest_from_history(team, env, sql):
    team("customer", "add", "甲公司", "--owner", "张伟")
    # visits per quarter: 2026Q1 2, Q2 4, Q3 8 (2025Q4 empty, dropped; 2026Q4 incomplete on 11-23, skipped)
    _followups(env, [(1, 1, "visit", f"2026-02-0{i} 10:00:00") for i in range(1, 3)]
               + [(1, 1, "visit", f"2026-05-0{i} 10:00:00") for i in range(1, 5)]
               + [(1, 1, "visit", f"2026-08-0{i} 10:00:00") for i in range(1, 9)])
    result = team("goal", "suggest", "--owner", "张伟", "--metric", "visits", "--period", "2027Q1", "-f", "json")
    s = result.json()
    # growth (8/2)^(1/2) − 1 = 1; trend 8 × 2 = 16; seasonality 2026Q1 2 / average 14/3 = 0.43 → clamp 0.5
    # target max(16 × 0.5, min 2) = 8; excellent 9.6 → 10; stretch max(12, max 8) = 12
    assert (s["target"], s["excellent"], s["stretch"]) == (8, 10, 12)
    assert s["history"] == [{"period": "2026Q1", "value": 2}, {"period": "2026Q2", "value": 4},
                            {"period": "2026Q3", "value": 8}]
    explained = {e["key"]: e["value"] for e in s["explanation"]}
    assert (explained["growth"], explained["seasonality"], explained["minimum"]) == (1, 0.5, 2)
    assert sql("SELECT count(*) FROM goals") == [(0,)]
    saved = team("goal", "suggest", "--owner", "张伟", "--metric", "visits", "--period", "2027Q1", "--save")
    assert saved.exit_code == 0 and "growth" in saved.stderr
    assert sql("SELECT period, metric, target, excellent, stretch FROM goals") == [("2027Q1", "visits", 8, 10, 12)]
    none = team("goal", "suggest", "--owner", "李娜", "--metric", "visits", "--period", "2027Q1")
    assert none.exit_code == 2 and "history" in none.stderr


def test_demo_has_current_quarter_goals(cli, sql):
    assert cli("demo").exit_code == 0
    # TODAY 2026-11-23 → 2026Q4: six managers × three metrics, plus the 华东 revenue goal
    assert sql("SELECT period, metric, count(*) FROM goals GROUP BY period, metric ORDER BY metric") == [
        ("2026Q4", "new_customers", 6), ("2026Q4", "revenue", 7), ("2026Q4", "visits", 6)]
    members = sql("SELECT SUM(g.target) FROM goals g JOIN managers m ON m.id = g.owner_id"
                  " WHERE m.team = '华东' AND g.metric = 'revenue'")
    assert sql("SELECT target FROM goals WHERE team = '华东'") == members
    progress = cli("goal", "progress", "-f", "json").json()
    assert len(progress) == 19 and {r["period"] for r in progress} == {"2026Q4"}


def test_real_program_plans_ad_hoc_by_month(sh):
    result = sh("goal", "plan", "--period", "2026Q4", "--target", "620000", "--by", "month", "-f", "json")
    assert result.exit_code == 0, result.stderr
    # 10000 a workday: October 18, November 21, December 23
    assert [(r["bucket"], r["target"], r["cumulative_target"]) for r in result.json()] == [
        ("2026-10", 180000, 180000), ("2026-11", 210000, 390000), ("2026-12", 230000, 620000)]
    bad = sh("goal", "plan", "--period", "2026Q4", "--target", "1", "--by", "day")
    assert bad.exit_code == 2 and bad.stderr.strip() == "amkit: invalid by 'day': expected week or month"


def test_goal_edit_derives_the_default_lines_again_and_keeps_hand_set_ones(cli, sql):  # noqa: ANN001, ANN201
    """`goal edit --target` moves the lines `goal set` derived (1.2×, 1.5×, half up), keeps a line
    set by hand, and checks their order; worked out by hand."""
    assert cli("manager", "add", "张伟").exit_code == 0
    assert cli("goal", "set", "--owner", "张伟", "--period", "2026Q4", "--metric", "revenue",
               "--target", "720000").exit_code == 0
    assert cli("goal", "set", "--owner", "张伟", "--period", "2026Q4", "--metric", "complaint_response_hours",
               "--target", "24").exit_code == 0
    lines = "SELECT target, excellent, stretch FROM goals WHERE id = ?"
    as_numbers = lambda rows: [tuple(float(v) for v in row) for row in rows]  # noqa: E731
    r = cli("goal", "edit", "1", "--target", "800000")
    assert r.exit_code == 0, r.stderr
    assert as_numbers(sql(lines, 1)) == [(800000, 960000, 1200000)]
    assert r.stdout.splitlines() == ["goal 1: target: 720000 → 800000", "goal 1: excellent: 864000 → 960000",
                                     "goal 1: stretch: 1080000 → 1200000"]
    assert cli("goal", "edit", "1", "--excellent", "1000000").exit_code == 0
    assert cli("goal", "edit", "1", "--target", "900000").exit_code == 0  # excellent was set by hand: kept
    assert as_numbers(sql(lines, 1)) == [(900000, 1000000, 1350000)]
    bad = cli("goal", "edit", "1", "--target", "1100000")  # above the hand-set excellent line
    assert bad.exit_code == 2 and "must be at least the target" in bad.stderr
    assert as_numbers(sql(lines, 1)) == [(900000, 1000000, 1350000)]
    # lower is better: the lines go down (24 h → 20 h, 16 h; 30 h → 25 h, 20 h)
    assert cli("goal", "edit", "2", "--target", "30").exit_code == 0
    assert as_numbers(sql(lines, 2)) == [(30, 25, 20)]


def test_progress_gives_the_id_goal_edit_takes(cli, sql):  # noqa: ANN001, ANN201
    for step in (("manager", "add", "张伟", "--team", "华东"),
                 ("goal", "set", "--owner", "张伟", "--period", "2026Q4", "--metric", "visits", "--target", "44"),
                 ("goal", "set", "--team", "华东", "--period", "2026Q4", "--metric", "visits", "--target", "90")):
        assert cli(*step).exit_code == 0
    rows = cli("goal", "progress", "--period", "2026Q4", "-f", "json").json()
    by_holder = {(r["kind"], r["owner"]): r["goal_id"] for r in rows}
    assert by_holder == {("manager", "张伟"): sql("SELECT id FROM goals WHERE owner_id IS NOT NULL")[0][0],
                         ("team", "华东"): sql("SELECT id FROM goals WHERE team IS NOT NULL")[0][0]}
    assert cli("goal", "edit", str(by_holder[("team", "华东")]), "--target", "100").exit_code == 0
    assert [float(t) for (t,) in sql("SELECT target FROM goals WHERE team = '华东'")] == [100.0]
    month = cli("goal", "progress", "--period", "2026-11", "-f", "json").json()
    assert month and all(r["goal_id"] is None and r["target_source"] == "plan" for r in month)  # shares of it
