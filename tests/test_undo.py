"""Issue 21: edit and delete every record kind, `amkit undo` as a stack, `amkit history`,
`manager leave`, past dates. Values are checked with raw SQL (the `sql` fixture) and every
test ends with `audit verify` passing; both backends (AMKIT_TEST_PG_URL)."""

from __future__ import annotations

import csv
import json

import pytest


@pytest.fixture
def ok(cli):
    def run(*args: str, extra_env: dict | None = None):  # noqa: ANN202
        r = cli(*args, extra_env=extra_env)
        assert r.exit_code == 0, (args, r.stdout, r.stderr)
        return r
    return run


@pytest.fixture
def base(ok):
    """张伟 owns 中国银行 (contact 李明); 李娜 owns 招商银行."""
    ok("manager", "add", "张伟", "--team", "华东")
    ok("manager", "add", "李娜", "--team", "华东")
    ok("customer", "add", "中国银行", "--owner", "张伟")
    ok("customer", "add", "招商银行", "--owner", "李娜")
    ok("contact", "add", "中国银行", "李明", "--role", "采购", "--phone", "13800138000")
    return ok


def verified(cli) -> None:
    r = cli("audit", "verify")
    assert r.exit_code == 0, r.stderr


def entries(sql) -> int:
    return sql("SELECT count(*) FROM audit_log")[0][0]


# --- edit and delete, each kind ---------------------------------------------------------------

def test_followup_edit_prints_words_and_changes_the_row(base, cli, sql):
    base("followup", "log", "中国银行", "--channel", "call", "--summary", "初次电话", "--at", "2026-11-20 10:00")
    r = base("followup", "edit", "1", "--channel", "visit", "--summary", "上门拜访", "--contact", "李明",
             "--at", "2026-11-19 15:30", "--customer", "中国银行")
    assert "follow-up 1 (上门拜访): channel: call → visit" in r.stdout
    assert "summary: 初次电话 → 上门拜访" in r.stdout and "contact: — → 李明" in r.stdout
    assert "time: 2026-11-20 10:00 → 2026-11-19 15:30" in r.stdout and "channel_id" not in r.stdout
    assert sql("SELECT channel, summary, contact_id, at FROM followups") == [
        ("visit", "上门拜访", 1, "2026-11-19 15:30:00.000000")]
    zh = cli("followup", "edit", "1", "--channel", "电话", extra_env={"AMKIT_LANG": "zh"})
    assert zh.exit_code == 0 and "跟进记录 1（上门拜访）：渠道：拜访 → 电话" in zh.stdout, zh.stdout
    base("followup", "delete", "1")
    assert sql("SELECT count(*) FROM followups") == [(0,)]
    verified(cli)


def test_followup_moved_to_another_customer_leaves_its_contact(base, cli, sql):
    base("followup", "log", "中国银行", "--channel", "call", "--summary", "s", "--contact", "李明")
    r = base("followup", "edit", "1", "--customer", "招商银行")
    assert "customer: 中国银行 → 招商银行" in r.stdout
    assert sql("SELECT customer_id, contact_id FROM followups") == [(2, None)]
    verified(cli)


def test_deal_edit_money_in_yuan_and_delete_refuses_payments(base, cli, sql):
    base("deal", "add", "中国银行", "--amount", "100000", "--stage", "won", "--title", "维保",
         "--created", "2026-11-02")
    base("payment", "add", "1", "20000", "--date", "2026-11-10")
    base("payment", "add", "1", "30000", "--date", "2026-11-12")
    r = base("deal", "edit", "1", "--amount", "12万", "--owner", "李娜", "--title", "年度维保")
    assert "amount: ¥100,000.00 → ¥120,000.00" in r.stdout and "owner: 张伟 → 李娜" in r.stdout
    assert sql("SELECT amount_cents, owner_id, title FROM deals") == [(12_000_000, 2, "年度维保")]
    before = entries(sql)
    refused = cli("deal", "delete", "1")
    assert refused.exit_code == 4
    assert refused.stderr == "amkit: cannot delete deal 1: delete its 2 payments first, or --cascade\n"
    zh = cli("deal", "delete", "1", extra_env={"AMKIT_LANG": "zh"})
    assert zh.stderr == "amkit: 不能删除商机 1：请先删除其 2 笔回款，或使用 --cascade\n", zh.stderr
    assert entries(sql) == before and sql("SELECT count(*) FROM payments") == [(2,)]
    base("payment", "edit", "2", "--amount", "35000", "--date", "2026-11-13", "--note", "尾款")
    assert sql("SELECT amount_cents, date, note FROM payments WHERE id = 2") == [(3_500_000, "2026-11-13", "尾款")]
    base("payment", "delete", "1")
    r = base("deal", "delete", "1", "--cascade")
    assert "deleted deal 1 (年度维保)" in r.stdout and "also deleted 1 payment\n" in r.stderr
    assert sql("SELECT count(*) FROM deals") == [(0,)] and sql("SELECT count(*) FROM deal_stage_history") == [(0,)]
    verified(cli)


