"""Import never writes wrong data silently (issue 25): the encoding is decided on the whole
file, CSV structure and JSON types are checked, an .xlsx is read within size limits."""

from __future__ import annotations

import csv
import json
import zipfile

import pytest

ROWS = "name,industry\n中国银行,金融\n招商银行,零售\n平安银行,保险\n"


def count(sql, table="customers"):  # noqa: ANN001, ANN201
    return sql(f"SELECT count(*) FROM {table}")[0][0]


# --- encoding -----------------------------------------------------------------------------

def test_utf8_file_with_one_bad_byte_is_refused_not_read_as_gbk(cli, sql, tmp_path):
    data = ROWS.encode()
    at = data.index("零".encode()) + 1  # the second byte of a three-byte character
    src = tmp_path / "c.csv"
    src.write_bytes(data[:at] + b"A" + data[at + 1:])
    src.read_bytes().decode("gb18030")  # the whole file is valid GB18030: the old guess read it as mojibake
    r = cli("import", "customers", src)
    assert r.exit_code == 2
    assert r.stderr == (f"amkit: invalid encoding 'c.csv': line 3 (byte {at - 1}) is not valid UTF-8, which the rest "
                        "of the file is (fix it, or give --encoding)\n")
    assert count(sql) == 0


def test_gbk_file_is_read_as_gb18030_and_garbage_in_both_is_refused(cli, sql, tmp_path):
    good = tmp_path / "g.csv"
    good.write_bytes(ROWS.encode("gbk"))
    assert cli("import", "customers", good).exit_code == 0
    assert sql("SELECT name, industry FROM customers ORDER BY id") == [
        ("中国银行", "金融"), ("招商银行", "零售"), ("平安银行", "保险")]
    bad = tmp_path / "b.csv"
    body = "name\n工商银行\n".encode("gbk")
    bad.write_bytes(body + b"\xff\xfe\n")
    r = cli("import", "customers", bad)
    assert r.exit_code == 2
    assert f"line 3 (byte {len(body)}) is neither UTF-8 nor GB18030/GBK" in r.stderr
    assert count(sql) == 3


