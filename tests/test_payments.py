"""Payments and the collection rate; surveys; complaints with their response time."""

from __future__ import annotations

import pytest


@pytest.fixture
def won(cli):  # noqa: ANN001, ANN201
    """Deal 1 won 10,000 (张伟), deal 2 won 4,000 (李娜), deal 3 open quote."""
    for name in ("张伟", "李娜"):
        cli("manager", "add", name)
    cli("customer", "add", "中国银行", "--owner", "张伟")
    cli("customer", "add", "招商证券", "--owner", "李娜")
    assert cli("deal", "add", "中国银行", "--stage", "won", "--amount", "10000", "--created", "2026-10-01",
               "--external-id", "BOC-1").exit_code == 0
    assert cli("deal", "add", "招商证券", "--stage", "won", "--amount", "4000", "--created", "2026-11-01").exit_code == 0
    assert cli("deal", "add", "招商证券", "--stage", "quote", "--amount", "999").exit_code == 0
    return cli


def test_payments_and_collection_per_deal(won, sql):
    assert won("payment", "add", "1", "3000", "--date", "2026-10-15").stdout == "1\n"
    r = won("payment", "add", "BOC-1", "¥4,500.50", "--date", "2026-11-10", "--note", "二期", "-f", "json")
    assert r.exit_code == 0, r.stderr
    row = r.json()
    # 3000 + 4500.50 = 7500.50 of 10000 → 0.75005 → 0.7501
    assert (row["deal_id"], row["amount"], row["deal_paid"], row["collection_rate"]) == (1, 4500.5, 7500.5, 0.7501)
    won("payment", "add", "2", "1000", "--date", "2026-11-20")
    assert sql("SELECT deal_id, amount_cents, date, note FROM payments ORDER BY id") == [
        (1, 300000, "2026-10-15", None), (1, 450050, "2026-11-10", "二期"), (2, 100000, "2026-11-20", None)]
    rows = won("payment", "list", "--by-deal", "-f", "json").json()
    assert [(r["deal_id"], r["won_amount"], r["paid"], r["outstanding"], r["collection_rate"]) for r in rows] == [
        (1, 10000, 7500.5, 2499.5, 0.7501), (2, 4000, 1000, 3000, 0.25)]
    # payments up to 2026-10-31, deals won up to then: only deal 1 with 3000 paid
    rows = won("payment", "list", "--by-deal", "--until", "2026-10-31", "-f", "json").json()
    assert [(r["deal_id"], r["paid"], r["collection_rate"]) for r in rows] == [(1, 3000, 0.3)]
    assert [r["id"] for r in won("payment", "list", "--owner", "张伟", "--since", "2026-11-01", "-f", "json").json()] \
        == [2]
    r = won("payment", "list", "--by-deal")
    # 8500.50 paid of 14000 → 60.7%
    assert "2 won deal(s): 8,500.50 paid of 14,000.00 won, collection rate 60.7%" in r.stderr


def test_overpayment_is_allowed_with_a_warning(won, sql):
    won("payment", "add", "2", "3000", "--date", "2026-11-02")
    r = won("payment", "add", "2", "1500", "--date", "2026-11-03")
    assert r.exit_code == 0
    assert "warning: deal 2 is now overpaid: 4500.00 paid of 4000.00 won" in r.stderr
    assert sql("SELECT sum(amount_cents) FROM payments") == [(450000,)]
    assert won("payment", "list", "--by-deal", "--deal", "2", "-f", "json").json()[0]["collection_rate"] == 1.125


@pytest.mark.parametrize("args,code,needle", [
    (("payment", "add", "3", "100", "--date", "2026-11-01"), 2, "not won"),
    (("payment", "add", "1", "0", "--date", "2026-11-01"), 2, "'0'"),
    (("payment", "add", "--date", "2026-11-01", "1", "--", "-3"), 2, "'-3'"),
    (("payment", "add", "1", "abc", "--date", "2026-11-01"), 2, "'abc'"),
    (("payment", "add", "1", "100", "--date", "someday"), 2, "'someday'"),
    (("payment", "add", "1", "100", "--date", "2026-13-01"), 2, "'2026-13-01'"),
    (("payment", "add", "77", "100", "--date", "2026-11-01"), 3, "77"),
])
def test_bad_payments_change_nothing(won, sql, args, code, needle):
    before = sql("SELECT count(*) FROM audit_log")
    r = won(*args)
    assert r.exit_code == code, r.stderr
    assert r.stderr.startswith("amkit: ") and r.stderr.count("\n") == 1 and needle in r.stderr
    assert sql("SELECT count(*) FROM payments") == [(0,)] and sql("SELECT count(*) FROM audit_log") == before


