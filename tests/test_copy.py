"""Moving a database: every row of every table arrives (counts via raw SQL, checksums)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from conftest import _create_pg_database, _drop_pg_database

TABLES_WITH_ROWS = ("managers", "customers", "contacts", "deals", "payments", "goals", "audit_log")


def _sqlite_counts(path) -> dict[str, int]:  # noqa: ANN001
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES_WITH_ROWS}
    finally:
        con.close()


def test_sqlite_to_sqlite_copy_keeps_every_row(cli, tmp_path):
    src, dst = tmp_path / "src.db", tmp_path / "dst.db"
    assert cli("--db", src, "demo").exit_code == 0
    r = cli("--db", src, "copy", "--to", dst)
    assert r.exit_code == 0, r.stderr
    counts = _sqlite_counts(src)
    assert all(counts[t] > 0 for t in TABLES_WITH_ROWS)
    assert _sqlite_counts(dst) == counts
    from amkit.store import copy as copydb

    assert copydb.checksums(sa.create_engine(f"sqlite:///{src}")) == copydb.checksums(
        sa.create_engine(f"sqlite:///{dst}"))
    assert cli("--db", dst, "audit", "verify").exit_code == 0
    again = cli("--db", src, "copy", "--to", dst)
    assert again.exit_code == 4 and "not empty" in again.stderr


@pytest.mark.pg_only
def test_sqlite_to_postgresql_move(cli, tmp_path):
    import psycopg
    from sqlalchemy.engine import make_url

    src = tmp_path / "personal.db"
    assert cli("--db", src, "demo").exit_code == 0
    name, url = _create_pg_database()
    try:
        r = cli("--db", src, "copy", "--to", url)
        assert r.exit_code == 0, r.stderr
        u = make_url(url)
        with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database) as con:
            pg_counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES_WITH_ROWS}
        assert pg_counts == _sqlite_counts(src)
        from amkit.store import engine
        from amkit.store import copy as copydb

        assert copydb.checksums(sa.create_engine(f"sqlite:///{src}")) == copydb.checksums(engine.engine_for(url))
        # the team database keeps working: new ids continue after the copied ones
        added = cli("customer", "add", "新客户", "-f", "json", extra_env={"AMKIT_DATABASE_URL": url})
        assert added.exit_code == 0, added.stderr
        assert added.json()["id"] == _sqlite_counts(src)["customers"] + 1
        assert cli("audit", "verify", extra_env={"AMKIT_DATABASE_URL": url}).exit_code == 0
    finally:
        from amkit.store import engine

        engine.dispose()
        _drop_pg_database(name)