def test_explicit_encoding_wins_but_a_decode_error_names_the_line(cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    src.write_bytes("name\n工商银行\n".encode("gbk"))
    r = cli("import", "customers", src, "--encoding", "utf-8")
    assert (r.exit_code, r.stderr) == (2, "amkit: invalid encoding 'c.csv': line 2 (byte 5) is not valid utf-8\n")
    assert cli("import", "customers", src, "--encoding", "gbk").exit_code == 0
    assert sql("SELECT name FROM customers") == [("工商银行",)]


def test_bad_byte_after_the_first_megabyte_is_found(cli, sql, tmp_path):
    """The encoding is decided on the whole file, not a sample of its start."""
    lines = "".join(f"客户{i:06d},金融\n" for i in range(60000))
    data = ("name,industry\n" + lines).encode()
    assert len(data) > 1 << 20
    src = tmp_path / "big.csv"
    src.write_bytes(data + b"\xe9\n")
    r = cli("import", "customers", src)
    assert r.exit_code == 2 and f"line 60002 (byte {len(data)})" in r.stderr
    assert count(sql) == 0


# --- CSV structure ------------------------------------------------------------------------

def test_unterminated_quote_is_refused_with_its_line(cli, sql, tmp_path):
    src = tmp_path / "q.csv"
    src.write_text('name,industry\nA公司,"金融\nB公司,制造\nC公司,零售\n', encoding="utf-8")
    r = cli("import", "customers", src, "--skip-invalid")  # file-level: --skip-invalid cannot help
    assert r.exit_code == 2
    assert r.stderr == ("amkit: invalid file 'q.csv': line 2: unterminated quote: the quoted cell runs to the "
                        "end of the file\n")
    assert count(sql) == 0 and not (tmp_path / "q.rejected.csv").exists()


def test_quote_closed_rows_later_is_refused_not_swallowed(cli, sql, tmp_path):
    src = tmp_path / "q.csv"
    src.write_text('name,industry\nA公司,"金融\nB公司,制造\nC公司,零售"\nD公司,x\n', encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2 and "line 2: a quoted cell runs over 3 lines that look like rows" in r.stderr
    src.write_text('name,industry\nA公司,"金"融\n', encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2 and "line 2: a quote ends in the middle of a cell" in r.stderr
    assert count(sql) == 0


def test_multi_line_cell_is_still_fine(cli, sql, tmp_path):
    src = tmp_path / "m.csv"
    src.write_text('name,industry,备注\nA公司,金融,"第一行\n第二行"\nB公司,制造,\n', encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT name FROM customers ORDER BY id") == [("A公司",), ("B公司",)]


@pytest.mark.parametrize("row,why", [
    ("A公司,金融,多出来", "line 2: 3 cells, the header has 2 (extra: '多出来')"),
    ("A公司", "line 2: 1 cell, the header has 2 (a missing cell shifts the rest)"),
])
def test_ragged_rows_are_refused_then_rejected_with_skip_invalid(cli, sql, tmp_path, row, why):
    src = tmp_path / "r.csv"
    src.write_text(f"name,industry\n{row}\nB公司,制造\n", encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2 and f"  {why}\n" in r.stderr and "nothing imported" in r.stderr
    assert count(sql) == 0
    r = cli("import", "customers", src, "--skip-invalid")
    assert r.exit_code == 0 and "1 rejected" in r.stderr
    assert sql("SELECT name, industry FROM customers") == [("B公司", "制造")]
    with open(tmp_path / "r.rejected.csv", encoding="utf-8-sig") as fh:
        rejected = list(csv.reader(fh))
    assert rejected[1][0] == "A公司" and rejected[1][-1] == why.split(": ", 1)[1]


def test_trailing_empty_cells_are_harmless(cli, sql, tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("name,industry\nA公司,金融,,\n", encoding="utf-8")
    assert cli("import", "customers", src).exit_code == 0
    assert sql("SELECT name, industry FROM customers") == [("A公司", "金融")]


def test_nul_bytes_are_refused(cli, sql, tmp_path):
    src = tmp_path / "n.csv"
    src.write_text("name,industry\nA\x00B,金融\nC公司,制造\n", encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2 and "line 2, column 'name', value 'A\\x00B': holds a NUL byte" in r.stderr
    assert count(sql) == 0
    r = cli("import", "customers", src, "--skip-invalid")
    assert r.exit_code == 0 and sql("SELECT name FROM customers") == [("C公司",)]
    head = tmp_path / "h.csv"
    head.write_text("name,ind\x00ustry\nA,B\n", encoding="utf-8")
    r = cli("import", "customers", head)
    assert r.exit_code == 2 and r.stderr.endswith(": holds a NUL byte in the header of h.csv\n")


# --- JSON ---------------------------------------------------------------------------------

def test_json_value_of_the_wrong_type_is_exit_2_naming_line_field_value(cli, sql, tmp_path):
    src = tmp_path / "c.json"
    src.write_text('[\n  {"name": "A公司", "industry": "金融"},\n  {"name": {"zh": "B"}, "industry": "x"},\n'
                   '  {"name": "C公司", "industry": ["a", 1]},\n  {"name": "D公司", "tier_locked": true, '
                   '"created_at": 5}\n]\n', encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2, r.stderr
    assert "line 3, column 'name', value '{\"zh\": \"B\"}': expected a single value, not a JSON object" in r.stderr
    assert "line 4, column 'industry', value '[\"a\", 1]': expected a single value, not a JSON list" in r.stderr
    assert "line 5, column 'created_at', value '5'" in r.stderr
    assert "Traceback" not in r.stderr and count(sql) == 0


def test_jsonl_nan_extra_objects_and_unknown_keys(cli, sql, tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text('{"name": "A公司", "extra": {"city": "上海"}}\n'
                   '{"name": "B公司", "extra": {"deep": {"x": 1}}}\n'
                   '{"name": "C公司", "extra": {}, "shoe": 42}\n'
                   '{"name": "D公司", "extra": NaN}\n', encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2
    lines = r.stderr.splitlines()[1:]
    assert lines[0].startswith("  line 2, column 'extra'") and "expected a single value" in lines[0]
    assert lines[1] == "  line 3: key(s) 'shoe' not on the file's first line, which names the columns"
    assert lines[2] == "  line 4, column 'extra', value 'nan': expected a finite number"
    assert count(sql) == 0
    assert cli("import", "customers", src, "--skip-invalid").exit_code == 0
    assert [(n, json.loads(e)) for n, e in sql("SELECT name, extra FROM customers")] == [("A公司", {"city": "上海"})]


@pytest.mark.parametrize("name,text,line", [
    ("deep.json", "[" * 100_000 + "]" * 100_000, 1),
    ("deep.jsonl", '{"name": "a"}\n{"name": ' + "[" * 100_000 + "]" * 100_000 + "}\n", 2),
    ("deep2.json", '[\n{"name": "a"},\n{"name": ' + "{\"a\":" * 50_000 + "1" + "}" * 50_000 + "}]", 3),
])
def test_json_nested_100000_deep_is_one_line_exit_2(cli, sql, tmp_path, name, text, line):
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2
    assert r.stderr == f"amkit: invalid file '{name}': line {line}: JSON nested more than 100 levels deep\n"
    assert count(sql) == 0


def test_csv_extra_cell_nested_deep_is_a_row_error(cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    src.write_text('name,extra\nA公司,"' + "[" * 100_000 + '"\n', encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2 and "line 2, column 'extra'" in r.stderr and "expected a JSON object" in r.stderr
    assert count(sql) == 0


def test_json_true_for_text_and_lone_surrogates_are_row_errors(cli, sql, tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text('{"name": "A公司", "tier_locked": true, "extra": {}}\n{"name": true}\n{"name": "B\\ud800"}\n'
                   '{"name": "C公司", "extra": {"\\udfff": 1}}\n', encoding="utf-8")
    r = cli("import", "customers", src)
    assert r.exit_code == 2, r.stderr
    assert "line 2, column 'name', value 'True': expected text, not true/false" in r.stderr
    assert "line 3, column 'name', value 'B\\ud800': holds a lone surrogate" in r.stderr
    assert "line 4, column 'extra'" in r.stderr and "holds a lone surrogate" in r.stderr
    assert count(sql) == 0
    assert cli("import", "customers", src, "--skip-invalid").exit_code == 0
    assert [(n, bool(b)) for n, b in sql("SELECT name, tier_locked FROM customers")] == [("A公司", True)]
    head = tmp_path / "h.json"
    head.write_text('[{"name": "D", "\\ud800": 1}]', encoding="utf-8")
    r = cli("import", "customers", head)
    assert r.exit_code == 2 and r.stderr.endswith("holds a lone surrogate in the header of h.json\n")


# --- xlsx limits --------------------------------------------------------------------------

def _workbook(path, rows):  # noqa: ANN001, ANN202
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)


def _replace_sheet(path, write):  # noqa: ANN001, ANN202
    """Rewrite the first worksheet's XML of a real workbook (a malicious file, built by hand)."""
    src = zipfile.ZipFile(path)
    out = path.with_name("bomb.xlsx")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with zf.open(info.filename, "w", force_zip64=True) as fh:
                    write(fh)
            else:
                zf.writestr(info, src.read(info.filename))
    src.close()
    return out


HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main">')


def _rows(fh, dimension: str, n: int, gap: bool = False):  # noqa: ANN001, ANN202
    fh.write(HEAD + f'<dimension ref="{dimension}"/><sheetData>'.encode())
    fh.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>')
    if gap:
        fh.write(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>'.encode())
    else:
        for i in range(2, n + 2):
            fh.write(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>客户{i}</t></is></c></row>'.encode())
    fh.write(b"</sheetData></worksheet>")


def test_zip_bomb_xlsx_is_refused_before_it_is_inflated(cli, sql, tmp_path):
    """300 MiB of empty rows deflate to well under 1 MiB: refused from the zip's directory."""
    base = tmp_path / "base.xlsx"
    _workbook(base, [["name"], ["A公司"]])
    chunk = b"<row/>" * (1 << 20)

    def write(fh):  # noqa: ANN001, ANN202
        fh.write(HEAD + b"<sheetData>")
        for _ in range(50):
            fh.write(chunk)
        fh.write(b"</sheetData></worksheet>")
    bomb = _replace_sheet(base, write)
    assert bomb.stat().st_size < 2 << 20
    r = cli("import", "customers", bomb)
    assert r.exit_code == 2
    assert r.stderr == ("amkit: invalid file 'bomb.xlsx': inflates to 300 MiB, over the 256 MiB limit for an "
                        ".xlsx (save it as .csv)\n")
    assert count(sql) == 0


def test_xlsx_declaring_a_huge_sheet_is_refused_before_rows_are_read(cli, sql, tmp_path):
    base = tmp_path / "base.xlsx"
    _workbook(base, [["name"], ["A公司"]])
    bomb = _replace_sheet(base, lambda fh: _rows(fh, "A1:XFD1048576", 3))
    r = cli("import", "customers", bomb)
    assert r.exit_code == 2 and f"sheet holds {16384 * 1048576} cells or more, over the limit of 5000000" in r.stderr
    assert count(sql) == 0


@pytest.mark.parametrize("gap", [False, True])
def test_xlsx_cells_are_capped_as_read_when_the_dimension_lies(cli, sql, tmp_path, monkeypatch, gap):
    """A sheet claiming A1:A2 with more rows (or a gap openpyxl fills with empty rows) stops at
    the cell limit (lowered here so the test stays small)."""
    from amkit.transfer import readers

    monkeypatch.setattr(readers, "XLSX_MAX_CELLS", 500)
    base = tmp_path / "base.xlsx"
    _workbook(base, [["name"], ["A公司"]])
    bomb = _replace_sheet(base, lambda fh: _rows(fh, "A1:A2", 1_000_000 if gap else 600, gap=gap))
    r = cli("import", "customers", bomb)
    assert r.exit_code == 2 and "sheet holds 501 cells or more, over the limit of 500" in r.stderr
    assert count(sql) == 0
    small = _replace_sheet(base, lambda fh: _rows(fh, "A1:A2", 400))
    r = cli("import", "customers", small)
    assert r.exit_code == 0, r.stderr
    assert count(sql) == 400


def test_file_level_refusals_in_zh(cli, sql, tmp_path):
    zh = {"AMKIT_LANG": "zh"}
    data = ROWS.encode()
    at = data.index("零".encode()) + 1
    src = tmp_path / "c.csv"
    src.write_bytes(data[:at] + b"A" + data[at + 1:])
    r = cli("import", "customers", src, extra_env=zh)
    assert r.exit_code == 2
    assert r.stderr.endswith(f"第 3 行（字节 {at - 1}）不是有效的 UTF-8，而文件其余部分是 UTF-8（请修正该字节，"
                             "或用 --encoding 指定编码）\n")
    q = tmp_path / "q.csv"
    q.write_text('name\n"A公司\n', encoding="utf-8")
    r = cli("import", "customers", q, extra_env=zh)
    assert r.exit_code == 2 and "第 2 行：引号未闭合" in r.stderr
    assert count(sql) == 0


def test_xlsx_row_of_too_many_cells_is_refused_before_openpyxl_builds_it(cli, sql, tmp_path):
    base = tmp_path / "base.xlsx"
    _workbook(base, [["name"], ["A公司"]])

    def write(fh):  # noqa: ANN001, ANN202
        fh.write(HEAD + b'<dimension ref="A1:A2"/><sheetData>')
        fh.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row><row r="2">')
        fh.write(b"<c/>" * 20_000 + b"</row></sheetData></worksheet>")
    bomb = _replace_sheet(base, write)
    r = cli("import", "customers", bomb)
    assert (r.exit_code, r.stderr) == (2, "amkit: invalid file 'bomb.xlsx': a row holds more than 16384 cells "
                                          "(Excel's limit)\n")
    assert count(sql) == 0
