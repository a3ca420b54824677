"""`followup log|list|search`, lifecycle reactivation, followups import/export, briefing.

Today is 2026-11-23 (conftest). Expected values are worked out by hand and read back with
plain sqlite3.
"""

from __future__ import annotations

import json

import pytest

import sqlalchemy as sa

from amkit.store import migrations


def seed(cli, lifecycle="active"):  # noqa: ANN001, ANN201
    assert cli("manager", "add", "张伟").exit_code == 0
    assert cli("manager", "add", "李娜").exit_code == 0
    assert cli("customer", "add", "中国银行", "--owner", "张伟", "--tier", "A", "--stage", lifecycle).exit_code == 0
    assert cli("customer", "add", "Acme Ltd", "--owner", "李娜", "--industry", "金融").exit_code == 0
    assert cli("contact", "add", "中国银行", "李明").exit_code == 0


def counts(sql):  # noqa: ANN001, ANN201
    return {t: sql(f"SELECT count(*) FROM {t}")[0][0]
            for t in ("followups", "lifecycle_history", "audit_log", "customers")}


# ---------------------------------------------------------------- log

def test_log_writes_the_row_with_the_customers_owner_and_a_chinese_channel(cli, sql):
    seed(cli)
    r = cli("followup", "log", "zgyh", "--channel", "电话", "--summary", "讨论续约", "--contact", "李明",
            "--outcome", "有意向", "--at", "2026-11-20 15:30", "--next", "发报价", "--next-date", "2026-11-27")
    assert r.exit_code == 0, r.stderr
    fid = int(r.stdout)
    row = sql("SELECT f.channel, f.at, f.summary, f.outcome, f.next_action, f.next_date, m.name, c.name, ct.name"
              " FROM followups f JOIN managers m ON m.id = f.owner_id JOIN customers c ON c.id = f.customer_id"
              " JOIN contacts ct ON ct.id = f.contact_id WHERE f.id = ?", fid)
    assert row == [("call", "2026-11-20 15:30:00.000000", "讨论续约", "有意向", "发报价", "2026-11-27", "张伟",
                    "中国银行", "李明")]
    assert sql("SELECT count(*) FROM audit_log WHERE table_name = 'followups' AND row_id = ?", fid) == [(1,)]


