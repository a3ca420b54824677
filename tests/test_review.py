"""`amkit review`: a hand-built week (2026W47 = Mon 16 – Sun 22 Nov 2026; today is the 23rd).

Fixture, with the figures worked out by hand:
- 张伟 (华东) has a revenue goal for 2026W47 of 100,000 (excellent 120,000, stretch 150,000).
  His only win in the week is deal 1 (中国银行, 60,000, won on the 18th) → achievement 0.6; the
  week is over, so planned to date = the whole target (5 workdays of 5) and pace = 0.6.
- Deals: new in W47 = #2 (created 17th, 30,000) and #5 (created 16th, 10,000) → 2, 40,000;
  won = #1 → 1, 60,000; lost = #2 price (30,000), #3 price (20,000), #4 competitor (50,000)
  → 3, 100,000; lost reasons: price 2 (50,000, share 0.6667), competitor 1 (50,000, 0.3333);
  win rate 1 / 4 = 0.25.
- Lifecycle: 重庆银行 dormant on the 18th ("项目暂停"), 华为 churned on the 20th ("被竞品替换").
- Tier: 中国银行 locked C → A on the 19th.
- Ignored reminders as of the 22nd: 重庆银行 (tier C, created 1 Sep, never followed up: due
  1 Oct, 52 days overdue). 中国银行 (A, 7 days) was visited on the 17th; 深圳华南 called on 10 Nov.
- Follow-ups in W47: the visit (with outcome) and a call → 2 follow-ups, 1 visit; top = the visit.
- Previous week W46 (9–15 Nov): deal #6 created and won on the 10th (40,000) → new 1, won 1,
  win rate 1.0; follow-ups 1 (the call), visits 0; ignored reminders as of the 15th: 中国银行
  (A: due 8 Sep) and 重庆银行 → 2.
"""

from __future__ import annotations

import pytest

from test_notify import Hook

PAST = {"AMKIT_TODAY": "2026-09-01"}


def _on(day: str) -> dict:
    return {"AMKIT_TODAY": day}


@pytest.fixture
def week(cli):  # noqa: ANN001, ANN201
    def ok(*args, env=None):  # noqa: ANN001, ANN202
        r = cli(*args, extra_env=env)
        assert r.exit_code == 0, (args, r.stderr)
        return r

    ok("manager", "add", "张伟", "--team", "华东", env=PAST)
    ok("manager", "add", "李娜", "--team", "华东", env=PAST)
    ok("manager", "add", "王芳", "--team", "华南", env=PAST)
    for name, owner, industry in (("中国银行", "张伟", "金融"), ("华为", "张伟", "科技"),
                                  ("重庆银行", "李娜", "金融"), ("深圳华南", "王芳", "零售")):
        ok("customer", "add", name, "--owner", owner, "--industry", industry, env=PAST)
    ok("goal", "set", "--period", "2026W47", "--owner", "张伟", "--metric", "revenue", "--target", "100000")
    ok("deal", "add", "中国银行", "--stage", "quote", "--amount", "60000", "--created", "2026-11-02")
    ok("deal", "move", "1", "won", "--on", "2026-11-18")
    ok("deal", "add", "华为", "--stage", "contact", "--amount", "30000", "--created", "2026-11-17")
    ok("deal", "move", "2", "lost", "--on", "2026-11-19", "--reason", "价格高于竞品", "--reason-code", "price")
    ok("deal", "add", "重庆银行", "--stage", "needs", "--amount", "20000", "--created", "2026-11-03")
    ok("deal", "move", "3", "lost", "--on", "2026-11-20", "--reason", "对手便宜", "--reason-code", "price")
    ok("deal", "add", "重庆银行", "--stage", "quote", "--amount", "50000", "--created", "2026-11-05")
    ok("deal", "move", "4", "lost", "--on", "2026-11-21", "--reason-code", "competitor")
    ok("deal", "add", "深圳华南", "--stage", "quote", "--amount", "10000", "--created", "2026-11-16")
    ok("deal", "add", "中国银行", "--stage", "won", "--amount", "40000", "--created", "2026-11-10")
    ok("followup", "log", "深圳华南", "--channel", "call", "--summary", "电话沟通报价", "--at", "2026-11-10 10:00")
    ok("followup", "log", "中国银行", "--channel", "visit", "--summary", "拜访信息科", "--outcome", "客户同意续约",
       "--at", "2026-11-17 10:00")
    ok("followup", "log", "华为", "--channel", "call", "--summary", "电话回访", "--outcome", "嫌贵",
       "--at", "2026-11-18 15:00")
    ok("customer", "edit", "重庆银行", "--stage", "dormant", "--reason", "项目暂停", env=_on("2026-11-18"))
    ok("tier", "lock", "中国银行", "A", env=_on("2026-11-19"))
    ok("customer", "edit", "华为", "--stage", "churned", "--churn-reason", "被竞品替换", env=_on("2026-11-20"))
    return cli


