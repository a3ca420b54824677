"""`score card|rank` on a small fixture with every metric worked out by hand (period 2026Q4).

Ann (team East): customers A1 (created 2026-10-05, industry+region+contact with phone:
complete) and A2 (created 2025, no region). Deals: d1 A1 won 100,000 on 2026-10-10; d2 A2
won 50,000 on 2026-11-01 (a repurchase: A2 won d5 10,000 on 2026-09-30, Q3); d3 A1 lost
30,000; d4 open. Revenue 150,000; won 2, lost 1 → win rate 2/3; repurchase rate 1/2.
Payments dated in Q4 on her deals: 60,000 (d1) + 10,000 (d5, an older deal) = 70,000
(a Q3 prepayment and a 2027 payment are outside) → collection 70,000, collection_rate
70,000 / 150,000 = 0.4667. Follow-ups in Q4: 2 visits + 1 call = 3; 1 call logged without an
owner on her customer counts for nobody (SPEC §6: a follow-up counts for its owner when
logged) and a Q3 visit is outside → visits 2, followups 3. Surveys in Q4: 4 and 5 (an NPS 2 and a Q3 score are
out) → 4.5. Completeness 1/2. Complaints opened in Q4 and resolved: 30 h and 6 h → 18 h.
Goals: revenue 120,000, collection 120,000 (money), new_customers 2, visits 4, satisfaction 4,
completeness 0.8 → ratios min(1.25, 1.2), 70,000/120,000 = 0.58333, 0.5, 0.5, 1.125, 0.625 →
score 40·1.2 + 15·0.58333 + 15·0.5 + 10·0.5 + 10·1.125 + 10·0.625 = 86.75 → grade B.

Bob (East): B1 (2025, complete via e-mail); won 80,000 on 2026-12-31 (last day: in), won
20,000 on 2027-01-01 (out); paid 80,000 → collection 80,000, rate 1.0; no follow-ups, no
surveys. Goals: revenue 100,000, collection 60,000 (80,000/60,000 → capped 1.2), visits 2,
satisfaction 4 (no surveys: left out)
→ (40·0.8 + 15·1.2 + 10·0) / 65 · 100 = 76.92 → grade C.
Dan (West): the same numbers as Bob on D1 → 76.92, a tie: both rank 2, Cat (no data, no
goals) rank 4.
"""

from __future__ import annotations

from conftest import connect

import pytest

PERIOD = "2026Q4"


class Db:
    def __init__(self, env: dict):
        self.con = connect(env)

    def one(self, sql: str, *params):  # noqa: ANN002, ANN201
        return self.con.execute(sql, params).fetchone()[0]

    def run(self, sql: str, *params) -> int:  # noqa: ANN002
        with self.con:
            return self.con.execute(sql, params).lastrowid

    def cid(self, name: str) -> int:
        return self.one("SELECT id FROM customers WHERE name = ?", name)

    def mid(self, name: str) -> int:
        return self.one("SELECT id FROM managers WHERE name = ?", name)

    def deal(self, customer: str, owner: str, yuan: int, stage: str, closed: str | None) -> int:
        return self.run("INSERT INTO deals (customer_id, owner_id, amount_cents, stage, created, closed_at, created_at)"
                        " VALUES (?, ?, ?, ?, '2026-01-01', ?, '2026-01-01 09:00:00')",
                        self.cid(customer), self.mid(owner), yuan * 100, stage, closed)

    def payment(self, deal: int, yuan: int, day: str) -> None:
        self.run("INSERT INTO payments (deal_id, amount_cents, date, created_at) VALUES (?, ?, ?, ?)",
                 deal, yuan * 100, day, day + " 12:00:00")

    def followup(self, customer: str, owner: str | None, channel: str, at: str) -> None:
        self.run("INSERT INTO followups (customer_id, owner_id, channel, at, summary, created_at) "
                 "VALUES (?, ?, ?, ?, 'x', ?)", self.cid(customer), owner and self.mid(owner), channel, at, at)

    def survey(self, customer: str, score: int, day: str, nps: bool = False) -> None:
        self.run("INSERT INTO surveys (customer_id, score, nps, date, created_at) VALUES (?, ?, ?, ?, ?)",
                 self.cid(customer), score, nps, day, day + " 12:00:00")

    def complaint(self, customer: str, opened: str, resolved: str | None) -> None:
        self.run("INSERT INTO complaints (customer_id, text, opened, resolved) VALUES (?, 'x', ?, ?)",
                 self.cid(customer), opened, resolved)

    def goal(self, owner: str, metric: str, target: float, period: str = PERIOD) -> None:
        self.run("INSERT INTO goals (owner_id, period, metric, target, excellent, stretch, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, '2026-10-01 09:00:00')",
                 self.mid(owner), period, metric, target, target * 1.2, target * 1.5)


