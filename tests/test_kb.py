"""Knowledge base (案例库, 话术): add, search (Chinese, two-character words), show, list, the
"what worked before" section of `customer show`, erase and merge."""

from __future__ import annotations

import pytest

from conftest import BACKEND

TALK = "银行客户续约话术"
TALK_BODY = "先复盘服务成果，再谈价格。客户压价时用分期付款替代降价。"


@pytest.fixture
def kb(cli):  # noqa: ANN001, ANN201
    def ok(*args):  # noqa: ANN001, ANN202
        r = cli(*args)
        assert r.exit_code == 0, (args, r.stderr)
        return r

    ok("customer", "add", "中国银行", "--industry", "金融")
    ok("customer", "add", "重庆银行", "--industry", "金融")
    ok("customer", "add", "长城汽车部件", "--industry", "制造")
    ok("kb", "add", "--title", TALK, "--body", TALK_BODY, "--tag", "话术", "--tag", "续约,金融",
       "--industry", "金融", "--stage", "negotiation")                          # 1
    ok("kb", "add", "--title", "制造业首次拜访清单", "--body", "问清停机一次的损失和 ERP 版本",
       "--tag", "话术", "--industry", "制造", "--stage", "contact")            # 2
    ok("kb", "add", "--title", "需求确认五问", "--body", "谁发起？预算批了吗？", "--stage", "needs")  # 3
    ok("kb", "add", "--title", "城商行维保案例", "--body", "报价拆分后按原价签约三年", "--tag", "案例",
       "--industry", "金融", "--customer", "重庆银行")                          # 4
    return cli


def test_add_prints_the_row_as_json(kb, sql):
    r = kb("kb", "add", "--title", "零售旺季节奏", "--body", "提前 8 周拜访", "--tag", "经验", "--industry", "零售",
           "--stage", "报价", "-f", "json")
    assert r.exit_code == 0, r.stderr
    row = r.json()
    assert (row["id"], row["stage"], row["tags"], row["industry"]) == (5, "quote", ["经验"], "零售")
    assert sql("SELECT title, body, tags, industry, stage, customer_id FROM kb_entries WHERE id = 5") == [
        ("零售旺季节奏", "提前 8 周拜访", "经验", "零售", "quote", None)]
    assert sql("SELECT tags FROM kb_entries WHERE id = 1") == [("话术,续约,金融",)]
    assert sql("SELECT customer_id FROM kb_entries WHERE id = 4") == sql("SELECT id FROM customers WHERE name = '重庆银行'")
    assert sql("SELECT count(*) FROM audit_log WHERE table_name = 'kb_entries'") == [(5,)]


def test_search_finds_an_entry_by_a_two_character_chinese_word(kb):
    r = kb("kb", "search", "续约", "-f", "json")
    assert r.exit_code == 0, r.stderr
    assert [e["id"] for e in r.json()] == [1]  # in the title and the tags
    assert [e["id"] for e in kb("kb", "search", "压价", "-f", "json").json()] == [1]  # in the body only
    assert [e["id"] for e in kb("kb", "search", "分期付款", "-f", "json").json()] == [1]  # trigram index
    assert [e["id"] for e in kb("kb", "search", "话术 拜访", "-f", "json").json()] == [2]  # every term
    assert [e["id"] for e in kb("kb", "search", "erp", "-f", "json").json()] == [2]  # case-insensitive
    assert kb("kb", "search", "不存在的词", "-f", "json").json() == []
    table = kb("kb", "search", "续约")
    assert TALK in table.stdout and "城商行" not in table.stdout


@pytest.mark.sqlite_only
def test_kb_fts_index_is_kept_in_step(kb, sql):
    assert sql("SELECT count(*) FROM sqlite_master WHERE name = 'kb_fts'") == [(1,)]
    hits = sql("SELECT rowid FROM kb_fts WHERE kb_fts MATCH '\"分期付款\"'")
    assert hits == [(1,)]
    sql("UPDATE kb_entries SET body = '只谈服务' WHERE id = 1")
    assert sql("SELECT rowid FROM kb_fts WHERE kb_fts MATCH '\"分期付款\"'") == []
    assert sql("INSERT INTO kb_fts(kb_fts) VALUES ('integrity-check')") == []


def test_show_and_list(kb):
    shown = kb("kb", "show", "1")
    assert shown.exit_code == 0 and TALK in shown.stdout and TALK_BODY in shown.stdout
    row = kb("kb", "show", "4", "-f", "json").json()
    assert (row["title"], row["customer"], row["body"]) == ("城商行维保案例", "重庆银行", "报价拆分后按原价签约三年")
    assert [e["id"] for e in kb("kb", "list", "-f", "json").json()] == [4, 3, 2, 1]  # newest first
    assert [e["id"] for e in kb("kb", "list", "--tag", "话术", "-f", "json").json()] == [2, 1]
    assert [e["id"] for e in kb("kb", "list", "--tag", "话术", "--tag", "续约", "-f", "json").json()] == [1]
    assert [e["id"] for e in kb("kb", "list", "--industry", "金融", "-f", "json").json()] == [4, 1]
    assert [e["id"] for e in kb("kb", "list", "--stage", "需求确认", "-f", "json").json()] == [3]
    missing = kb("kb", "show", "99")
    assert missing.exit_code == 3 and "99" in missing.stderr


