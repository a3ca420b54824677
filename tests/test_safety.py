"""Data safety with real processes and real files: audit, backup/restore, doctor, handover,
merge, dupes, erase, crash."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _seed(cli):  # noqa: ANN001, ANN202
    cli("manager", "add", "张伟")
    cli("manager", "add", "李娜")
    cli("customer", "add", "中国银行", "--owner", "张伟", "--industry", "金融")
    cli("customer", "add", "招商银行", "--owner", "张伟")
    cli("customer", "add", "Acme", "--owner", "李娜")
    cli("contact", "add", "中国银行", "王秘书", "--phone", "13912345678", "--email", "wang@boc.example",
        "--wechat", "wx_wang88", "--birthday", "1985-06-01")


def test_audit_records_every_write_and_verifies(cli, sql):
    _seed(cli)
    rows = sql("SELECT action, table_name, who FROM audit_log ORDER BY id")
    assert rows[:2] == [("insert", "managers", "tester"), ("insert", "managers", "tester")]
    assert ("insert", "contacts", "tester") in rows
    listed = cli("audit", "list", "--table", "customers", "-f", "json").json()
    assert [r["row_id"] for r in listed] == [3, 2, 1]
    ok = cli("audit", "verify")
    assert ok.exit_code == 0, ok.stderr


def test_audit_verify_detects_hand_edits(cli, sql):
    _seed(cli)
    sql("UPDATE customers SET industry = '制造' WHERE name = '中国银行'")
    bad = cli("audit", "verify")
    assert bad.exit_code == 4
    assert "customers row 1" in bad.stderr and "industry" in bad.stderr
    # chain tampering: an audit entry edited by hand
    sql("UPDATE customers SET industry = '金融' WHERE name = '中国银行'")
    sql("UPDATE audit_log SET who = 'mallory' WHERE id = 3")
    bad = cli("audit", "verify")
    assert bad.exit_code == 4 and "entry 3" in bad.stderr
    sql("UPDATE audit_log SET who = 'tester' WHERE id = 3")
    sql("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    bad = cli("audit", "verify", "--chain-only")
    assert bad.exit_code == 4 and "deleted" in bad.stderr


@pytest.mark.sqlite_only
def test_backup_restore_and_rotation(cli, sql, tmp_path, db_path):
    _seed(cli)
    target = tmp_path / "b.db"
    r = cli("backup", target)
    assert r.exit_code == 0 and Path(r.stdout.strip()) == target
    con = sqlite3.connect(target)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM customers").fetchone()[0] == 3
    con.close()
    cli("customer", "add", "后来的客户")
    assert sql("SELECT count(*) FROM customers") == [(4,)]
    r = cli("restore", target)
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT count(*) FROM customers") == [(3,)]
    (kept,) = db_path.parent.glob(db_path.name + ".????????-??????.bak")
    assert str(kept) in r.stderr
    bak = sqlite3.connect(kept)
    assert bak.execute("SELECT count(*) FROM customers").fetchone()[0] == 4
    # rotation keeps exactly N files
    d = tmp_path / "rot"
    for i in range(4):
        (d).mkdir(exist_ok=True)
        (d / f"amkit-2026010{i}-000000.db").write_bytes(b"")
    r = cli("backup", "--dir", d, "--keep", "3")
    assert r.exit_code == 0, r.stderr
    assert len(list(d.glob("amkit-*.db"))) == 3
    assert Path(r.stdout.strip()).exists()


@pytest.mark.sqlite_only
def test_scheduled_backups_rotate_to_exactly_n_files(cli, tmp_path):
    """The README cron line (`backup --dir D --keep N`) run on five days keeps the newest N;
    other files in the directory are left alone; --keep 0 is bad input."""
    import datetime as dt

    from amkit.store import backup as bk

    _seed(cli)
    d = tmp_path / "nightly"
    d.mkdir()
    (d / "notes.txt").write_text("keep me", encoding="utf-8")
    made = []
    for day in range(1, 6):
        dst, removed = bk.backup(directory=str(d), keep=2, now=dt.datetime(2026, 11, day, 2, 0))
        made.append(dst.name)
        assert len(removed) == (1 if day > 2 else 0)
    assert sorted(p.name for p in d.glob("*.db")) == made[-2:]
    assert (d / "notes.txt").exists()
    r = cli("backup", "--dir", d, "--keep", "2")
    assert r.exit_code == 0, r.stderr
    assert len(list(d.glob("*.db"))) == 2 and Path(r.stdout.strip()).exists()
    bad = cli("backup", "--dir", d, "--keep", "0")
    assert bad.exit_code == 2 and "--keep" in bad.stderr
    assert len(list(d.glob("*.db"))) == 2


@pytest.mark.sqlite_only
def test_restore_rejects_non_database(cli, tmp_path, sql):
    _seed(cli)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    r = cli("restore", junk)
    assert r.exit_code == 2 and "junk.db" in r.stderr
    assert sql("SELECT count(*) FROM customers") == [(3,)]
    assert cli("restore", tmp_path / "missing.db").exit_code == 3


@pytest.mark.sqlite_only
def test_doctor(cli, db_path):
    _seed(cli)
    r = cli("doctor", "-f", "json")
    assert r.exit_code == 0
    assert {c["check"]: c["status"] for c in r.json()}["integrity_check"] == "ok"
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("INSERT INTO contacts (customer_id, name, is_decision_maker, birthday_lunar, created_at) "
                "VALUES (999, 'ghost', 0, 0, '2026-01-01')")
    con.commit()
    r = cli("doctor", "-f", "json")
    assert r.exit_code == 4
    statuses = {c["check"]: c["status"] for c in r.json()}
    assert statuses["orphan_rows"] == "fail" and statuses["foreign_keys"] == "fail"


def test_handover_moves_customers_and_open_deals(cli, sql):
    _seed(cli)
    cid = sql("SELECT id FROM customers WHERE name = '中国银行'")[0][0]
    for title, cents, stage, closed in (("open one", 100000, "quote", None), ("won one", 200000, "won", "2026-11-01")):
        # deals inserted directly (an independent route): one open, one won
        sql("INSERT INTO deals (customer_id, owner_id, title, amount_cents, stage, created, closed_at, created_at) "
            "VALUES (?, 1, ?, ?, ?, '2026-10-01', ?, '2026-10-01 00:00:00')", cid, title, cents, stage, closed)
    dry = cli("customer", "handover", "--from", "张伟", "--to", "李娜", "--dry-run", "-f", "json")
    assert dry.exit_code == 0, dry.stderr
    assert sorted(r["customer"] for r in dry.json()) == ["中国银行", "招商银行"]
    assert sql("SELECT count(*) FROM customers WHERE owner_id = 1") == [(2,)]
    r = cli("customer", "handover", "--from", "张伟", "--to", "李娜", "--customer", "中国银行", "--note", "重点客户")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT owner_id FROM customers WHERE id = ?", cid) == [(2,)]
    assert sql("SELECT owner_id FROM customers WHERE name = '招商银行'") == [(1,)]
    assert sql("SELECT title, owner_id FROM deals ORDER BY id") == [("open one", 2), ("won one", 1)]
    note = sql("SELECT to_owner, note FROM handovers WHERE customer_id = ?", cid)
    assert note[0][0] == "李娜" and "重点客户" in note[0][1]
    assert "open deal" in note[0][1] and "quote" in note[0][1]
    bad = cli("customer", "handover", "--from", "张伟", "--to", "李娜", "--customer", "Acme")
    assert bad.exit_code == 4 and "Acme" in bad.stderr


def test_dupes_and_merge(cli, sql):
    cli("customer", "add", "华为技术有限公司")
    cli("customer", "add", "华为技术")
    cli("customer", "add", "ＡＣＭＥ Co., Ltd.")
    cli("customer", "add", "acme")
    cli("customer", "add", "Other")
    cli("contact", "add", "Other", "甲", "--phone", "+86 139 1234 5678")
    cli("contact", "add", "华为技术", "乙", "--phone", "13912345678")
    rows = cli("customer", "dupes", "-f", "json").json()
    found = {(r["reason"], tuple(r["customers"])) for r in rows}
    assert ("name", ("华为技术有限公司", "华为技术")) in found
    assert ("name", ("ＡＣＭＥ Co., Ltd.", "acme")) in found
    assert ("phone", ("华为技术", "Other")) in found
    r = cli("customer", "merge", "华为技术有限公司", "华为技术")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT count(*) FROM customers WHERE name = '华为技术'") == [(0,)]
    assert sql("SELECT c.name FROM contacts k JOIN customers c ON c.id = k.customer_id WHERE k.name = '乙'") == [
        ("华为技术有限公司",)]
    assert cli("audit", "verify").exit_code == 0


def test_erase_leaves_no_personal_string_in_the_file(cli, sql, env):
    _seed(cli)
    secrets = ["中国银行", "王秘书", "13912345678", "wang@boc.example", "wx_wang88", "1985-06-01"]
    cli("customer", "edit", "中国银行", "--extra", "地址=北京市西城区复兴门内大街1号")
    secrets.append("复兴门内大街")
    refused = cli("customer", "erase", "中国银行")
    assert refused.exit_code == 2
    r = cli("customer", "erase", "中国银行", "--yes")
    assert r.exit_code == 0, r.stderr
    for s in secrets:
        assert s.encode("utf-8") not in _everything(sql, env), s
    assert sql("SELECT count(*) FROM customers") == [(3,)]  # the anonymised row stays
    assert sql("SELECT count(*) FROM contacts") == [(0,)]
    assert sql("SELECT count(*) FROM audit_log WHERE action = 'erase'") == [(1,)]
    assert cli("audit", "verify").exit_code == 0


def _everything(sql, env) -> bytes:  # noqa: ANN001
    """SQLite: the database file with its WAL; PostgreSQL: every text value of every table."""
    if "AMKIT_DB" in env:
        from amkit.store import engine

        engine.dispose()
        path = Path(env["AMKIT_DB"])
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    tables = [r[0] for r in sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
    dump = [repr(sql(f'SELECT * FROM "{t}"')) for t in tables]
    return "".join(dump).encode("utf-8")


@pytest.mark.sqlite_only
def test_kill_9_mid_import_leaves_all_or_nothing(env, tmp_path):
    n = 40000
    src = tmp_path / "big.csv"
    with open(src, "w", encoding="utf-8") as fh:
        fh.write("name,industry,region\n")
        for i in range(n):
            fh.write(f"客户{i:06d},金融,华东\n")
    proc_env = {**os.environ, **env}
    subprocess.run([sys.executable, "-m", "amkit", "init"], env=proc_env, check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "amkit", "import", "customers", str(src)], env=proc_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wal = Path(env["AMKIT_DB"] + "-wal")
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 2_000_000:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    con = sqlite3.connect(env["AMKIT_DB"])
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM customers").fetchone()[0] in (0, n)
