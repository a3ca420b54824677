"""Each test gets its own SQLite file (AMKIT_DB), config file and fixed date."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

TODAY = "2026-11-23"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):  # noqa: ANN201
        return json.loads(self.stdout)


# The backend under test: SQLite files by default; AMKIT_TEST_PG_URL (a server URL such as
# postgresql+psycopg://amkit@127.0.0.1:5432/postgres) runs every test on a fresh PostgreSQL
# database instead (.ci/run does both).
PG_URL = os.environ.get("AMKIT_TEST_PG_URL")
BACKEND = "postgresql" if PG_URL else "sqlite"


def pytest_configure(config):  # noqa: ANN001, ANN201
    config.addinivalue_line("markers", "sqlite_only: needs the SQLite file itself (permissions, WAL, backup)")
    config.addinivalue_line("markers", "pg_only: needs a PostgreSQL server")
    config.addinivalue_line("markers", "backend_free: never opens the database under test (help, layers, a "
                            "pure parser, a demo file of its own): run once, in the SQLite run")


def pytest_collection_modifyitems(config, items):  # noqa: ANN001, ANN201
    for item in items:
        if BACKEND == "postgresql" and "sqlite_only" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="SQLite file behaviour; covered by the SQLite run"))
        if BACKEND == "postgresql" and "backend_free" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="no database under test; covered by the SQLite run"))
        if BACKEND == "sqlite" and "pg_only" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="needs AMKIT_TEST_PG_URL (a PostgreSQL server)"))


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):  # noqa: ANN001, ANN201
    """A database migrated once per session; each test starts from a copy of it (creating
    and migrating a database per test would dominate the suite's time)."""
    from amkit.store import engine

    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine.engine_for(f"sqlite:///{path}")
        engine.dispose()
        yield path
        return
    name, url = _create_pg_database()
    engine.engine_for(url)
    engine.dispose()
    yield name
    _drop_pg_database(name)


@pytest.fixture
def env(tmp_path, monkeypatch, template_db):  # noqa: ANN001, ANN201
    values = {
        "AMKIT_CONFIG": str(tmp_path / "config.toml"),
        "AMKIT_TODAY": TODAY,
        "AMKIT_LANG": "en",
        "AMKIT_USER": "tester",
        "XDG_DATA_HOME": str(tmp_path / "data"),  # the platform data dir (PostgreSQL's default audit anchor)
    }
    for key in ("AMKIT_DATABASE_URL", "AMKIT_DEBUG", "AMKIT_DB"):
        monkeypatch.delenv(key, raising=False)
    pg_db = None
    if BACKEND == "postgresql":
        pg_db, values["AMKIT_DATABASE_URL"] = _create_pg_database(template=template_db)
    else:
        values["AMKIT_DB"] = str(tmp_path / "amkit.db")
        shutil.copy2(template_db, values["AMKIT_DB"])
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    yield values
    from amkit import context

    context.reset()
    if "amkit.store.engine" in sys.modules:
        sys.modules["amkit.store.engine"].dispose()
    if pg_db:
        _drop_pg_database(pg_db)


def _pg_admin():  # noqa: ANN202
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    return psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                           dbname=url.database or "postgres", autocommit=True), url


def _create_pg_database(template: str | None = None) -> tuple[str, str]:
    import uuid

    name = f"amkit_t_{uuid.uuid4().hex[:12]}"
    con, url = _pg_admin()
    with con:
        con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name, url.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(name: str) -> None:
    con, _ = _pg_admin()
    with con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cli(env):  # noqa: ANN001, ANN201
    """Run amkit in-process: cli("customer", "add", "X") -> Run."""
    from amkit.cli import app

    def run(*args: str, input: str | None = None, extra_env: dict | None = None) -> Run:
        runner = CliRunner()
        result = runner.invoke(app, [str(a) for a in args], input=input, env=extra_env,
                               catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def sh(env):  # noqa: ANN001, ANN201
    """Run the real `amkit` program in a subprocess (no TTY)."""
    def run(*args: str, input: str | None = None, extra_env: dict | None = None, cwd=None) -> Run:  # noqa: ANN001
        full_env = {**os.environ, **env, **(extra_env or {})}
        proc = subprocess.run([sys.executable, "-m", "amkit", *map(str, args)], input=input, env=full_env,
                              capture_output=True, text=True, cwd=cwd, timeout=120)
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def sql(env):  # noqa: ANN001, ANN201
    """Run SQL on the test database with the plain driver, autocommit (an independent route):
    sqlite3 for SQLite, psycopg for PostgreSQL. Write `?` placeholders; JSON comes back as
    text and dates/times as ISO text on both backends."""
    if BACKEND == "sqlite":
        def query(statement: str, *params):  # noqa: ANN001, ANN202
            con = sqlite3.connect(env["AMKIT_DB"], isolation_level=None)
            try:
                return con.execute(statement, params).fetchall()
            finally:
                con.close()
        return query

    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(env["AMKIT_DATABASE_URL"])

    def pg_query(statement: str, *params):  # noqa: ANN001, ANN202
        with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                             dbname=url.database, autocommit=True) as con:
            cur = con.execute(statement.replace("%", "%%").replace("?", "%s"), params)
            rows = cur.fetchall() if cur.description else []
        return [tuple(_pg_value(v) for v in row) for row in rows]
    return pg_query


def _pg_value(value):  # noqa: ANN001, ANN202
    import datetime as dt

    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy writes DATETIME text in SQLite
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.fixture
def db_path(env) -> Path:  # noqa: ANN001
    """The SQLite file (tests that use it are marked sqlite_only)."""
    return Path(env["AMKIT_DB"])


DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def connect(env):  # noqa: ANN001, ANN201
    """A plain DB-API connection to the test database for fixtures written in raw SQL
    (`?` placeholders, `with con:` commits, `lastrowid` after an INSERT) on either backend."""
    if "AMKIT_DB" in env:
        return sqlite3.connect(env["AMKIT_DB"])
    return _PgConnection(env["AMKIT_DATABASE_URL"])


class _PgConnection:
    def __init__(self, url: str):
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(url)
        self.con = psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                                   dbname=u.database)

    def execute(self, statement: str, params=()):  # noqa: ANN001, ANN201
        statement = statement.replace("%", "%%").replace("?", "%s")
        insert = statement.lstrip().upper().startswith("INSERT") and "RETURNING" not in statement.upper()
        cur = self.con.execute(statement + (" RETURNING id" if insert else ""), _pg_params(params))
        return _PgResult(cur, cur.fetchone()[0] if insert else None)

    def executemany(self, statement: str, rows) -> None:  # noqa: ANN001
        with self.con.cursor() as cur:
            cur.executemany(statement.replace("%", "%%").replace("?", "%s"), [_pg_params(r) for r in rows])

    def commit(self) -> None:
        self.con.commit()

    def close(self) -> None:
        self.con.close()

    def __enter__(self):  # noqa: ANN204
        return self

    def __exit__(self, kind, *rest) -> None:  # noqa: ANN001
        if kind is None:
            self.con.commit()
        else:
            self.con.rollback()


class _PgResult:
    def __init__(self, cursor, lastrowid):  # noqa: ANN001
        self.cursor, self.lastrowid = cursor, lastrowid

    def fetchone(self):  # noqa: ANN201
        return self.cursor.fetchone()

    def fetchall(self):  # noqa: ANN201
        return self.cursor.fetchall()

    def __iter__(self):  # noqa: ANN204
        return iter(self.cursor)


def _pg_params(params):  # noqa: ANN001, ANN202
    return tuple(params)