def test_review_json_has_the_hand_worked_figures(week):
    r = week("review", "--period", "2026W47", "-f", "json")
    assert r.exit_code == 0, r.stderr
    doc = r.json()
    assert (doc["period"], doc["start"], doc["end"], doc["as_of"]) == ("2026W47", "2026-11-16", "2026-11-22",
                                                                       "2026-11-22")
    assert doc["goals_period"] == "2026W47"
    [goal] = doc["goals"]
    assert (goal["owner"], goal["metric"], goal["actual"], goal["target"]) == ("张伟", "revenue", 60000, 100000)
    assert (goal["excellent"], goal["stretch"]) == (120000, 150000)
    assert (goal["achievement"], goal["pace"], goal["projected_line"]) == (0.6, 0.6, "below")
    assert goal["excellent_achievement"] == 0.5 and goal["stretch_achievement"] == 0.4
    d = doc["deals"]
    assert (d["new_deals"], d["new_amount"], d["won_deals"], d["won_amount"]) == (2, 40000, 1, 60000)
    assert (d["lost_deals"], d["lost_amount"], d["win_rate"]) == (3, 100000, 0.25)
    assert d["lost_reasons"] == [
        {"reason_code": "price", "count": 2, "share": 0.6667, "amount": 50000},
        {"reason_code": "competitor", "count": 1, "share": 0.3333, "amount": 50000}]
    assert [(x["id"], x["reason_code"], x["lost_reason"]) for x in d["lost"]] == [
        (2, "price", "价格高于竞品"), (3, "price", "对手便宜"), (4, "competitor", None)]
    assert [(m["customer"], m["on"], m["new"], m["reason"]) for m in doc["lifecycle"]] == [
        ("重庆银行", "2026-11-18", "dormant", "项目暂停"), ("华为", "2026-11-20", "churned", "被竞品替换")]
    assert [(x["customer"], x["old_tier"], x["new_tier"], x["direction"]) for x in doc["tier_changes"]] == [
        ("中国银行", "C", "A", "up")]
    assert [(x["customer"], x["due"], x["days_overdue"]) for x in doc["ignored_reminders"]] == [
        ("重庆银行", "2026-10-01", 52)]
    assert [(f["customer"], f["outcome"]) for f in doc["top_followups"]] == [("中国银行", "客户同意续约")]
    assert doc["figures"] == {"new_deals": 2, "won_deals": 1, "won_amount": 60000, "lost_deals": 3,
                              "lost_amount": 100000, "win_rate": 0.25, "went_dormant": 1, "churned": 1,
                              "tier_changes": 1, "ignored_reminders": 1, "followups": 2, "visits": 1,
                              "new_customers": 0, "collection": 0}  # customers added 1 Sep; no payments
    prev = doc["previous"]
    assert (prev["period"], prev["new_deals"], prev["won_deals"], prev["won_amount"], prev["win_rate"]) == (
        "2026W46", 1, 1, 40000, 1.0)
    assert (prev["ignored_reminders"], prev["followups"], prev["visits"]) == (2, 1, 0)
    changes = {c["figure"]: c["delta"] for c in doc["changes"]}
    assert (changes["won_amount"], changes["lost_deals"], changes["win_rate"]) == (20000, 3, -0.75)
    assert (changes["ignored_reminders"], changes["followups"], changes["tier_changes"]) == (-1, 1, 1)


def test_review_scope_team_and_owner(week):
    team = week("review", "--period", "2026W47", "--team", "华东", "-f", "json").json()
    assert team["team"] == "华东" and team["deals"]["new_deals"] == 1  # 王芳's deal #5 is 华南
    south = week("review", "--period", "2026W47", "--team", "华南", "-f", "json").json()
    assert south["goals"] == [] and south["deals"]["new_deals"] == 1 and south["deals"]["lost_deals"] == 0
    li = week("review", "--period", "2026W47", "--owner", "李娜", "-f", "json").json()
    assert [x["id"] for x in li["deals"]["lost"]] == [3, 4]
    assert [m["customer"] for m in li["lifecycle"]] == ["重庆银行"] and li["goals"] == []


def test_review_markdown_and_html_carry_the_figures(week, tmp_path):
    md = week("review", "--period", "2026W47")
    assert md.exit_code == 0, md.stderr
    text = md.stdout
    assert text.startswith("# Review 2026W47\n")
    assert "| 张伟 | revenue | 60,000.00 | 100,000.00 | 60.0% |" in text.replace("¥", "")
    assert "| price | 2 | 66.7% |" in text and "| competitor | 1 | 33.3% |" in text
    assert "| 重庆银行 | 李娜 | 2026-11-18 | dormant | 项目暂停 |" in text
    assert "| 华为 | 张伟 | 2026-11-20 | churned | 被竞品替换 |" in text
    assert "## Since the last review (2026W46)" in text and "| Won amount |" in text
    out = tmp_path / "review.html"
    r = week("review", "--period", "2026W47", "-f", "html", "-o", out)
    assert r.exit_code == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert "60.0%" in html and "项目暂停" in html and "被竞品替换" in html and "66.7%" in html
    for external in ("http://", "https://", "<script", "<link", "src="):
        assert external not in html


