"""Issue 24: every metric as a goal, monthly/weekly cards from quarterly goals, team cards,
improvement ranking, bonus by rules, and the smaller goal/tier surprises. Expected values are
worked out by hand or read with raw SQL (the `sql` fixture), on either backend."""

from __future__ import annotations

import pytest


def ok(cli, *args, **kwargs):  # noqa: ANN001, ANN201
    result = cli(*args, **kwargs)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def team(cli):  # noqa: ANN001, ANN201
    """华东: 张伟 and 李娜 sell, 陈总 leads (a manager record too); 华北: 刘洋."""
    for args in (["张伟", "--team", "华东"], ["李娜", "--team", "华东"], ["陈总", "--team", "华东"],
                 ["刘洋", "--team", "华北"]):
        ok(cli, "manager", "add", *args)
    return cli


# ---------------------------------------------------------------- goal split without the lead

def test_split_leaves_out_whoever_weights_do_not_name(team, sql):
    ok(team, "goal", "set", "--period", "2026Q4", "--team", "华东", "--metric", "revenue", "--target", "100000.01")
    result = ok(team, "goal", "split", "--team", "华东", "--period", "2026Q4", "--weights", "张伟=2,李娜=1",
                "-f", "json")
    # 2:1 of 10000001 cents = 6666667.33 / 3333333.67: the cent left goes to the larger remainder (李娜)
    assert [(r["owner"], r["target"]) for r in result.json()] == [("张伟", 66666.67), ("李娜", 33333.34)]
    assert "陈总" in result.stderr and "left out" in result.stderr
    assert sql("SELECT m.name FROM goals g JOIN managers m ON m.id = g.owner_id ORDER BY m.name") == [
        ("张伟",), ("李娜",)]
    cents = sql("SELECT SUM(CAST(ROUND(target*100) AS INTEGER)) FROM goals WHERE owner_id IS NOT NULL")
    assert cents == [(10_000_001,)]
    zh = team("goal", "split", "--team", "华东", "--period", "2026Q4", "--weights", "张伟=2,李娜=1",
              extra_env={"AMKIT_LANG": "zh"})
    assert zh.exit_code == 0 and "未分配" in zh.stderr and "陈总" in zh.stderr
    outsider = team("goal", "split", "--team", "华东", "--period", "2026Q4", "--weights", "张伟=1,刘洋=1")
    assert outsider.exit_code == 2 and "刘洋" in outsider.stderr


# ---------------------------------------------------------------- a zero goal has no achievement

def test_zero_goal_shows_n_a_not_stretch(team, sql):
    ok(team, "goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--target", "0")
    row = ok(team, "goal", "progress", "--period", "2026Q4", "-f", "json").json()[0]
    assert (row["target"], row["actual"], row["achievement"], row["projected_line"]) == (0, 0, None, None)
    assert row["excellent_achievement"] is None and row["stretch_achievement"] is None and row["pace"] is None
    table = ok(team, "goal", "progress", "--period", "2026Q4", extra_env={"AMKIT_LANG": "zh"}).stdout
    line = next(x for x in table.splitlines() if "张伟" in x)
    assert "冲刺" not in line and line.count("不适用") == 5
    en = ok(team, "goal", "progress", "--period", "2026Q4").stdout
    assert "stretch" not in next(x for x in en.splitlines() if "张伟" in x) and "n/a" in en


# ---------------------------------------------------------------- a hand-set tier is a decision

