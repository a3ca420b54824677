"""deal add / move / list, bad input, and the Maven CRM deal import."""

from __future__ import annotations

import csv
import hashlib
import shutil
from collections import defaultdict
from decimal import Decimal

import pytest

from conftest import DATASETS


@pytest.fixture
def base(cli):  # noqa: ANN001, ANN201
    for name in ("张伟", "李娜"):
        assert cli("manager", "add", name).exit_code == 0
    assert cli("customer", "add", "中国银行", "--owner", "张伟", "--stage", "dormant").exit_code == 0
    assert cli("customer", "add", "招商证券", "--owner", "李娜").exit_code == 0
    return cli


def _counts(sql):  # noqa: ANN001, ANN202
    return [sql(f"SELECT count(*) FROM {t}")[0][0]
            for t in ("deals", "deal_stage_history", "lifecycle_history", "audit_log")]


def test_add_prints_id_records_history_and_defaults_owner(base, sql):
    r = base("deal", "add", "zgyh", "--stage", "报价", "--amount", "12万", "--title", "年度维保",
             "--created", "2026-10-01")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "1\n"
    assert sql("SELECT d.stage, d.amount_cents, d.created, d.closed_at, m.name FROM deals d "
               "JOIN managers m ON m.id = d.owner_id") == [("quote", 12000000, "2026-10-01", None, "张伟")]
    assert sql("SELECT from_stage, to_stage, \"on\" FROM deal_stage_history") == [(None, "quote", "2026-10-01")]


def test_add_won_closes_on_created_and_reactivates_customer(base, sql):
    r = base("deal", "add", "中国银行", "--stage", "won", "--amount", "5000", "--created", "2026-11-02",
             "--owner", "李娜", "-f", "json")
    assert r.exit_code == 0, r.stderr
    row = r.json()
    assert (row["stage"], row["closed_at"], row["owner"], row["amount"]) == ("won", "2026-11-02", "李娜", 5000)
    assert row["is_repurchase"] is False
    assert sql("SELECT lifecycle FROM customers WHERE name='中国银行'") == [("active",)]
    assert sql("SELECT \"on\", old, new, reason FROM lifecycle_history") == [
        ("2026-11-02", "dormant", "active", "deal 1 won")]


def test_move_history_closed_at_and_reopen(base, sql):
    base("deal", "add", "招商证券", "--stage", "contact", "--created", "2026-09-01")
    assert base("deal", "move", "1", "needs", "--on", "2026-09-10").exit_code == 0
    r = base("deal", "move", "1", "won", "--on", "2026-10-01")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "amount" in r.stderr and "won" in r.stderr
    r = base("deal", "move", "1", "签约", "--on", "2026-10-01", "--amount", "80000")
    assert r.exit_code == 0, r.stderr
    assert "Closed — → 2026-10-01" in r.stdout and "Stage needs → won" in r.stdout  # words, not field names
    assert r.stdout.startswith("deal 1")  # which deal
    assert "Amount — → 80,000.00" in r.stdout or "Amount — → ¥80,000.00" in r.stdout
    assert sql("SELECT stage, closed_at, amount_cents FROM deals") == [("won", "2026-10-01", 8000000)]
    r = base("deal", "move", "1", "negotiation", "--on", "2026-10-05", "--reason", "合同重谈")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT stage, closed_at FROM deals") == [("negotiation", None)]
    assert sql("SELECT from_stage, to_stage, \"on\", reason FROM deal_stage_history ORDER BY id") == [
        (None, "contact", "2026-09-01", None), ("contact", "needs", "2026-09-10", None),
        ("needs", "won", "2026-10-01", None), ("won", "negotiation", "2026-10-05", "合同重谈")]


def test_move_lost_keeps_reason_and_code(base, sql):
    base("deal", "add", "招商证券", "--stage", "quote", "--amount", "300", "--created", "2026-11-01")
    r = base("deal", "move", "1", "lost", "--reason", "价格高于竞品", "--reason-code", "price", "--on", "2026-11-20")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT stage, closed_at, lost_reason, reason_code FROM deals") == [
        ("lost", "2026-11-20", "价格高于竞品", "price")]
    # reopening clears the deal's reason; the history keeps it
    assert base("deal", "move", "1", "quote", "--on", "2026-11-21").exit_code == 0
    assert sql("SELECT lost_reason, reason_code, closed_at FROM deals") == [(None, None, None)]
    assert sql("SELECT reason FROM deal_stage_history WHERE to_stage='lost'") == [("价格高于竞品",)]


