"""`tier run|lock|list|history` and `report pareto` against a hand-built database.

Fixture (as_of = AMKIT_TODAY = 2026-11-23, window 2025-11-23 < closed_at <= 2026-11-23), won
values in yuan: Alpha 400, Bravo 200, Charlie 200, Delta 100, Echo 50, Golf 50 (its deal is
ON as_of; its 1000 deal closed exactly 12 months earlier is outside), Foxtrot 0, Hotel 0
(locked at B). S = 1000. Cumulative before each: Alpha 0 → A, Bravo 400 → A, Charlie 600 → A,
Delta 800 (not < 800) → B, Echo 900 → B, Golf 950 (not < 950) → C although it ties with Echo
(name order), Foxtrot value 0 → C, Hotel locked → stays B.
"""

from __future__ import annotations

import hashlib
from conftest import connect

import pytest

AS_OF = "2026-11-23"
NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"]
EXPECTED = {"Alpha": "A", "Bravo": "A", "Charlie": "A", "Delta": "B", "Echo": "B", "Golf": "C",
            "Foxtrot": "C", "Hotel": "B"}


def _deal(db: dict, customer: str, yuan: int, stage: str, closed: str | None) -> None:
    con = connect(db)
    with con:
        (cid,) = con.execute("SELECT id FROM customers WHERE name = ?", (customer,)).fetchone()
        con.execute("INSERT INTO deals (customer_id, owner_id, amount_cents, stage, created, closed_at, created_at) "
                    "VALUES (?, NULL, ?, ?, '2025-01-01', ?, '2025-01-01 09:00:00')",
                    (cid, yuan * 100, stage, closed))
    con.close()


def _exec(db: dict, statement: str, *params) -> None:  # noqa: ANN002
    con = connect(db)
    with con:
        con.execute(statement, params)
    con.close()


@pytest.fixture
def fixture(cli, env):  # noqa: ANN001, ANN201
    for name in NAMES:
        assert cli("customer", "add", name).exit_code == 0
    db = env
    for customer, yuan, stage, closed in [
        ("Alpha", 400, "won", "2026-06-01"), ("Alpha", 999, "lost", "2026-05-01"),
        ("Alpha", 777, "negotiation", None), ("Bravo", 150, "won", "2026-01-10"), ("Bravo", 50, "won", "2025-11-24"),
        ("Charlie", 200, "won", "2026-03-03"), ("Delta", 100, "won", "2026-10-10"), ("Delta", 500, "won", "2026-11-24"),
        ("Echo", 50, "won", "2026-02-02"), ("Golf", 50, "won", AS_OF), ("Golf", 1000, "won", "2025-11-23"),
    ]:
        _deal(db, customer, yuan, stage, closed)
    assert cli("tier", "lock", "Hotel", "B").exit_code == 0
    return db


def _checksum(db: dict) -> str:
    con = connect(db)
    digest = hashlib.sha256()
    for table in ("customers", "tier_history", "audit_log"):
        for row in con.execute(f"SELECT * FROM {table} ORDER BY id"):
            digest.update(repr(row).encode())
    con.close()
    return digest.hexdigest()