@pytest.fixture
def db(cli, env):  # noqa: ANN001, ANN201
    for name, team in [("Ann", "East"), ("Bob", "East"), ("Cat", "West"), ("Dan", "West")]:
        assert cli("manager", "add", name, "--team", team).exit_code == 0
    for name, owner, extra in [("A1", "Ann", ["--industry", "金融", "--region", "华东"]), ("A2", "Ann", ["--industry", "制造"]),
                               ("B1", "Bob", ["--industry", "零售", "--region", "华南"]),
                               ("D1", "Dan", ["--industry", "零售", "--region", "华北"])]:
        assert cli("customer", "add", name, "--owner", owner, *extra).exit_code == 0
    assert cli("contact", "add", "A1", "Li", "--phone", "13800000000").exit_code == 0
    assert cli("contact", "add", "A2", "Wu").exit_code == 0  # neither phone nor e-mail
    assert cli("contact", "add", "B1", "Xu", "--email", "xu@example.com").exit_code == 0
    assert cli("contact", "add", "D1", "Ma", "--email", "ma@example.com").exit_code == 0
    d = Db(env)
    d.run("UPDATE customers SET created_at = '2026-10-05 10:00:00' WHERE name = 'A1'")
    d.run("UPDATE customers SET created_at = '2025-03-01 10:00:00' WHERE name != 'A1'")
    d1 = d.deal("A1", "Ann", 100_000, "won", "2026-10-10")
    d2 = d.deal("A2", "Ann", 50_000, "won", "2026-11-01")
    d.deal("A1", "Ann", 30_000, "lost", "2026-11-15")
    d.deal("A2", "Ann", 99_000, "negotiation", None)
    d5 = d.deal("A2", "Ann", 10_000, "won", "2026-09-30")
    d.payment(d1, 60_000, "2026-10-20")
    d.payment(d5, 10_000, "2026-10-05")
    d.payment(d2, 30_000, "2027-01-05")
    d.payment(d1, 5_000, "2026-09-30")
    for at, channel, owner in [("2026-10-02 10:00:00", "visit", "Ann"), ("2026-11-02 10:00:00", "visit", "Ann"),
                               ("2026-11-03 10:00:00", "call", "Ann"), ("2026-12-31 18:00:00", "call", None),
                               ("2026-09-30 10:00:00", "visit", "Ann")]:
        d.followup("A1", owner, channel, at)
    d.survey("A1", 4, "2026-10-15")
    d.survey("A2", 5, "2026-11-01")
    d.survey("A1", 2, "2026-11-02", nps=True)
    d.survey("A2", 1, "2026-09-01")
    d.complaint("A1", "2026-10-01 09:00:00", "2026-10-02 15:00:00")
    d.complaint("A2", "2026-11-10 10:00:00", "2026-11-10 16:00:00")
    d.complaint("A1", "2026-11-20 10:00:00", None)
    for owner, customer, closed in [("Bob", "B1", "2026-12-31"), ("Dan", "D1", "2026-11-30")]:
        won = d.deal(customer, owner, 80_000, "won", closed)
        d.payment(won, 80_000, "2026-12-31")
    d.deal("B1", "Bob", 20_000, "won", "2027-01-01")
    for metric, target in [("revenue", 120_000), ("collection", 120_000), ("new_customers", 2), ("visits", 4),
                           ("satisfaction", 4), ("completeness", 0.8)]:
        d.goal("Ann", metric, target)
    for owner in ("Bob", "Dan"):
        for metric, target in [("revenue", 100_000), ("collection", 60_000), ("visits", 2), ("satisfaction", 4)]:
            d.goal(owner, metric, target)
    return d


