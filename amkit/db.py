"""Engine, connection pragmas, migrations on first use, and the per-command transaction.

Only command bodies import this module (it imports SQLAlchemy).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator


import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from amkit import config

if TYPE_CHECKING:
    from amkit.store import Store
from amkit.errors import AmkitError, Conflict, ServiceError

BUSY_TIMEOUT_MS = 30_000
_engines: dict[str, sa.Engine] = {}


def url() -> str:
    return config.database_url(config.CLI_DB[0])


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
            raise AmkitError(f"cannot use database URL {db_url!r}: {exc}") from None
    try:
        with eng.begin() as conn:
            from amkit.migrations import migrate

            migrate(conn)
    except sa.exc.OperationalError as exc:
        raise ServiceError(f"database unavailable ({_short(exc)})") from None
    return eng


def _short(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).strip().splitlines()[0]


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


@contextmanager
def store(command: str | None = None) -> Iterator["Store"]:
    """A write transaction with its Store; the audit entries land before the commit."""
    from amkit.store import Store

    with session(write=True) as sess:
        st = Store(sess, command or current_command())
        yield st
        st.flush_audit()


def current_command() -> str:
    from amkit._click import get_current_context

    ctx = get_current_context(silent=True)
    return ctx.command_path if ctx else "amkit"


def dispose() -> None:
    for eng in _engines.values():
        eng.dispose()
    _engines.clear()


@contextmanager
def session(write: bool = True) -> Iterator[Session]:
    """One command = one transaction: commit on success, roll back on any error."""
    eng = engine()
    conn = eng.connect()
    if is_sqlite(eng) and not write:
        conn = conn.execution_options(amkit_begin="DEFERRED")
    try:
        with Session(bind=conn, expire_on_commit=False) as sess:
            try:
                yield sess
                sess.commit()
            except BaseException:
                sess.rollback()
                raise
    except sa.exc.OperationalError as exc:
        message = _short(exc)
        if "locked" in message or "busy" in message:
            raise Conflict(f"database is locked ({message})") from None
        raise ServiceError(f"database error ({message})") from None
    finally:
        conn.close()