def test_deal_delete_refuses_its_installments_and_unlinks_its_contract_audited(base, cli, sql):
    base("deal", "add", "中国银行", "--amount", "100000", "--stage", "won", "--title", "维保")
    base("payment", "plan", "1", "--due", "2026-12-31", "--amount", "50000")
    base("contract", "add", "中国银行", "--start", "2026-01-01", "--end", "2026-12-31", "--amount", "100000",
         "--deal", "1")
    before = entries(sql)
    refused = cli("deal", "delete", "1")
    assert refused.exit_code == 4 and "delete its 1 installment, 1 contract first, or --cascade" in refused.stderr
    assert entries(sql) == before and sql("SELECT count(*) FROM installments") == [(1,)]
    base("deal", "delete", "1", "--cascade")
    assert sql("SELECT count(*) FROM installments") == [(0,)]
    assert sql("SELECT count(*), max(deal_id) FROM contracts") == [(1, None)]  # the contract stays, unlinked
    verified(cli)
    base("undo")
    assert sql("SELECT deal_id, due FROM installments") == [(1, "2026-12-31")]
    assert sql("SELECT deal_id FROM contracts") == [(1,)]
    verified(cli)


def test_deal_probability_and_expected_close(base, cli, sql):
    base("deal", "add", "中国银行", "--amount", "100000", "--stage", "quote")
    r = base("deal", "edit", "1", "--probability", "35%", "--expected-close", "2026-12-20")
    assert "probability: — → 35.0%" in r.stdout and "expected close: — → 2026-12-20" in r.stdout
    row = cli("deal", "list", "-f", "json").json()[0]
    assert row["probability"] == 0.35 and row["weighted_amount"] == 35000
    verified(cli)


def test_contact_edit_by_name_and_delete_unlinks_followups(base, cli, sql):
    base("followup", "log", "中国银行", "--channel", "call", "--summary", "s", "--contact", "李明")
    r = base("contact", "edit", "中国银行", "李明", "--phone", "13900139000", "--role", "总监",
             "--decision-maker", "yes")
    assert "phone: 13800138000 → 13900139000" in r.stdout and "decision maker: no → yes" in r.stdout
    assert sql("SELECT phone, role, is_decision_maker FROM contacts") == [("13900139000", "总监", True)]
    refused = cli("contact", "delete", "中国银行", "李明")
    assert refused.exit_code == 4 and "delete its 1 follow-up first" in refused.stderr
    base("contact", "delete", "中国银行", "1", "--cascade")
    assert sql("SELECT count(*) FROM contacts") == [(0,)] and sql("SELECT contact_id FROM followups") == [(None,)]
    verified(cli)


@pytest.mark.parametrize("kind, add, edit, check, expected", [
    ("kb", ["kb", "add", "--title", "话术", "--body", "正文"], ["--title", "新话术", "--tags", "话术,续约"],
     "SELECT title, tags FROM kb_entries", ("新话术", "话术,续约")),
    ("survey", ["survey", "add", "中国银行", "--score", "3"], ["--score", "5", "--note", "满意"],
     "SELECT score, note FROM surveys", (5, "满意")),
    ("complaint", ["complaint", "add", "中国银行", "发票错误"], ["--resolution", "已重开", "--resolved", "2026-11-23 23:59"],
     "SELECT resolution, resolved FROM complaints", ("已重开", "2026-11-23 23:59:00.000000")),
    ("goal", ["goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--target", "100000"],
     ["--target", "150000"], "SELECT target FROM goals", (150000,)),
])
def test_edit_and_delete_each_kind(base, cli, sql, kind, add, edit, check, expected):
    base(*add)
    r = base(kind, "edit", "1", *edit)
    assert " → " in r.stdout
    got = sql(check)[0]
    assert tuple(float(v) if kind == "goal" else v for v in got) == expected
    base(kind, "delete", "1")
    assert sql(f"SELECT count(*) FROM {check.split('FROM ')[1]}") == [(0,)]
    verified(cli)


