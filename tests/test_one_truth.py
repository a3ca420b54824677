"""One truth per figure (SPEC §6): goal progress, the score card and the review give the same
number for the same manager and period, and that number is what raw SQL (or the CSV itself)
says by the written definition (README "Metrics: one definition per figure"). Both backends.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from test_deals import DEAL_MAPS, MAVEN

METRICS = ("visits", "revenue", "deals_won", "new_customers", "collection")


def ok(cli, *args):  # noqa: ANN001, ANN002, ANN201
    r = cli(*args)
    assert r.exit_code == 0, (args, r.stderr)
    return r


def _three_ways(cli, period: str) -> tuple[dict, dict, dict]:  # noqa: ANN001
    """{owner: {metric: value}} from goal progress, score card and review."""
    progress: dict = defaultdict(dict)
    for row in ok(cli, "goal", "progress", "--period", period, "-f", "json").json():
        if row["kind"] == "manager":
            progress[row["owner"]][row["metric"]] = row["actual"]
    cards = {c["owner"]: c for c in ok(cli, "score", "card", "--period", period, "-f", "json").json()}
    review = {m["owner"]: m for m in ok(cli, "review", "--period", period, "-f", "json").json()["managers"]}
    return progress, cards, review


def _agree(progress: dict, cards: dict, review: dict, metrics=METRICS) -> None:  # noqa: ANN001
    for owner, actuals in progress.items():
        for metric, value in actuals.items():
            if metric in metrics:
                assert cards[owner][metric] == value == review[owner][metric], (owner, metric)
    for owner, card in cards.items():
        for metric in metrics:
            assert review[owner][metric] == card[metric], (owner, metric)


# ---------------------------------------------------------------- the repro

def test_visit_logged_without_owner_counts_for_nobody_everywhere(cli, sql):
    ok(cli, "manager", "add", "张伟")
    ok(cli, "manager", "add", "李娜")
    ok(cli, "customer", "add", "甲公司")  # no owner yet
    ok(cli, "followup", "log", "甲公司", "--channel", "visit", "--summary", "初访", "--at", "2026-11-02 10:00")
    ok(cli, "customer", "edit", "甲公司", "--owner", "张伟")
    ok(cli, "followup", "log", "甲公司", "--channel", "visit", "--summary", "二访", "--at", "2026-11-05 10:00",
       "--next", "送方案", "--next-date", "2026-12-01")
    deal = ok(cli, "deal", "add", "甲公司", "--amount", "5000", "--stage", "won", "-f", "json").json()["id"]
    ok(cli, "payment", "add", str(deal), "2000", "--date", "2026-11-10")
    for metric, target in (("visits", "4"), ("revenue", "10000"), ("deals_won", "2"), ("new_customers", "2"),
                           ("collection", "4000")):
        ok(cli, "goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", metric, "--target", target)
    # by hand: the second visit only (the first was logged while 甲公司 had no owner); the won
    # deal 5,000 closed today; 甲公司 created today, owned by 张伟 now; 2,000 paid in Q4
    expected = {"visits": 1, "revenue": 5000, "deals_won": 1, "new_customers": 1, "collection": 2000}
    progress, cards, review = _three_ways(cli, "2026Q4")
    assert progress["张伟"] == expected
    _agree(progress, cards, review)
    assert sql("SELECT count(*) FROM followups WHERE owner_id IS NULL") == [(1,)]

    # a handover moves the pending action, never the credit for the visit
    ok(cli, "customer", "handover", "--from", "张伟", "--to", "李娜")
    progress, cards, review = _three_ways(cli, "2026Q4")
    assert progress["张伟"]["visits"] == cards["张伟"]["visits"] == review["张伟"]["visits"] == 1
    assert cards["李娜"]["visits"] == 0 and review["李娜"]["visits"] == 0
    assert sql("SELECT m.name FROM followups f JOIN managers m ON m.id = f.owner_id") == [("张伟",)]
    due = ok(cli, "remind", "--within", "30d", "-f", "json").json()
    assert [(x["kind"], x["owner"]) for x in due if x["kind"] == "next_action"] == [("next_action", "李娜")]


# ---------------------------------------------------------------- the demo

def _sql_figures(sql, start: str, end: str) -> dict:  # noqa: ANN001
    """Each manager's figures straight from the tables, by the README definitions."""
    out: dict = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    nxt = f"{end} 23:59:59.999999"
    for name, cents, n in sql("SELECT m.name, sum(d.amount_cents), count(*) FROM deals d JOIN managers m "
                              "ON m.id = d.owner_id WHERE d.stage = 'won' AND d.closed_at >= ? "
                              "AND d.closed_at <= ? GROUP BY m.name", start, end):
        out[name].update(revenue=Decimal(int(cents)) / 100, deals_won=n)
    for name, n in sql("SELECT m.name, count(*) FROM followups f JOIN managers m ON m.id = f.owner_id "
                       "WHERE f.channel = 'visit' AND f.at >= ? AND f.at <= ? GROUP BY m.name", start, nxt):
        out[name]["visits"] = n
    for name, n in sql("SELECT m.name, count(*) FROM customers c JOIN managers m ON m.id = c.owner_id "
                       "WHERE c.created_at >= ? AND c.created_at <= ? GROUP BY m.name", start, nxt):
        out[name]["new_customers"] = n
    for name, cents in sql("SELECT m.name, sum(p.amount_cents) FROM payments p JOIN deals d ON d.id = p.deal_id "
                           "JOIN managers m ON m.id = d.owner_id WHERE p.date >= ? AND p.date <= ? "
                           "GROUP BY m.name", start, end):
        out[name]["collection"] = Decimal(int(cents)) / 100
    return out


