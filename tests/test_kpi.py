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
    assert "tier_locked" in edit.stdout
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