def test_manager_edit_chat_ids_and_delete_refused_while_owning(base, cli, sql):
    r = base("manager", "edit", "张伟", "--mobile", "13800000001", "--wecom-userid", "zhangwei",
             "--dingtalk-userid", "dd-zw", "--team", "华南")
    assert "WeCom user id: — → zhangwei" in r.stdout and "team: 华东 → 华南" in r.stdout
    assert sql("SELECT mobile, wecom_userid, dingtalk_userid, team FROM managers WHERE id = 1") == [
        ("13800000001", "zhangwei", "dd-zw", "华南")]
    refused = cli("manager", "delete", "张伟")
    assert refused.exit_code == 4 and "still has 1 customer:" in refused.stderr and "manager leave" in refused.stderr
    base("manager", "add", "临时")
    base("manager", "delete", "临时")
    assert sql("SELECT count(*) FROM managers") == [(2,)]
    verified(cli)


# --- bad input --------------------------------------------------------------------------------

def test_editing_a_missing_id_is_exit_3_and_an_invalid_value_exit_2_nothing_written(base, cli, sql):
    base("deal", "add", "中国银行", "--amount", "1000", "--stage", "quote")
    before, row = entries(sql), sql("SELECT * FROM deals")
    missing = cli("deal", "edit", "99", "--amount", "5")
    assert (missing.exit_code, missing.stderr) == (3, "amkit: deal not found: '99'\n")
    for args, field in ((["--amount", "abc"], "amount"), (["--created", "2026-13-45"], "created"),
                        (["--probability", "1.5"], "probability"), (["--owner", "没有这个人"], None)):
        bad = cli("deal", "edit", "1", *args)
        assert bad.exit_code in (2, 3), bad.stderr
        if field:
            assert bad.exit_code == 2 and bad.stderr.startswith(f"amkit: invalid {field} ") and "\n" == bad.stderr[-1]
    assert cli("followup", "edit", "1", "--channel", "fax").exit_code == 3  # no follow-up 1
    emptied = cli("deal", "edit", "1", "--created", "")
    assert (emptied.exit_code, emptied.stderr) == (2, "amkit: invalid created '': required: it cannot be emptied\n")
    assert cli("followup", "delete", "7").exit_code == 3
    assert entries(sql) == before and sql("SELECT * FROM deals") == row
    nothing = cli("deal", "edit", "1")
    assert nothing.exit_code == 2
    verified(cli)


# --- score card follows -----------------------------------------------------------------------

def test_score_card_follows_an_edit_and_a_delete(base, cli, sql):
    for channel, day in (("visit", "2026-10-10"), ("visit", "2026-11-02"), ("call", "2026-11-05")):
        base("followup", "log", "中国银行", "--channel", channel, "--summary", "s", "--at", f"{day} 10:00")

    def card():  # noqa: ANN202
        rows = cli("score", "card", "--period", "2026Q4", "--owner", "张伟", "-f", "json").json()
        return rows[0]["visits"], rows[0]["followups"]

    assert card() == (2, 3)
    base("followup", "edit", "3", "--channel", "visit")  # the call was a visit
    assert card() == (3, 3)
    base("followup", "delete", "1")  # logged on the wrong customer
    assert card() == (2, 2)
    base("undo")
    assert card() == (3, 3)
    verified(cli)


# --- undo ---------------------------------------------------------------------------------------

