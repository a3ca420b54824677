"""Issue 22, the money loop, on a hand-built fixture (both backends: AMKIT_TEST_PG_URL).

The fixture (today 2026-11-23, contracts.renewal_lead_days 60, deals.stall_days 30):
- 张伟 owns 中国银行; contract 1 runs 2026-01-23..2027-01-22 (¥100,000): its renewal is due
  2027-01-22 - 60 days = 2026-11-23;
- contract 2 ended 2026-10-31 and is renewed by contract 3; contract 4 ended 2026-11-15 and is
  not: of the two contracts that ended in 2026Q4 up to today one is renewed, renewal_rate 0.5;
- deal 1 won 2026-09-01 for ¥300,000 with a plan of three ¥100,000 installments due 10-01, 11-01
  and 12-01; payments ¥60,000 on 10-05 and ¥40,000 on 11-10. Oldest first, by 11-23 the first
  installment is paid and the second is outstanding, overdue since 11-01 (22 days); the third
  is not due. overdue_rate for 2026Q4 = 100,000 outstanding past due / 200,000 due = 0.5;
- deal 2 was created at contact on 2026-08-01 and moved to quote on 2026-09-01: on 11-23 it has
  been 83 days in quote, stalled since 2026-10-01 (30 days), 53 days ago.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def money(cli):
    def ok(*args, **kw):
        r = cli(*args, **kw)
        assert r.exit_code == 0, (args, r.stderr)
        return r

    ok("manager", "add", "张伟")
    ok("manager", "add", "李娜")
    ok("customer", "add", "中国银行", "--owner", "张伟", "--industry", "金融")
    ok("contract", "add", "中国银行", "--start", "2026-01-23", "--end", "2027-01-22", "--amount", "100000",
       "--title", "年度维保")
    ok("contract", "add", "中国银行", "--start", "2025-11-01", "--end", "2026-10-31", "--amount", "50000")
    ok("contract", "add", "中国银行", "--start", "2026-11-01", "--end", "2027-10-31", "--amount", "55000",
       "--renewal-of", "2")
    ok("contract", "add", "中国银行", "--start", "2025-11-16", "--end", "2026-11-15", "--amount", "20000")
    ok("deal", "add", "中国银行", "--amount", "300000", "--stage", "won", "--created", "2026-09-01", "--title", "核心系统")
    for due in ("2026-10-01", "2026-11-01", "2026-12-01"):
        ok("payment", "plan", "1", "--due", due, "--amount", "100000")
    ok("payment", "add", "1", "60000", "--date", "2026-10-05")
    ok("payment", "add", "1", "40000", "--date", "2026-11-10")
    ok("deal", "add", "中国银行", "--amount", "80000", "--stage", "contact", "--created", "2026-08-01",
       "--title", "数据平台")
    ok("deal", "move", "2", "quote", "--on", "2026-09-01")
    return cli


def remind(cli, kind: str, *args: str, today: str = "2026-11-23") -> list[dict]:
    r = cli("remind", "-f", "json", *args, extra_env={"AMKIT_TODAY": today})
    assert r.exit_code == 0, r.stderr
    return [x for x in r.json() if x["kind"] == kind]


# --- renewals ---------------------------------------------------------------------------

def test_renewal_due_sixty_days_before_the_end_and_gone_once_renewed(money):
    dues = [x["due"] for x in remind(money, "renewal", "--within", "0d", today="2026-11-22")]
    assert dues == ["2026-09-16"]  # contract 4's; contract 1's is not due yet
    found = remind(money, "renewal", "--within", "0d")
    assert [(x["customer"], x["owner"], x["due"], x["days_overdue"]) for x in found] == \
        [("中国银行", "张伟", "2026-09-16", 68), ("中国银行", "张伟", "2026-11-23", 0)]
    assert "2027-01-22" in found[1]["reason"] and "100,000.00" in found[1]["reason"]
    assert "2026-11-15" in found[0]["reason"]  # contract 4 ended unrenewed: it stays, overdue
    assert list(found[0]) == ["kind", "customer", "owner", "due", "days_overdue", "reason"]
    assert money("contract", "add", "中国银行", "--start", "2027-01-23", "--end", "2028-01-22", "--amount", "110000",
                 "--renewal-of", "1").exit_code == 0
    assert money("contract", "lost", "4", "--reason", "客户改用竞品").exit_code == 0
    assert remind(money, "renewal", "--within", "30d") == []
    rows = {r["id"]: r["status"] for r in money("contract", "list", "-f", "json").json()}
    assert rows == {1: "renewed", 2: "renewed", 3: "active", 4: "lost", 5: "future"}


def test_contract_list_expiring_window(money, sql):
    def ids(*a: str) -> list[int]:
        return [r["id"] for r in money("contract", "list", *a, "-f", "json").json()]

    assert ids("--expiring", "60d") == [1]  # ends 2027-01-22 = today + 60
    assert ids("--expiring", "59d") == []
    assert ids("--expiring", "2m") == [1]  # 2m = 60 days
    assert ids("--ended") == [2, 4]
    assert ids("--owner", "李娜") == []
    r = money("contract", "list", "--expiring", "soon")
    assert (r.exit_code, r.stderr) == (2, "amkit: invalid --expiring 'soon': expected a window like 60d, 8w or 2m\n")
    table = money("contract", "list", "--expiring", "60d").stdout
    assert "年度维保" in table and "2027-01-22" in table and "60" in table
    assert sql("SELECT id, start_on, end_on, amount_cents, renewal_of_id FROM contracts WHERE id = 3") == \
        [(3, "2026-11-01", "2027-10-31", 5500000, 2)]


def test_contract_bad_input_writes_nothing(money, sql):
    before = sql("SELECT count(*) FROM contracts")
    cases = [
        (("--start", "2026-02-01", "--end", "2026-01-01", "--amount", "1"),
         "amkit: invalid end '2026-01-01': before the start 2026-02-01\n"),
        (("--start", "2026-01-01", "--end", "2026-12-31", "--amount", "-5"),
         "amkit: invalid amount '-5': must not be negative\n"),
        (("--start", "2026-13-01", "--end", "2026-12-31", "--amount", "5"), None),
    ]
    for args, message in cases:
        r = money("contract", "add", "中国银行", *args)
        assert r.exit_code == 2 and len(r.stderr.splitlines()) == 1, (args, r.stderr)
        if message:
            assert r.stderr == message
    r = money("contract", "add", "中国银行", "--start", "2026-01-01", "--end", "2026-12-31", "--amount", "5",
              "--renewal-of", "2")
    assert (r.exit_code, r.stderr) == (2, "amkit: invalid renewal_of '2': is renewed already by contract 3\n")
    r = money("contract", "lost", "99", "--reason", "x")
    assert (r.exit_code, r.stderr) == (3, "amkit: contract not found: '99'\n")
    r = money("contract", "lost", "2", "--reason", "x")
    assert (r.exit_code, r.stderr) == (2, "amkit: invalid ID '2': is renewed by contract 3\n")
    assert sql("SELECT count(*) FROM contracts") == before
    assert sql("SELECT count(*) FROM contracts WHERE lost_on IS NOT NULL") == [(0,)]


# --- payment plans and receivables -------------------------------------------------------

def test_overdue_installment_in_remind_from_the_day_after_its_due_date(money):
    # on 11-01 only ¥60,000 had come in: the 10-01 installment is still ¥40,000 short; the 11-01 one is
    # due that day, not overdue yet
    due_day = remind(money, "receivable", "--within", "0d", today="2026-11-01")
    assert [(x["due"], x["days_overdue"]) for x in due_day] == [("2026-10-01", 31)]
    first = remind(money, "receivable", "--within", "0d", today="2026-11-02")
    assert [(x["due"], x["days_overdue"]) for x in first] == [("2026-10-01", 32), ("2026-11-01", 1)]
    found = remind(money, "receivable")
    assert [(x["customer"], x["owner"], x["due"], x["days_overdue"]) for x in found] == \
        [("中国银行", "张伟", "2026-11-01", 22)]
    assert "100,000.00 outstanding" in found[0]["reason"]
    # on 10-20 only ¥60,000 had come in: the first installment was overdue for the rest
    earlier = remind(money, "receivable", today="2026-10-20")
    assert [(x["due"], x["days_overdue"]) for x in earlier] == [("2026-10-01", 19)]
    assert "40,000.00 outstanding" in earlier[0]["reason"]


def test_receivable_list_overdue_applies_payments_oldest_first(money):
    rows = money("receivable", "list", "-f", "json").json()
    assert [(r["due"], r["amount"], r["received"], r["outstanding"], r["days_overdue"], r["status"]) for r in rows] == [
        ("2026-10-01", 100000.0, 100000.0, 0.0, None, "paid"),
        ("2026-11-01", 100000.0, 0.0, 100000.0, 22, "overdue"),
        ("2026-12-01", 100000.0, 0.0, 100000.0, None, "open")]
    overdue = money("receivable", "list", "--overdue", "-f", "json").json()
    assert [(r["deal_id"], r["customer"], r["owner"], r["due"], r["outstanding"], r["days_overdue"])
            for r in overdue] == [(1, "中国银行", "张伟", "2026-11-01", 100000.0, 22)]
    partial = money("receivable", "list", "--as-of", "2026-10-20", "-f", "json").json()
    assert [(r["received"], r["outstanding"], r["days_overdue"]) for r in partial][:2] == \
        [(60000.0, 40000.0, 19), (0.0, 100000.0, None)]
    table = money("receivable", "list", "--overdue")
    assert "2026-11-01" in table.stdout and "22" in table.stdout
    assert "1 installment(s): 100,000.00 outstanding, 100,000.00 overdue" in table.stderr
    assert money("receivable", "list", "--owner", "李娜", "-f", "json").json() == []


def test_a_plan_over_the_deal_amount_is_refused_and_nothing_is_stored(money, sql):
    r = money("payment", "plan", "1", "--due", "2027-01-01", "--amount", "0.01")
    assert r.exit_code == 2
    assert r.stderr == ("amkit: invalid amount '0.01': the plan would total 300000.01, more than deal 1's amount "
                        "300000.00 (300000.00 planned already)\n")
    r = money("payment", "plan", "2", "--due", "2027-01-01", "--amount", "100")
    assert (r.exit_code, r.stderr) == (2, ("amkit: invalid deal 2: is quote, not won: payments are recorded "
                                           "against won deals\n"))
    r = money("payment", "plan", "1", "--amount", "100")
    assert (r.exit_code, r.stderr) == (2, "amkit: invalid due '': required (--due YYYY-MM-DD)\n")
    assert sql("SELECT count(*), sum(amount_cents) FROM installments") == [(3, 30000000)]


# --- stalled deals ------------------------------------------------------------------------

def test_a_deal_83_days_in_quote_is_stalled(money, env, tmp_path):
    found = remind(money, "stalled")
    assert [(x["customer"], x["owner"], x["due"], x["days_overdue"]) for x in found] == \
        [("中国银行", "张伟", "2026-10-01", 53)]
    assert "in quote for 83d" in found[0]["reason"] and "数据平台" in found[0]["reason"]
    assert remind(money, "stalled", today="2026-10-01") == []  # 30 days: not longer than the limit
    assert money("config", "set", "deals.stall_days.quote", "90").exit_code == 0
    assert remind(money, "stalled") == []
    zh = money("remind", extra_env={"AMKIT_LANG": "zh"}).stdout
    assert "商机 2 (数据平台) 停留在报价" not in zh  # limit 90: nothing stalled
    assert money("config", "set", "deals.stall_days.quote", "30").exit_code == 0
    zh = money("remind", extra_env={"AMKIT_LANG": "zh"}).stdout
    assert "商机 2 (数据平台) 停留在报价已 83 天" in zh


# --- score card rates ---------------------------------------------------------------------

def test_renewal_rate_and_overdue_rate_on_the_score_card_and_as_goals(money):
    card = money("score", "card", "--period", "2026Q4", "-f", "json").json()
    mine = next(c for c in card if c["owner"] == "张伟")
    assert (mine["renewal_rate"], mine["overdue_rate"]) == (0.5, 0.5)
    assert mine["churn_rate"] == 0 or mine["churn_rate"] is None
    # lower is better: achievement = target / actual
    assert money("goal", "set", "--owner", "张伟", "--period", "2026Q4", "--metric", "overdue_rate",
                 "--target", "0.25").exit_code == 0
    assert money("goal", "set", "--owner", "张伟", "--period", "2026Q4", "--metric", "renewal_rate",
                 "--target", "0.8").exit_code == 0
    progress = {g["metric"]: g for g in money("goal", "progress", "--owner", "张伟", "--period", "2026Q4",
                                              "-f", "json").json()}
    assert (progress["overdue_rate"]["actual"], progress["overdue_rate"]["achievement"]) == (0.5, 0.5)
    assert (progress["renewal_rate"]["actual"], progress["renewal_rate"]["achievement"]) == (0.5, 0.625)
    # at the end of October only contract 2 had ended (renewed), and ¥60,000 of the ¥100,000 due had come in
    october = money("score", "card", "--period", "2026-10", "-f", "json", extra_env={"AMKIT_TODAY": "2026-10-31"})
    mine = next(c for c in october.json() if c["owner"] == "张伟")
    assert (mine["renewal_rate"], mine["overdue_rate"]) == (1.0, 0.4)


def test_churn_rate_uses_the_lifecycle_rule(cli):
    assert cli("manager", "add", "王芳").exit_code == 0
    for name in ("甲公司", "乙公司", "丙公司", "丁公司"):
        assert cli("customer", "add", name, "--owner", "王芳", extra_env={"AMKIT_TODAY": "2026-03-01"}).exit_code == 0
    for name in ("甲公司", "乙公司", "丙公司"):  # 丁公司 stays silent since 03-01: churned on 08-28, before Q4
        assert cli("followup", "log", name, "--channel", "call", "--summary", "x", "--at", "2026-05-20 10:00",
                   extra_env={"AMKIT_TODAY": "2026-05-20"}).exit_code == 0
    for name in ("乙公司", "丙公司"):
        assert cli("followup", "log", name, "--channel", "call", "--summary", "x", "--at", "2026-09-30 10:00",
                   extra_env={"AMKIT_TODAY": "2026-09-30"}).exit_code == 0
    # 甲公司: last activity 05-20, churned 180 days later on 2026-11-16 (in Q4); 乙公司 marked churned today
    assert cli("customer", "edit", "乙公司", "--stage", "churned", "--reason", "被竞品替换").exit_code == 0
    card = cli("score", "card", "--period", "2026Q4", "-f", "json").json()
    mine = next(c for c in card if c["owner"] == "王芳")
    assert mine["churn_rate"] == pytest.approx(round(2 / 3, 4))  # 甲 and 乙 of 甲, 乙, 丙 (丁 churned before)


# --- one customer view --------------------------------------------------------------------

def test_customer_show_has_the_money(money):
    assert money("customer", "handover", "--from", "张伟", "--to", "李娜", "--note", "客户偏好电话沟通").exit_code == 0
    row = money("customer", "show", "中国银行", "-f", "json").json()
    assert row["won_revenue"] == {"this_year": 300000.0, "last_year": 0.0}
    assert [(d["id"], d["stage"], d["amount"], d["weighted_amount"]) for d in row["open_deals"]] == \
        [(2, "quote", 80000.0, 40000.0)]
    assert [(x["due"], x["outstanding"], x["days_overdue"]) for x in row["receivables"]] == \
        [("2026-11-01", 100000.0, 22), ("2026-12-01", 100000.0, None)]
    assert ("年度维保", "2027-01-22", "active") in [(c["title"], c["end"], c["status"]) for c in row["contracts"]]
    h = row["handover"]
    assert (h["from"], h["to"], h["on"]) == ("张伟", "李娜", "2026-11-23") and "客户偏好电话沟通" in h["note"]
    assert row["lifecycle_detail"]["stage"] == "active"
    table = money("customer", "show", "中国银行").stdout
    assert "Won revenue: 300,000.00 this year, 0.00 last year" in table
    assert "Last handover: 张伟 -> 李娜 on 2026-11-23" in table and "客户偏好电话沟通" in table
    assert "2027-01-22" in table and "¥100,000.00" in table and "weighted 40,000.00" in table
    assert "Contracts (4)" in table and "+1 more" in table  # trimmed to the top 3, latest end first
    assert max(len(line) for line in table.splitlines()) <= 120


# --- import / export ----------------------------------------------------------------------

def test_contracts_and_plans_round_trip_through_export_and_import(money, tmp_path, sql):
    money("contract", "edit", "2", "--external-id", "HT-2")
    contracts, plans = tmp_path / "contracts.csv", tmp_path / "plans.csv"
    assert money("export", "contracts", "-f", "csv", "-o", contracts).exit_code == 0
    assert money("export", "installments", "-f", "csv", "-o", plans).exit_code == 0
    lines = contracts.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "customer,title,start,end,amount,external_id,renewal_of,deal,lost_on,lost_reason"
    assert lines[3] == "中国银行,,2026-11-01,2027-10-31,55000.00,,HT-2,,,"  # renews HT-2
    before = sql("SELECT customer_id, title, start_on, end_on, amount_cents, renewal_of_id FROM contracts ORDER BY id")
    sql("DELETE FROM installments")
    sql("DELETE FROM contracts")
    r = money("import", "contracts", contracts)
    assert r.exit_code == 0, r.stderr
    after = sql("SELECT customer_id, title, start_on, end_on, amount_cents, renewal_of_id FROM contracts ORDER BY id")
    first = after and sql("SELECT min(id) FROM contracts")[0][0]
    # the same contracts; the renewal points at the re-imported HT-2 (ids are new)
    assert [row[:5] for row in after] == [row[:5] for row in before]
    assert [row[5] - first + 1 if row[5] else None for row in after] == [None, None, 2, None]
    assert money("import", "installments", plans).exit_code == 0
    assert sql("SELECT deal_id, due, amount_cents FROM installments ORDER BY due") == [
        (1, "2026-10-01", 10000000), (1, "2026-11-01", 10000000), (1, "2026-12-01", 10000000)]


def test_importing_a_plan_over_the_deal_amount_is_refused(money, tmp_path, sql):
    f = tmp_path / "plan.csv"
    f.write_text("商机,到期日,金额\n1,2027-01-01,0.01\n", encoding="utf-8")
    r = money("import", "installments", f)
    assert r.exit_code == 2
    assert "line 2, column '金额'" in r.stderr and "more than deal 1's amount 300000.00" in r.stderr
    assert sql("SELECT count(*) FROM installments") == [(3,)]


def test_edit_and_delete_contracts_and_errors_in_zh(money, sql):
    r = money("contract", "edit", "1", "--end", "2027-02-21")
    assert r.exit_code == 0 and r.stdout == "contract 1 (年度维保): end: 2027-01-22 → 2027-02-21\n"
    assert [x["due"] for x in remind(money, "renewal", "--within", "30d")] == ["2026-09-16", "2026-12-23"]
    r = money("contract", "edit", "1", "--start", "2027-03-01")
    assert (r.exit_code, r.stderr) == (2, "amkit: invalid end '2027-02-21': before the start 2027-03-01\n")
    zh = money("contract", "edit", "1", "--start", "2027-03-01", extra_env={"AMKIT_LANG": "zh"})
    assert (zh.exit_code, zh.stderr) == (2, "amkit: 结束日期 的值 '2027-02-21' 无效：早于开始日期 2027-03-01\n")
    zh = money("payment", "plan", "1", "--due", "2027-01-01", "--amount", "1", extra_env={"AMKIT_LANG": "zh"})
    assert zh.stderr == ("amkit: 金额 的值 '1' 无效：回款计划合计将为 300001.00，超过商机 1 的金额 300000.00"
                         "（已计划 300000.00）\n")
    assert sql("SELECT start_on, end_on FROM contracts WHERE id = 1") == [("2026-01-23", "2027-02-21")]
    # deleting the renewal (3) reopens the renewal of contract 2, overdue since 2026-09-01
    assert money("contract", "delete", "3").exit_code == 0
    assert sql("SELECT count(*) FROM contracts WHERE id = 3") == [(0,)]
    assert [x["due"] for x in remind(money, "renewal", "--within", "0d")] == ["2026-09-01", "2026-09-16"]
    assert [x for x in sql("SELECT action, table_name, row_id FROM audit_log WHERE table_name = 'contracts'")
            if x[0] == "delete"] == [("delete", "contracts", 3)]


def test_erase_scrubs_contract_and_installment_text(money, sql):
    assert money("contract", "lost", "4", "--reason", "王处长调岗，新负责人不续").exit_code == 0
    assert money("payment", "plan", "1", "--due", "2027-01-01", "--amount", "0").exit_code == 2  # refused: more than 0
    sql("UPDATE installments SET note = '联系王处长' WHERE id = 1")
    r = money("customer", "erase", "中国银行", "--yes")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT count(*) FROM contracts WHERE title IS NOT NULL OR lost_reason IS NOT NULL") == [(0,)]
    assert sql("SELECT count(*) FROM installments WHERE note IS NOT NULL") == [(0,)]
    assert sql("SELECT count(*), sum(amount_cents) FROM contracts") == [(4, 22500000)]  # the figures stay


# --- team mode: contracts and installments are scoped like deals and payments -------------

@pytest.mark.pg_only
def test_a_manager_sees_only_their_contracts_and_receivables(money, cli, env, sql):
    import psycopg
    from sqlalchemy.engine import make_url

    assert cli("customer", "add", "建设银行", "--owner", "李娜").exit_code == 0
    assert cli("contract", "add", "建设银行", "--start", "2026-01-01", "--end", "2026-12-31", "--amount", "9").exit_code == 0
    assert cli("deal", "add", "建设银行", "--amount", "900", "--stage", "won", "--created", "2026-09-01").exit_code == 0
    assert cli("payment", "plan", "3", "--due", "2026-10-01", "--amount", "900").exit_code == 0
    assert cli("team", "setup").exit_code == 0
    zhang, li = "amkt_money_zhang", "amkt_money_li"  # cluster-wide logins of this test only
    for login, manager in ((zhang, "张伟"), (li, "李娜")):
        run = cli("user", "grant", login, "--role", "manager", "--manager", manager)
        assert run.exit_code == 0, run.stderr
    url = make_url(env["AMKIT_DATABASE_URL"])

    def as_user(login: str, *args: str):  # noqa: ANN202
        return cli(*args, extra_env={"AMKIT_DATABASE_URL": url.set(username=login).render_as_string(False)})

    assert {r["customer"] for r in as_user(li, "contract", "list", "-f", "json").json()} == {"建设银行"}
    assert {r["customer"] for r in as_user(zhang, "contract", "list", "-f", "json").json()} == {"中国银行"}
    assert [r["deal_id"] for r in as_user(li, "receivable", "list", "-f", "json").json()] == [3]
    assert {r["customer"] for r in as_user(li, "remind", "-f", "json").json()} == {"建设银行"}
    refused = as_user(li, "payment", "plan", "1", "--due", "2027-01-01", "--amount", "1")
    assert refused.exit_code == 4 and "not in the scope" in refused.stderr
    with psycopg.connect(host=url.host, port=url.port, user=li, dbname=url.database, autocommit=True) as con:
        assert con.execute("SELECT count(*) FROM contracts").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM installments").fetchone() == (1,)
        assert con.execute("UPDATE installments SET amount_cents = 1 WHERE deal_id = 1").rowcount == 0
    assert sql("SELECT amount_cents FROM installments WHERE deal_id = 1 ORDER BY due") == [(10000000,)] * 3


def test_contract_edit_and_lost_say_what_changed_in_words(money):  # noqa: ANN001, ANN201
    zh = {"AMKIT_LANG": "zh"}
    r = money("contract", "edit", "1", "--amount", "12万", "--external-id", "HT-1", "--title", "维保合同", extra_env=zh)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == ["合同 1（维保合同）：金额：¥100,000.00 → ¥120,000.00",
                                     "合同 1（维保合同）：合同名称：年度维保 → 维保合同",
                                     "合同 1（维保合同）：外部编号：— → HT-1"]
    r = money("contract", "lost", "4", "--reason", "客户改用竞品", "--on", "2026-11-20", extra_env=zh)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == ["合同 4：未续约日期：— → 2026-11-20", "合同 4：未续约原因：— → 客户改用竞品"]
    for internal in ("_on", "_cents", "_id", "->"):
        assert internal not in r.stdout
    listing = money("contract", "list", "-c", "id,合同名称", extra_env=zh)
    assert listing.stdout.splitlines()[0].split() == ["编号", "合同名称"]


# --- receivable edit / delete: the plan's rules hold for edits too ------------------------------

def test_receivable_edit_and_delete_keep_the_plan_within_the_deal(money, sql):  # noqa: ANN001, ANN201
    # deal 1: ¥300,000 won, planned 3 × ¥100,000 (installments 1-3), paid ¥100,000
    r = money("receivable", "edit", "3", "--amount", "100000.01")
    assert r.exit_code == 2
    assert r.stderr == ("amkit: invalid amount '100000.01': the plan would total 300000.01, more than deal 1's "
                        "amount 300000.00 (200000.00 planned already)\n")
    assert money("receivable", "edit", "3", "--amount", "0").exit_code == 2
    r = money("receivable", "edit", "3", "--amount", "5万", "--due", "2027-01-15", "--note", "尾款")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == ["installment 3: due: 2026-12-01 → 2027-01-15",
                                     "installment 3: amount: ¥100,000.00 → ¥50,000.00", "installment 3: note: — → 尾款"]
    assert sql("SELECT due, amount_cents, note FROM installments WHERE id = 3") == [("2027-01-15", 5000000, "尾款")]
    # the deal's amount may not drop below its plan (250,000 now)
    r = money("deal", "edit", "1", "--amount", "249999.99")
    assert r.exit_code == 2 and "less than its payment plan (250000.00)" in r.stderr
    moved = money("deal", "move", "1", "lost", "--amount", "1000", "--reason", "x")  # the same rule on a move
    assert moved.exit_code == 2 and "less than its payment plan (250000.00)" in moved.stderr
    assert sql("SELECT stage, amount_cents FROM deals WHERE id = 1") == [("won", 30000000)]
    assert money("deal", "edit", "1", "--amount", "250000").exit_code == 0
    r = money("receivable", "delete", "3")
    assert r.exit_code == 0 and sql("SELECT count(*) FROM installments") == [(2,)]
    # received is recomputed: 100,000 paid covers installment 1 (oldest first), nothing of 2
    rows = {row["id"]: row for row in money("receivable", "list", "-f", "json").json()}
    assert (rows[1]["received"], rows[1]["outstanding"], rows[2]["received"]) == (100000.0, 0.0, 0.0)
    assert money("undo").exit_code == 0 and sql("SELECT count(*) FROM installments") == [(3,)]
    missing = money("receivable", "delete", "99")
    assert missing.exit_code == 3 and "installment not found: '99'" in missing.stderr


def test_contract_delete_asks_on_a_terminal_unless_yes(money, env, sql):  # noqa: ANN001, ANN201
    import os

    from ptyrun import run_on_pty

    code, out = run_on_pty(["contract", "delete", "1"], 80, {**os.environ, **env}, typed="n\n")
    assert "Delete contract 1 (年度维保)? [y/N]" in out and code != 0
    assert sql("SELECT count(*) FROM contracts WHERE id = 1") == [(1,)]
    code, out = run_on_pty(["contract", "delete", "1", "--yes"], 80, {**os.environ, **env})
    assert code == 0 and "deleted contract 1" in out and "amkit undo brings it back" in out
    assert sql("SELECT count(*) FROM contracts WHERE id = 1") == [(0,)]
