"""Issue 25: read commands read in a deferred transaction, so in WAL mode they never wait
behind a writer. Another process holds the write lock (BEGIN IMMEDIATE) the whole time."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HOLDER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
con.execute("INSERT INTO managers (name, active, created_at) VALUES ('持锁者', 1, '2026-11-23 09:00:00')")
print("locked", flush=True)
sys.stdin.readline()  # hold the write lock until the test says so
con.execute("ROLLBACK")
"""

READS = [
    ("customer", "list"),
    ("customer", "show", "中国银行"),
    ("deal", "list"),
    ("score", "card", "--period", "2026-11", "--owner", "张伟"),
    ("remind",),
    ("review", "--period", "2026-11"),
    ("contact", "list"),
    ("followup", "list"),
    ("audit", "list"),
    ("tier", "list"),
]


@pytest.fixture
def archive(cli):  # noqa: ANN001, ANN201
    assert cli("manager", "add", "张伟").exit_code == 0
    assert cli("customer", "add", "中国银行", "--owner", "张伟", "--industry", "金融").exit_code == 0
    assert cli("contact", "add", "中国银行", "王秘书", "--phone", "13912345678").exit_code == 0
    assert cli("followup", "log", "中国银行", "--channel", "call", "--summary", "初次拜访",
               "--next", "报价", "--next-date", "2026-11-25").exit_code == 0
    assert cli("deal", "add", "中国银行", "--title", "理财系统", "--amount", "100000", "--stage", "报价").exit_code == 0
    return cli


@pytest.mark.sqlite_only
def test_read_commands_succeed_while_another_process_holds_the_write_lock(archive, env, db_path, sql):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        proc_env = {**os.environ, **env}
        for args in READS:
            # The guard is below the 30 s busy timeout: a command that waited for the lock
            # would be killed (TimeoutExpired) rather than pass late.
            done = subprocess.run([sys.executable, "-m", "amkit", *args], env=proc_env, capture_output=True,
                                  text=True, timeout=25)
            assert done.returncode == 0, (args, done.stderr)
            assert "locked" not in done.stderr
        # the lock really was held all along: a writer cannot get it
        blocked = subprocess.run([sys.executable, "-c",
                                  "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=0.2, "
                                  "isolation_level=None); c.execute('BEGIN IMMEDIATE')", str(db_path)],
                                 capture_output=True, text=True, timeout=25)
        assert blocked.returncode != 0 and "locked" in blocked.stderr
    finally:
        holder.communicate("\n", timeout=25)
    assert holder.returncode == 0, holder.stderr
    assert sql("SELECT count(*) FROM managers WHERE name = '持锁者'") == [(0,)]