def test_undo_a_delete_brings_the_same_ids_back(base, cli, sql):
    base("deal", "add", "中国银行", "--amount", "100000", "--stage", "won", "--title", "维保")
    base("payment", "add", "1", "20000", "--date", "2026-11-10")
    base("deal", "add", "中国银行", "--amount", "5000", "--stage", "quote")  # deal 2: a later id
    deal = sql("SELECT * FROM deals WHERE id = 1")
    history = sql("SELECT * FROM deal_stage_history WHERE deal_id = 1")
    payments = sql("SELECT * FROM payments")
    base("deal", "delete", "1", "--cascade")
    r = base("undo")
    assert "undone: amkit deal delete" in r.stdout and "restored 1 deals" in r.stdout.replace("deal\n", "deals\n") \
        or "restored 1 deal" in r.stdout
    assert sql("SELECT * FROM deals WHERE id = 1") == deal
    assert sql("SELECT * FROM deal_stage_history WHERE deal_id = 1") == history
    assert sql("SELECT * FROM payments") == payments
    base("deal", "add", "中国银行", "--amount", "1", "--stage", "quote")
    assert sql("SELECT max(id) FROM deals") == [(3,)]  # the sequence stayed ahead of the restored ids
    verified(cli)


def test_undo_an_edit_and_two_undos_in_stack_order(base, cli, sql):
    base("followup", "log", "中国银行", "--channel", "call", "--summary", "a")
    base("followup", "edit", "1", "--summary", "b")
    base("followup", "edit", "1", "--channel", "visit")
    listed = cli("undo", "--list", "-f", "json").json()
    assert [r["command"] for r in listed[:3]] == ["amkit followup edit", "amkit followup edit", "amkit followup log"]
    count = entries(sql)
    dry = base("undo", "--dry-run")
    assert "would undo: amkit followup edit" in dry.stdout and entries(sql) == count
    assert sql("SELECT summary, channel FROM followups") == [("b", "visit")]
    base("undo")
    assert sql("SELECT summary, channel FROM followups") == [("b", "call")]
    base("undo")
    assert sql("SELECT summary, channel FROM followups") == [("a", "call")]
    assert cli("undo", "--list", "-f", "json").json()[0]["command"] == "amkit followup log"
    base("undo")
    assert sql("SELECT count(*) FROM followups") == [(0,)]
    undo_entries = sql("SELECT command, after FROM audit_log WHERE action = 'undo' ORDER BY id")
    assert [c for c, _ in undo_entries] == ["amkit undo"] * 3
    assert all(json.loads(a)["run"] for _, a in undo_entries)
    verified(cli)


def test_undo_of_a_100_row_import_is_one_step(base, cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "industry"])
        writer.writerows([[f"导入客户{i:03d}", "金融"] for i in range(100)])
    base("followup", "log", "中国银行", "--channel", "call", "--summary", "before the import")
    r = cli("import", "customers", src)
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT count(*) FROM customers") == [(102,)]
    assert sql("SELECT count(DISTINCT run) FROM audit_log WHERE table_name = 'customers' AND id > 7") == [(1,)]
    r = base("undo")
    assert "deleted 100 customers" in r.stdout.replace("customer\n", "customers\n")
    assert sql("SELECT count(*) FROM customers") == [(2,)]
    assert sql("SELECT count(*) FROM followups") == [(1,)]  # the command before stays
    verified(cli)


def test_undo_refused_when_a_later_command_changed_the_same_rows(base, cli, sql):
    alice, bob = {"AMKIT_USER": "alice"}, {"AMKIT_USER": "bob"}
    base("deal", "add", "中国银行", "--amount", "1000", "--stage", "quote", extra_env=alice)
    base("deal", "edit", "1", "--amount", "2000", extra_env=alice)
    base("deal", "edit", "1", "--title", "bob's title", extra_env=bob)
    before = entries(sql)
    refused = cli("undo", extra_env=alice)
    assert refused.exit_code == 4
    assert "a later command changed the same records: 'amkit deal edit' by bob" in refused.stderr
    assert entries(sql) == before and sql("SELECT amount_cents FROM deals") == [(200_000,)]
    base("undo", extra_env=bob)  # bob reverts his; then alice's undo goes through
    base("undo", extra_env=alice)
    assert sql("SELECT amount_cents, title FROM deals") == [(100_000, None)]
    verified(cli)


def test_undo_never_restores_erased_personal_data(base, cli, sql):
    base("contact", "add", "招商银行", "王芳", "--phone", "13912345678")
    assert cli("customer", "erase", "招商银行", "--yes").exit_code == 0
    last = cli("undo")
    assert last.exit_code == 4 and "cannot be undone" in last.stderr and "erase" in last.stderr
    assert sql("SELECT count(*) FROM contacts WHERE name = '王芳'") == [(0,)]
    verified(cli)