def test_tier_set_by_hand_is_kept_by_tier_run_unless_override(team, sql):
    for name in ("甲", "乙", "丙"):
        ok(team, "customer", "add", name, "--owner", "张伟")
    # 12-month values 900000 / 90000 / 10000: Pareto A (c=0), B (c=90 % < 95 %), C (c=99 %)
    for name, amount in (("甲", "900000"), ("乙", "90000"), ("丙", "10000")):
        ok(team, "deal", "add", name, "--amount", amount, "--stage", "won")
    ok(team, "tier", "run")
    assert sql("SELECT name, tier, tier_locked FROM customers ORDER BY id") == [
        ("甲", "A", False), ("乙", "B", False), ("丙", "C", False)] or \
        sql("SELECT name, tier, tier_locked FROM customers ORDER BY id") == [("甲", "A", 0), ("乙", "B", 0), ("丙", "C", 0)]
    edit = ok(team, "customer", "edit", "乙", "--tier", "C")
    assert edit.stdout == "Tier B → C\nLocked no → yes\n"  # in words, not field names (#20)
    assert sql("SELECT tier, tier_locked FROM customers WHERE name = '乙'") in ([("C", True)], [("C", 1)])
    audit = sql("SELECT count(*) FROM audit_log")
    run = ok(team, "tier", "run", "-f", "json")
    row = next(r for r in run.json() if r["customer"] == "乙")
    assert (row["tier"], row["locked"], row["changed"]) == ("C", True, False)
    assert "乙: C (computed B)" in run.stderr and "kept 1 locked" in run.stderr
    assert sql("SELECT tier FROM customers WHERE name = '乙'") == [("C",)]
    assert sql("SELECT count(*) FROM audit_log") == audit  # nothing changed, nothing written
    history = ok(team, "tier", "history", "乙", "-f", "json").json()
    assert [(h["method"], h["old_tier"], h["new_tier"]) for h in history][:1] == [("lock", "B", "C")]
    ok(team, "tier", "run", "--override")
    assert sql("SELECT tier, tier_locked FROM customers WHERE name = '乙'") in ([("B", False)], [("B", 0)])


# ---------------------------------------------------------------- every metric as a goal

@pytest.fixture
def activity(team, sql):  # noqa: ANN001, ANN201
    """2026Q4 records of 张伟 (TODAY is 2026-11-23, nothing is dated after it)."""
    c = team
    ok(c, "customer", "add", "甲公司", "--owner", "张伟", "--industry", "金融", "--region", "上海")
    ok(c, "customer", "add", "乙公司", "--owner", "张伟", "--industry", "制造")  # no region: incomplete
    ok(c, "contact", "add", "甲公司", "王明", "--phone", "13800000000")
    # deals: 甲 won 100000 on 10-10 and 50000 on 11-05 (a repurchase), 乙 won 30000, one lost
    ok(c, "deal", "add", "甲公司", "--amount", "100000", "--stage", "won", "--created", "2026-10-10")
    ok(c, "deal", "add", "甲公司", "--amount", "50000", "--stage", "won", "--created", "2026-11-05")
    ok(c, "deal", "add", "乙公司", "--amount", "30000", "--stage", "won", "--created", "2026-11-06")
    ok(c, "deal", "add", "乙公司", "--amount", "20000", "--stage", "lost", "--created", "2026-11-07")
    ok(c, "payment", "add", "1", "90000", "--date", "2026-11-10")
    for at, channel in (("2026-10-12 10:00", "visit"), ("2026-11-02 10:00", "visit"), ("2026-11-03 10:00", "call")):
        ok(c, "followup", "log", "甲公司", "--channel", channel, "--summary", "拜访", "--at", at)
    ok(c, "survey", "add", "甲公司", "--score", "4", "--date", "2026-11-01")
    ok(c, "survey", "add", "乙公司", "--score", "5", "--date", "2026-11-02")
    ok(c, "complaint", "add", "甲公司", "发票错误", "--opened", "2026-11-02 09:00")
    ok(c, "complaint", "resolve", "1", "--resolution", "已重开", "--on", "2026-11-03 09:00")  # 24 h
    ok(c, "complaint", "add", "乙公司", "延迟交付", "--opened", "2026-11-04 08:00")
    ok(c, "complaint", "resolve", "2", "--resolution", "已补发", "--on", "2026-11-04 20:00")  # 12 h
    return c