def test_demo_2026q4_three_commands_agree_with_sql(cli, sql):
    ok(cli, "demo")
    progress, cards, review = _three_ways(cli, "2026Q4")
    assert progress and len(cards) >= 3
    _agree(progress, cards, review)
    # goal progress runs to today (2026-11-23); the card and the review take the whole quarter,
    # which ends after today: nothing can be dated after today in the demo, so they are equal
    truth = _sql_figures(sql, "2026-10-01", "2026-12-31")
    for owner, card in cards.items():
        for metric in METRICS:
            assert Decimal(str(card[metric])) == Decimal(str(truth[owner][metric])), (owner, metric)
    assert any(truth[o]["visits"] for o in cards) and any(truth[o]["revenue"] for o in cards)


# ---------------------------------------------------------------- Maven CRM, 2017Q3

# the Maven deal mappings of tests/test_deals.py (one definition)


def test_maven_2017q3_goals_and_cards_match_the_csv(cli, tmp_path):
    for name in ("sales_teams.csv", "accounts.csv", "sales_pipeline.csv"):
        shutil.copy(MAVEN / name, tmp_path / name)
    ok(cli, "import", "managers", tmp_path / "sales_teams.csv", "--map", "sales_agent=name",
       "--map", "regional_office=team", "--map", "manager=lead")
    ok(cli, "import", "customers", tmp_path / "accounts.csv", "--map", "account=name", "--map", "sector=industry")
    ok(cli, "import", "deals", tmp_path / "sales_pipeline.csv", *DEAL_MAPS, "--skip-invalid")
    # the truth from the CSV itself: won deals with an account, closed in July–September 2017
    revenue: dict = defaultdict(Decimal)
    won: dict = defaultdict(int)
    with open(MAVEN / "sales_pipeline.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["deal_stage"] == "Won" and row["account"].strip() and "2017-07-01" <= row["close_date"] <= "2017-09-30":
                revenue[row["sales_agent"]] += Decimal(row["close_value"])
                won[row["sales_agent"]] += 1
    agents = sorted(revenue)
    assert len(agents) > 20
    for agent in agents:
        ok(cli, "goal", "set", "--period", "2017Q3", "--owner", agent, "--metric", "revenue", "--target", "100000")
        ok(cli, "goal", "set", "--period", "2017Q3", "--owner", agent, "--metric", "deals_won", "--target", "50")
    progress: dict = defaultdict(dict)
    for row in ok(cli, "goal", "progress", "--period", "2017Q3", "-f", "json").json():
        progress[row["owner"]][row["metric"]] = row["actual"]
    cards = {c["owner"]: c for c in ok(cli, "score", "card", "--period", "2017Q3", "-f", "json").json()}
    for agent in agents:
        assert Decimal(str(progress[agent]["revenue"])) == Decimal(str(cards[agent]["revenue"])) == revenue[agent]
        assert progress[agent]["deals_won"] == cards[agent]["deals_won"] == won[agent]
        assert cards[agent]["achievement"] == float((revenue[agent] / 100000).quantize(Decimal("0.0001"), ROUND_HALF_UP))


# ---------------------------------------------------------------- collection vs collection_rate

def test_collection_is_money_and_collection_rate_a_fraction(cli, sql):
    ok(cli, "manager", "add", "王芳")
    ok(cli, "customer", "add", "乙公司", "--owner", "王芳")
    a = ok(cli, "deal", "add", "乙公司", "--amount", "8000", "--stage", "won", "-f", "json").json()["id"]
    ok(cli, "payment", "add", str(a), "3000", "--date", "2026-10-15")
    ok(cli, "payment", "add", str(a), "1000", "--date", "2026-11-01")
    ok(cli, "payment", "add", str(a), "500", "--date", "2026-09-30")  # Q3: outside
    ok(cli, "goal", "set", "--period", "2026Q4", "--owner", "王芳", "--metric", "collection", "--target", "8000")
    ok(cli, "goal", "set", "--period", "2026Q4", "--owner", "王芳", "--metric", "collection_rate", "--target", "0.8")
    rows = {r["metric"]: r for r in ok(cli, "goal", "progress", "--period", "2026Q4", "-f", "json").json()}
    card = ok(cli, "score", "card", "--period", "2026Q4", "-f", "json").json()[0]
    # by hand: collected 3,000 + 1,000 = 4,000 in Q4; won in Q4 8,000 → rate 0.5
    assert rows["collection"]["actual"] == card["collection"] == 4000 and rows["collection"]["achievement"] == 0.5
    assert rows["collection_rate"]["actual"] == card["collection_rate"] == 0.5
    assert rows["collection_rate"]["achievement"] == 0.625  # 0.5 / 0.8
    assert rows["collection_rate"]["pace"] == 0.625 and rows["collection_rate"]["projected"] == 0.5
    (paid,) = sql("SELECT sum(p.amount_cents) FROM payments p WHERE p.date >= '2026-10-01' AND p.date <= '2026-12-31'")
    assert paid[0] == 400000
    bad = cli("goal", "set", "--period", "2026Q4", "--owner", "王芳", "--metric", "collection_rate",
              "--target", "0.855")
    assert bad.exit_code == 2 and "whole percents" in bad.stderr
    plan = cli("goal", "plan", "--period", "2026Q4", "--owner", "王芳", "--metric", "collection_rate")
    assert plan.exit_code == 2 and "not an amount" in plan.stderr


# ---------------------------------------------------------------- repurchases, one definition

def test_repurchase_same_day_goes_by_id_everywhere(cli, sql):
    ok(cli, "manager", "add", "赵六")
    ok(cli, "customer", "add", "丙公司", "--owner", "赵六")
    first = ok(cli, "deal", "add", "丙公司", "--amount", "100", "--stage", "won", "-f", "json").json()["id"]
    second = ok(cli, "deal", "add", "丙公司", "--amount", "200", "--stage", "won", "-f", "json").json()["id"]
    assert sql("SELECT count(DISTINCT closed_at) FROM deals") == [(1,)]  # both won today
    listed = {d["id"]: d["is_repurchase"] for d in ok(cli, "deal", "list", "-f", "json").json()}
    assert listed == {first: False, second: True}
    card = ok(cli, "score", "card", "--period", "2026Q4", "-f", "json").json()[0]
    assert card["repurchases"] == 1 and card["repurchase_rate"] == 0.5
    funnel = {r["stage"]: r for r in ok(cli, "report", "funnel", "-f", "json").json()}
    assert funnel["repurchase"]["entered"] == 1 and funnel["repurchase"]["median_days"] == 0


# ---------------------------------------------------------------- migration of rate-like goals

def test_migration_turns_rate_like_collection_goals_into_collection_rate(cli, sh, sql):
    ok(cli, "manager", "add", "钱七")
    # goals as the old score card wanted them: a collection "rate" of 0.9, and a money goal
    ok(cli, "goal", "set", "--period", "2026Q4", "--owner", "钱七", "--metric", "collection", "--target", "0.9")
    ok(cli, "goal", "set", "--period", "2027Q1", "--owner", "钱七", "--metric", "collection", "--target", "50000")
    sql("DELETE FROM amkit_migrations WHERE name = 'm090_collection_rate_goals'")  # as before the upgrade
    assert ok(cli, "audit", "verify").exit_code == 0
    # a new process (the in-process engine remembers it migrated) runs the pending step first
    ok(sh, "goal", "progress", "--period", "2026Q4", "-f", "json")
    assert sql("SELECT period, metric, target FROM goals ORDER BY period") in (
        [("2026Q4", "collection_rate", 0.9), ("2027Q1", "collection", 50000)],
        [("2026Q4", "collection_rate", Decimal("0.90")), ("2027Q1", "collection", Decimal("50000.00"))])
    assert sql("SELECT count(*) FROM amkit_migrations WHERE name = 'm090_collection_rate_goals'") == [(1,)]
    verify = sh("audit", "verify")
    assert verify.exit_code == 0, verify.stdout + verify.stderr
    entries = sql("SELECT table_name, action, who FROM audit_log WHERE command = 'migrate m090_collection_rate_goals'")
    assert entries == [("goals", "update", "amkit")]
    # and the goal now reads as a rate everywhere
    rows = ok(sh, "goal", "progress", "--period", "2026Q4", "-f", "json").json()
    assert [(r["metric"], r["target"]) for r in rows] == [("collection_rate", 0.9)]


def test_an_imported_follow_up_counts_for_the_customers_owner_at_import_time(cli, sql, tmp_path):
    """`followup log` sets the owner to the customer's owner then; an import without an owner
    column does the same, and a later handover leaves the credit where it was."""
    for name in ("张伟", "李娜"):
        assert cli("manager", "add", name).exit_code == 0
    assert cli("customer", "add", "中国银行", "--owner", "张伟").exit_code == 0
    assert cli("customer", "add", "无主客户").exit_code == 0
    path = tmp_path / "f.csv"
    path.write_text("customer,channel,at,summary\n中国银行,visit,2026-11-02 10:00,拜访\n"
                    "中国银行,call,2026-11-03 10:00,电话\n无主客户,visit,2026-11-04 10:00,拜访\n", encoding="utf-8")
    r = cli("import", "followups", str(path))
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT c.name, m.name FROM followups f JOIN customers c ON c.id = f.customer_id "
               "LEFT JOIN managers m ON m.id = f.owner_id ORDER BY f.at") == [
        ("中国银行", "张伟"), ("中国银行", "张伟"), ("无主客户", None)]
    assert cli("customer", "handover", "--from", "张伟", "--to", "李娜").exit_code == 0
    card = {row["owner"]: row for row in cli("score", "card", "--period", "2026-11", "-f", "json").json()}
    assert (card["张伟"]["visits"], card["张伟"]["followups"]) == (1, 2)
    assert (card["李娜"]["visits"], card["李娜"]["followups"]) == (0, 0)
