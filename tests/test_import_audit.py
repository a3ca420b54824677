"""The fast import path (issue 11) keeps the guarantees: one audit entry per imported row that
`audit verify` replays, rows edited behind amkit's back are caught, `customer erase` leaves no
personal byte of an imported customer, ids follow the file, duplicates are found across batches."""

from __future__ import annotations

import csv
import json

from amkit.transfer.importer import BATCH
from test_safety import _everything


def _write(path, rows: list[list[str]], header: str = "name,industry,region,地址") -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _payload(value):  # noqa: ANN001, ANN202
    return json.loads(value) if isinstance(value, str) else value


def _present(text: str, everything: bytes) -> bool:
    """As UTF-8, or escaped as JSON writes it by default."""
    return text.encode("utf-8") in everything or json.dumps(text)[1:-1].encode() in everything


def test_each_imported_row_has_its_audit_entry(cli, sql, tmp_path):
    assert cli("customer", "add", "先有客户").exit_code == 0
    src = tmp_path / "c.csv"
    _write(src, [["重庆银行", "金融", "西南", "解放碑1号"], ["长城汽车", "制造", "华北", ""], ["Acme", "", "", ""]])
    r = cli("import", "customers", src)
    assert r.exit_code == 0, r.stderr
    rows = sql("SELECT id, name, name_pinyin, name_initials FROM customers ORDER BY id")
    assert rows == [(1, "先有客户", "xianyoukehu", "xykh"), (2, "重庆银行", "chongqingyinhang", "cqyh"),
                    (3, "长城汽车", "changchengqiche", "ccqc"), (4, "Acme", "acme", "a")]
    entries = sql("SELECT row_id, after FROM audit_log WHERE table_name = 'customers' AND action = 'insert' "
                  "ORDER BY id")
    assert [e[0] for e in entries] == [1, 2, 3, 4]
    logged = {row_id: _payload(after) for row_id, after in entries}
    assert logged[2]["name"] == "重庆银行" and logged[2]["region"] == "西南"
    assert logged[2]["extra"] == {"地址": "解放碑1号"} and logged[2]["id"] == 2
    assert logged[3]["industry"] == "制造" and logged[3]["extra"] is None
    assert cli("audit", "verify").exit_code == 0


def test_an_imported_row_edited_with_raw_sql_is_caught(cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    _write(src, [[f"客户{i:04d}", "金融", "华东", ""] for i in range(BATCH + 5)])
    assert cli("import", "customers", src).exit_code == 0
    assert cli("audit", "verify").exit_code == 0
    (row_id,), = sql("SELECT id FROM customers WHERE name = ?", f"客户{BATCH + 2:04d}")  # in the second batch
    sql("UPDATE customers SET region = '华南' WHERE id = ?", row_id)
    bad = cli("audit", "verify")
    assert bad.exit_code == 4
    assert f"customers row {row_id} field 'region'" in bad.stderr and "华南" in bad.stderr
    sql("UPDATE customers SET region = '华东' WHERE id = ?", row_id)
    assert cli("audit", "verify").exit_code == 0
    sql("DELETE FROM customers WHERE id = ?", row_id)
    bad = cli("audit", "verify")
    assert bad.exit_code == 4 and f"customers row {row_id} was deleted outside amkit" in bad.stderr


def test_erasing_an_imported_customer_leaves_no_personal_byte(cli, sql, env, tmp_path):
    src = tmp_path / "c.csv"
    _write(src, [["秘密科技有限公司", "科技", "华东", "上海市秘密路88号"], ["留下公司", "金融", "华北", "北京市长安街1号"]])
    assert cli("import", "customers", src).exit_code == 0
    src.unlink()
    r = cli("customer", "erase", "秘密科技有限公司", "--yes")
    assert r.exit_code == 0, r.stderr
    everything = _everything(sql, env)
    for secret in ("秘密科技", "mimikeji", "秘密路88号"):
        assert not _present(secret, everything), secret
    assert _present("留下公司", everything) and _present("长安街1号", everything)
    assert sql("SELECT count(*) FROM audit_log WHERE erased = ?", True) == [(1,)]
    assert cli("audit", "verify").exit_code == 0


def test_duplicates_are_found_across_batches(cli, sql, tmp_path):
    src = tmp_path / "c.csv"
    rows = [[f"客户{i:04d}", "金融", "华东", ""] for i in range(BATCH + 10)]
    rows.append(["客户0001", "制造", "华南", ""])  # line 3 again, two batches later
    rows.append(["客户%04d" % (BATCH + 3), "制造", "华南", ""])  # in its own batch
    _write(src, rows)
    r = cli("import", "customers", src)
    assert r.exit_code == 2
    assert "duplicate of line 3" in r.stderr and f"duplicate of line {BATCH + 5}" in r.stderr
    assert sql("SELECT count(*) FROM customers") == [(0,)]
    r = cli("import", "customers", src, "--mode", "upsert", "--skip-invalid")
    assert r.exit_code == 0, r.stderr
    assert f"{BATCH + 10} inserted" in r.stderr and "2 rejected" in r.stderr
    assert sql("SELECT region FROM customers WHERE name = '客户0001'") == [("华东",)]  # not updated by the dup
    assert sql("SELECT count(*) FROM audit_log WHERE table_name = 'customers'") == [(BATCH + 10,)]
    assert cli("audit", "verify").exit_code == 0


def test_repeated_cells_parse_like_the_first_time(cli, sql, tmp_path):
    """Parsed cells are remembered per column: a bad value is still bad on every line, and equal
    but different cells (1, 1.0, True in a spreadsheet) keep their own text."""
    from openpyxl import Workbook

    src = tmp_path / "c.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["name", "region", "tier"])
    for name, region, tier in [("甲", 1, "A"), ("乙", 1.5, "Q"), ("丙", True, "A"), ("丁", 1, "Q")]:
        ws.append([name, region, tier])
    wb.save(src)
    r = cli("import", "customers", src, "--skip-invalid")
    assert r.exit_code == 0, r.stderr
    assert "line 3, column 'tier', value 'Q'" in r.stderr and "line 5, column 'tier', value 'Q'" in r.stderr
    assert sql("SELECT name, region, tier FROM customers ORDER BY id") == [("甲", "1", "A"), ("丙", "True", "A")]