@pytest.mark.parametrize("args,code,needle", [
    (("deal", "add", "招商证券", "--stage", "quote", "--amount", "-5"), 2, "'-5'"),
    (("deal", "add", "招商证券", "--stage", "closing", "--amount", "5"), 2, "'closing'"),
    (("deal", "add", "不存在公司", "--stage", "quote", "--amount", "5"), 3, "不存在公司"),
    (("deal", "add", "招商证券", "--stage", "won"), 2, "amount"),
    (("deal", "add", "招商证券", "--stage", "lost"), 2, "amount"),
    (("deal", "add", "招商证券", "--stage", "quote", "--created", "2026-02-30"), 2, "'2026-02-30'"),
    (("deal", "add", "招商证券", "--stage", "quote", "--owner", "无名氏"), 3, "无名氏"),
    (("deal", "move", "1", "lost", "--reason-code", "weather", "--amount", "1"), 2, "'weather'"),
    (("deal", "move", "1", "needs", "--reason-code", "price"), 2, "reason_code"),
    (("deal", "move", "1", "needs", "--on", "2026-10-31"), 2, "2026-10-31"),
    (("deal", "move", "1", "quote"), 2, "already"),
    (("deal", "move", "99", "won", "--amount", "1"), 3, "99"),
    (("deal", "list", "--stage", "closing"), 2, "'closing'"),
    (("deal", "list", "--since", "2026-12-01", "--until", "2026-11-01"), 2, "--since"),
])
def test_bad_input_is_one_line_and_changes_nothing(base, sql, args, code, needle):
    base("deal", "add", "招商证券", "--stage", "quote", "--amount", "100", "--created", "2026-11-01")
    before = _counts(sql)
    snapshot = sql("SELECT * FROM deals")
    r = base(*args)
    assert r.exit_code == code, (r.stdout, r.stderr)
    assert r.stderr.startswith("amkit: ") and r.stderr.count("\n") == 1 and needle in r.stderr
    assert "Traceback" not in r.stderr
    assert _counts(sql) == before and sql("SELECT * FROM deals") == snapshot


def test_list_weighted_pipeline_and_repurchase(base, sql):
    base("deal", "add", "招商证券", "--stage", "won", "--amount", "1000", "--created", "2026-03-01")
    base("deal", "add", "招商证券", "--stage", "won", "--amount", "2000", "--created", "2026-06-01")
    base("deal", "add", "招商证券", "--stage", "quote", "--amount", "10000", "--created", "2026-10-01")
    base("deal", "add", "中国银行", "--stage", "negotiation", "--amount", "4000", "--created", "2026-11-01")
    base("deal", "add", "中国银行", "--stage", "contact", "--created", "2026-11-02")
    rows = {r["id"]: r for r in base("deal", "list", "-f", "json").json()}
    # default probabilities: quote 0.5, negotiation 0.75, won 1
    assert [rows[i]["weighted_amount"] for i in (1, 2, 3, 4, 5)] == [1000, 2000, 5000, 3000, None]
    assert [rows[i]["is_repurchase"] for i in (1, 2, 3, 4, 5)] == [False, True, False, False, False]
    r = base("deal", "list")
    # open pipeline: 10000 + 4000 (+ one without amount); weighted 5000 + 3000
    assert "open pipeline 3: 14,000.00 (1 without amount)\nweighted 8,000.00; won 3,000.00" in r.stderr
    assert [r["id"] for r in base("deal", "list", "--open", "--owner", "张伟", "-f", "json").json()] == [5, 4]
    assert [r["id"] for r in base("deal", "list", "--since", "2026-06-01", "--until", "2026-10-31",
                                  "-f", "json").json()] == [3, 2]
    assert base("config", "set", "pipeline.probability.quote", "0.4").exit_code == 0
    assert base("deal", "list", "--stage", "报价", "-f", "json").json()[0]["weighted_amount"] == 4000


# --- Maven CRM ------------------------------------------------------------------------------

MAVEN = DATASETS / "maven-crm"
DEAL_MAPS = ["--map", "opportunity_id=external_id", "--map", "sales_agent=owner", "--map", "account=customer",
             "--map", "deal_stage=stage", "--map", "engage_date=created", "--map", "close_date=closed_at",
             "--map", "close_value=amount", "--map", "product=title",
             "--value-map", "stage:Won=won", "--value-map", "stage:Lost=lost",
             "--value-map", "stage:Engaging=negotiation", "--value-map", "stage:Prospecting=contact"]