def test_review_in_chinese(week):
    r = week("review", "--period", "2026W47", "--owner", "张伟", extra_env={"AMKIT_LANG": "zh"})
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("# 复盘 2026W47 · 张伟") and "## 输单原因" in r.stdout


def test_review_previous_period_of_a_month_and_quarter_goals(week):
    week("goal", "set", "--period", "2026Q4", "--owner", "李娜", "--metric", "revenue", "--target", "50000")
    doc = week("review", "--period", "2026-11", "--owner", "李娜", "-f", "json").json()
    assert doc["previous"]["period"] == "2026-10"
    # no goal of 李娜 for 2026-11: November's share of the quarter's, 50000 × 21/62 workdays
    assert doc["goals_period"] == "2026-11"
    assert (doc["goals"][0]["target"], doc["goals"][0]["target_source"]) == (16935.48, "plan")
    assert doc["goals"][0]["actual"] == 0 and doc["goals"][0]["achievement"] == 0


def test_review_bad_input(week, sql):
    before = sql("SELECT count(*) FROM audit_log")
    bad = week("review", "--period", "2026W99")
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "2026W99" in bad.stderr
    future = week("review", "--period", "2027-01")
    assert future.exit_code == 2 and "2027-01" in future.stderr
    missing = week("review", "--period", "2026W47", "--team", "西北")
    assert missing.exit_code == 3 and "西北" in missing.stderr
    both = week("review", "--period", "2026W47", "--team", "华东", "--owner", "张伟")
    assert both.exit_code == 2
    assert week("review", "--via", "wecom").exit_code == 2
    assert week("customer", "edit", "中国银行", "--tier", "B", "--reason", "x").exit_code == 2
    assert sql("SELECT count(*) FROM audit_log") == before


def test_review_notify_posts_markdown(week):
    with Hook() as hook:
        r = week("review", "--period", "2026W47", "--notify", hook.url, "--via", "wecom")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("# Review 2026W47")  # still printed
    [req] = hook.requests
    content = req["json"]["markdown"]["content"]
    assert req["json"]["msgtype"] == "markdown" and len(content.encode("utf-8")) <= 4096
    assert not any(line.startswith("|") for line in content.splitlines())  # WeCom renders no tables
    lines = content.splitlines()
    assert lines[0] == "### Review 2026W47" and lines[2] == "**Goal attainment** 60.0%"
    assert lines[3].startswith("**Won amount** ") and "60,000.00 (vs 2026W46: +" in lines[3]
    assert lines[4] == "**Win rate** 25.0% (vs 2026W46: -75.0 pp)"
    assert "- **price**: Count 2, Share 66.7%, Amount " in content
    assert "- **重庆银行**: Owner 李娜, Date 2026-11-18, Stage dormant, Reason 项目暂停" in content
    assert content.index("### Since the last review (2026W46)") > content.index("### Lost reasons")
    assert "- **Win rate**: This period 25.0%, Previous 100.0%, Change -75.0%" in content
    with Hook() as hook:
        assert week("review", "--period", "2026W47", "--notify", hook.url).exit_code == 0
    body = hook.requests[0]["json"]
    assert body["data"]["deals"]["lost_deals"] == 3 and body["markdown"].startswith("# Review")
    week("config", "set", "notify.retries", "0")
    with Hook(default=(500, "boom")) as hook:
        failed = week("review", "--period", "2026W47", "--notify", hook.url, "--via", "slack")
    assert failed.exit_code == 5 and "SECRET" not in failed.stderr


def test_review_notify_delivers_a_long_review_whole_in_numbered_messages(cli):
    assert cli("demo").exit_code == 0
    doc = cli("review", "--period", "2026Q4", "-f", "json").json()
    with Hook() as hook:
        r = cli("review", "--period", "2026Q4", "--notify", hook.url, "--via", "wecom")
    assert r.exit_code == 0, r.stderr
    texts = [req["json"]["markdown"]["content"] for req in hook.requests]
    n = len(texts)
    assert n > 1 and f"({n} message(s))" in r.stderr
    for i, text in enumerate(texts, start=1):
        assert len(text.encode("utf-8")) <= 4096 and text.startswith(f"### Review 2026Q4 ({i}/{n})\n")
        assert not any(line.startswith("|") for line in text.splitlines())
    whole = "\n".join(texts)
    for deal in doc["deals"]["won"] + doc["deals"]["lost"]:
        assert f"- **{deal['id']}**: Customer {deal['customer']}," in whole
    for row in doc["ignored_reminders"]:
        assert f"- **{row['customer']}**: Owner {row['owner']}, Due " in whole
    last = texts[-1]
    assert "### Since the last review (2026Q3)" in last and "- **Follow-ups**: This period " in last
