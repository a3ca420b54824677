"""Issue 25, "Data loss": backup, restore and export never lose data.

Real files throughout. The full-disk tests run on a real 1 MiB tmpfs when this process may
mount one (root in a container that allows it); where mounting is not permitted they skip, and
the same reproductions run with OSError(ENOSPC) injected at the OS boundary (`os.fsync`, which
every result file passes through before its rename). The injected variants always run too.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

KEY = "k3y-for-tests-0123456789abcdefghijklmnopqrstuvwxyz"


def _seed(cli):  # noqa: ANN001, ANN202
    assert cli("manager", "add", "张伟").exit_code == 0
    for name in ("中国银行", "招商银行", "Acme"):
        assert cli("customer", "add", name, "--owner", "张伟").exit_code == 0


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _names(path: Path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT name FROM customers ORDER BY id")]
    finally:
        con.close()


# ---------------------------------------------------------------- restore and its undo

@pytest.mark.sqlite_only
def test_restore_small_then_restore_the_kept_file_loses_nothing(cli, sql, tmp_path, db_path):
    """The reproduction: `restore small.db` then `restore X.bak` (the documented undo) used to
    leave the small database in both places. Now every state survives somewhere."""
    assert cli("manager", "add", "张伟").exit_code == 0
    assert cli("customer", "add", "小库客户").exit_code == 0
    small = tmp_path / "small.db"
    assert cli("backup", small).exit_code == 0
    for name in ("中国银行", "招商银行"):
        assert cli("customer", "add", name).exit_code == 0
    full = ["小库客户", "中国银行", "招商银行"]
    small_digest = _digest(small)

    first = cli("restore", small)
    assert first.exit_code == 0, first.stderr
    (kept,) = db_path.parent.glob("amkit.db.*.bak")
    assert kept.name.startswith("amkit.db.2") and len(kept.name) == len("amkit.db.20261123-101500.bak")
    assert f"the previous database is kept as {kept}" in first.stderr
    assert [r[0] for r in sql("SELECT name FROM customers ORDER BY id")] == ["小库客户"]
    assert _names(kept) == full
    assert _digest(small) == small_digest  # the source is only read

    undo = cli("restore", kept)
    assert undo.exit_code == 0, undo.stderr
    assert [r[0] for r in sql("SELECT name FROM customers ORDER BY id")] == full
    kept_files = sorted(db_path.parent.glob("amkit.db.*.bak"))
    assert len(kept_files) == 2 and kept in kept_files  # a new name: the undo source is not overwritten
    (second,) = [p for p in kept_files if p != kept]
    assert _names(kept) == full  # the undo's own source is intact
    assert _names(second) == ["小库客户"]  # and the small state was kept too
    assert _digest(small) == small_digest
    assert cli("audit", "verify", "--chain-only").exit_code == 0
    # the copy each restore kept is recorded as a backup in the database that is live afterwards
    recorded = [json.loads(a)["path"] for (a,) in sql(
        "SELECT after FROM audit_log WHERE action = 'backup' AND table_name = 'backup' ORDER BY id")]
    assert recorded[-1] == str(second.resolve())


@pytest.mark.sqlite_only
def test_restore_never_overwrites_an_existing_kept_name_nor_restores_the_live_file(cli, env, db_path, sql):
    import datetime as dt

    from amkit.store import backup as bk

    _seed(cli)
    moment = dt.datetime(2026, 11, 23, 10, 15, 0)
    taken = db_path.parent / "amkit.db.20261123-101500.bak"
    taken.write_bytes(b"someone else's file")
    assert bk.kept_name(db_path, moment) == db_path.parent / "amkit.db.20261123-101500-2.bak"
    same = cli("restore", db_path)
    assert same.exit_code == 2 and "live database" in same.stderr
    assert taken.read_bytes() == b"someone else's file"
    assert sql("SELECT count(*) FROM customers") == [(3,)]


# ---------------------------------------------------------------- backups in the audit log, prune

@pytest.mark.sqlite_only
def test_each_backup_is_recorded_in_the_audit_log(cli, sql, tmp_path):
    _seed(cli)
    target = tmp_path / "b.db"
    r = cli("backup", target)
    assert r.exit_code == 0, r.stderr
    rows = sql("SELECT action, table_name, row_id, before, after, command FROM audit_log WHERE table_name = 'backup'")
    assert len(rows) == 1
    action, table, row_id, before, after, command = rows[0]
    assert (action, table, row_id, command) == ("backup", "backup", None, "amkit backup")
    assert before in (None, "null")
    after = json.loads(after)
    assert after["path"] == str(target.resolve()) and after["at"].startswith("2026-11-23T")
    assert cli("audit", "verify").exit_code == 0


@pytest.mark.sqlite_only
def test_backup_prune_removes_backups_made_before_the_date_and_audits_it(cli, sql, tmp_path):
    import datetime as dt

    from amkit.store import backup as bk

    _seed(cli)
    d = tmp_path / "nightly"
    d.mkdir()
    oct1, _ = bk.backup(directory=str(d), now=dt.datetime(2026, 10, 1, 2, 0))
    nov1, _ = bk.backup(directory=str(d), now=dt.datetime(2026, 11, 1, 2, 0))
    recent, _ = bk.backup(directory=str(d), now=dt.datetime(2026, 11, 20, 2, 0))
    elsewhere, _ = bk.backup(str(tmp_path / "elsewhere.db"), now=dt.datetime(2026, 9, 1, 12, 0))
    unrecorded = d / "amkit-20260801-000000.db"  # an older amkit's backup, not in the log
    unrecorded.write_bytes(b"")
    other_db = d / "other-20260101-000000.db"  # another database's backup: not ours
    other_db.write_bytes(b"")
    (d / "notes.txt").write_text("keep", encoding="utf-8")
    expected = [unrecorded, elsewhere, oct1, nov1]  # oldest first

    bad = cli("backup", "prune", "--before", "2026-13-01", "--dir", d)
    assert bad.exit_code == 2 and "--before" in bad.stderr
    dry = cli("backup", "prune", "--before", "2026-11-15", "--dir", d, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.splitlines() == [str(p) for p in expected]
    assert all(p.exists() for p in expected)
    assert sql("SELECT count(*) FROM audit_log WHERE action = 'prune'") == [(0,)]

    without_dir = cli("backup", "prune", "--before", "2026-09-15")  # the recorded ones only
    assert without_dir.exit_code == 0 and without_dir.stdout.splitlines() == [str(elsewhere)]
    assert not elsewhere.exists() and unrecorded.exists()

    done = cli("backup", "prune", "--before", "2026-11-15", "--dir", d)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines() == [str(unrecorded), str(oct1), str(nov1)]
    assert "removed 3 backup(s) made before 2026-11-15" in done.stderr
    _only(d, recent.name, other_db.name, "notes.txt")
    pruned = [json.loads(b)["path"] for (b,) in sql(
        "SELECT before FROM audit_log WHERE action = 'prune' AND table_name = 'backup' ORDER BY id")]
    assert pruned == [str(p.resolve()) for p in [elsewhere, unrecorded, oct1, nov1]]
    assert sql("SELECT DISTINCT command FROM audit_log WHERE action = 'prune'") == [("amkit backup prune",)]
    assert cli("audit", "verify", "--chain-only").exit_code == 0


# ---------------------------------------------------------------- a full disk

@pytest.fixture
def small_disk(tmp_path):  # noqa: ANN001, ANN201
    """A real 1 MiB tmpfs. CI runs as root on a machine that mounts one: a failure to mount is a
    failure of the test, not a reason to pass it silently."""
    where = tmp_path / "disk"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"cannot mount a tmpfs: {done.stderr.strip()}"
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)


def _fill(directory: Path) -> Path:
    """Write zeros until the file system says ENOSPC."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def _cannot_write(run, path: Path, reason: str) -> None:  # noqa: ANN001
    assert run.exit_code == 5, run.stderr
    assert run.stderr.strip().splitlines() == [f"amkit: cannot write {path}: {reason}"]


