"""`customer erase` leaves nothing (issue 25, PIPL erase): a marker planted in every column and
audit payload that can hold the person's data is gone from every table (PostgreSQL: by SQL over
every column, and from the table files), from the SQLite file and its WAL, and from the FTS
shadow tables; backups made before the erase are named, with the command that removes them."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from conftest import BACKEND

MARK = "周秘密ZQX"
KEEP, DROP = "周秘密ZQX科技", "周秘密ZQX分部"
# the customers' pinyin keys (amkit.core.pinyin.keys): both full keys start with "zhoumimizqx"
PINYIN = ["zhoumimizqx", "zmmzkj", "zmmzfb"]
TRIGRAMS = ["周秘密", "秘密z", "密zq", "zqx"]  # trigram terms of the marker (folded to lower case)


def _plant(cli) -> None:  # noqa: ANN001
    """The marker in every place a customer's data can be: rows, audit payloads, merged customer."""
    ok = lambda *a: _ok(cli(*a))  # noqa: E731
    ok("manager", "add", "张伟")
    ok("manager", "add", "李娜")
    ok("customer", "add", KEEP, "--owner", "张伟", "--industry", "金融")
    ok("customer", "add", DROP, "--owner", "张伟")
    ok("customer", "add", "留下公司", "--owner", "李娜")
    ok("customer", "edit", KEEP, "--extra", f"地址={MARK}路1号", "--add-tag", f"{MARK}标签")
    ok("contact", "add", KEEP, f"{MARK}本人", "--phone", "13987650001", "--email", "zqx@mimi.example",
       "--wechat", "wx_zqx_mimi")
    ok("contact", "add", DROP, f"{MARK}秘书", "--phone", "13987650002")
    ok("followup", "log", KEEP, "--channel", "visit", "--summary", f"拜访{MARK}，谈续约", "--outcome",
       f"{MARK}同意", "--next", f"给{MARK}发报价", "--contact", f"{MARK}本人")
    ok("followup", "log", DROP, "--channel", "call", "--summary", f"电话{MARK}分部")
    ok("deal", "add", KEEP, "--stage", "quote", "--amount", "50000", "--title", f"{MARK}维保")
    ok("deal", "move", "1", "lost", "--reason", f"联系人{MARK}离职了", "--reason-code", "other")
    ok("deal", "add", DROP, "--stage", "won", "--amount", "80000", "--title", f"{MARK}分部项目")
    ok("deal", "move", "2", "negotiation", "--reason", f"{MARK}要求重谈")
    ok("deal", "move", "2", "won", "--reason", f"{MARK}签字")
    ok("payment", "add", "2", "30000", "--date", "2026-11-20", "--note", f"{MARK}付款")
    ok("survey", "add", KEEP, "--score", "4", "--note", f"{MARK}满意")
    ok("complaint", "add", KEEP, f"{MARK}投诉发票")
    ok("complaint", "resolve", "1", "--resolution", f"已回复{MARK}")
    ok("kb", "add", "--title", f"{MARK}案例", "--body", f"{MARK}的续约经验", "--tag", "案例", "--customer", KEEP)
    ok("customer", "edit", KEEP, "--stage", "churned", "--reason", f"{MARK}流失")
    ok("customer", "handover", "--from", "张伟", "--to", "李娜", "--customer", KEEP, "--note", f"{MARK}喜欢电话")
    ok("contact", "list", "--customer", KEEP, "--reveal")  # a row-less audit entry naming the customer
    ok("customer", "merge", KEEP, DROP)  # DROP's name and pinyin stay in the audit payloads of the merge
    # the other customer mentions nothing of the person and keeps everything
    ok("followup", "log", "留下公司", "--channel", "visit", "--summary", "留下的记录内容")

    from amkit import store
    from amkit.store import lookup
    from amkit.store.models import Followup, TierChange

    with store.write("test") as st:  # tier history with a note, and a follow-up deleted before the erase
        cid = lookup.customer(st.session, KEEP).id
        st.add(TierChange(customer_id=cid, on=dt.date(2026, 11, 1), old_tier="C", new_tier="A",
                          method="manual", note=f"{MARK}升级"))
        gone = st.add(Followup(customer_id=cid, owner_id=1, channel="call", summary=f"删掉的{MARK}记录",
                               at=dt.datetime(2026, 11, 2, 10, 0)))
        st.flush_audit()
        st.delete(gone)