def _checksum(sql, table):  # noqa: ANN001, ANN202
    rows = sql(f"SELECT * FROM {table} ORDER BY id")
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_maven_import_revenue_per_owner_and_idempotent_upsert(cli, sql, tmp_path):
    for name in ("sales_teams.csv", "accounts.csv", "sales_pipeline.csv"):
        shutil.copy(MAVEN / name, tmp_path / name)
    r = cli("import", "managers", tmp_path / "sales_teams.csv", "--map", "sales_agent=name",
            "--map", "regional_office=team", "--map", "manager=lead")
    assert r.exit_code == 0, r.stderr
    r = cli("import", "customers", tmp_path / "accounts.csv", "--map", "account=name", "--map", "sector=industry")
    assert r.exit_code == 0, r.stderr
    pipeline = tmp_path / "sales_pipeline.csv"
    with open(pipeline, encoding="utf-8") as fh:
        src = list(csv.DictReader(fh))
    no_account = [row for row in src if not row["account"].strip()]

    r = cli("import", "deals", pipeline, *DEAL_MAPS)  # all or nothing: rows without an account block it
    assert r.exit_code == 2 and f"{len(no_account)} invalid row(s)" in r.stderr
    assert sql("SELECT count(*) FROM deals") == [(0,)]

    r = cli("import", "deals", pipeline, *DEAL_MAPS, "--skip-invalid")
    assert r.exit_code == 0, r.stderr
    assert f"{len(src) - len(no_account)} inserted" in r.stderr and f"{len(no_account)} rejected" in r.stderr
    with open(tmp_path / "sales_pipeline.rejected.csv", encoding="utf-8-sig") as fh:
        rejected = list(csv.DictReader(fh))
    assert sorted(x["opportunity_id"] for x in rejected) == sorted(x["opportunity_id"] for x in no_account)
    assert all(x["error"] == "account: required" for x in rejected)

    expected: dict[str, int] = defaultdict(int)  # cents, straight from the CSV
    for row in src:
        if row["deal_stage"] == "Won" and row["account"].strip():
            expected[row["sales_agent"]] += int(Decimal(row["close_value"]) * 100)
    got = dict(sql("SELECT m.name, sum(d.amount_cents) FROM deals d JOIN managers m ON m.id = d.owner_id "
                   "WHERE d.stage = 'won' GROUP BY m.name"))
    assert got == dict(expected)
    listed: dict[str, Decimal] = defaultdict(Decimal)
    for row in cli("deal", "list", "--stage", "won", "-f", "json").json():
        listed[row["owner"]] += Decimal(str(row["amount"]))
    assert {k: int(v * 100) for k, v in listed.items()} == dict(expected)
    assert sql("SELECT count(*) FROM deal_stage_history") == [(len(src) - len(no_account),)]
    won_row = sql("SELECT d.created, d.closed_at, h.to_stage, h.\"on\" FROM deals d "
                  "JOIN deal_stage_history h ON h.deal_id = d.id WHERE d.external_id = '1C1I7A6R'")
    assert won_row == [("2016-10-20", "2017-03-01", "won", "2017-03-01")]

    before = ([sql(f"SELECT count(*) FROM {t}") for t in ("deals", "deal_stage_history", "audit_log")],
              _checksum(sql, "deals"), _checksum(sql, "deal_stage_history"))
    r = cli("import", "deals", pipeline, *DEAL_MAPS, "--skip-invalid", "--mode", "upsert", "--key", "external_id")
    assert r.exit_code == 0, r.stderr
    assert f"0 inserted, 0 updated, {len(src) - len(no_account)} unchanged" in r.stderr
    after = ([sql(f"SELECT count(*) FROM {t}") for t in ("deals", "deal_stage_history", "audit_log")],
             _checksum(sql, "deals"), _checksum(sql, "deal_stage_history"))
    assert after == before

    funnel = {row["stage"]: row for row in cli("report", "funnel", "-f", "json").json()}
    won = sum(1 for row in src if row["deal_stage"] == "Won" and row["account"].strip())
    assert funnel["contact"]["entered"] == len(src) - len(no_account)
    assert funnel["won"]["entered"] == won


def test_deal_import_upsert_moves_stage_and_export_round_trips(cli, sql, tmp_path):
    cli("manager", "add", "张伟")
    cli("customer", "add", "中国银行", "--owner", "张伟")
    src = tmp_path / "deals.csv"
    src.write_text("external_id,customer,owner,stage,amount,created,closed_at\n"
                   "X1,中国银行,张伟,报价,1000,2026-10-01,\n"
                   "X2,中国银行,张伟,won,2500.50,2026-09-01,\n"
                   ",中国银行,,contact,,2026-11-01,\n", encoding="utf-8")
    r = cli("import", "deals", src)
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT external_id, stage, amount_cents, created, closed_at FROM deals ORDER BY id") == [
        ("X1", "quote", 100000, "2026-10-01", None), ("X2", "won", 250050, "2026-09-01", "2026-09-01"),
        (None, "contact", None, "2026-11-01", None)]
    src.write_text("external_id,customer,stage,amount,created,closed_at\n"
                   "X1,中国银行,won,1200,2026-10-01,2026-11-15\n", encoding="utf-8")
    r = cli("import", "deals", src, "--mode", "upsert")
    assert r.exit_code == 0 and "1 updated" in r.stderr, r.stderr
    assert sql("SELECT from_stage, to_stage, \"on\" FROM deal_stage_history WHERE deal_id = 1 ORDER BY id") == [
        (None, "quote", "2026-10-01"), ("quote", "won", "2026-11-15")]
    out = tmp_path / "out.csv"
    assert cli("export", "deals", "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ("customer,owner,title,amount,stage,created,closed_at,external_id,"
                                    "lost_reason,reason_code")
    assert "中国银行,张伟,,1200.00,won,2026-10-01,2026-11-15,X1,," in text


