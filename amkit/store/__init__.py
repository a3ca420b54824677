"""The only package that opens a database. Features ask for one of three things:

    with store.reader() as r:         # DB-API reads (sqlite3/psycopg), no SQLAlchemy: store.raw
        rows = r.rows("SELECT id, name FROM customers WHERE owner_id = :o", o=owner_id)
    with store.write() as st:        # one audited write transaction: store.writer.Store
        st.add(Customer(name="中国银行"))
    with store.session(write=False) as s:  # an ORM session, for reads that need the models
        ...

Inside the package, from the bottom up (no module imports one above it; the `store-layers`
contract in pyproject.toml checks it):

* ``models/``, ``migrations/``: the schema and its named, recorded steps;
* ``raw``: the DB-API reader; ``fts``: full-text conditions (``fts_orm``: the same on an SQLAlchemy
  query); ``scope``: team-mode visibility;
* ``bulk``, ``crypto``, ``audit``: executemany inserts, sealed contact fields, the hash chain;
* ``writer``: the Store, the one write path (audit entries in the same transaction);
* ``engine``: SQLAlchemy engines, pragmas, migrations on first use, the per-command transaction;
* ``lookup``, ``backup``, ``copy``: names to rows, backup/restore/doctor, whole-database copy.

Importing ``amkit.store`` or ``amkit.store.raw`` does not import SQLAlchemy (about 0.5 s per
process): the hot read commands never load it.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from amkit import context

if TYPE_CHECKING:
    from sqlmodel import Session

    from amkit.store.raw import Reader
    from amkit.store.writer import Store


@contextmanager
def reader(url: str | None = None) -> Iterator["Reader"]:
    """One read transaction on the driver itself. A database that does not exist yet or has
    migrations pending is created and migrated first (through the engine)."""
    from amkit.errors import ServiceError
    from amkit.store import raw

    url = url or context.current().database_url
    opened = raw.connect(url)
    if opened is None:
        from amkit.store import engine

        engine.engine_for(url)  # creates and migrates it, or raises its one-line error
        opened = raw.connect(url)
        if opened is None:
            raise ServiceError("database unavailable (cannot open it for reading)")
    conn, dialect = opened
    try:
        yield raw.Reader(conn, dialect)
    finally:
        raw.close(conn)


@contextmanager
def write(command: str | None = None) -> Iterator["Store"]:
    """A write transaction with its Store; the audit entries land before the commit."""
    from amkit.store.engine import session as open_session
    from amkit.store.writer import Store

    with open_session(write=True) as sess:
        st = Store(sess, command or context.current().command)
        yield st
        st.flush_audit()


def session(write: bool = True) -> "Iterator[Session]":
    """The per-command ORM transaction (amkit.store.engine.session)."""
    from amkit.store.engine import session as open_session

    return open_session(write=write)


def record_reveal(table: str, detail: dict) -> None:
    """`--reveal` is audited (action "reveal"), in its own transaction, before anything is shown."""
    from amkit.store import crypto

    with write() as st:
        st.record("reveal", table, None, None, {"key_set": crypto.active(), **detail})