def test_nothing_to_undo_is_exit_3(cli):
    r = cli("undo")
    assert r.exit_code == 3 and "nothing to undo" in r.stderr


# --- history ------------------------------------------------------------------------------------

def test_history_of_a_customer_shows_edits_with_before_and_after(base, cli, sql):
    base("deal", "add", "中国银行", "--amount", "100000", "--stage", "quote", "--title", "维保")
    base("deal", "edit", "1", "--amount", "120000")
    base("followup", "log", "中国银行", "--channel", "call", "--summary", "电话")
    base("followup", "edit", "1", "--channel", "visit")
    base("followup", "log", "招商银行", "--channel", "call", "--summary", "别的客户")
    text = base("history", "--customer", "中国银行").stdout
    assert "deal 1: amount: ¥100,000.00 → ¥120,000.00" in text
    assert "follow-up 1: channel: call → visit" in text
    assert "别的客户" not in text and "amkit followup edit" in text and "tester" in text
    rows = cli("history", "--customer", "中国银行", "-f", "json").json()
    assert rows[0]["command"] == "amkit followup edit"
    assert rows[0]["changes"][0]["before"] == "call" and rows[0]["changes"][0]["after"] == "visit"
    one = cli("history", "--record", "deal", "1", "-f", "json").json()
    assert [r["command"] for r in one] == ["amkit deal edit", "amkit deal add"]
    assert cli("history", "--record", "nope", "1").exit_code == 2
    later = cli("history", "--since", "2026-11-24")
    assert (later.exit_code, later.stdout, later.stderr) == (0, "", "no changes found\n")
    assert len(cli("history", "--since", "2026-11-23", "-f", "json").json()) == len(cli("history", "-f", "json").json())


# --- manager leave ------------------------------------------------------------------------------

def test_manager_leave_moves_everything_and_the_departed_gets_nothing(base, cli, sql):
    base("deal", "add", "中国银行", "--amount", "5000", "--stage", "quote")
    base("deal", "add", "招商银行", "--amount", "7000", "--stage", "needs", "--owner", "张伟")  # at 李娜's customer
    base("deal", "add", "中国银行", "--amount", "9000", "--stage", "won")  # past credit stays
    base("followup", "log", "中国银行", "--channel", "visit", "--summary", "s", "--next", "回访",
         "--next-date", "2026-11-30")
    r = base("manager", "leave", "张伟", "--to", "李娜", "--note", "张伟调岗")
    assert "张伟 → 李娜: 1 customer, 2 open deals, 1 pending action" in r.stdout
    assert sql("SELECT owner_id FROM customers ORDER BY id") == [(2,), (2,)]
    assert sql("SELECT id, owner_id FROM deals ORDER BY id") == [(1, 2), (2, 2), (3, 1)]
    assert sql("SELECT owner_id FROM followups") == [(1,)]  # the visit counts for 张伟
    assert sql("SELECT active FROM managers WHERE name = '张伟'") in ([(False,)], [(0,)])
    note = sql("SELECT note FROM handovers")[0][0]
    assert "张伟调岗" in note and "回访" in note
    refused = cli("customer", "add", "新客户", "--owner", "张伟")
    assert refused.exit_code == 4 and "has left" in refused.stderr
    assert cli("customer", "handover", "--from", "李娜", "--to", "张伟").exit_code == 4
    assert cli("deal", "edit", "1", "--owner", "张伟").exit_code == 4
    card = cli("score", "card", "--period", "2026Q4", "--owner", "张伟", "-f", "json").json()
    assert card[0]["visits"] == 1  # their scores stay
    verified(cli)


# --- past work ----------------------------------------------------------------------------------

def test_a_deal_entered_today_is_won_two_days_ago_after_its_creation_date(base, cli, sql):
    base("deal", "add", "中国银行", "--amount", "5000", "--stage", "quote")  # created today 2026-11-23
    early = cli("deal", "move", "1", "won", "--on", "2026-11-21")
    assert early.exit_code == 2 and "before the deal was created" in early.stderr
    base("deal", "edit", "1", "--created", "2026-11-15")
    assert sql("SELECT on FROM deal_stage_history".replace("on", '"on"', 1)) == [("2026-11-15",)]
    base("deal", "move", "1", "negotiation", "--on", "2026-11-18")
    base("deal", "move", "1", "won", "--on", "2026-11-17")  # any day from creation on
    assert sql("SELECT stage, closed_at FROM deals") == [("won", "2026-11-17")]
    base("followup", "log", "中国银行", "--channel", "visit", "--summary", "补录", "--at", "2026-10-03 09:30")
    assert sql("SELECT at FROM followups") == [("2026-10-03 09:30:00.000000",)]
    verified(cli)