def _ok(r):  # noqa: ANN001, ANN202
    assert r.exit_code == 0, r.stderr
    return r


def _sqlite_bytes(env) -> bytes:  # noqa: ANN001
    from amkit.store import engine

    engine.dispose()
    path = Path(env["AMKIT_DB"])
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def _pg_values(sql) -> str:  # noqa: ANN001
    """Every value of every column of every table, as text, by SQL."""
    tables = [r[0] for r in sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    return "\n".join(str(v) for t in tables for row in sql(f'SELECT * FROM "{t}"') for v in row)


def _everywhere(sql, env) -> str:  # noqa: ANN001
    if BACKEND == "sqlite":
        return _sqlite_bytes(env).decode("utf-8", errors="replace").lower()
    return _pg_values(sql).lower()


def test_marker_everywhere_then_erase_leaves_nothing(cli, sql, env):
    _plant(cli)
    before = _everywhere(sql, env)
    for s in [MARK.lower(), *PINYIN, "联系人周秘密zqx离职了", "13987650002"]:
        assert s in before, s  # planted: the search below can fail
    r = cli("customer", "erase", KEEP, "--yes")
    assert r.exit_code == 0, r.stderr
    assert "still in the database files" not in r.stderr  # this login owns the tables: all rewritten
    after = _everywhere(sql, env)
    for s in [MARK.lower(), *PINYIN, "13987650001", "13987650002", "zqx@mimi", "wx_zqx_mimi"]:
        assert s not in after, s
    assert "留下的记录内容" in after and "留下公司" in after  # the other customer's data stays
    # the anonymised figures stay: deals, amounts, stages, the payment, the survey score
    assert sql("SELECT amount_cents, stage, title, lost_reason FROM deals ORDER BY id") == [
        (5000000, "lost", None, None), (8000000, "won", None, None)]
    assert sql("SELECT reason FROM deal_stage_history WHERE reason IS NOT NULL") == []
    assert sql("SELECT amount_cents, note FROM payments") == [(3000000, None)]
    assert sql("SELECT score FROM surveys") == [(4,)]
    assert sql("SELECT name FROM customers ORDER BY id") == [("[erased #1]",), ("留下公司",)]
    assert sql("SELECT count(*) FROM contacts") == [(0,)]
    # redacted entries: every entry about the person's rows, the merged customer's, the deleted
    # follow-up's and the --reveal entry; the chain and the replay still verify
    assert sql("SELECT count(*) FROM audit_log WHERE action = 'merge' AND erased = ?", True) == [(1,)]
    assert sql("SELECT count(*) FROM audit_log WHERE action = 'reveal' AND erased = ?", True) == [(1,)]
    assert sql("SELECT count(*) FROM audit_log WHERE table_name = 'customers' AND row_id = 2 AND erased = ?",
               False) == [(0,)]  # the merged customer's insert, edits and delete
    v = cli("audit", "verify")
    assert v.exit_code == 0, v.stderr


@pytest.mark.sqlite_only
def test_fts_shadow_tables_keep_no_trigram_of_the_marker(cli, env):
    _plant(cli)
    vocab = _fts_terms(env)
    assert all(t in vocab for t in TRIGRAMS)  # indexed before the erase
    assert _ok(cli("followup", "search", "秘密ZQX")).stdout.strip()  # and found
    _ok(cli("customer", "erase", KEEP, "--yes"))
    vocab = _fts_terms(env)
    assert not [t for t in TRIGRAMS if t in vocab]
    assert "留下的" in vocab  # the other customer's follow-up is still indexed
    assert MARK.encode() not in _sqlite_bytes(env)
    wal = Path(env["AMKIT_DB"] + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


@pytest.mark.sqlite_only
def test_a_reader_holding_the_wal_is_reported_and_team_vacuum_finishes(cli, env):
    """Another process reading keeps the WAL (with the erased pages) from being truncated: erase
    says so and what to run; `amkit team vacuum` once the reader is gone empties it."""
    _plant(cli)
    from amkit.store import engine

    engine.dispose()
    reader = sqlite3.connect(env["AMKIT_DB"], isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM customers").fetchone()  # a read transaction, held open
    r = _ok(cli("customer", "erase", KEEP, "--yes"))
    assert ("the erased data is still in the database files (WAL (another process is reading)): the database "
            "owner must run `amkit team vacuum`") in r.stderr.splitlines()
    assert MARK.encode() in _sqlite_bytes(env)  # what the message is about
    reader.execute("COMMIT")
    reader.close()
    v = _ok(cli("team", "vacuum"))
    assert "team vacuum: every table rewritten and checkpointed" in v.stderr
    assert MARK.encode() not in _sqlite_bytes(env)


def _fts_terms(env) -> set[str]:  # noqa: ANN001
    from amkit.store import engine

    engine.dispose()
    con = sqlite3.connect(env["AMKIT_DB"])
    try:
        terms: set[str] = set()
        for table in ("followups_fts", "kb_fts"):
            con.execute(f"CREATE VIRTUAL TABLE temp.v_{table} USING fts5vocab(main, {table}, 'row')")
            terms.update(r[0] for r in con.execute(f"SELECT term FROM temp.v_{table}"))
        return terms
    finally:
        con.close()


@pytest.mark.pg_only
def test_postgresql_table_files_keep_no_byte_of_the_marker(cli, sql, env):
    """Read the database's files as the server's OS user would (this test runs as root, next to
    the server): before the erase the marker is in the heap files, after it in none of them."""
    data = Path(sql("SHOW data_directory")[0][0])
    # .ci/run starts the server as the same (root) user that runs the tests: its files are readable
    assert data.is_dir() and _readable(data), f"the server's data directory {data} is not readable"
    _plant(cli)
    db_dir = data / Path(sql("SELECT pg_relation_filepath('customers')")[0][0]).parent
    sql("ANALYZE")  # as autovacuum does: pg_statistic keeps sample values (histogram bounds)
    sql("CHECKPOINT")
    assert MARK.encode() in _files(db_dir)
    r = _ok(cli("customer", "erase", KEEP, "--yes"))
    assert "still in the database files" not in r.stderr
    found = {p.name: _rel(sql, p.name) for p in db_dir.iterdir() if p.is_file() and MARK.encode() in p.read_bytes()}
    assert found == {}


def _readable(path: Path) -> bool:
    try:
        next(path.iterdir(), None)
        return True
    except OSError:
        return False


def _files(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in directory.iterdir() if p.is_file())


def _rel(sql, filename: str) -> str:  # noqa: ANN001
    node = filename.split("_")[0].split(".")[0]
    rows = sql("SELECT relname FROM pg_class WHERE pg_relation_filenode(oid)::text = ?", node) if node.isdigit() else []
    return rows[0][0] if rows else "?"


def test_erase_names_the_backups_made_before_it(cli, env, tmp_path):
    """Backups the audit log recorded ("backup" entries, written by `backup`) that still exist are
    listed on stderr with `backup prune --before DATE`; a recorded one since removed is not."""
    from amkit import store

    _ok(cli("customer", "add", KEEP))
    kept, removed = tmp_path / "amkit-20261101-090000.db", tmp_path / "amkit-20261102-090000.db"
    kept.write_bytes(b"a backup holding " + MARK.encode())
    with store.write("backup") as st:  # the entries `backup` writes (the data-loss part of issue 25)
        for path, at in ((kept, "2026-11-01T09:00:00"), (removed, "2026-11-02T09:00:00")):
            st.record("backup", "backup", None, None, {"path": str(path), "at": at})
    r = _ok(cli("customer", "erase", KEEP, "--yes"))
    lines = r.stderr.splitlines()
    assert "1 backup(s) made before this erase still hold the erased data:" in lines
    assert f"  {kept}  (2026-11-01 09:00:00)" in lines
    assert str(removed) not in r.stderr
    assert "remove them with: amkit backup prune --before 2026-11-02" in lines
    zh = _ok(cli("customer", "add", DROP))
    assert zh.exit_code == 0
    r = _ok(cli("customer", "erase", DROP, "--yes", extra_env={"AMKIT_LANG": "zh"}))
    assert "删除之前做的 1 个备份仍含有被删除的数据：" in r.stderr
    assert "删除这些备份：amkit backup prune --before 2026-11-02" in r.stderr


def test_erase_without_backups_says_nothing_about_them(cli):
    _ok(cli("customer", "add", KEEP))
    r = _ok(cli("customer", "erase", KEEP, "--yes"))
    assert "backup" not in r.stderr


@pytest.mark.pg_only
def test_team_vacuum_as_owner_and_as_a_login_that_owns_nothing(cli, sql, env):
    """The owner rewrites every table; another login is told, in one line, what it may not
    rewrite and who must run it (exit 4), and nothing is changed."""
    import uuid

    from sqlalchemy.engine import make_url

    _ok(cli("customer", "add", KEEP))
    before = sql("SELECT pg_relation_filenode('customers')")
    r = _ok(cli("team", "vacuum"))
    assert r.stderr.strip() == "team vacuum: every table rewritten and checkpointed"
    after = sql("SELECT pg_relation_filenode('customers')")
    assert after != before  # VACUUM FULL wrote a new file
    login = f"amkit_vac_{uuid.uuid4().hex[:8]}"
    sql(f'CREATE ROLE "{login}" LOGIN')
    sql(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{login}"')  # reads, as a team login may
    try:
        url = make_url(env["AMKIT_DATABASE_URL"]).set(username=login).render_as_string(hide_password=False)
        r = cli("team", "vacuum", extra_env={"AMKIT_DATABASE_URL": url})
        assert r.exit_code == 4
        line = r.stderr.strip()
        assert line.startswith("amkit: team vacuum: this login may not rewrite ") and "\n" not in line
        assert "customers" in line and "audit_log" in line and "pg_statistic" in line and "CHECKPOINT" in line
        assert line.endswith(": run it as the database owner")
        assert sql("SELECT pg_relation_filenode('customers')") == after
    finally:
        from amkit.store import engine

        engine.dispose()
        sql(f'DROP OWNED BY "{login}"')
        sql(f'DROP ROLE "{login}"')


def test_a_merge_logged_before_merge_entries_is_traced_through_the_rows_it_moved(cli, sql):
    """Merges logged before the "merge" entry existed: the dropped customer is found through the
    update entries of the rows the merge moved (customer_id DROP -> KEEP)."""
    import sqlalchemy as sa

    from amkit import store
    from amkit.store import lookup
    from amkit.store.models import Followup

    _ok(cli("customer", "add", KEEP))
    _ok(cli("customer", "add", DROP))
    _ok(cli("customer", "add", "留下公司"))
    _ok(cli("followup", "log", DROP, "--channel", "call", "--summary", f"电话{MARK}分部"))
    with store.write("customer merge") as st:  # what `customer merge` wrote before its merge entry
        keep, drop = lookup.customer(st.session, KEEP), lookup.customer(st.session, DROP)
        for f in st.session.execute(sa.select(Followup).where(Followup.customer_id == drop.id)).scalars().all():
            st.update(f, {"customer_id": keep.id})
        st.session.flush()
        st.session.refresh(drop)
        st.delete(drop)
    assert sql("SELECT count(*) FROM audit_log WHERE action = 'merge'") == [(0,)]
    _ok(cli("customer", "erase", KEEP, "--yes"))
    assert sql("SELECT count(*) FROM audit_log WHERE table_name = 'customers' AND row_id = 2 AND erased = ?",
               False) == [(0,)]
    assert sql("SELECT count(*) FROM audit_log WHERE table_name = 'customers' AND row_id = 3 AND erased = ?",
               True) == [(0,)]  # the other customer keeps its entries
    assert not [r for r in sql("SELECT before, after FROM audit_log") if MARK in str(r)]
    assert _ok(cli("audit", "verify"))