def _cards(cli, *args):  # noqa: ANN001, ANN002, ANN202
    result = cli("score", "card", "--period", PERIOD, "-f", "json", *args)
    assert result.exit_code == 0, result.stderr
    return {r["owner"]: r for r in result.json()}


def test_every_metric_by_hand(cli, db):
    cards = _cards(cli)
    ann = cards["Ann"]
    assert ann["revenue"] == 150_000 and ann["target"] == 120_000 and ann["achievement"] == 1.25
    assert (ann["deals_won"], ann["deals_lost"], ann["win_rate"]) == (2, 1, 0.6667)
    assert ann["new_customers"] == 1 and ann["visits"] == 2 and ann["followups"] == 3
    assert ann["collection"] == ann["payments"] == 70_000 and ann["collection_rate"] == 0.4667
    assert ann["satisfaction"] == 4.5 and ann["completeness"] == 0.5
    assert ann["repurchases"] == 1 and ann["repurchase_rate"] == 0.5
    assert ann["complaint_response_hours"] == 18
    assert ann["score"] == 86.75 and ann["grade"] == "B" and ann["rank"] == 1 and ann["team"] == "East"
    bob = cards["Bob"]
    assert bob["revenue"] == 80_000 and bob["achievement"] == 0.8 and bob["win_rate"] == 1
    assert bob["collection_rate"] == 1 and bob["satisfaction"] is None and bob["completeness"] == 1
    assert bob["followups"] == 0 and bob["complaint_response_hours"] is None
    assert bob["score"] == 76.92 and bob["grade"] == "C"
    for key in ("owner", "revenue", "target", "achievement", "deals_won", "deals_lost", "win_rate", "new_customers",
                "visits", "followups", "collection_rate", "satisfaction", "score", "grade", "rank"):
        assert key in bob


def test_ties_share_a_rank(cli, db):
    result = cli("score", "card", "--period", PERIOD, "-f", "json")
    ranks = [(r["owner"], r["rank"]) for r in result.json()]
    assert ranks == [("Ann", 1), ("Bob", 2), ("Dan", 2), ("Cat", 4)]
    cat = result.json()[3]
    assert cat["score"] is None and cat["grade"] is None and cat["win_rate"] is None
    assert cat["collection_rate"] is None and cat["completeness"] is None and cat["revenue"] == 0


def test_detail_shows_subscores_and_weights(cli, db):
    rows = cli("score", "card", "-p", PERIOD, "--owner", "Bob", "--detail", "-f", "json").json()
    assert [r["owner"] for r in rows] == ["Bob"] and rows[0]["rank"] == 2  # ranked among everyone
    subs = {s["metric"]: s for s in rows[0]["subscores"]}
    assert subs["revenue"]["weight"] == 61.54 and subs["revenue"]["ratio"] == 0.8  # 40 / 65
    assert subs["collection"]["ratio"] == 1.2 and subs["visits"]["points"] == 0
    assert subs["satisfaction"]["weight"] is None and subs["satisfaction"]["goal"] == 4
    table = cli("score", "card", "-p", PERIOD, "--owner", "Bob", "--detail")
    assert table.exit_code == 0 and "61.54" in table.stdout and "Weight" in table.stdout