# (metric, goal target, expected actual worked out by hand from the fixture)
BY_HAND = [
    ("revenue", "200000", 180000.0),            # 100000 + 50000 + 30000
    ("collection", "100000", 90000.0),
    ("collection_rate", "0.6", 0.5),            # 90000 / 180000
    ("deals_won", "4", 3),
    ("deals_lost", "2", 1),
    ("win_rate", "0.8", 0.75),                  # 3 / (3 + 1)
    ("new_customers", "2", 2),
    ("visits", "4", 2),
    ("followups", "5", 3),
    ("satisfaction", "4", 4.5),                 # (4 + 5) / 2
    ("completeness", "0.8", 0.5),               # 甲 complete, 乙 has no region
    ("repurchases", "1", 1),
    ("repurchase_rate", "0.5", 0.3333),         # 1 / 3
    ("complaint_response_hours", "24", 18.0),   # (24 + 12) / 2, lower is better
]


def test_a_goal_for_each_metric_progress_equals_card(activity, sql):
    from amkit.metrics import figures

    assert {m for m, _, _ in BY_HAND} == set(figures.METRICS) - {"renewal_rate", "overdue_rate", "churn_rate"}
    for metric, target, _ in BY_HAND:
        ok(activity, "goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", metric, "--target", target)
    rows = {r["metric"]: r for r in ok(activity, "goal", "progress", "--period", "2026Q4", "-f", "json").json()}
    card = {c["owner"]: c for c in ok(activity, "score", "card", "--period", "2026Q4", "-f", "json").json()}["张伟"]
    for metric, target, expected in BY_HAND:
        assert rows[metric]["actual"] == expected == card[metric], metric
    # raw SQL, an independent route for two of them
    assert sql("SELECT count(*) FROM followups WHERE channel = 'visit'") == [(2,)]
    hours = sql("SELECT opened, resolved FROM complaints ORDER BY id")
    assert [str(h[0])[:16] for h in hours] == ["2026-11-02 09:00", "2026-11-04 08:00"]
    # higher is better: actual / target; lower is better: target / actual (24 / 18)
    assert rows["revenue"]["achievement"] == 0.9
    assert rows["complaint_response_hours"]["achievement"] == 1.3333
    assert rows["deals_lost"]["achievement"] == 2.0  # 2 / 1
    # lower-is-better lines go down: excellent 24 / 1.2 = 20, stretch 24 / 1.5 = 16
    assert (rows["complaint_response_hours"]["excellent"], rows["complaint_response_hours"]["stretch"]) == (20, 16)