def test_log_json_prints_the_row(cli):
    seed(cli)
    r = cli("followup", "log", "Acme", "--channel", "wechat", "--summary", "sent the quote", "--at", "2026-11-22",
            "-f", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json() == {"id": 1, "at": "2026-11-22T00:00:00", "customer": "Acme Ltd", "owner": "李娜",
                        "channel": "wechat", "contact": None, "summary": "sent the quote", "outcome": None,
                        "next_action": None, "next_date": None, "action_done": None}


def test_a_backdated_follow_up_prints_its_own_id(cli):
    seed(cli)
    assert cli("followup", "log", "中国银行", "--channel", "call", "--summary", "new",
               "--at", "2026-11-20").stdout == "1\n"
    r = cli("followup", "log", "中国银行", "--channel", "call", "--summary", "old", "--at", "2026-11-01", "-f", "json")
    assert (r.json()["id"], r.json()["summary"]) == (2, "old")


def test_next_without_date_is_due_after_the_customers_cadence(cli, sql):
    seed(cli)
    # 中国银行 is tier A: 7 days after 2026-11-20 -> 2026-11-27
    r = cli("followup", "log", "中国银行", "--channel", "call", "--summary", "x", "--at", "2026-11-20",
            "--next", "发报价")
    assert r.exit_code == 0 and "2026-11-27" in r.stderr
    # Acme: tier C (30 days), but the finance industry override is 3 days
    cli("config", "set", "cadence.industry.金融", "3")
    assert cli("followup", "log", "Acme", "--channel", "call", "--summary", "y", "--at", "2026-11-21",
               "--next", "call back").exit_code == 0
    assert sql("SELECT next_date FROM followups ORDER BY id") == [("2026-11-27",), ("2026-11-24",)]


def test_a_new_follow_up_closes_earlier_actions_unless_kept(cli, sql):
    seed(cli)
    cli("followup", "log", "中国银行", "--channel", "call", "--summary", "a", "--at", "2026-11-10",
        "--next", "quote", "--next-date", "2026-11-15")
    cli("followup", "log", "Acme", "--channel", "call", "--summary", "other customer", "--at", "2026-11-10",
        "--next", "demo", "--next-date", "2026-11-16")
    r = cli("followup", "log", "中国银行", "--channel", "visit", "--summary", "b", "--at", "2026-11-18",
            "--keep-actions")
    assert r.exit_code == 0
    assert sql("SELECT action_done FROM followups WHERE id = 1") == [(None,)]
    r = cli("followup", "log", "中国银行", "--channel", "visit", "--summary", "c", "--at", "2026-11-20 10:00")
    assert r.exit_code == 0 and "1 earlier next action" in r.stderr
    assert sql("SELECT id, action_done FROM followups ORDER BY id") == [
        (1, "2026-11-20"), (2, None), (3, None), (4, None)]


def test_follow_up_reactivates_a_dormant_customer_and_records_it(cli, sql):
    seed(cli, lifecycle="dormant")
    r = cli("followup", "log", "中国银行", "--channel", "拜访", "--summary", "回访", "--at", "2026-11-22")
    assert r.exit_code == 0 and "active again" in r.stderr
    assert sql("SELECT lifecycle FROM customers WHERE name = '中国银行'") == [("active",)]
    assert sql("SELECT customer_id, \"on\", old, new FROM lifecycle_history") == [(1, "2026-11-23", "dormant",
                                                                                  "active")]
    audited = sql("SELECT before, after FROM audit_log WHERE table_name = 'customers' AND action = 'update'")
    assert [(json.loads(b), json.loads(a)) for b, a in audited] == [({"lifecycle": "dormant"}, {"lifecycle": "active"})]


def test_a_late_entry_for_an_old_contact_does_not_reactivate(cli, sql):
    seed(cli, lifecycle="churned")
    # 2026-08-01 is 114 days before today: past dormant_days (90)
    assert cli("followup", "log", "中国银行", "--channel", "call", "--summary", "old",
               "--at", "2026-08-01").exit_code == 0
    assert sql("SELECT lifecycle FROM customers WHERE name = '中国银行'") == [("churned",)]
    assert sql("SELECT count(*) FROM lifecycle_history") == [(0,)]


def test_reactivate_for_other_features(cli, sql):
    import datetime as dt

    from amkit import store
    from amkit.store import lookup
    from amkit.followups import writes as followups

    seed(cli, lifecycle="churned")
    with store.write("deal move") as st:
        c = lookup.customer(st.session, "中国银行")
        assert followups.reactivate(st, c, dt.date(2026, 11, 23), "deal 7 won") is True
        assert followups.reactivate(st, c, dt.date(2026, 11, 23), "again") is False
    assert sql("SELECT old, new, reason FROM lifecycle_history") == [("churned", "active", "deal 7 won")]


def test_bad_inputs_write_nothing(cli, sql):
    seed(cli)
    before = counts(sql)
    cases = [
        (["中国银行", "--channel", "飞鸽", "--summary", "x"], 2, ["channel", "飞鸽"]),
        (["中国银行", "--channel", "call", "--summary", "x", "--at", "2026-13-40"], 2, ["--at", "2026-13-40"]),
        (["中国银行", "--channel", "call", "--summary", "x", "--at", "2026-11-24"], 2, ["--at", "after today"]),
        (["中国银行", "--channel", "call", "--summary", "x", "--next-date", "2026-11-30"], 2,
         ["--next-date", "needs --next"]),
        (["中国银行", "--channel", "call", "--summary", "x", "--next", "y", "--next-date", "soon"], 2,
         ["--next-date", "soon"]),
        (["中国银行", "--channel", "call", "--summary", "x", "--at", "2026-11-20", "--next", "y",
          "--next-date", "2026-11-19"], 2, ["--next-date", "before the follow-up"]),
        (["中国银行", "--channel", "call", "--summary", "  "], 2, ["--summary"]),
        (["不存在的客户", "--channel", "call", "--summary", "x"], 3, ["customer not found", "不存在的客户"]),
        (["中国银行", "--channel", "call", "--summary", "x", "--contact", "王五"], 3, ["contact", "王五"]),
    ]
    for args, code, words in cases:
        r = cli("followup", "log", *args)
        assert r.exit_code == code, (args, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("amkit: "), r.stderr
        assert all(w in lines[0] for w in words), (words, lines[0])
    assert counts(sql) == before


# ---------------------------------------------------------------- list

def test_list_filters_newest_first_and_limits(cli):
    seed(cli)
    logs = [("中国银行", "call", "2026-11-01 09:00"), ("中国银行", "visit", "2026-11-10 09:00"),
            ("Acme", "call", "2026-11-15 09:00"), ("中国银行", "call", "2026-11-20 09:00")]
    for who, channel, at in logs:
        assert cli("followup", "log", who, "--channel", channel, "--summary", at, "--at", at).exit_code == 0

    def ids(*args):  # noqa: ANN001, ANN202
        r = cli("followup", "list", *args, "-f", "json")
        assert r.exit_code == 0, r.stderr
        return [row["id"] for row in r.json()]

    assert ids() == [4, 3, 2, 1]
    assert ids("--customer", "zgyh") == [4, 2, 1]
    assert ids("--owner", "李娜") == [3]
    assert ids("--channel", "电话") == [4, 3, 1]
    assert ids("--since", "2026-11-10", "--until", "2026-11-15") == [3, 2]
    assert ids("--limit", "2") == [4, 3]
    assert cli("followup", "list", "--until", "2026-11-01", "--since", "2026-11-05").exit_code == 2
    assert cli("followup", "list", "--owner", "nobody").exit_code == 3


def test_list_default_limit_is_50_and_0_means_all(cli, tmp_path):
    seed(cli)
    path = tmp_path / "f.csv"
    lines = ["customer,at,channel,summary"] + [f"中国银行,2026-10-{1 + i % 28:02d} {i // 28:02d}:00,call,n{i}"
                                                for i in range(60)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli("import", "followups", str(path)).exit_code == 0
    assert len(cli("followup", "list", "-f", "json").json()) == 50
    assert len(cli("followup", "list", "--limit", "0", "-f", "json").json()) == 60


# ---------------------------------------------------------------- search

def _log_texts(cli, texts):  # noqa: ANN001, ANN202
    for i, (summary, at) in enumerate(texts):
        r = cli("followup", "log", "中国银行", "--channel", "call", "--summary", summary, "--at", at)
        assert r.exit_code == 0, r.stderr


def search_ids(cli, text, *extra):  # noqa: ANN001, ANN201
    r = cli("followup", "search", text, *extra, "-f", "json")
    assert r.exit_code == 0, r.stderr
    return [row["id"] for row in r.json()]


def test_search_finds_the_same_rows_on_any_backend(cli):
    """PostgreSQL has no FTS5 index: the LIKE/ILIKE route must find the same rows."""
    seed(cli)
    _log_texts(cli, [("客户希望续约三年", "2026-11-01"), ("讨论ERP系统上线计划", "2026-11-02"),
                     ("erp系统报价已发", "2026-11-03"), ("约了下周拜访", "2026-11-04"),
                     ("ERP 系统 分开写", "2026-11-05")])
    assert sorted(search_ids(cli, "续约")) == [1]
    assert sorted(search_ids(cli, "ERP系统")) == [2, 3]
    assert sorted(search_ids(cli, '"ERP 系统"')) == [5]
    assert sorted(search_ids(cli, "ERP 系统")) == [2, 3, 5]
    assert sorted(search_ids(cli, "约")) == [1, 4]
    assert sorted(search_ids(cli, "报价 erp")) == [3]
    assert search_ids(cli, "不存在的内容") == []


@pytest.mark.sqlite_only  # FTS5 index and bm25 ranking
def test_search_finds_a_two_character_chinese_word_and_a_mixed_phrase(cli, sql):
    seed(cli)
    _log_texts(cli, [("客户希望续约三年", "2026-11-01"), ("讨论ERP系统上线计划", "2026-11-02"),
                     ("erp系统报价已发", "2026-11-03"), ("约了下周拜访", "2026-11-04"),
                     ("ERP 系统 分开写", "2026-11-05")])
    assert sql("SELECT count(*) FROM sqlite_master WHERE name = 'followups_fts'") == [(1,)]
    assert search_ids(cli, "续约") == [1]                       # 2 chars: LIKE fallback
    assert search_ids(cli, "ERP系统") == [3, 2]                  # trigram, case-insensitive; 3 is shorter
    assert search_ids(cli, '"ERP 系统"') == [5]                  # a quoted phrase keeps its space
    # two terms, both anywhere; bm25 of "ERP" favours the shortest text (3), 5 and 2 tie: newest first
    assert search_ids(cli, "ERP 系统") == [3, 5, 2]
    assert search_ids(cli, "约") == [4, 1]                       # 1 char
    assert search_ids(cli, "报价 erp") == [3]
    assert search_ids(cli, "不存在的内容") == []


@pytest.mark.sqlite_only  # FTS5 index and bm25 ranking
def test_search_ranks_by_bm25_before_date_and_covers_outcome_and_next_action(cli):
    seed(cli)
    _log_texts(cli, [("CRM系统 CRM系统 CRM系统", "2026-11-01"),
                     ("讨论了很多事情，其中顺便提到CRM系统的采购计划、后续安排以及明年的预算和人员", "2026-11-10")])
    assert search_ids(cli, "CRM系统") == [1, 2]
    r = cli("followup", "log", "Acme", "--channel", "email", "--summary", "quote", "--outcome", "价格太高",
            "--next", "重新报价给采购部", "--next-date", "2026-11-30")
    assert r.exit_code == 0
    assert search_ids(cli, "价格太高") == [3]
    assert search_ids(cli, "报价给采购") == [3]


def test_search_like_fallback_escapes_wildcards(cli):
    seed(cli)
    _log_texts(cli, [("折扣 5%", "2026-11-01"), ("折扣 50", "2026-11-02")])
    assert search_ids(cli, "5%") == [1]
    assert cli("followup", "search", "  ").exit_code == 2


@pytest.mark.sqlite_only  # FTS5 index and bm25 ranking
def test_index_follows_updates_and_deletes(cli, sql, tmp_path):
    seed(cli)
    _log_texts(cli, [("原来的内容", "2026-11-01 10:00")])
    path = tmp_path / "f.csv"
    path.write_text("customer,at,channel,summary\n中国银行,2026-11-01 10:00,call,改过的内容\n", encoding="utf-8")
    assert cli("import", "followups", str(path), "--mode", "upsert").exit_code == 0
    assert search_ids(cli, "原来的内容") == [] and search_ids(cli, "改过的内容") == [1]
    assert cli("customer", "add", "临时客户").exit_code == 0
    assert cli("followup", "log", "临时客户", "--channel", "call", "--summary", "临时记录内容").exit_code == 0
    from amkit import store

    with store.write() as st:  # deleting the customer cascades to its follow-ups
        st.session.execute(sa.text("DELETE FROM customers WHERE name = '临时客户'"))
    assert search_ids(cli, "临时记录") == []
    assert sql("INSERT INTO followups_fts(followups_fts) VALUES ('integrity-check')") == []


def test_migration_indexes_follow_ups_written_before_it(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        migrations.migrate(conn, upto="m004_activity_deals_goals")
        conn.exec_driver_sql("INSERT INTO customers (name, tier, tier_locked, lifecycle, tags, name_pinyin,"
                             " name_initials, created_at) VALUES ('X', 'C', 0, 'active', '', '', '', '2026-01-01')")
        conn.exec_driver_sql("INSERT INTO followups (customer_id, channel, at, summary, created_at)"
                             " VALUES (1, 'call', '2026-02-01', '旧数据里的续约记录', '2026-02-01')")
    with engine.begin() as conn:
        assert "m010_followups_fts" in migrations.migrate(conn)
        hits = conn.exec_driver_sql("SELECT rowid FROM followups_fts WHERE followups_fts MATCH '\"续约记录\"'")
        assert hits.fetchall() == [(1,)]


# ---------------------------------------------------------------- import / export / briefing

def test_import_and_export_round_trip(cli, tmp_path, sql):
    seed(cli)
    src = tmp_path / "f.csv"
    src.write_text("客户,时间,方式,内容,结果,下一步,下一步日期,客户经理\n"
                   "中国银行,2026-11-01 09:30,拜访,拜访李明,有意向,发报价,2026-11-05,李娜\n"
                   "Acme Ltd,2026/11/02,email,'=1+1 sent,,,,\n", encoding="utf-8")
    r = cli("import", "followups", str(src))
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT customer_id, channel, at, summary, next_date, owner_id FROM followups ORDER BY id") == [
        (1, "visit", "2026-11-01 09:30:00.000000", "拜访李明", "2026-11-05", 2),
        (2, "email", "2026-11-02 00:00:00.000000", "=1+1 sent", None, 2)]  # the guard undone
    # no owner in the file: the customer's owner at import time (李娜, id 2), as `followup log` sets it
    assert [row["owner"] for row in cli("followup", "list", "-f", "json").json()] == ["李娜", "李娜"]
    out = tmp_path / "out.csv"
    assert cli("export", "followups", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "customer,at,channel,summary,outcome,next_action,next_date,action_done,owner"
    assert text.splitlines()[2] == "Acme Ltd,2026-11-02T00:00:00,email,'=1+1 sent,,,,,李娜"  # formula guard
    cli("followup", "log", "Acme", "--channel", "call", "--summary", "new")  # closes nothing of 中国银行
    fresh = tmp_path / "again.db"
    r = cli("--db", str(fresh), "import", "followups", str(out), "--create-missing")
    assert r.exit_code == 0, r.stderr
    again = tmp_path / "again.csv"
    assert cli("--db", str(fresh), "export", "followups", "-o", str(again)).exit_code == 0
    assert again.read_text(encoding="utf-8") == text


def test_import_bad_rows_write_nothing(cli, tmp_path, sql):
    seed(cli)
    before = counts(sql)
    src = tmp_path / "bad.csv"
    src.write_text("customer,at,channel,summary\n中国银行,2026-11-01,飞鸽,x\n没有这个客户,2026-11-01,call,y\n"
                   "中国银行,someday,call,z\n", encoding="utf-8")
    r = cli("import", "followups", str(src))
    assert r.exit_code == 2
    assert "飞鸽" in r.stderr and "没有这个客户" in r.stderr and "someday" in r.stderr
    assert counts(sql) == before


def test_briefing_shows_last_five_follow_ups_and_pending_actions(cli):
    seed(cli)
    for day in range(10, 17):
        cli("followup", "log", "中国银行", "--channel", "call", "--summary", f"d{day}", "--at", f"2026-11-{day}",
            "--keep-actions", *(["--next", f"act{day}", "--next-date", "2026-12-01"] if day in (11, 15) else []))
    row = cli("customer", "show", "中国银行", "-f", "json").json()
    assert [f["summary"] for f in row["followups"]] == ["d16", "d15", "d14", "d13", "d12"]
    assert [(a["next_action"], a["next_date"]) for a in row["next_actions"]] == [("act11", "2026-12-01"),
                                                                                ("act15", "2026-12-01")]
    text = cli("customer", "show", "中国银行").stdout
    assert "Recent follow-ups (5)" in text and "Pending next actions (2)" in text and "act15" in text