def _only(directory: Path, *names: str) -> None:
    """Exactly these files, besides the audit anchors written next to complete backups."""
    found = sorted(p.name for p in directory.iterdir() if not p.name.endswith(".anchor.json"))
    assert found == sorted(names)
    for anchor in directory.glob("*.anchor.json"):
        assert anchor.name.removesuffix(".anchor.json") in names  # never an orphan


@pytest.mark.sqlite_only
def test_full_tmpfs_backup_export_and_list_keep_the_earlier_file(cli, small_disk, sql):
    _seed(cli)
    backup = small_disk / "b.db"
    assert cli("backup", backup).exit_code == 0
    export = small_disk / "customers.csv"
    assert cli("export", "customers", "-o", export).exit_code == 0
    listing = small_disk / "list.csv"
    assert cli("customer", "list", "-f", "csv", "-o", listing).exit_code == 0
    before = {p: _digest(p) for p in (backup, export, listing)}
    filler = _fill(small_disk)
    for i in range(40):
        assert cli("customer", "add", f"新客户{i:02d}" + "长名字" * 20).exit_code == 0

    _cannot_write(cli("backup", backup), backup, "database or disk is full")
    _cannot_write(cli("export", "customers", "-o", export), export, "No space left on device")
    _cannot_write(cli("customer", "list", "-f", "csv", "-o", listing), listing, "No space left on device")
    assert {p: _digest(p) for p in before} == before  # the earlier files, whole
    assert _names(backup) == ["中国银行", "招商银行", "Acme"]
    _only(small_disk, "b.db", "customers.csv", "list.csv", filler.name)  # no temp, no journal left
    assert sql("SELECT count(*) FROM customers") == [(43,)]  # the database itself is untouched