def test_completion_offers_only_active_managers(base, env):
    from amkit.ui.completion import manager_names

    assert manager_names("") == ["张伟", "李娜"] or sorted(manager_names("")) == ["张伟", "李娜"]
    base("manager", "leave", "张伟", "--to", "李娜")
    assert manager_names("") == ["李娜"] and manager_names("张") == []


def test_the_nouns_with_edit_and_delete_are_the_record_kinds():
    from amkit.cli import RECORD_KINDS
    from amkit.records.spec import KINDS, NOUNS

    assert {NOUNS.get(noun, noun) for noun in RECORD_KINDS} == {name for name, kind in KINDS.items() if kind.editable}


def test_undo_refused_while_later_records_depend_on_what_it_added(base, cli, sql):
    base("customer", "add", "新客户")
    base("followup", "log", "新客户", "--channel", "call", "--summary", "s", extra_env={"AMKIT_USER": "bob"})
    before = entries(sql)
    refused = cli("undo")  # tester's last command added the customer; bob's follow-up hangs on it
    assert refused.exit_code == 4 and "later records depend on" in refused.stderr and "followups 1" in refused.stderr
    assert entries(sql) == before and sql("SELECT count(*) FROM customers WHERE name = '新客户'") == [(1,)]
    verified(cli)


def test_undo_of_a_delete_refused_when_the_name_is_taken_again(base, cli, sql):
    base("manager", "add", "临时")
    base("manager", "delete", "临时")
    base("manager", "add", "临时", extra_env={"AMKIT_USER": "bob"})
    before = entries(sql)
    refused = cli("undo")
    # PostgreSQL: id 3 is free but the name is taken (unique); SQLite gave bob's manager id 3 again
    assert refused.exit_code == 4 and ("cannot be undone: the database refused it" in refused.stderr
                                       or "'amkit manager add' by bob" in refused.stderr), refused.stderr
    assert entries(sql) == before
    verified(cli)


def test_sealed_contact_fields_edit_and_come_back_sealed(base, cli, sql, monkeypatch):
    monkeypatch.setenv("AMKIT_KEY", "a test key for sealed contacts, 0123456789")
    base("contact", "add", "招商银行", "王芳", "--phone", "13912345678", "--wechat", "wangfang")
    r = base("contact", "edit", "招商银行", "王芳", "--phone", "13987654321")
    assert "phone: 13912345678 → 13987654321" in r.stdout
    stored = sql("SELECT phone, wechat, phone_hash FROM contacts WHERE name = '王芳'")[0]
    assert "13987654321" not in stored[0] and stored[0].startswith("enc1:")
    history = base("history", "--customer", "招商银行").stdout
    assert "13987654321" not in history and "(encrypted)" in history
    base("contact", "delete", "招商银行", "王芳")
    base("undo")
    assert sql("SELECT phone, wechat, phone_hash FROM contacts WHERE name = '王芳'")[0] == stored
    listed = cli("contact", "list", "--customer", "招商银行", "--reveal", "-f", "json").json()
    assert listed[0]["phone"] == "13987654321"
    verified(cli)