def test_payment_import_by_external_id_is_idempotent(won, sql, tmp_path):
    src = tmp_path / "p.csv"
    src.write_text("deal,amount,date,note\nBOC-1,2000,2026-10-20,首付\n2,1000,2026-11-05,\n", encoding="utf-8")
    r = won("import", "payments", src)
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT deal_id, amount_cents, date FROM payments ORDER BY id") == [
        (1, 200000, "2026-10-20"), (2, 100000, "2026-11-05")]
    audit = sql("SELECT count(*) FROM audit_log")
    r = won("import", "payments", src, "--mode", "upsert")
    assert "0 inserted, 0 updated, 2 unchanged" in r.stderr
    assert sql("SELECT count(*) FROM payments") == [(2,)] and sql("SELECT count(*) FROM audit_log") == audit
    bad = tmp_path / "bad.csv"
    bad.write_text("deal,amount,date\n3,100,2026-11-01\nNOPE,1,2026-11-01\n", encoding="utf-8")
    r = won("import", "payments", bad)
    assert r.exit_code == 2
    assert "line 2, column 'deal', value '3'" in r.stderr and "not won" in r.stderr
    assert "line 3, column 'deal', value 'NOPE'" in r.stderr


# --- surveys ------------------------------------------------------------------------------

def test_surveys_scores_and_summary(won, sql):
    assert won("survey", "add", "中国银行", "--score", "4", "--date", "2026-11-01").stdout == "1\n"
    won("survey", "add", "中国银行", "--score", "5")
    for score in ("10", "9", "7", "3"):
        assert won("survey", "add", "招商证券", "--score", score, "--nps").exit_code == 0
    assert sql("SELECT score, nps, date FROM surveys WHERE id <= 3 ORDER BY id") == [
        (4, 0, "2026-11-01"), (5, 0, "2026-11-23"), (10, 1, "2026-11-23")]
    r = won("survey", "list")
    # 1-5: (4+5)/2 = 4.50; NPS: 2 promoters, 1 detractor of 4 → +25
    assert "6 survey(s), average 4.50 of 5, NPS +25" in r.stderr
    rows = won("survey", "list", "--owner", "张伟", "-f", "json").json()
    assert [(x["customer"], x["score"], x["nps"]) for x in rows] == [("中国银行", 4, False), ("中国银行", 5, False)]


@pytest.mark.parametrize("args,needle", [
    (("--score", "6"), "'6'"), (("--score", "0"), "'0'"), (("--score", "11", "--nps"), "'11'"),
    (("--score", "4.5"), "'4.5'"), (("--score", "-1", "--nps"), "'-1'"),
])
def test_survey_out_of_range(won, sql, args, needle):
    r = won("survey", "add", "中国银行", *args)
    assert r.exit_code == 2 and needle in r.stderr and "score" in r.stderr
    assert sql("SELECT count(*) FROM surveys") == [(0,)]


# --- complaints -----------------------------------------------------------------------------

def test_complaint_lifecycle_and_response_time(won, sql):
    assert won("complaint", "add", "中国银行", "发票开错抬头", "--opened", "2026-11-20 09:30").stdout == "1\n"
    won("complaint", "add", "招商证券", "交付延期", "--opened", "2026-11-21T08:00")
    r = won("complaint", "resolve", "1", "--resolution", "已重开发票", "--on", "2026-11-21 15:00")
    # 09:30 → next day 15:00 = 29.5 hours
    assert r.exit_code == 0 and r.stdout == "complaint 1 resolved after 29.5 h\n"
    assert sql("SELECT resolved, resolution FROM complaints WHERE id = 1") == [("2026-11-21 15:00:00.000000", "已重开发票")]
    rows = won("complaint", "list", "-f", "json").json()
    assert [(x["id"], x["status"], x["response_hours"]) for x in rows] == [(1, "resolved", 29.5), (2, "open", None)]
    assert [x["id"] for x in won("complaint", "list", "--open", "-f", "json").json()] == [2]
    assert [x["id"] for x in won("complaint", "list", "--owner", "张伟", "-f", "json").json()] == [1]
    r = won("complaint", "resolve", "1")
    assert r.exit_code == 4 and "already resolved" in r.stderr
    r = won("complaint", "resolve", "2", "--on", "2026-11-20 08:00")
    assert r.exit_code == 2 and "'2026-11-20 08:00'" in r.stderr
    assert won("complaint", "resolve", "9").exit_code == 3
    assert won("complaint", "add", "中国银行", "  ").exit_code == 2
    assert sql("SELECT count(*) FROM complaints WHERE resolved IS NULL") == [(1,)]
