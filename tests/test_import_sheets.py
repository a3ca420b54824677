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