def test_customer_show_lists_what_worked_before(kb):
    # 中国银行 (金融) has no open deal: only 4 (金融, no stage) fits; 1 also needs a negotiation deal
    assert [e["id"] for e in kb("customer", "show", "中国银行", "-f", "json").json()["kb"]] == [4]
    kb("deal", "add", "中国银行", "--stage", "negotiation", "--amount", "50000")
    kb("deal", "add", "中国银行", "--stage", "needs")
    entries = kb("customer", "show", "中国银行", "-f", "json").json()["kb"]
    # 1 (金融 at negotiation: both match), then 4 (金融 only), then 3 (needs, any industry);
    # 2 is about 制造
    assert [e["id"] for e in entries] == [1, 4, 3]
    table = kb("customer", "show", "中国银行")
    assert "What worked before (3)" in table.stdout and TALK in table.stdout
    linked = kb("customer", "show", "重庆银行", "-f", "json").json()["kb"]
    assert [e["id"] for e in linked] == [4]  # its own case; 1 needs a negotiation deal
    assert [e["id"] for e in kb("customer", "show", "长城汽车部件", "-f", "json").json()["kb"]] == []


def test_bad_input_writes_nothing(kb, sql, tmp_path):
    before = sql("SELECT count(*) FROM kb_entries")
    cases = [
        (("kb", "add", "--title", "x"), 2, "--body"),
        (("kb", "add", "--title", "x", "--body", "y", "--file", "n.md"), 2, "--file"),
        (("kb", "add", "--title", "x", "--file", str(tmp_path / "none.md")), 2, "none.md"),
        (("kb", "add", "--title", "  ", "--body", "y"), 2, "--title"),
        (("kb", "add", "--title", "x", "--body", "y", "--stage", "closing"), 2, "closing"),
        (("kb", "add", "--title", "x", "--body", "y", "--customer", "没有这个客户"), 3, "没有这个客户"),
        (("kb", "search", "  "), 2, "search"),
    ]
    for args, code, needle in cases:
        r = kb(*args)
        assert r.exit_code == code, (args, r.stderr)
        assert needle in r.stderr and r.stderr.startswith("amkit: ") and r.stderr.count("\n") == 1, r.stderr
    assert sql("SELECT count(*) FROM kb_entries") == before


def test_add_from_a_markdown_file(kb, tmp_path):
    note = tmp_path / "case.md"
    note.write_text("# 医疗客户合规顾虑\n\n提供等保三级证书和本地化部署方案。\n", encoding="utf-8")
    r = kb("kb", "add", "--title", "医疗合规", "--file", note, "--industry", "医疗", "-f", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["body"].startswith("# 医疗客户合规顾虑\n")
    assert [e["id"] for e in kb("kb", "search", "等保", "-f", "json").json()] == [r.json()["id"]]
    bad = tmp_path / "gbk.md"
    bad.write_bytes("中文".encode("gbk"))
    assert kb("kb", "add", "--title", "x", "--file", bad).exit_code == 2


def test_erase_scrubs_linked_entries_and_merge_moves_them(kb, sql):
    kb("customer", "add", "重庆银行 (重复)", "--industry", "金融")
    kb("kb", "add", "--title", "重复客户的案例", "--body", "xx", "--customer", "重庆银行 (重复)")
    assert kb("customer", "merge", "重庆银行", "重庆银行 (重复)").exit_code == 0
    cid = sql("SELECT id FROM customers WHERE name = '重庆银行'")[0][0]
    assert sql("SELECT id FROM kb_entries WHERE customer_id = ? ORDER BY id", cid) == [(4,), (5,)]
    r = kb("customer", "erase", "重庆银行", "--yes")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT title, body, tags, industry FROM kb_entries WHERE id = 4") == [
        ("[erased]", "[erased]", "", "金融")]
    assert kb("kb", "search", "城商行", "-f", "json").json() == []
    assert kb("kb", "search", "维保", "-f", "json").json() == []
    assert [e["id"] for e in kb("kb", "search", "续约", "-f", "json").json()] == [1]  # others untouched
    assert kb("audit", "verify").exit_code == 0


def test_backend_fallback_is_ilike_without_an_index(kb, sql):
    """On PostgreSQL (no FTS5) and SQLite alike, a 3+ character Chinese term is found."""
    hits = kb("kb", "search", "城商行维保", "-f", "json").json()
    assert [e["id"] for e in hits] == [4]
    if BACKEND == "sqlite":
        assert sql("SELECT count(*) FROM sqlite_master WHERE name = 'kb_fts'") == [(1,)]
