"""Issue 23: `-f xlsx` on listings, reports and exports: bold frozen header (panes at A2), an
auto filter over the data, column widths from the content (CJK counted 2), numbers as numbers
with money/percent formats, dates as dates. Read back with openpyxl."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

PAST = {"AMKIT_TODAY": "2026-09-01"}


@pytest.fixture
def data(cli):  # noqa: ANN001, ANN201
    def ok(*args, env=None):  # noqa: ANN001, ANN202
        r = cli(*args, extra_env=env)
        assert r.exit_code == 0, (args, r.stderr)

    ok("manager", "add", "张伟", env=PAST)
    ok("customer", "add", "中国工商银行股份有限公司北京分行", "--owner", "张伟", "--industry", "金融", env=PAST)
    ok("customer", "add", "ACME", "--owner", "张伟", env=PAST)
    ok("deal", "add", "中国工商银行股份有限公司北京分行", "--stage", "won", "--amount", "1234567.5",
       "--created", "2026-11-02")
    ok("deal", "add", "ACME", "--stage", "lost", "--amount", "800", "--created", "2026-11-03")
    ok("goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--target", "2000000")
    return cli


def _sheet(path):  # noqa: ANN001, ANN202
    return load_workbook(path).active


def _check_layout(ws) -> None:  # noqa: ANN001
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    assert all(ws.cell(1, c).font.b for c in range(1, ws.max_column + 1))


def test_customer_list_xlsx(data, tmp_path):
    out = tmp_path / "customers.xlsx"
    r = data("customer", "list", "-f", "xlsx", "-o", out)
    assert r.exit_code == 0, r.stderr
    ws = _sheet(out)
    _check_layout(ws)
    header = [c.value for c in ws[1]]
    assert header[:2] == ["id", "name"]
    name_col = ws.cell(1, header.index("name") + 1).column_letter
    id_col = ws.cell(1, header.index("id") + 1).column_letter
    # 中国工商银行股份有限公司北京分行: 16 CJK characters = width 32, plus 2 of padding
    assert ws.column_dimensions[name_col].width == 34
    assert ws.column_dimensions[id_col].width < 10  # varied widths, not 13 everywhere
    names = {ws.cell(row, header.index("name") + 1).value: row for row in range(2, ws.max_row + 1)}
    row = names["中国工商银行股份有限公司北京分行"]
    assert isinstance(ws.cell(row, header.index("id") + 1).value, int)


def test_deal_list_and_export_xlsx_have_numbers_and_dates(data, tmp_path, sql):
    out = tmp_path / "deals.xlsx"
    assert data("deal", "list", "-f", "xlsx", "-o", out).exit_code == 0
    ws = _sheet(out)
    _check_layout(ws)
    header = [c.value for c in ws[1]]
    rows = {ws.cell(r, header.index("customer") + 1).value: r for r in range(2, ws.max_row + 1)}
    row = rows["中国工商银行股份有限公司北京分行"]
    cell = ws.cell(row, header.index("amount") + 1)
    assert cell.value == 1234567.5 and cell.number_format == "#,##0.00"
    created = ws.cell(row, header.index("created") + 1)
    assert created.is_date and created.value.date() == dt.date(2026, 11, 2)

    exported = tmp_path / "export.xlsx"
    assert data("export", "deals", "-f", "xlsx", "-o", exported).exit_code == 0
    ws = _sheet(exported)
    _check_layout(ws)
    header = [c.value for c in ws[1]]
    values = sorted(ws.cell(r, header.index("amount") + 1).value for r in range(2, ws.max_row + 1))
    cents = sorted(v for (v,) in sql("SELECT amount_cents FROM deals"))
    assert [round(v * 100) for v in values] == cents
    assert ws.cell(2, header.index("amount") + 1).number_format == "#,##0.00"
    widths = {ws.column_dimensions[ws.cell(1, c).column_letter].width for c in range(1, ws.max_column + 1)}
    assert len(widths) > 2


def test_goal_progress_xlsx_has_percent_cells(data, tmp_path):
    out = tmp_path / "goals.xlsx"
    r = data("goal", "progress", "--period", "2026Q4", "-f", "xlsx", "-o", out)
    assert r.exit_code == 0, r.stderr
    ws = _sheet(out)
    _check_layout(ws)
    header = [c.value for c in ws[1]]
    achievement = ws.cell(2, header.index("achievement") + 1)
    # revenue 1,234,567.50 of 2,000,000 (the lost deal does not count)
    assert achievement.value == pytest.approx(0.6173, abs=1e-4) and achievement.number_format == "0.0%"
    assert ws.cell(2, header.index("target") + 1).value == 2000000


def test_xlsx_needs_a_file_and_writes_nothing_else(data, tmp_path, sql):
    before = sql("SELECT count(*) FROM audit_log")
    r = data("customer", "list", "-f", "xlsx")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "--output" in r.stderr and "xlsx" in r.stderr
    assert r.stdout == ""
    assert sql("SELECT count(*) FROM audit_log") == before