def test_detail_table_shows_units_and_columns_pick_from_both_tables(cli, db):
    """Bob, by hand: revenue 80,000 of 100,000 (80.0%), collection 80,000 of 60,000 (capped 120.0%),
    visits 0 of 2; the detail table shows them as the card does, in zh with the goal source in words."""
    r = cli("score", "card", "-p", PERIOD, "--owner", "Bob", "--detail", "-c", "owner,score,metric,actual,goal,ratio",
            extra_env={"AMKIT_LANG": "zh"})
    assert r.exit_code == 0, r.stderr
    card, detail = r.stdout.split("\n\n")
    assert card.splitlines()[1].split() == ["客户经理", "得分"] and "76.92" in card
    rows = {line.split()[1]: line.split()[2:] for line in detail.splitlines()[2:]}
    assert detail.splitlines()[0].split() == ["客户经理", "指标", "实际", "目标值", "比率"]
    assert rows["签约金额"] == ["¥80,000.00", "¥100,000.00", "80.0%"]
    assert rows["回款"] == ["¥80,000.00", "¥60,000.00", "120.0%"]
    assert rows["拜访"] == ["0", "2", "0.0%"]
    src = cli("score", "card", "-p", PERIOD, "--owner", "Bob", "--detail", "-c", "metric,目标来源",
              extra_env={"AMKIT_LANG": "zh"})
    assert "签约金额    目标" in src.stdout.replace("  目标来源", "")
    bad = cli("score", "card", "-p", PERIOD, "--detail", "-c", "owner,bogus")
    assert bad.exit_code == 2 and "--columns" in bad.stderr and "bogus" in bad.stderr and bad.stdout == ""


def test_team_ranks_within_team(cli, db):
    rows = cli("score", "card", "-p", PERIOD, "--team", "West", "-f", "json").json()
    assert [(r["owner"], r["rank"]) for r in rows] == [("Dan", 1), ("Cat", 2)]
    missing = cli("score", "card", "-p", PERIOD, "--team", "North")
    assert missing.exit_code == 3 and "North" in missing.stderr


def test_period_without_data_gives_nulls(cli, db):
    rows = cli("score", "card", "--period", "2030Q1", "-f", "json").json()
    assert len(rows) == 4
    for row in rows:
        assert row["revenue"] == 0 and row["win_rate"] is None and row["achievement"] is None
        assert row["collection_rate"] is None and row["satisfaction"] is None and row["score"] is None
        assert row["repurchase_rate"] is None and row["complaint_response_hours"] is None and row["rank"] == 1
    assert cli("score", "card", "--period", "2030Q1").exit_code == 0
    assert cli("score", "card", "--period", "2030Q1", "-f", "csv").stdout.startswith("rank,owner,")


def test_weights_from_config(cli, db, env):
    with open(env["AMKIT_CONFIG"], "w", encoding="utf-8") as fh:
        fh.write("[score.weights]\nrevenue = 50\ncollection = 50\nnew_customers = 0\nvisits = 0\n"
                 "satisfaction = 0\ncompleteness = 0\n")
    cards = _cards(cli)
    # Ann: (50·1.2 + 50·0.58333) = 89.17; Bob: 50·0.8 + 50·1.2 = 100 → A (>= 95)
    assert cards["Ann"]["score"] == 89.17 and cards["Bob"]["score"] == 100 and cards["Bob"]["grade"] == "A"
    assert cards["Bob"]["rank"] == 1 and cards["Ann"]["rank"] == 3
    with open(env["AMKIT_CONFIG"], "a", encoding="utf-8") as fh:
        fh.write("\n[score.grades]\nS = 200\nA = 150\nB = 100\nC = 90\n")
    assert _cards(cli)["Bob"]["grade"] == "B"


def test_bad_weights_exit_2(cli, db, env):
    from amkit.config import DEFAULTS

    with open(env["AMKIT_CONFIG"], "w", encoding="utf-8") as fh:
        fh.write("[score.weights]\n" + "".join(f"{k} = 0\n" for k in DEFAULTS["score"]["weights"]))
    result = cli("score", "card", "-p", PERIOD)
    assert result.exit_code == 2 and "score.weights" in result.stderr and "above 0" in result.stderr
    with open(env["AMKIT_CONFIG"], "w", encoding="utf-8") as fh:
        fh.write("[score.weights]\nrevenue = -5\n")
    result = cli("score", "card", "-p", PERIOD)
    assert result.exit_code == 2 and "score.weights.revenue" in result.stderr


