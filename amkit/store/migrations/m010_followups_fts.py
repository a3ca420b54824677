"""m010: full-text search over follow-ups (SQLite FTS5, trigram tokenizer).

``followups_fts`` is an external-content FTS5 table over ``followups.summary``, ``outcome`` and
``next_action`` (rowid = followups.id), kept in step by three triggers. The trigram tokenizer
indexes every 3-character run, so Chinese text (no spaces between words) and mixed
Chinese/English text are searchable by substring; queries shorter than 3 characters use LIKE
(amkit.followups.queries). On other databases, or an SQLite built without FTS5/trigram
(SQLite < 3.34), nothing is created and search falls back to LIKE/ILIKE.
"""

from __future__ import annotations

from alembic.operations import Operations

from amkit.store.migrations.fts_index import trigram_available

COLUMNS = "summary, outcome, next_action"
STATEMENTS = (
    f"CREATE VIRTUAL TABLE followups_fts USING fts5({COLUMNS}, content='followups', "
    "content_rowid='id', tokenize='trigram')",
    f"""CREATE TRIGGER followups_fts_ai AFTER INSERT ON followups BEGIN
  INSERT INTO followups_fts(rowid, {COLUMNS}) VALUES (new.id, new.summary, new.outcome, new.next_action);
END""",
    f"""CREATE TRIGGER followups_fts_ad AFTER DELETE ON followups BEGIN
  INSERT INTO followups_fts(followups_fts, rowid, {COLUMNS})
  VALUES ('delete', old.id, old.summary, old.outcome, old.next_action);
END""",
    f"""CREATE TRIGGER followups_fts_au AFTER UPDATE OF {COLUMNS} ON followups BEGIN
  INSERT INTO followups_fts(followups_fts, rowid, {COLUMNS})
  VALUES ('delete', old.id, old.summary, old.outcome, old.next_action);
  INSERT INTO followups_fts(rowid, {COLUMNS}) VALUES (new.id, new.summary, new.outcome, new.next_action);
END""",
    "INSERT INTO followups_fts(followups_fts) VALUES ('rebuild')",  # index rows already there
)


def upgrade(op: Operations) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite" or not trigram_available(conn):
        return
    for statement in STATEMENTS:
        conn.exec_driver_sql(statement)
