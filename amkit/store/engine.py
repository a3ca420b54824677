"""Engine, connection pragmas, migrations on first use, and the per-command transaction.

Only command bodies import this module (it imports SQLAlchemy).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from amkit import config, context
from amkit.core.text import mask_secrets

from amkit.errors import BadInput, Conflict, OutOfScope, ServiceError

BUSY_TIMEOUT_MS = 30_000
_engines: dict[str, sa.Engine] = {}


def url() -> str:
    return context.current().database_url


def is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite"


def sqlite_path(db_url: str) -> Path | None:
    parsed = sa.make_url(db_url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def engine() -> sa.Engine:
    return engine_for(url())


def engine_for(db_url: str) -> sa.Engine:
    """The (cached) engine of a URL, created and migrated on first use."""
    if db_url not in _engines:
        _engines[db_url] = _create(db_url)
    return _engines[db_url]


def _create(db_url: str) -> sa.Engine:
    path = sqlite_path(db_url)
    if path is not None:
        _create_private_file(path)
        eng = sa.create_engine(db_url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _sqlite_events(eng)
    else:
        try:
            eng = sa.create_engine(db_url, pool_pre_ping=True)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise BadInput(mask_secrets(f"cannot use database URL {db_url!r}: {exc}")) from None
    try:
        if not _up_to_date(eng):
            with eng.begin() as conn:
                from amkit.store.migrations import migrate

                audited: list[tuple[str, dict]] = []
                migrate(conn, audited=audited)
                if audited:
                    _audit_migration(conn, audited)
    except sa.exc.OperationalError as exc:
        raise ServiceError(f"database unavailable ({_short(exc)})") from None
    return eng


def _audit_migration(conn: sa.Connection, audited: list[tuple[str, dict]]) -> None:
    """Append the audit entries of rows a migration step changed (who "amkit", command
    "migrate <step>"), in the migration's transaction, so `audit verify` replays onto them."""
    from sqlmodel import Session

    from amkit.store import audit

    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        for name in dict.fromkeys(n for n, _ in audited):
            audit.append(session, "amkit", f"migrate {name}", [item for n, item in audited if n == name])
        session.commit()  # releases the savepoint; the migration's transaction commits the rest
    finally:
        session.close()


def _up_to_date(eng: sa.Engine) -> bool:
    """Every migration applied, asked in a deferred read (no write lock: a reader opening the
    engine must not wait behind another process's writer)."""
    from amkit.store.migrations import applied, names

    try:
        with eng.connect() as conn:
            if is_sqlite(eng):
                conn = conn.execution_options(amkit_begin="DEFERRED")
            with conn.begin():
                return set(names()) <= set(applied(conn))
    except sa.exc.DBAPIError:
        return False  # no amkit_migrations table yet


def _short(exc: Exception) -> str:
    return mask_secrets(str(getattr(exc, "orig", exc)).strip().splitlines()[0])


def _create_private_file(path: Path) -> None:
    """Create the SQLite file with mode 0600 (WAL/SHM files inherit its permissions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def _sqlite_events(eng: sa.Engine) -> None:
    @event.listens_for(eng, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(eng, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # IMMEDIATE takes the write lock up front, so concurrent writers wait on
        # busy_timeout instead of failing with "database is locked" on lock upgrade.
        mode = conn.get_execution_options().get("amkit_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def dispose() -> None:
    for eng in _engines.values():
        eng.dispose()
    _engines.clear()


@contextmanager
def session(write: bool = True) -> Iterator[Session]:
    """One command = one transaction: commit on success, roll back on any error.

    The one place team-mode refusals become exit 4: an OutOfScope raised by amkit, or
    PostgreSQL refusing a row (row-level security) or a table (no privilege), is rolled back,
    then recorded in the audit log in a transaction of its own, and re-raised as a Conflict."""
    eng = engine()
    conn = eng.connect()
    if is_sqlite(eng) and not write:
        conn = conn.execution_options(amkit_begin="DEFERRED")
    refused: OutOfScope | None = None
    try:
        with Session(bind=conn, expire_on_commit=False) as sess:
            try:
                yield sess
                sess.commit()
            except BaseException:
                sess.rollback()
                raise
    except OutOfScope as exc:
        refused = exc
    except sa.exc.OperationalError as exc:
        message = _short(exc)
        if "locked" in message or "busy" in message:
            raise Conflict(f"database is locked ({message})") from None
        raise ServiceError(f"database error ({message})") from None
    except sa.exc.IntegrityError as exc:
        message = _short(exc)
        if getattr(exc.orig, "sqlstate", None) != UNIQUE_VIOLATION and "UNIQUE" not in message:
            raise
        # e.g. a customer name taken in another manager's scope (team mode cannot see it first)
        raise Conflict(f"already exists: refused by the database ({message})") from None
    except sa.exc.DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        refused = _refusal(exc)
    finally:
        conn.close()
    if refused is not None:
        _audit_refusal(eng, refused)
        raise refused from None


INSUFFICIENT_PRIVILEGE = "42501"  # also "new row violates row-level security policy"
UNIQUE_VIOLATION = "23505"


def _refusal(exc: sa.exc.DBAPIError) -> OutOfScope:
    import re

    message = _short(exc)
    table = re.search(r'(?:table|relation) "?([\w.]+)"?', message)
    return OutOfScope(f"refused by the database, out of your scope: {message}",
                      table=table.group(1) if table else "*")


def _audit_refusal(eng: sa.Engine, refused: OutOfScope) -> None:
    """Record the refused attempt (nothing of it was written) in its own transaction."""
    from amkit.store import audit, scope as team

    entry = {"action": "refused", "table_name": refused.table, "row_id": refused.row_id, "before": None,
             "after": {"reason": refused.message}}
    try:
        with eng.connect() as conn, Session(bind=conn) as sess:
            scope = team.scope(sess)
            audit.append(sess, scope.login if scope else config.current_user(), context.current().command, [entry])
            sess.commit()
    except sa.exc.DBAPIError as exc:
        refused.details.append(f"(the refusal could not be audited: {_short(exc)})")