def test_detail_scores_satisfaction_and_completeness_once_they_have_goals(activity):
    before = ok(activity, "score", "card", "-p", "2026Q4", "--owner", "张伟", "--detail", "-f", "json").json()[0]
    assert before["score"] is None
    ok(activity, "goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "satisfaction", "--target", "4")
    ok(activity, "goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "completeness", "--target", "0.8")
    card = ok(activity, "score", "card", "-p", "2026Q4", "--owner", "张伟", "--detail", "-f", "json").json()[0]
    sub = {s["metric"]: s for s in card["subscores"]}
    # satisfaction 4.5 / 4 = 1.125; completeness 0.5 / 0.8 = 0.625; default weights 10 and 10 → 50 each
    assert (sub["satisfaction"]["ratio"], sub["satisfaction"]["weight"], sub["satisfaction"]["points"]) == \
        (1.125, 50.0, 56.25)
    assert (sub["completeness"]["ratio"], sub["completeness"]["weight"], sub["completeness"]["points"]) == \
        (0.625, 50.0, 31.25)
    assert card["score"] == 87.5 and card["grade"] == "B"
    assert sub["satisfaction"]["source"] == "goal"
    table = ok(activity, "score", "card", "-p", "2026Q4", "--owner", "张伟", "--detail").stdout
    assert "satisfaction" in table and "56.25" in table and "31.25" in table


def test_team_revenue_is_the_sum_of_its_members(activity, sql):
    ok(activity, "customer", "add", "丙公司", "--owner", "李娜")
    ok(activity, "customer", "add", "丁公司", "--owner", "刘洋")
    ok(activity, "deal", "add", "丙公司", "--amount", "12345.67", "--stage", "won", "--created", "2026-11-08")
    ok(activity, "deal", "add", "丁公司", "--amount", "1000", "--stage", "won", "--created", "2026-11-08")
    ok(activity, "goal", "set", "--period", "2026Q4", "--team", "华东", "--metric", "revenue", "--target", "250000")
    teams = {r["team"]: r for r in ok(activity, "score", "card", "-p", "2026Q4", "--by", "team", "-f", "json").json()}
    truth = dict(sql("SELECT m.team, SUM(d.amount_cents) FROM deals d JOIN managers m ON m.id = d.owner_id "
                     "WHERE d.stage = 'won' GROUP BY m.team"))
    assert teams["华东"]["revenue"] == int(truth["华东"]) / 100 == 192345.67
    assert teams["华北"]["revenue"] == int(truth["华北"]) / 100 == 1000
    members = {c["owner"]: c for c in ok(activity, "score", "card", "-p", "2026Q4", "-f", "json").json()}
    assert teams["华东"]["revenue"] == members["张伟"]["revenue"] + members["李娜"]["revenue"] + members["陈总"]["revenue"]
    assert teams["华东"]["managers"] == 3
    # the team goal (set for the team): 192345.67 / 250000 = 0.7694; a team's win rate is over its sums
    assert (teams["华东"]["target"], teams["华东"]["achievement"], teams["华东"]["target_source"]) == \
        (250000, 0.7694, "goal")
    assert teams["华东"]["win_rate"] == 0.8  # 4 won / (4 won + 1 lost)
    assert teams["华北"]["target"] is None and teams["华北"]["score"] is None
    assert [teams["华东"]["rank"], teams["华北"]["rank"]] == [1, 2]
    zh = ok(activity, "score", "card", "-p", "2026Q4", "--by", "team", extra_env={"AMKIT_LANG": "zh"}).stdout
    assert "华东" in zh and "客户经理数" in zh


# ---------------------------------------------------------------- monthly cards from quarterly goals

def test_demo_november_targets_are_the_quarter_goal_times_21_of_62_workdays(cli, sql):
    from fractions import Fraction

    ok(cli, "demo")
    quarter = {}
    for owner, metric, target in sql("SELECT m.name, g.metric, g.target FROM goals g JOIN managers m "
                                     "ON m.id = g.owner_id WHERE g.period = '2026Q4'"):
        quarter[(owner, metric)] = Fraction(str(target))
    assert {m for _, m in quarter} == {"revenue", "visits", "new_customers"}
    assert sql("SELECT count(*) FROM goals WHERE period = '2026-11'") == [(0,)]
    result = ok(cli, "score", "card", "--period", "2026-11", "--detail", "-f", "json")
    assert "plan" in result.stderr
    cards = {c["owner"]: c for c in result.json()}
    assert set(cards) == {o for o, _ in quarter}
    for owner, card in cards.items():
        # November 2026 under CN: 21 workdays of Q4's 62 (Oct 1–7 national holiday, make-up Sat 10-10)
        plan = {r["bucket"]: r for r in ok(cli, "goal", "plan", "--period", "2026Q4", "--owner", owner,
                                           "--by", "month", "-f", "json").json()}
        assert (plan["2026-11"]["workdays"], sum(r["workdays"] for r in plan.values())) == (21, 62)
        exact = quarter[(owner, "revenue")] * 21 / 62
        assert abs(Fraction(str(card["target"])) - exact) < Fraction(1, 100)  # money to the cent
        assert card["target"] == plan["2026-11"]["target"] and card["target_source"] == "plan"
        goals = {s["metric"]: s for s in card["subscores"]}
        for metric in ("visits", "new_customers"):  # counts split as goal plan does (largest remainder)
            share = quarter[(owner, metric)] * 21 / 62
            assert goals[metric]["goal"] in (int(share), int(share) + 1), (owner, metric)
            assert goals[metric]["source"] == "plan"
        assert card["score"] is not None and card["grade"] is not None
    # goal progress shows the same November targets (from the plan) and the same actuals
    progress = ok(cli, "goal", "progress", "--period", "2026-11", "-f", "json").json()
    assert progress and {r["target_source"] for r in progress} == {"plan"}
    for row in (r for r in progress if r["kind"] == "manager"):
        card = cards[row["owner"]]
        goal = card["target"] if row["metric"] == "revenue" else \
            {s["metric"]: s["goal"] for s in card["subscores"]}[row["metric"]]
        assert (row["target"], row["actual"]) == (goal, card[row["metric"]]), row
    # visits 44 a quarter → 44 × 21/62 = 14.9 → 15 in November
    assert ok(cli, "goal", "plan", "--period", "2026Q4", "--target", "44", "--metric", "visits", "--by", "month",
              "-f", "json").json()[1]["target"] == 15


def test_month_goal_of_its_own_wins_and_rates_are_not_split(team, sql):
    ok(team, "goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--target", "620000")
    ok(team, "goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "win_rate", "--target", "0.5")
    ok(team, "goal", "set", "--period", "2026-11", "--owner", "李娜", "--metric", "revenue", "--target", "1000")
    ok(team, "goal", "set", "--period", "2026Q4", "--owner", "李娜", "--metric", "revenue", "--target", "620000")
    card = {c["owner"]: c for c in ok(team, "score", "card", "-p", "2026-11", "--detail", "-f", "json").json()}
    assert (card["张伟"]["target"], card["张伟"]["target_source"]) == (210000, "plan")  # 620000 × 21/62
    assert {s["metric"]: s["goal"] for s in card["张伟"]["subscores"]}.get("win_rate") is None  # unweighted
    assert (card["李娜"]["target"], card["李娜"]["target_source"]) == (1000, "goal")
    # ISO week 2026W47 (Nov 16–20, 5 workdays of 62): 620000 × 5/62 = 50000
    week = {c["owner"]: c for c in ok(team, "score", "card", "-p", "2026W47", "-f", "json").json()}
    assert (week["张伟"]["target"], week["张伟"]["target_source"]) == (50000, "plan")
    # a rate stays as it is: the November win-rate target is the quarter's 0.5
    ok(team, "config", "set", "score.weights.win_rate", "10")
    card = {c["owner"]: c for c in ok(team, "score", "card", "-p", "2026-11", "--detail", "-f", "json").json()}
    sub = {s["metric"]: s for s in card["张伟"]["subscores"]}
    assert (sub["win_rate"]["goal"], sub["win_rate"]["source"]) == (0.5, "plan")


# ---------------------------------------------------------------- improvement ranking

def test_rank_by_improvement_is_the_score_change_with_competition_ranks(team, sql):
    for name in ("甲", "乙", "丙"):
        ok(team, "customer", "add", name, "--owner", {"甲": "张伟", "乙": "李娜", "丙": "刘洋"}[name])
    # revenue goals 100000 in Q3 and Q4 for all three; the score is revenue alone (the only goal)
    for period in ("2026Q3", "2026Q4"):
        for owner in ("张伟", "李娜", "刘洋"):
            ok(team, "goal", "set", "--period", period, "--owner", owner, "--metric", "revenue", "--target", "100000")
    for customer, amount, day in (("甲", "50000", "2026-08-01"), ("甲", "90000", "2026-11-01"),
                                  ("乙", "80000", "2026-08-01"), ("乙", "120000", "2026-11-01"),
                                  ("丙", "100000", "2026-08-01"), ("丙", "80000", "2026-11-01")):
        ok(team, "deal", "add", customer, "--amount", amount, "--stage", "won", "--created", day)
    rows = ok(team, "score", "rank", "-p", "2026Q4", "--by", "improvement", "-f", "json").json()
    # scores: 张伟 50 → 90 (+40), 李娜 80 → 120 (+40), 刘洋 100 → 80 (−20); 陈总 no goals: last
    assert [(r["owner"], r["rank"], r["improvement"]) for r in rows] == [
        ("张伟", 1, 40.0), ("李娜", 1, 40.0), ("刘洋", 3, -20.0), ("陈总", 4, None)]
    assert (rows[0]["score"], rows[0]["previous_score"]) == (90.0, 50.0)


# ---------------------------------------------------------------- bonus by rules

RULES = """
[bonus]
base = 10000
metric = "achievement"
cap = 2.0
[[bonus.band]]
from = 0.8
rate = 0.8
[[bonus.band]]
from = 1.0
rate = 1.0
[[bonus.band]]
from = 1.2
rate = 1.5
"""


def _expected_bonus(achievement, bands=((0.8, 0.8), (1.0, 1.0), (1.2, 1.5)), base=10000):  # noqa: ANN001, ANN202
    rate = 0
    for start, r in bands:
        if achievement >= start:
            rate = r
    return base * rate


def test_demo_bonuses_follow_each_managers_achievement(cli, sql, tmp_path):
    from fractions import Fraction

    ok(cli, "demo")
    path = tmp_path / "bonus.toml"
    path.write_text(RULES, encoding="utf-8")
    rows = ok(cli, "score", "bonus", "--period", "2026Q4", "--rules", str(path), "-f", "json").json()
    assert set(rows[0]) == {"owner", "value", "band", "rate", "base", "bonus", "reason"}
    # achievement by raw SQL: won revenue closed in Q4 over the Q4 revenue goal
    won = dict(sql("SELECT m.name, SUM(d.amount_cents) FROM deals d JOIN managers m ON m.id = d.owner_id "
                   "WHERE d.stage = 'won' AND d.closed_at >= '2026-10-01' AND d.closed_at <= '2026-12-31' "
                   "GROUP BY m.name"))
    goal = {n: Fraction(str(t)) for n, t in sql("SELECT m.name, g.target FROM goals g JOIN managers m "
                                                 "ON m.id = g.owner_id WHERE g.period = '2026Q4' "
                                                 "AND g.metric = 'revenue'")}
    assert len(rows) == len(goal) >= 3
    paid = 0
    for row in rows:
        achievement = Fraction(int(won.get(row["owner"], 0)), 100) / goal[row["owner"]]
        assert abs(Fraction(str(row["value"])) - achievement) <= Fraction(1, 20000), row  # 4 places
        assert row["bonus"] == _expected_bonus(achievement), row
        paid += row["bonus"] > 0
    assert 0 < paid  # the demo pays someone
    total = sum(r["bonus"] for r in rows)
    table = ok(cli, "score", "bonus", "--period", "2026Q4", "--rules", str(path))
    assert f"total bonus {total:,.2f}" in table.stderr
    csv_out = ok(cli, "score", "bonus", "--period", "2026Q4", "--rules", str(path), "-f", "csv").stdout
    assert csv_out.splitlines()[0] == "owner,value,band,rate,base,bonus,reason"
    xlsx = tmp_path / "bonus.xlsx"
    ok(cli, "score", "bonus", "--period", "2026Q4", "--rules", str(path), "-f", "xlsx", "-o", str(xlsx))
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    assert cells[0] == ["owner", "value", "band", "rate", "base", "bonus", "reason"]
    assert {r[0]: r[5] for r in cells[1:]} == {r["owner"]: r["bonus"] for r in rows}


@pytest.fixture
def sales(team):  # noqa: ANN001, ANN201
    """Q4 revenue goals 100000: 张伟 wins 300000 (3.0) and collects 240000 (0.8), 李娜 wins 100000
    (1.0) and collects 20000 (0.2), 刘洋 wins 85000 (0.85) and collects all of it."""
    for customer, owner, amount, paid in (("甲", "张伟", "300000", "240000"), ("乙", "李娜", "100000", "20000"),
                                          ("丙", "刘洋", "85000", "85000")):
        ok(team, "customer", "add", customer, "--owner", owner)
        deal = ok(team, "deal", "add", customer, "--amount", amount, "--stage", "won").stdout.strip()
        ok(team, "payment", "add", deal, paid, "--date", "2026-11-20")
        ok(team, "goal", "set", "--period", "2026Q4", "--owner", owner, "--metric", "revenue", "--target", "100000")
    return team


def test_bonus_cap_gate_and_per_manager_base_by_hand(sales, tmp_path):
    path = tmp_path / "bonus.toml"
    path.write_text("""
[bonus]
metric = "achievement"
cap = 2.0
default_base = 10000
[bonus.base]
"张伟" = 12000
[[bonus.band]]
from = 0.8
rate = 0.5
[[bonus.band]]
from = 1.0
rate = 1.0
[[bonus.band]]
from = 2.0
rate = 3.0
[[bonus.gate]]
metric = "collection_rate"
min = 0.6
""", encoding="utf-8")
    rows = {r["owner"]: r for r in ok(sales, "score", "bonus", "-p", "2026Q4", "--rules", str(path), "-f",
                                      "json").json()}
    # 张伟: achievement 3.0 → band 2.0, rate 3 → 36000, capped at 2 × 12000 = 24000
    assert (rows["张伟"]["value"], rows["张伟"]["band"], rows["张伟"]["rate"], rows["张伟"]["base"],
            rows["张伟"]["bonus"]) == (3.0, 2.0, 3.0, 12000, 24000)
    assert "capped" in rows["张伟"]["reason"]
    # 李娜: band 1.0 would pay 10000, but collection_rate 0.2 < 0.6 closes the gate
    assert (rows["李娜"]["band"], rows["李娜"]["bonus"]) == (1.0, 0)
    assert rows["李娜"]["reason"] == "gate collection_rate: 0.2000 < 0.6"
    # 刘洋: 0.85 → band 0.8, rate 0.5 of the default base; collection_rate 1.0 passes
    assert (rows["刘洋"]["band"], rows["刘洋"]["bonus"], rows["刘洋"]["reason"]) == (0.8, 5000, None)
    # 陈总 has no revenue goal: no value, no bonus
    assert (rows["陈总"]["value"], rows["陈总"]["bonus"], rows["陈总"]["reason"]) == (None, 0, "no revenue goal")
    zh = ok(sales, "score", "bonus", "-p", "2026Q4", "--rules", str(path), extra_env={"AMKIT_LANG": "zh"})
    assert "封顶为基数的 2.0 倍" in zh.stdout and "门槛 collection_rate：0.2000 < 0.6" in zh.stdout
    assert "奖金合计 29,000.00" in zh.stderr  # 24000 + 5000


@pytest.mark.parametrize(("text", "needle"), [
    ("[bonus]\nbase = 10000\n", "bonus.band"),
    ("[bonus]\nbase = -5\n[[bonus.band]]\nfrom = 1\nrate = 1\n", "bonus.base"),
    ("[bonus]\nbase = 1\nmetric = \"charm\"\n[[bonus.band]]\nfrom = 1\nrate = 1\n", "'charm'"),
    ("[bonus]\nbase = 1\nbonus_pool = 3\n[[bonus.band]]\nfrom = 1\nrate = 1\n", "'bonus_pool'"),
    ("[bonus]\nbase = 1\n[[bonus.band]]\nfrom = 1\nrate = \"lots\"\n", "bonus.band[1].rate"),
    ("[bonus]\nbase = 1\n[[bonus.band]]\nfrom = 1\nrate = 1\n[[bonus.band]]\nfrom = 0.5\nrate = 2\n",
     "bonus.band[2].from"),
    ("[bonus]\nbase = 1\ncap = 0\n[[bonus.band]]\nfrom = 1\nrate = 1\n", "bonus.cap"),
    ("[bonus]\nbase = 1\n[[bonus.band]]\nfrom = 1\nrate = 1\n[[bonus.gate]]\nmetric = \"luck\"\nmin = 1\n",
     "'luck'"),
    ("[bonus]\n[bonus.base]\n\"无名\" = 100\n[[bonus.band]]\nfrom = 1\nrate = 1\n", "'无名'"),
    ("[bonus\nbase = 1\n", "rules file"),
])
def test_bad_rules_file_exits_2_naming_key_and_value(sales, sql, tmp_path, text, needle):
    path = tmp_path / "bonus.toml"
    path.write_text(text, encoding="utf-8")
    audit = sql("SELECT count(*) FROM audit_log")
    result = sales("score", "bonus", "-p", "2026Q4", "--rules", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("amkit: ") and needle in lines[0], result.stderr
    assert sql("SELECT count(*) FROM audit_log") == audit
    if needle == "'charm'":  # the message follows the language
        zh = sales("score", "bonus", "-p", "2026Q4", "--rules", str(path), extra_env={"AMKIT_LANG": "zh"})
        assert zh.exit_code == 2 and "bonus.metric 的值 'charm' 无效：应为 achievement 或 score" in zh.stderr
    missing = sales("score", "bonus", "-p", "2026Q4", "--rules", str(tmp_path / "nope.toml"))
    assert missing.exit_code == 3 and "nope.toml" in missing.stderr


def test_a_metric_declared_in_the_metrics_layer_slots_into_goals_cards_and_ranks(team, monkeypatch):
    """Adding a metric is one declaration (+ its formula/query) in amkit.metrics.figures: the goals,
    the card, its weights and the ranking take it by name (here a declared stand-in, in process)."""
    from amkit.metrics import figures

    metric = figures.Metric("won_per_visit", "fraction", "higher", "deals won / visits", "closed_at",
                            "the deal's owner", "单次拜访签约", "deals")
    monkeypatch.setitem(figures.METRICS, metric.name, metric)
    monkeypatch.setitem(figures._FORMULAS, metric.name, lambda t: None if not t.visits else t.won / t.visits)
    monkeypatch.setitem(figures._NEEDS, metric.name, ("deals", "followups"))
    ok(team, "customer", "add", "甲", "--owner", "张伟")
    ok(team, "deal", "add", "甲", "--amount", "1000", "--stage", "won")
    for day in ("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"):
        ok(team, "followup", "log", "甲", "--channel", "visit", "--summary", "拜访", "--at", f"{day} 10:00")
    ok(team, "goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "won_per_visit", "--target", "0.5")
    progress = ok(team, "goal", "progress", "--period", "2026Q4", "-f", "json").json()
    assert [(r["metric"], r["actual"], r["achievement"]) for r in progress] == [("won_per_visit", 0.25, 0.5)]
    card = {c["owner"]: c for c in ok(team, "score", "card", "-p", "2026Q4", "-f", "json").json()}["张伟"]
    assert card["won_per_visit"] == 0.25
    ranked = ok(team, "score", "rank", "-p", "2026Q4", "--by", "won_per_visit", "-f", "json").json()
    assert ranked[0]["owner"] == "张伟" and ranked[0]["won_per_visit"] == 0.25


def test_derived_lines_of_a_1_to_5_score_stop_at_5():
    from decimal import Decimal

    from amkit.goals.calc import default_lines

    lines = default_lines("satisfaction", "4.5")
    assert (lines.target, lines.excellent, lines.stretch) == (Decimal("4.50"), Decimal("5.00"), Decimal("5.00"))
    lines = default_lines("satisfaction", "3")  # 3.6 and 4.5 are below the top
    assert (lines.excellent, lines.stretch) == (Decimal("3.60"), Decimal("4.50"))