def test_pareto_boundaries_ties_zero_and_lock(cli, sql, fixture):
    result = cli("tier", "run", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = result.json()
    assert [r["customer"] for r in rows] == ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Golf", "Foxtrot", "Hotel"]
    assert {r["customer"]: r["tier"] for r in rows} == EXPECTED
    by = {r["customer"]: r for r in rows}
    assert by["Alpha"]["value"] == 400 and by["Alpha"]["share"] == 0.4 and by["Alpha"]["cumulative_share"] == 0.4
    assert by["Bravo"]["value"] == 200  # 150 + the deal one day inside the window
    assert by["Golf"]["value"] == 50  # on as_of: in; exactly 12 months before: out
    assert by["Delta"]["value"] == 100  # the deal after as_of is out
    assert by["Charlie"]["cumulative_share"] == 0.8 and by["Echo"]["cumulative_share"] == 0.95
    assert by["Foxtrot"]["share"] == 0 and by["Hotel"]["locked"] is True and by["Hotel"]["old_tier"] == "B"
    assert set(rows[0]) >= {"customer", "value", "share", "cumulative_share", "old_tier", "tier"}
    stored = dict(sql("SELECT name, tier FROM customers"))
    assert stored == EXPECTED
    history = sql("SELECT c.name, h.old_tier, h.new_tier, h.method, h.value_cents, h.\"on\" FROM tier_history h "
                  "JOIN customers c ON c.id = h.customer_id WHERE h.method = 'pareto' ORDER BY c.name")
    assert history == [("Alpha", "C", "A", "pareto", 40000, AS_OF), ("Bravo", "C", "A", "pareto", 20000, AS_OF),
                       ("Charlie", "C", "A", "pareto", 20000, AS_OF), ("Delta", "C", "B", "pareto", 10000, AS_OF),
                       ("Echo", "C", "B", "pareto", 5000, AS_OF)]
    audited = sql("SELECT count(*) FROM audit_log WHERE table_name = 'customers' AND command LIKE '%tier run%'")
    assert audited == [(5,)]
    assert "A 3, B 3, C 2; 5 changed" in result.stderr


def test_as_of_moves_the_window(cli, fixture):
    rows = cli("tier", "run", "--as-of", "2026-11-22", "--dry-run", "-f", "json").json()
    by = {r["customer"]: r for r in rows}
    assert by["Golf"]["value"] == 1000 and by["Golf"]["tier"] == "A"  # 2025-11-23 is now inside
    assert by["Bravo"]["value"] == 200


def test_dry_run_writes_nothing_and_prints_every_row(cli, fixture):
    before = _checksum(fixture)
    result = cli("tier", "run", "--dry-run")
    assert result.exit_code == 0
    assert _checksum(fixture) == before
    for name in NAMES:
        assert name in result.stdout
    assert "dry run" in result.stderr


def test_second_run_changes_nothing(cli, sql, fixture):
    assert cli("tier", "run").exit_code == 0
    before = _checksum(fixture)
    again = cli("tier", "run")
    assert again.exit_code == 0
    assert again.stdout == ""  # the table lists changes only
    assert "0 changed" in again.stderr
    assert _checksum(fixture) == before
    assert sql("SELECT count(*) FROM tier_history WHERE method = 'pareto'") == [(5,)]


def test_table_shows_changes_and_all(cli, fixture):
    changes = cli("tier", "run").stdout
    assert "Alpha" in changes and "Foxtrot" not in changes and "Golf" not in changes
    everything = cli("tier", "run", "--all").stdout
    assert "Foxtrot" in everything and "Golf" in everything


def test_lock_unlock_and_history(cli, sql, fixture):
    assert sql("SELECT tier, tier_locked FROM customers WHERE name = 'Hotel'") == [("B", 1)]
    assert cli("tier", "lock", "Alpha", "C").exit_code == 0
    cli("tier", "run")
    assert sql("SELECT tier FROM customers WHERE name = 'Alpha'") == [("C",)]
    assert cli("tier", "lock", "Alpha", "--unlock").exit_code == 0
    assert sql("SELECT tier, tier_locked FROM customers WHERE name = 'Alpha'") == [("C", 0)]
    cli("tier", "run")
    assert sql("SELECT tier FROM customers WHERE name = 'Alpha'") == [("A",)]
    rows = cli("tier", "history", "Alpha", "-f", "json").json()
    assert [(r["method"], r["old_tier"], r["new_tier"]) for r in rows] == [
        ("pareto", "C", "A"), ("unlock", "C", "C"), ("lock", "C", "C")]
    assert all(r["customer"] == "Alpha" for r in rows)
    everyone = cli("tier", "history", "-f", "json").json()
    assert {r["customer"] for r in everyone} >= {"Alpha", "Hotel"}


@pytest.mark.parametrize("args, code, needle", [
    (("tier", "lock", "Alpha", "Z"), 2, "'Z'"),
    (("tier", "lock", "Nobody", "A"), 3, "Nobody"),
    (("tier", "lock", "Alpha", "A", "--unlock"), 2, "--unlock"),
    (("tier", "lock", "Alpha"), 2, "TIER"),
    (("tier", "run", "--as-of", "2026-13-01"), 2, "2026-13-01"),
    (("tier", "run", "--method", "pareto", "--rules", "x.toml"), 2, "--rules"),
    (("tier", "run", "--method", "rules"), 2, "--rules"),
])
def test_bad_input(cli, fixture, args, code, needle):
    before = _checksum(fixture)
    result = cli(*args)
    assert result.exit_code == code
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("amkit: ") and needle in lines[0]
    assert _checksum(fixture) == before


def test_list_by_tier_and_owner(cli, fixture):
    cli("tier", "run")
    rows = cli("tier", "list", "--tier", "A", "-f", "json").json()
    assert [r["customer"] for r in rows] == ["Alpha", "Bravo", "Charlie"]
    assert rows[0]["value"] == 400
    assert cli("manager", "add", "Ann").exit_code == 0
    cli("customer", "edit", "Echo", "--owner", "Ann")
    mine = cli("tier", "list", "--owner", "Ann", "-f", "json").json()
    assert [(r["customer"], r["tier"], r["owner"]) for r in mine] == [("Echo", "B", "Ann")]


RULES = """
default = "C"
[[rule]]
tier = "C"
has_open_complaint = true
[[rule]]
tier = "A"
min_value = 300
[[rule]]
tier = "B"
max_days_since_contact = 30
min_followups_90d = 2
"""


def _followup(db: str, customer: str, at: str) -> None:
    _exec(db, "INSERT INTO followups (customer_id, channel, at, summary, created_at) "
              "SELECT id, 'call', ?, 'x', ? FROM customers WHERE name = ?", at, at, customer)


def test_rules_method(cli, sql, fixture, tmp_path):
    db = fixture
    _exec(db, "INSERT INTO complaints (customer_id, text, opened) SELECT id, 'late', '2026-11-01 10:00:00' "
              "FROM customers WHERE name = 'Bravo'")
    _exec(db, "INSERT INTO complaints (customer_id, text, opened, resolved) SELECT id, 'old', "
              "'2026-09-01 10:00:00', '2026-09-02 10:00:00' FROM customers WHERE name = 'Foxtrot'")
    for customer, at in [("Delta", "2026-11-13 10:00:00"), ("Delta", "2026-11-20 10:00:00"),
                         ("Echo", "2026-11-13 10:00:00"),
                         ("Charlie", "2026-10-14 10:00:00"), ("Charlie", "2026-08-01 10:00:00"),
                         ("Foxtrot", "2026-11-18 10:00:00"), ("Foxtrot", "2026-08-30 10:00:00")]:
        _followup(db, customer, at)
    rules = tmp_path / "tiers.toml"
    rules.write_text(RULES, encoding="utf-8")
    rows = cli("tier", "run", "--method", "rules", "--rules", rules, "-f", "json").json()
    got = {r["customer"]: (r["tier"], r["rule"]) for r in rows}
    # Bravo: open complaint (rule 1); Alpha: value (rule 2); Delta: 2 follow-ups, 3 days ago;
    # Foxtrot: resolved complaint does not count, follow-ups 5 and 85 days ago; Charlie: last
    # contact 40 days ago; Echo: 1 follow-up; Hotel: locked at B.
    assert got == {"Alpha": ("A", 2), "Bravo": ("C", 1), "Charlie": ("C", None), "Delta": ("B", 3),
                   "Echo": ("C", None), "Foxtrot": ("B", 3), "Golf": ("C", None), "Hotel": ("B", None)}
    assert sql("SELECT DISTINCT method FROM tier_history WHERE method NOT IN ('lock')") == [("rules",)]


def test_rules_file_unknown_key_and_missing_file(cli, fixture, tmp_path):
    before = _checksum(fixture)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\ntier = "A"\nmin_revenue = 5\n', encoding="utf-8")
    result = cli("tier", "run", "--method", "rules", "--rules", bad)
    assert result.exit_code == 2 and "min_revenue" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    top = tmp_path / "top.toml"
    top.write_text('deafult = "C"\n', encoding="utf-8")
    result = cli("tier", "run", "--rules", top)
    assert result.exit_code == 2 and "deafult" in result.stderr
    missing = cli("tier", "run", "--method", "rules", "--rules", tmp_path / "nope.toml")
    assert missing.exit_code == 3 and "nope.toml" in missing.stderr
    assert _checksum(fixture) == before


def test_rfm_method(cli, fixture):
    db = fixture
    _followup(db, "Foxtrot", "2026-11-20 10:00:00")
    _followup(db, "Foxtrot", "2025-06-01 10:00:00")  # outside the 12 months: no frequency
    rows = cli("tier", "run", "--method", "rfm", "--dry-run", "-f", "json").json()
    by = {r["customer"]: r for r in rows}
    assert by["Foxtrot"]["frequency"] == 1 and by["Foxtrot"]["recency_days"] == 3
    assert by["Bravo"]["frequency"] == 2 and by["Bravo"]["recency_days"] == (317)  # 2026-01-10 → 2026-11-23
    assert by["Golf"]["recency_days"] == 0 and by["Golf"]["frequency"] == 1
    assert by["Hotel"]["recency_days"] is None and by["Hotel"]["tier"] == "B"
    assert all(1 <= r["r_score"] <= 5 and r["rfm_score"] == r["r_score"] + r["f_score"] + r["m_score"]
               for r in rows)


def test_report_pareto(cli, fixture):
    result = cli("report", "pareto", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = result.json()
    assert [r["rank"] for r in rows] == list(range(1, 9))
    assert rows[2]["customer"] == "Charlie" and rows[2]["cumulative_share"] == 0.8
    assert rows[2]["customer_share"] == 0.375
    assert "3 of 8 customers (37.5%) make 80%" in result.stderr
    table = cli("report", "pareto", "--top", "2")
    assert "Alpha" in table.stdout and "Charlie" not in table.stdout
    assert "█" * 12 in table.stdout  # Alpha: 40% of a 30-character bar


def test_report_pareto_without_value(cli):
    cli("customer", "add", "Solo")
    result = cli("report", "pareto", "-f", "json")
    assert result.exit_code == 0
    assert result.json()[0]["share"] is None
    assert "no won value" in result.stderr


def test_demo_computes_tiers(cli, sql):
    result = cli("demo")
    assert result.exit_code == 0, result.stderr
    won = sql("SELECT count(*) FROM deals WHERE stage = 'won'")[0][0]
    tiers = dict(sql("SELECT tier, count(*) FROM customers GROUP BY tier"))
    if won == 0:
        assert tiers == {"C": sum(tiers.values())}
    again = cli("tier", "run", "--dry-run", "-f", "json").json()
    assert all(not r["changed"] for r in again)  # the demo's tiers are what a run computes
