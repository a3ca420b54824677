from __future__ import annotations

import pytest

import json
import os
import stat


def test_add_list_show(cli, sql):
    assert cli("manager", "add", "张伟", "--team", "华东").exit_code == 0
    r = cli("customer", "add", "中国银行", "--industry", "金融", "--owner", "张伟", "--tier", "A", "--tag", "vip")
    assert r.exit_code == 0, r.stderr
    new_id = int(r.stdout.strip())
    assert sql("SELECT name, industry, tier, tags FROM customers WHERE id = ?", new_id) == [
        ("中国银行", "金融", "A", "vip")]
    rows = cli("customer", "list", "-f", "json").json()
    assert [(r["name"], r["owner"], r["tier"], r["tags"]) for r in rows] == [("中国银行", "张伟", "A", ["vip"])]
    shown = cli("customer", "show", "zgyh", "-f", "json").json()
    assert shown["name"] == "中国银行" and shown["contacts"] == []


def test_new_customer_defaults_to_tier_c(cli, sql):
    cli("customer", "add", "Acme")
    assert sql("SELECT tier, lifecycle FROM customers") == [("C", "active")]


def test_json_add_prints_created_row(cli):
    row = cli("customer", "add", "Acme", "--extra", "website=acme.com", "-f", "json").json()
    assert row["name"] == "Acme" and row["extra"] == {"website": "acme.com"} and row["tier"] == "C"


def test_lookup_by_prefix_pinyin_and_ambiguity(cli):
    for name in ("中国银行", "中国平安", "招商银行", "重庆银行"):
        cli("customer", "add", name)
    assert cli("customer", "show", "招商", "-f", "json").json()["name"] == "招商银行"
    assert cli("customer", "show", "zsyh", "-f", "json").json()["name"] == "招商银行"
    # polyphonic: 重庆 is chóngqìng, 银行 is yínháng
    assert cli("customer", "show", "chongqingyinhang", "-f", "json").json()["name"] == "重庆银行"
    assert cli("customer", "show", "zhongguoyin", "-f", "json").json()["name"] == "中国银行"
    amb = cli("customer", "show", "中国")
    assert amb.exit_code == 4
    assert "ambiguous" in amb.stderr and "中国银行" in amb.stderr and "中国平安" in amb.stderr
    missing = cli("customer", "show", "不存在")
    assert missing.exit_code == 3 and "不存在" in missing.stderr


def test_duplicate_customer_is_conflict(cli, sql):
    cli("customer", "add", "Acme")
    r = cli("customer", "add", "Acme")
    assert r.exit_code == 4 and "already exists" in r.stderr
    assert sql("SELECT count(*) FROM customers") == [(1,)]


def test_filters(cli):
    cli("manager", "add", "A")
    cli("manager", "add", "B")
    cli("customer", "add", "甲公司", "--owner", "A", "--tier", "A", "--tag", "vip", "--region", "华东")
    cli("customer", "add", "乙公司", "--owner", "B", "--tier", "B", "--stage", "prospect")
    cli("customer", "add", "丙银行", "--owner", "A", "--tier", "B", "--tag", "vip,国企")

    def names(*args):  # noqa: ANN001, ANN202
        return [r["name"] for r in cli("customer", "list", *args, "-f", "json").json()]

    assert names("--owner", "A") == ["丙银行", "甲公司"]
    assert names("--tier", "B") == ["丙银行", "乙公司"]
    assert names("--tag", "国企") == ["丙银行"]
    assert names("--tag", "vip", "--tier", "A") == ["甲公司"]
    assert names("--stage", "潜在") == ["乙公司"]  # Chinese alias of prospect
    assert names("--search", "银行") == ["丙银行"]
    assert names("--limit", "1") == ["丙银行"]


def test_edit_changes_and_audits(cli, sql):
    cli("manager", "add", "A")
    cli("customer", "add", "Acme", "--tag", "x")
    r = cli("customer", "edit", "Acme", "--tier", "b", "--owner", "A", "--add-tag", "vip", "--remove-tag", "x")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT tier, tags, owner_id FROM customers") == [("B", "vip", 1)]
    audit = sql("SELECT action, table_name, before, after FROM audit_log WHERE action = 'update'")
    assert len(audit) == 1
    assert json.loads(audit[0][2])["tier"] == "C" and json.loads(audit[0][3])["tier"] == "B"


def test_contacts(cli, sql):
    cli("customer", "add", "中国银行")
    r = cli("contact", "add", "zgyh", "李明", "--role", "采购总监", "--decision-maker", "--phone", "13800138000",
            "--birthday", "03-15", "-f", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["customer"] == "中国银行"
    cli("contact", "add", "中国银行", "王芳")
    rows = cli("contact", "list", "--customer", "中国银行", "-f", "json").json()
    assert [(c["name"], c["is_decision_maker"]) for c in rows] == [("李明", True), ("王芳", False)]
    assert cli("contact", "list", "--decision-maker", "-f", "json").json()[0]["name"] == "李明"
    assert sql("SELECT birthday FROM contacts WHERE name = '李明'") == [("03-15",)]


@pytest.mark.sqlite_only
def test_db_file_is_private_and_wal(cli, tmp_path):
    fresh = tmp_path / "new" / "fresh.db"  # created by amkit on first use
    assert cli("--db", fresh, "customer", "add", "Acme").exit_code == 0
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o600
    import sqlite3

    assert sqlite3.connect(fresh).execute("PRAGMA journal_mode").fetchall() == [("wal",)]


def test_global_db_option_wins(cli, tmp_path, sql):
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "customer", "add", "Elsewhere").exit_code == 0
    import sqlite3

    assert sqlite3.connect(other).execute("SELECT name FROM customers").fetchall() == [("Elsewhere",)]
