"""Import/export: mapping, encodings, all-or-nothing, rejected rows, round trips."""

from __future__ import annotations

import json
import re

import pytest

from conftest import DATASETS

EXPORT_HEADER = "name,industry,region,source,owner,tier,tier_locked,lifecycle,tags,aliases,created_at"


def test_gbk_csv_round_trips_byte_for_byte(cli, tmp_path):
    text = (EXPORT_HEADER + "\n"
            "中国银行,金融,华东,展会,张伟,A,true,active,\"vip,国企\",中行,2025-03-01T09:30:00\n"
            "招商银行,金融,华南,,李娜,C,false,prospect,,,2026-01-15T00:00:00\n")
    src = tmp_path / "客户.csv"
    src.write_bytes(text.encode("gbk"))
    r = cli("import", "customers", src, "--create-missing")
    assert r.exit_code == 0, r.stderr
    assert "2 inserted" in r.stderr and "2 referenced records created" in r.stderr
    out = tmp_path / "out.csv"
    r = cli("export", "customers", "--encoding", "gbk", "-o", out)
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes() == src.read_bytes()


def test_one_bad_row_writes_nothing_and_names_it(cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("name,tier,created_at\nA公司,A,2026-01-01\nB公司,Z,2026-01-02\nC公司,B,2026-01-03\n",
                   encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2
    assert "nothing imported" in r.stderr
    assert "line 3, column 'tier', value 'Z'" in r.stderr
    assert sql("SELECT count(*) FROM customers") == [(0,)]
    assert "Traceback" not in r.stderr


def test_skip_invalid_lands_good_rows_and_rejects_bad(cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("name,tier,created_at\nA公司,A,2026-01-01\nB公司,Z,2026-01-02\nC公司,B,2026-13-03\n"
                   "D公司,C,2026-01-04\n", encoding="utf-8")
    r = cli("import", "customers", src, "--skip-invalid")
    assert r.exit_code == 0, r.stderr
    assert "2 rejected" in r.stderr and "c.rejected.csv" in r.stderr
    assert sql("SELECT name, tier FROM customers ORDER BY name") == [("A公司", "A"), ("D公司", "C")]
    import csv

    with open(tmp_path / "c.rejected.csv", encoding="utf-8-sig") as fh:
        rejected = list(csv.reader(fh))
    assert rejected[0] == ["name", "tier", "created_at", "error"]
    assert rejected[1][:3] == ["B公司", "Z", "2026-01-02"] and rejected[1][3].startswith("tier:")
    assert rejected[2][:3] == ["C公司", "B", "2026-13-03"] and rejected[2][3].startswith("created_at:")


@pytest.mark.parametrize("header,row,field", [
    ("name,created_at", "X,2026-02-30", "created_at"),
    ("name,tier", "X,Q", "tier"),
    ("name,lifecycle", "X,sleeping", "lifecycle"),
    ("name,tier_locked", "X,maybe", "tier_locked"),
])
def test_bad_values_exit_2_one_report(cli, sql, tmp_path, header, row, field):
    src = tmp_path / "c.csv"
    src.write_text(f"{header}\n{row}\n", encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2
    assert f"column '{field}'" in r.stderr
    assert sql("SELECT count(*) FROM customers") == [(0,)]


def test_unknown_customer_reference_and_wrong_column(cli, sql, tmp_path):
    cli("customer", "add", "Known")
    src = tmp_path / "contacts.csv"
    src.write_text("customer,name\nKnown,甲\nUnknown,乙\n", encoding="utf-8")
    r = cli("import", "contacts", src)
    assert r.exit_code == 2 and "'Unknown'" in r.stderr and "line 3" in r.stderr
    assert sql("SELECT count(*) FROM contacts") == [(0,)]
    bad = tmp_path / "bad.csv"
    bad.write_text("customer,name,shoe_size\nKnown,甲,42\n", encoding="utf-8")
    r = cli("import", "contacts", bad)
    assert r.exit_code == 2 and "shoe_size" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_file_is_not_found(cli):
    r = cli("import", "customers", "/nonexistent/file.csv")
    assert r.exit_code == 3 and "/nonexistent/file.csv" in r.stderr


def test_undecodable_file(cli, tmp_path, sql):
    cli("init")
    src = tmp_path / "c.csv"
    src.write_bytes("name\n中国银行\n".encode("gbk"))
    r = cli("import", "customers", src, "--encoding", "utf-8")
    assert r.exit_code == 2 and "line 2 (byte 5) is not valid utf-8" in r.stderr
    assert sql("SELECT count(*) FROM customers") == [(0,)]


def test_upsert_reimport_changes_nothing(cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("name,industry,tags\nA公司,金融,vip\nB公司,制造,\n", encoding="utf-8")
    assert cli("import", "customers", src).exit_code == 0
    before = sql("SELECT * FROM customers ORDER BY id")
    audit_before = sql("SELECT count(*) FROM audit_log")
    r = cli("import", "customers", src, "--mode", "upsert")
    assert r.exit_code == 0 and "0 inserted, 0 updated, 2 unchanged" in r.stderr
    assert sql("SELECT * FROM customers ORDER BY id") == before
    assert sql("SELECT count(*) FROM audit_log") == audit_before
    again = cli("import", "customers", src)
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_upsert_updates_changed_rows(cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("name,industry\nA公司,金融\n", encoding="utf-8")
    cli("import", "customers", src)
    src.write_text("name,industry\nA公司,制造\nB公司,零售\n", encoding="utf-8")
    r = cli("import", "customers", src, "--mode", "upsert")
    assert "1 inserted, 1 updated" in r.stderr
    assert sql("SELECT name, industry FROM customers ORDER BY name") == [("A公司", "制造"), ("B公司", "零售")]


def test_dry_run_writes_nothing(cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("name\nA\nB\n", encoding="utf-8")
    r = cli("import", "customers", src, "--dry-run")
    assert r.exit_code == 0 and "2 inserted" in r.stderr and "dry run" in r.stderr
    assert sql("SELECT count(*) FROM customers") == [(0,)]


def test_chinese_headers_value_map_and_extra(cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("客户名称,行业,等级,官网\n甲公司,金融,重要,a.cn\n", encoding="utf-8-sig")
    r = cli("import", "customers", src, "--value-map", "tier:重要=A")
    assert r.exit_code == 0, r.stderr
    row = sql("SELECT name, industry, tier, extra FROM customers")[0]
    assert row[:3] == ("甲公司", "金融", "A") and json.loads(row[3]) == {"官网": "a.cn"}


def test_formula_cells_are_neutralised_and_round_trip(cli, tmp_path, sql):
    cli("customer", "add", "=HYPERLINK(\"http://x\")", "--industry", "@SUM(A1)")
    out = tmp_path / "x.csv"
    cli("export", "customers", "-o", out)
    body = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in body and "'@SUM(A1)" in body
    cli("--db", tmp_path / "second.db", "import", "customers", out)
    import sqlite3

    con = sqlite3.connect(tmp_path / "second.db")
    assert con.execute("SELECT name, industry FROM customers").fetchall() == [('=HYPERLINK("http://x")', "@SUM(A1)")]


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_export_import_round_trip(cli, tmp_path, fmt):
    cli("manager", "add", "张伟")
    cli("customer", "add", "中国银行", "--owner", "张伟", "--tag", "vip", "--extra", "city=上海", "--tier", "A")
    cli("contact", "add", "中国银行", "李明", "--phone", "+86 138 0013 8000", "--birthday", "1980-02-29")
    for table in ("managers", "customers", "contacts"):
        r = cli("export", table, "-f", fmt, "-o", tmp_path / f"{table}.{fmt}")
        assert r.exit_code == 0, r.stderr
    second = tmp_path / "second.db"
    for table in ("managers", "customers", "contacts"):
        r = cli("--db", second, "import", table, tmp_path / f"{table}.{fmt}")
        assert r.exit_code == 0, r.stderr
    first = cli("customer", "list", "-f", "json").json()
    again = cli("--db", second, "customer", "list", "-f", "json").json()
    strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa: E731
    assert strip(again) == strip(first)
    assert cli("--db", second, "contact", "list", "-f", "json").json()[0]["phone"] == "+86 138 0013 8000"


def test_maven_accounts_and_teams_with_mapping(cli, sql, tmp_path):
    teams = DATASETS / "maven-crm" / "sales_teams.csv"
    accounts = DATASETS / "maven-crm" / "accounts.csv"
    r = cli("import", "managers", teams, "--map", "sales_agent=name", "--map", "manager=lead",
            "--map", "regional_office=team")
    assert r.exit_code == 0, r.stderr
    mapping = tmp_path / "accounts.toml"
    mapping.write_text('table = "customers"\n[map]\naccount = "name"\nsector = "industry"\n'
                       'office_location = "region"\n', encoding="utf-8")
    r = cli("import", "customers", accounts, "--mapping", mapping)
    assert r.exit_code == 0, r.stderr
    import csv

    with open(teams, encoding="utf-8") as fh:
        team_rows = list(csv.DictReader(fh))
    with open(accounts, encoding="utf-8") as fh:
        account_rows = list(csv.DictReader(fh))
    assert sql("SELECT count(*) FROM managers") == [(len(team_rows),)]
    assert sql("SELECT count(*) FROM customers") == [(len(account_rows),)]
    first = account_rows[0]
    row = sql("SELECT industry, region, extra FROM customers WHERE name = ?", first["account"])[0]
    assert row[0] == first["sector"] and row[1] == first["office_location"]
    # unmapped columns keep one type each: whole numbers, decimals, text (checked on the file itself)
    extra = json.loads(row[2])
    assert all(r["employees"].isdigit() for r in account_rows)
    assert extra["employees"] == int(first["employees"]) and extra["year_established"] == int(first["year_established"])
    assert all(re.fullmatch(r"\d+\.\d+|\d+", r["revenue"]) for r in account_rows)
    assert extra["revenue"] == float(first["revenue"])
    kept = [json.loads(e) for (e,) in sql("SELECT extra FROM customers")]
    assert {type(e["revenue"]) for e in kept} <= {int, float} and {type(e["employees"]) for e in kept} == {int}
    with_parent = [r for r in account_rows if r["subsidiary_of"]]
    assert with_parent and all(isinstance(e.get("subsidiary_of", ""), str) for e in kept)


def test_mapping_file_unknown_key(cli, tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("name\nA\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[colums]\na = "name"\n', encoding="utf-8")
    r = cli("import", "customers", src, "--mapping", mapping)
    assert r.exit_code == 2 and "colums" in r.stderr


@pytest.mark.sqlite_only
def test_import_into_an_empty_table_keeps_every_index_and_uses_them(cli, sql, tmp_path):
    """Secondary indexes are dropped during a load into an empty table and built after; the
    schema ends as it began, on success and on a rejected file, and the planner uses them."""
    schema = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' ORDER BY name"
    before = sql(schema)
    assert len(before) >= 6
    bad = tmp_path / "bad.csv"
    bad.write_text("name,tier,industry\nA公司,A,金融\nB公司,Z,制造\n", encoding="utf-8")
    assert cli("import", "customers", str(bad)).exit_code == 2
    assert sql(schema) == before and sql("SELECT count(*) FROM customers") == [(0,)]
    good = tmp_path / "good.csv"
    good.write_text("name,tier,industry\n" + "".join(f"客户{i:03d},{'ABC'[i % 3]},金融\n" for i in range(300)),
                    encoding="utf-8")
    assert cli("import", "customers", str(good)).exit_code == 0
    assert sql(schema) == before
    assert sql("PRAGMA integrity_check") == [("ok",)]
    assert sql("SELECT count(*) FROM customers INDEXED BY ix_customers_tier WHERE tier = 'B'") == [(100,)]


# --- export headers in Chinese (--lang zh) and --columns ---------------------------------------

ALL_TABLES = ["managers", "customers", "contacts", "followups", "deals", "payments", "contracts", "installments"]


@pytest.fixture
def book(cli):  # noqa: ANN001, ANN201
    steps = [
        ("manager", "add", "张伟", "--team", "华东", "--mobile", "13900001111", "--wecom-userid", "zhangwei"),
        ("customer", "add", "中国银行", "--owner", "张伟", "--tag", "vip", "--extra", "city=上海", "--tier", "A",
         "--alias", "中行"),
        ("contact", "add", "中国银行", "李明", "--phone", "13800138000", "--role", "处长"),
        ("followup", "log", "中国银行", "--channel", "visit", "--summary", "拜访李处", "--at", "2026-11-02 10:00"),
        ("deal", "add", "中国银行", "--amount", "300000", "--stage", "won", "--created", "2026-09-01",
         "--title", "核心系统"),
        ("payment", "plan", "1", "--due", "2026-10-01", "--amount", "100000"),
        ("payment", "add", "1", "60000", "--date", "2026-10-05", "--note", "首付"),
        ("contract", "add", "中国银行", "--start", "2026-01-01", "--end", "2026-12-31", "--amount", "300000",
         "--title", "年度维保", "--deal", "1"),
    ]
    for step in steps:
        r = cli(*step)
        assert r.exit_code == 0, (step, r.stderr)
    return cli


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_chinese_headers_import_back_without_a_map(book, tmp_path, fmt):  # noqa: ANN001, ANN201
    second = tmp_path / "second.db"
    for table in ALL_TABLES:
        out = tmp_path / f"{table}.{fmt}"
        r = book("export", table, "-f", fmt, "--lang", "zh", "-o", out)
        assert r.exit_code == 0, r.stderr
        if fmt == "csv":
            header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
        else:
            from openpyxl import load_workbook

            header = [c.value for c in next(load_workbook(out).active.iter_rows(max_row=1))]
        english = book("export", table).stdout.splitlines()[0].split(",")
        assert len(header) == len(english) and len(set(header)) == len(header)
        # every field is headed in Chinese; only an `extra` key keeps the name it was imported with
        assert [h for h in header if not _cjk(h)] == (["city"] if table == "customers" else [])
        r = book("--db", second, "import", table, out)
        assert r.exit_code == 0, (table, r.stderr)
    for table in ALL_TABLES:  # the same table, read back in English from both databases
        assert book("--db", second, "export", table).stdout == book("export", table).stdout, table


def test_export_columns_pick_by_key_or_chinese_header(book):  # noqa: ANN001, ANN201
    r = book("export", "deals", "-c", "客户,amount,阶段", "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == ["客户,金额,阶段", "中国银行,300000.00,won"]
    assert book("export", "customers", "-f", "json", "-c", "name,city").json() == [{"name": "中国银行", "city": "上海"}]
    bad = book("export", "deals", "-c", "客户,预算")
    assert bad.exit_code == 2 and bad.stderr.startswith("amkit: invalid --columns '预算': expected one of customer")
    js = book("export", "deals", "-f", "json", "--lang", "zh")
    assert js.exit_code == 2 and "--lang" in js.stderr and js.stdout == ""