@pytest.mark.sqlite_only
def test_full_tmpfs_import_with_rejected_rows_imports_nothing(cli, small_disk, sql):
    _seed(cli)
    source = small_disk / "new.csv"
    source.write_text("name,tier\n新客户甲,A\n新客户乙,Z\n", encoding="utf-8")
    rejected = small_disk / "new.rejected.csv"
    rejected.write_text("earlier\n", encoding="utf-8")
    filler = _fill(small_disk)
    run = cli("import", "customers", source, "--skip-invalid")
    _cannot_write(run, rejected, "No space left on device")
    assert rejected.read_text(encoding="utf-8") == "earlier\n"
    _only(small_disk, "new.csv", "new.rejected.csv", filler.name)
    assert sql("SELECT count(*) FROM customers WHERE name LIKE '新客户%'") == [(0,)]


def _no_space(monkeypatch):  # noqa: ANN001, ANN202
    """OSError(ENOSPC) at the OS boundary: the fsync before each rename."""
    def fsync(fd):  # noqa: ANN001, ANN202
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.sqlite_only
def test_injected_enospc_backup_and_export_keep_the_earlier_file(cli, tmp_path, monkeypatch, sql):
    _seed(cli)
    out = tmp_path / "out"
    out.mkdir()
    backup, export, listing = out / "b.db", out / "customers.json", out / "list.json"
    assert cli("backup", backup).exit_code == 0
    assert cli("export", "customers", "-f", "json", "-o", export).exit_code == 0
    assert cli("customer", "list", "-f", "json", "-o", listing).exit_code == 0
    before = {p: _digest(p) for p in (backup, export, listing)}
    assert cli("customer", "add", "后来的客户").exit_code == 0
    _no_space(monkeypatch)
    for run, path in ((cli("backup", backup), backup), (cli("export", "customers", "-f", "json", "-o", export), export),
                      (cli("customer", "list", "-f", "json", "-o", listing), listing),
                      (cli("export", "customers", "-f", "xlsx", "-o", out / "c.xlsx"), out / "c.xlsx")):
        _cannot_write(run, path, "No space left on device")
    monkeypatch.undo()
    assert {p: _digest(p) for p in before} == before
    _only(out, "b.db", "customers.json", "list.json")
    recorded = sql("SELECT count(*) FROM audit_log WHERE action = 'backup'")
    assert recorded == [(1,)]  # the failed backup is not recorded


@pytest.mark.sqlite_only
def test_injected_enospc_restore_keeps_the_live_database(cli, tmp_path, monkeypatch, sql, db_path):
    _seed(cli)
    backup = tmp_path / "b.db"
    assert cli("backup", backup).exit_code == 0
    assert cli("customer", "add", "后来的客户").exit_code == 0
    _no_space(monkeypatch)
    run = cli("restore", backup)
    assert run.exit_code == 5 and run.stderr.startswith("amkit: cannot write ")
    assert "No space left on device" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    monkeypatch.undo()
    assert sql("SELECT count(*) FROM customers") == [(4,)]
    assert list(db_path.parent.glob("amkit.db.*")) == []  # no kept copy half-written


def test_output_into_a_missing_directory_is_bad_input(cli, tmp_path):
    _seed(cli)
    missing = tmp_path / "nope" / "x.csv"
    r = cli("export", "customers", "-o", missing)
    assert r.exit_code == 2 and "--output" in r.stderr and str(missing) in r.stderr
    assert not missing.parent.exists()


# ---------------------------------------------------------------- revealed contacts: 0600

def test_revealed_contact_exports_are_0600_whatever_the_umask(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("AMKIT_KEY", KEY)
    _seed(cli)
    assert cli("contact", "add", "中国银行", "王秘书", "--phone", "13912345678").exit_code == 0
    old = os.umask(0o022)
    try:
        revealed = tmp_path / "contacts.csv"
        revealed.write_text("older\n", encoding="utf-8")
        os.chmod(revealed, 0o644)  # an earlier, looser file of the same name
        assert cli("export", "contacts", "--reveal", "-o", revealed).exit_code == 0
        listed = tmp_path / "contacts-list.csv"
        assert cli("contact", "list", "--reveal", "-f", "csv", "-o", listed).exit_code == 0
        sheet = tmp_path / "contacts.xlsx"
        assert cli("export", "contacts", "--reveal", "-f", "xlsx", "-o", sheet).exit_code == 0
        masked = tmp_path / f"masked-{uuid.uuid4().hex[:6]}.csv"
        assert cli("export", "contacts", "-o", masked).exit_code == 0
    finally:
        os.umask(old)
    for path in (revealed, listed, sheet):
        assert (path.stat().st_mode & 0o777) == 0o600, path
    assert "13912345678" in revealed.read_text(encoding="utf-8") + listed.read_text(encoding="utf-8")
    assert (masked.stat().st_mode & 0o777) == 0o644  # not revealed: the umask applies
    assert "13912345678" not in masked.read_text(encoding="utf-8")
