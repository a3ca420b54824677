"""The migrations build exactly the schema the models describe, and keep data."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from amkit.store import migrations


def test_migrated_schema_matches_models(tmp_path):
    from sqlmodel import SQLModel

    import amkit.store.models  # noqa: F401 - registers every table

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.begin() as conn:
        migrations.migrate(conn)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(ctx, SQLModel.metadata) if not _bookkeeping(d)]
    assert diffs == []


def _bookkeeping(diff) -> bool:  # noqa: ANN001
    """Tables the migrations own that no model describes: the migration log and the FTS5
    indexes of follow-ups (m010) and the knowledge base (m060): virtual and shadow tables."""
    if not (isinstance(diff, tuple) and diff[0] == "remove_table"):
        return False
    name = diff[1].name
    return name == "amkit_migrations" or any(name == fts or name.startswith(fts + "_")
                                              for fts in ("followups_fts", "kb_fts"))


def test_first_schema_version_migrates_with_every_row_kept(tmp_path):
    path = tmp_path / "v1.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    first = migrations.names()[0]
    with engine.begin() as conn:
        assert migrations.migrate(conn, upto=first) == [first]
    con = sqlite3.connect(path)
    con.execute("INSERT INTO managers (name, active, created_at) VALUES ('张伟', 1, '2025-01-01 09:00:00')")
    con.executemany(
        "INSERT INTO customers (name, tier, tier_locked, lifecycle, tags, owner_id, name_pinyin, name_initials,"
        " created_at) VALUES (?, 'A', 0, 'active', 'vip', 1, '', '', '2025-01-02 10:00:00')",
        [("中国银行",), ("Acme",)])
    con.execute("INSERT INTO contacts (customer_id, name, is_decision_maker, birthday_lunar, created_at)"
                " VALUES (1, '李明', 1, 0, '2025-01-03 00:00:00')")
    con.commit()
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("managers", "customers",
                                                                                   "contacts")}
    con.close()
    with engine.begin() as conn:
        ran = migrations.migrate(conn)
    assert ran == migrations.names()[1:]
    con = sqlite3.connect(path)
    for table, rows in before.items():
        after = con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        # later migrations may add columns at the end; the old columns keep their values
        assert [row[: len(rows[0])] for row in after] == rows
    assert con.execute("SELECT count(*) FROM amkit_migrations").fetchone()[0] == len(migrations.names())
    with engine.begin() as conn:
        assert migrations.migrate(conn) == []
