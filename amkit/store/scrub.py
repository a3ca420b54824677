"""Remove deleted bytes from the database files, after `customer erase` has committed.

SQLite: VACUUM rewrites the file from its live rows (no free page keeps old text, the FTS
shadow tables included) and `wal_checkpoint(TRUNCATE)` empties the WAL.
PostgreSQL: an UPDATE leaves the old row version in the heap (and its index entries) until
VACUUM reuses the space, which may be never; VACUUM FULL rewrites each table, its TOAST table
and its indexes into new files and unlinks the old ones; its ANALYZE replaces the statistics,
whose histograms and common values are samples of the column values, and VACUUM FULL of
pg_statistic drops the replaced ones. CHECKPOINT then flushes the new pages
and lets the server recycle the WAL segments that held the old values (what the WAL keeps and
for how long: README, "Erasing a customer"). Neither runs inside a transaction: they run on an
autocommit connection after the commit. VACUUM FULL needs the table's owner (or a superuser),
pg_statistic a superuser, and CHECKPOINT a superuser or a member of pg_checkpoint, so a team login that is neither gets
the list of what is left for the owner (`amkit team vacuum`).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from amkit.store import engine

WAIT = 30.0  # seconds to wait for older transactions before VACUUM FULL


def compact(tables: Iterable[str] | None = None) -> list[str]:
    """Rewrite TABLES (None: every table of the schema) and flush the log. Returns what was left
    undone for want of privileges or because a reader held the WAL: [] when everything was done."""
    eng = engine.engine()
    if engine.is_sqlite(eng):
        return _sqlite(eng)
    return _postgresql(eng, None if tables is None else sorted(set(tables)))


def _sqlite(eng: sa.Engine) -> list[str]:
    raw = eng.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("VACUUM")
        cur.execute("PRAGMA busy_timeout = 2000")  # a reader holding the WAL: report it, don't wait long
        busy = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cur.close()
    finally:
        raw.close()
    return ["WAL (another process is reading)"] if busy and busy[0] else []


def _postgresql(eng: sa.Engine, tables: list[str] | None) -> list[str]:
    left: list[str] = []
    with eng.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        rows = conn.execute(sa.text(
            "SELECT c.relname, c.oid, pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'm')")).all()
        owned = {name: (oid, mine) for name, oid, mine in rows}
        chosen = [t for t in (tables if tables is not None else sorted(owned)) if t in owned]
        left += [t for t in chosen if not owned[t][1]]
        mine = [t for t in chosen if owned[t][1]]
        if not _older_snapshots_gone(conn):
            left.append("rows an older open transaction can still see")
        stats = conn.execute(sa.text("SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
                                     "WHERE oid = 'pg_catalog.pg_statistic'::regclass")).scalar()
        if stats and mine:  # ANALYZE keeps the old statistics of a table it finds empty
            conn.execute(sa.text("DELETE FROM pg_catalog.pg_statistic WHERE starelid = ANY(:oids)"),
                         {"oids": [owned[t][0] for t in mine]})
        for table in mine:
            # ANALYZE too: the old statistics (histogram bounds, common values) hold sampled values
            conn.exec_driver_sql(f'VACUUM (FULL, ANALYZE) "{table}"')
        if stats:  # the replaced statistics stay as dead rows of pg_statistic (a catalog)
            conn.exec_driver_sql("VACUUM FULL pg_catalog.pg_statistic")
        else:
            left.append("pg_statistic")
        try:
            conn.exec_driver_sql("CHECKPOINT")
        except sa.exc.DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient_privilege
                raise
            left.append("CHECKPOINT")
    return left


def _older_snapshots_gone(conn: sa.Connection, wait: float = WAIT) -> bool:
    """Wait (up to WAIT seconds) for the transactions that began before now. VACUUM FULL keeps
    every row version a running snapshot may still see, and a snapshot's horizon is the oldest
    transaction still running anywhere on the server (a long import in another database holds
    it back too); read-only snapshots of this database (an autovacuum ANALYZE, a colleague's
    open transaction) hold it without a transaction id. Logins that may not see other sessions
    see none of the latter."""
    import time

    now = conn.execute(sa.text("SELECT txid_current(), clock_timestamp()")).one()
    deadline = time.monotonic() + wait
    while True:
        older = conn.execute(sa.text(
            "SELECT txid_snapshot_xmin(txid_current_snapshot()) <= :xid OR EXISTS ("
            "SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND (datname = current_database() OR datid IS NULL) "
            "AND backend_xmin IS NOT NULL AND xact_start < :start)"),
            {"xid": now[0], "start": now[1]}).scalar()
        if not older:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
