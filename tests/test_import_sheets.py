"""Company spreadsheets import as they are (issue 20 §6): a header below a merged title row,
--header-row, --sheet, Excel serial and Chinese date cells, Chinese headers, GBK CSV."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def book(cli):  # noqa: ANN001, ANN201
    for name in ("张伟", "李娜"):
        assert cli("manager", "add", name).exit_code == 0
    for name in ("中国银行", "招商证券"):
        assert cli("customer", "add", name, "--owner", "张伟").exit_code == 0
    return cli


def _visits_workbook(path, title=True, second_sheet=False):  # noqa: ANN001, ANN202
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "十一月"
    if second_sheet:
        wb.create_sheet("说明").append(["这一页不是数据"])
        wb.move_sheet("说明", offset=-1)
    rows = [["客户名称", "跟进日期", "拜访方式", "拜访内容", "负责人"],
            ["中国银行", 46329, "拜访", "季度回顾", "张伟"],            # Excel serial: 2026-11-03
            ["招商证券", "2026年11月5日", "电话", "报价跟进", "李娜"],
            ["中国银行", "2026/11/6", "微信", "发送方案", None]]
    if title:
        ws.append(["2026年11月 拜访记录"])
        ws.merge_cells("A1:E1")
        ws.append([])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_xlsx_with_a_merged_title_and_serial_dates_imports_without_options(book, sql, tmp_path):
    src = _visits_workbook(tmp_path / "拜访记录.xlsx")
    r = book("import", "followups", str(src))
    assert r.exit_code == 0, r.stderr
    assert "3 inserted" in r.stderr
    rows = sql("SELECT c.name, f.at, f.channel, f.summary, m.name FROM followups f JOIN customers c ON c.id = "
               "f.customer_id LEFT JOIN managers m ON m.id = f.owner_id ORDER BY f.at")
    assert [(c, str(at)[:10], ch, s, m) for c, at, ch, s, m in rows] == [
        ("中国银行", "2026-11-03", "visit", "季度回顾", "张伟"), ("招商证券", "2026-11-05", "call", "报价跟进", "李娜"),
        ("中国银行", "2026-11-06", "wechat", "发送方案", "张伟")]  # no owner: the customer's (张伟)


def test_sheet_and_header_row_options(book, sql, tmp_path):
    src = _visits_workbook(tmp_path / "book.xlsx", title=True, second_sheet=True)
    first = book("import", "followups", str(src))  # the first sheet is the note, not data
    assert first.exit_code == 2 and sql("SELECT count(*) FROM followups") == [(0,)]
    assert book("import", "followups", str(src), "--sheet", "十一月", "--header-row", "3").exit_code == 0
    assert sql("SELECT count(*) FROM followups") == [(3,)]
    bad = book("import", "followups", str(src), "--sheet", "九月")
    assert bad.exit_code == 2 and "'九月'" in bad.stderr and "十一月" in bad.stderr
    assert sql("SELECT count(*) FROM followups") == [(3,)]


def test_gbk_csv_with_chinese_headers_imports_without_map(cli, sql, tmp_path):
    cli("manager", "add", "张伟")
    src = tmp_path / "客户.csv"
    src.write_bytes("客户名称,负责人,联系电话,客户简称\n中国银行,张伟,021-12345678,中行\n招商证券,张伟,0755-8888,\n"
                    .encode("gbk"))
    r = cli("import", "customers", str(src))
    assert r.exit_code == 0, r.stderr
    rows = sql("SELECT c.name, m.name, c.aliases, c.extra FROM customers c JOIN managers m ON m.id = c.owner_id "
               "ORDER BY c.id")
    assert [(n, m, a) for n, m, a, _ in rows] == [("中国银行", "张伟", "中行"), ("招商证券", "张伟", "")]
    assert "021-12345678" in str(rows[0][3])  # an unmapped column is kept in extra
    assert cli("customer", "show", "中行", "-f", "json").json()["name"] == "中国银行"


def test_excel_serials_are_dates_and_plain_numbers_are_not(env):
    from amkit.core.parse import parse_date, parse_datetime

    assert parse_date("d", 46329) == dt.date(2026, 11, 3)
    assert parse_datetime("d", 46329.75) == dt.datetime(2026, 11, 3, 18, 0)
    assert parse_date("d", "20261103") == dt.date(2026, 11, 3)


# --- a CSV saved from such a sheet: the title line is skipped too ------------------------------

def test_csv_with_a_title_line_imports_without_options(book, sql, tmp_path):  # noqa: ANN001, ANN201
    src = tmp_path / "拜访记录.csv"
    src.write_bytes(("2026年11月 拜访记录,,,,\n,,,,\n客户名称,跟进日期,拜访方式,拜访内容,负责人\n"
                     "中国银行,2026年11月3日,拜访,季度回顾,张伟\n招商证券,2026/11/5,电话,\"报价,跟进\",李娜\n"
                     "中国银行,2026-11-06,微信,发送方案,\n").encode("gbk"))
    r = book("import", "followups", str(src))
    assert r.exit_code == 0, r.stderr
    rows = sql("SELECT c.name, f.at, f.summary FROM followups f JOIN customers c ON c.id = f.customer_id ORDER BY f.at")
    assert [(c, str(at)[:10], s) for c, at, s in rows] == [
        ("中国银行", "2026-11-03", "季度回顾"), ("招商证券", "2026-11-05", "报价,跟进"), ("中国银行", "2026-11-06", "发送方案")]


def test_csv_errors_name_the_physical_line_below_the_title(book, sql, tmp_path):  # noqa: ANN001, ANN201
    src = tmp_path / "bad.csv"
    src.write_text("客户拜访,,,\n客户名称,跟进日期,拜访方式,拜访内容\n中国银行,2026-11-03,拜访,a\n中国银行,2026-13-45,拜访,b\n",
                   encoding="utf-8")
    r = book("import", "followups", str(src))
    assert r.exit_code == 2 and "line 4, column '跟进日期'" in r.stderr
    assert sql("SELECT count(*) FROM followups") == [(0,)]


def test_csv_header_row_option_and_one_column_files(book, sql, tmp_path):  # noqa: ANN001, ANN201
    src = tmp_path / "managers.csv"
    src.write_text("name\n王芳\n赵强\n", encoding="utf-8")  # every line one cell: the header is line 1
    assert book("import", "managers", str(src)).exit_code == 0
    assert sql("SELECT name FROM managers ORDER BY id") == [("张伟",), ("李娜",), ("王芳",), ("赵强",)]
    two = tmp_path / "two.csv"
    two.write_text("导出于 2026-11-30,共 1 行\nname,team\n孙丽,华南\n", encoding="utf-8")
    assert book("import", "managers", str(two)).exit_code == 2  # line 1 has two cells: it is taken as header
    assert sql("SELECT count(*) FROM managers") == [(4,)]
    r = book("import", "managers", str(two), "--header-row", "2")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT name, team FROM managers WHERE name = '孙丽'") == [("孙丽", "华南")]
    r = book("import", "managers", str(two), "--header-row", "9")
    assert r.exit_code == 2 and r.stderr == "amkit: invalid --header-row 9: the file has 3 line(s)\n"
    r = book("import", "managers", str(two), "--sheet", "1")
    assert r.exit_code == 2 and "--sheet" in r.stderr


# --- unmapped columns keep one type each in `extra` -------------------------------------------

EXTRA_ROWS = [  # name, 员工数, 成立日期, 上市, 编码, 备注
    ("甲公司", 120, dt.date(2019, 5, 1), True, "007", 120),
    ("乙公司", 80, "2020年3月2日", False, "12", "unknown"),
    ("丙公司", None, dt.date(2021, 1, 15), None, "A-3", None),
]


def _extra_workbook(path):  # noqa: ANN001, ANN202
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["客户名称", "员工数", "成立日期", "上市", "编码", "备注"])
    for row in EXTRA_ROWS:
        ws.append(list(row))
    wb.save(path)
    return path


def _extra_csv(path):  # noqa: ANN001, ANN202
    lines = ["客户名称,员工数,成立日期,上市,编码,备注"]
    for row in EXTRA_ROWS:
        cells = ["" if v is None else ("TRUE" if v is True else "FALSE" if v is False else str(v)) for v in row]
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# worked out by hand from EXTRA_ROWS: whole numbers stay numbers, dates become ISO text, TRUE/FALSE
# booleans; a code with a leading zero and a column that mixes numbers and text are text throughout
EXPECTED_EXTRA = {
    "甲公司": {"员工数": 120, "成立日期": "2019-05-01", "上市": True, "编码": "007", "备注": "120"},
    "乙公司": {"员工数": 80, "成立日期": "2020-03-02", "上市": False, "编码": "12", "备注": "unknown"},
    "丙公司": {"成立日期": "2021-01-15", "编码": "A-3"},
}


@pytest.mark.parametrize("maker", [_extra_workbook, _extra_csv], ids=["xlsx", "csv"])
def test_unmapped_columns_keep_one_type_each(cli, sql, tmp_path, maker):  # noqa: ANN001, ANN201
    import json

    src = maker(tmp_path / ("公司." + ("xlsx" if maker is _extra_workbook else "csv")))
    r = cli("import", "customers", str(src))
    assert r.exit_code == 0, r.stderr
    got = {name: json.loads(extra) for name, extra in sql("SELECT name, extra FROM customers")}
    assert got == EXPECTED_EXTRA
    # and an export imports back with the same types (csv and xlsx)
    for fmt in ("csv", "xlsx"):
        out, second = tmp_path / f"out.{fmt}", tmp_path / f"second-{fmt}.db"
        assert cli("export", "customers", "-f", fmt, "-o", out).exit_code == 0
        r = cli("--db", second, "import", "customers", str(out))
        assert r.exit_code == 0, r.stderr
        again = cli("--db", second, "export", "customers", "-f", "json").json()
        assert {row["name"]: row["extra"] for row in again} == EXPECTED_EXTRA, fmt