def test_counts_in_messages_agree_in_number_and_speak_chinese(cli, sql):  # noqa: ANN001, ANN201
    """"1 installment", "2 payments"; zh with measure words and 、 between them, no English left."""
    for step in (("manager", "add", "张伟"), ("customer", "add", "中国银行", "--owner", "张伟"),
                 ("deal", "add", "中国银行", "--amount", "1000", "--stage", "won"),
                 ("payment", "plan", "1", "--due", "2026-12-01", "--amount", "1000"),
                 ("payment", "add", "1", "100"), ("payment", "add", "1", "200"),
                 ("contract", "add", "中国银行", "--start", "2026-01-01", "--end", "2026-12-31", "--amount", "1000",
                  "--deal", "1")):
        assert cli(*step).exit_code == 0, step
    en = cli("deal", "delete", "1")
    assert en.stderr == "amkit: cannot delete deal 1: delete its 2 payments, 1 installment, 1 contract first, or --cascade\n"
    zh = cli("deal", "delete", "1", extra_env={"AMKIT_LANG": "zh"})
    assert zh.stderr == "amkit: 不能删除商机 1：请先删除其 2 笔回款、1 期回款计划、1 份合同，或使用 --cascade\n"
    done = cli("deal", "delete", "1", "--cascade", extra_env={"AMKIT_LANG": "zh"})
    assert done.exit_code == 0
    assert "同时删除了 2 笔回款" in done.stderr and "已解除 1 份合同 的关联（记录保留）" in done.stderr
    undo = cli("undo", extra_env={"AMKIT_LANG": "zh"})
    lines = undo.stdout.splitlines()[1:]
    # worked out from the steps: the deal, its stage history row, 2 payments and 1 installment come back;
    # the contract's link is restored
    assert sorted(line.strip() for line in lines) == sorted(
        ["恢复 1 个商机", "恢复 1 条商机阶段记录", "恢复 2 笔回款", "恢复 1 期回款计划", "改回 1 份合同"])
    assert sql("SELECT count(*) FROM payments") == [(2,)] and sql("SELECT deal_id FROM contracts") == [(1,)]


def test_a_terminal_is_not_asked_to_confirm_a_delete_that_will_be_refused(cli, env, sql):  # noqa: ANN001, ANN201
    import os

    from ptyrun import run_on_pty

    for step in (("manager", "add", "张伟"), ("customer", "add", "中国银行", "--owner", "张伟"),
                 ("deal", "add", "中国银行", "--amount", "1000", "--stage", "won"), ("payment", "add", "1", "100")):
        assert cli(*step).exit_code == 0
    code, out = run_on_pty(["deal", "delete", "1"], 80, {**os.environ, **env})
    assert code == 4 and "?" not in out and "[y/N]" not in out
    assert "cannot delete deal 1: delete its 1 payment first, or --cascade" in out
    code, out = run_on_pty(["manager", "delete", "张伟"], 80, {**os.environ, **env})
    assert code == 4 and "manager 张伟 still has 1 customer, 1 deal" in out and "[y/N]" not in out
    assert sql("SELECT count(*) FROM deals") == [(1,)]


def test_a_contact_is_found_the_same_way_by_log_edit_and_delete(cli, sql):  # noqa: ANN001, ANN201
    """One look-up (amkit.store.lookup.contact) for `followup log --contact`, `followup edit
    --contact` and `contact edit|delete CUSTOMER NAME`: by name, else id; two of one name list both."""
    for step in (("manager", "add", "张伟"), ("customer", "add", "中国银行", "--owner", "张伟"),
                 ("contact", "add", "中国银行", "李明"), ("contact", "add", "中国银行", "李明", "--role", "处长"),
                 ("contact", "add", "中国银行", "王芳"),
                 ("followup", "log", "中国银行", "--channel", "call", "--summary", "s", "--contact", "王芳")):
        assert cli(*step).exit_code == 0, step
    for args in (("followup", "log", "中国银行", "--channel", "call", "--summary", "t", "--contact", "李明"),
                 ("followup", "edit", "1", "--contact", "李明"), ("contact", "edit", "中国银行", "李明", "--role", "x"),
                 ("contact", "delete", "中国银行", "李明")):
        r = cli(*args)
        assert r.exit_code == 4, args
        assert r.stderr.splitlines() == ["amkit: contact '李明' is ambiguous at 中国银行: use its id", "  1  李明", "  2  李明"]
    assert cli("followup", "edit", "1", "--contact", "2").exit_code == 0  # by id
    assert sql("SELECT contact_id FROM followups") == [(2,)]
    missing = cli("followup", "edit", "1", "--contact", "赵强")
    assert (missing.exit_code, missing.stderr) == (3, "amkit: contact not found at 中国银行: '赵强'\n")
    logged = cli("followup", "log", "中国银行", "--channel", "call", "--summary", "t", "--contact", "赵强")
    assert logged.stderr == ("amkit: contact not found at 中国银行: '赵强' "
                             "(add it with: amkit contact add '中国银行' '赵强')\n")