def test_config_weights_cover_every_metric():
    from amkit.config import DEFAULTS
    from amkit.metrics import figures

    assert set(DEFAULTS["score"]["weights"]) == set(figures.METRICS)


def test_collection_rate_goal_is_a_fraction(cli, db):
    # Bob's collection goal becomes a rate goal of 0.8: actual 80,000 / 80,000 = 1.0 → 1.25 →
    # capped 1.2, weighted like the money goal was when configured as score.weights.collection_rate
    db.run("UPDATE goals SET metric = 'collection_rate', target = 0.8 WHERE metric = 'collection' "
           "AND owner_id = ?", db.mid("Bob"))
    result = cli("score", "card", "-p", PERIOD, "-f", "json")
    bob = {r["owner"]: r for r in result.json()}["Bob"]
    assert result.exit_code == 0 and result.stderr == ""
    # collection_rate's default weight is collection's (15): (40·0.8 + 15·1.2 + 10·0) / 65 = 76.92
    assert bob["score"] == 76.92
    # a rate goal out of its scale is ignored with a warning
    db.run("UPDATE goals SET target = 70000 WHERE metric = 'collection_rate' AND owner_id = ?", db.mid("Bob"))
    result = cli("score", "card", "-p", PERIOD, "-f", "json")
    assert result.exit_code == 0 and "collection_rate goal of Bob" in result.stderr


@pytest.mark.parametrize("args, code, needle", [
    (("score", "card", "--period", "2026Q5"), 2, "2026Q5"),
    (("score", "card", "--owner", "Nobody"), 3, "Nobody"),
    (("score", "rank", "--by", "charm"), 2, "charm"),
    (("score", "card", "-f", "yaml"), 2, "yaml"),
])
def test_bad_input(cli, db, args, code, needle):
    result = cli(*args)
    assert result.exit_code == code
    assert result.stderr.startswith("amkit: ") and needle in result.stderr


def test_rank_change_against_previous_period(cli, db):
    result = cli("score", "rank", "--period", PERIOD, "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = [(r["owner"], r["rank"], r["previous_rank"], r["change"]) for r in result.json()]
    # Q3 (no goals): ranked by revenue: Ann 10,000 first, the others tie at 2.
    assert rows == [("Ann", 1, 1, 0), ("Bob", 2, 2, 0), ("Dan", 2, 2, 0), ("Cat", 4, 2, -2)]
    by_rev = cli("score", "rank", "-p", PERIOD, "--by", "revenue", "-f", "json").json()
    assert [(r["owner"], r["revenue"], r["rank"]) for r in by_rev] == [
        ("Ann", 150_000, 1), ("Bob", 80_000, 2), ("Dan", 80_000, 2), ("Cat", 0, 4)]
    by_rate = cli("score", "rank", "-p", PERIOD, "--by", "win_rate", "-f", "json").json()
    assert [r["owner"] for r in by_rate] == ["Bob", "Dan", "Ann", "Cat"]


def test_html_is_self_contained(cli, db, tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    out = folder / "card.html"
    result = cli("score", "card", "-p", PERIOD, "-f", "html", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<style>" in page
    for owner, score in [("Ann", "86.75"), ("Bob", "76.92"), ("Dan", "76.92"), ("Cat", "")]:
        assert f">{owner}<" in page and score in page
    lowered = page.lower()
    for forbidden in ("http://", "https://", "<script", "src=", "url(", "@import", "<link"):
        assert forbidden not in lowered
    assert list(folder.iterdir()) == [out]  # one file, nothing beside it


def test_zh_labels(cli, db):
    result = cli("score", "card", "-p", PERIOD, extra_env={"AMKIT_LANG": "zh"})
    assert result.exit_code == 0 and "回款率" in result.stdout and "评级" in result.stdout