@pytest.mark.parametrize("row,column", [
    ("X9,中国银行,won,,2026-10-01,", "amount"),
    ("X9,中国银行,quote,100,2026-10-01,2026-10-05", "closed_at"),
    ("X9,中国银行,won,100,2026-10-01,2026-09-05", "closed_at"),
    ("X9,中国银行,closing,100,2026-10-01,", "stage"),
    ("X9,中国银行,quote,-1,2026-10-01,", "amount"),
    ("X9,无此客户,quote,1,2026-10-01,", "customer"),
])
def test_deal_import_rejects_bad_rows(cli, sql, tmp_path, row, column):
    cli("customer", "add", "中国银行")
    src = tmp_path / "d.csv"
    src.write_text("external_id,customer,stage,amount,created,closed_at\n" + row + "\n", encoding="utf-8")
    r = cli("import", "deals", src)
    assert r.exit_code == 2
    assert f"line 2, column '{column}'" in r.stderr
    assert sql("SELECT count(*) FROM deals") == [(0,)]


def test_demo_deals_are_consistent(cli, sql):
    r = cli("demo")
    assert r.exit_code == 0, r.stderr
    stages = dict(sql("SELECT stage, count(*) FROM deals GROUP BY stage"))
    assert set(stages) == {"contact", "needs", "quote", "negotiation", "won", "lost"}
    assert sql("SELECT min(created) >= '2025-05-01', max(created) <= '2026-11-23' FROM deals") == [(1, 1)]
    # every deal's last history row is its current stage; won/lost have an amount and a close date
    assert sql("SELECT count(*) FROM deals d WHERE d.stage != (SELECT to_stage FROM deal_stage_history h "
               "WHERE h.deal_id = d.id ORDER BY h.\"on\" DESC, h.id DESC LIMIT 1)") == [(0,)]
    assert sql("SELECT count(*) FROM deals WHERE stage IN ('won','lost') "
               "AND (amount_cents IS NULL OR closed_at IS NULL)") == [(0,)]
    assert sql("SELECT count(*) FROM payments p JOIN deals d ON d.id = p.deal_id WHERE d.stage != 'won' "
               "OR p.date < d.closed_at OR p.date > '2026-11-23'") == [(0,)]
    assert sql("SELECT count(*) FROM payments")[0][0] > 0
    assert sql("SELECT count(*) FROM surveys WHERE (nps AND score > 10) OR (NOT nps AND score NOT BETWEEN 1 AND 5)") \
        == [(0,)]
    assert sql("SELECT count(*) FROM complaints WHERE resolved < opened") == [(0,)]


def test_upsert_refuses_rows_with_no_key_instead_of_adding_them_again(cli, sql, tmp_path):  # noqa: ANN001, ANN201
    """An export of deals without external ids, imported back with --mode upsert, would add every
    deal a second time: each such row is refused (exit 2, nothing written), and --mode create
    still adds new rows."""
    for step in (("manager", "add", "张伟"), ("customer", "add", "中国银行", "--owner", "张伟"),
                 ("deal", "add", "中国银行", "--amount", "1000", "--stage", "quote"),
                 ("deal", "add", "中国银行", "--amount", "2000", "--stage", "won", "--external-id", "CRM-2")):
        assert cli(*step).exit_code == 0
    out = tmp_path / "deals.csv"
    assert cli("export", "deals", "-o", out).exit_code == 0
    r = cli("import", "deals", out, "--mode", "upsert")
    assert r.exit_code == 2 and sql("SELECT count(*) FROM deals") == [(2,)]
    assert "line 2, column 'external_id', value '': no external_id to match on" in r.stderr
    assert "line 3" not in r.stderr  # CRM-2 matches itself: unchanged
    zh = cli("import", "deals", out, "--mode", "upsert", extra_env={"AMKIT_LANG": "zh"})
    assert "没有可匹配的 external_id" in zh.stderr
    skip = cli("import", "deals", out, "--mode", "upsert", "--skip-invalid")
    assert skip.exit_code == 0 and "0 inserted" in skip.stderr and sql("SELECT count(*) FROM deals") == [(2,)]
