"""Each test gets its own SQLite file (AMKIT_DB), config file and fixed date."""

from __future__ import annotations

import json
import os
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


@pytest.fixture
def env(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    values = {
        "AMKIT_DB": str(tmp_path / "amkit.db"),
        "AMKIT_CONFIG": str(tmp_path / "config.toml"),
        "AMKIT_TODAY": TODAY,
        "AMKIT_LANG": "en",
        "AMKIT_USER": "tester",
    }
    for key in ("AMKIT_DATABASE_URL", "AMKIT_DEBUG"):
        monkeypatch.delenv(key, raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    yield values
    from amkit import config

    config.CLI_DB[0] = None
    if "amkit.db" in sys.modules:
        sys.modules["amkit.db"].dispose()


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
    """Query the test database with the plain sqlite3 module (an independent route)."""
    def query(statement: str, *params):  # noqa: ANN001, ANN202
        con = sqlite3.connect(env["AMKIT_DB"])
        try:
            return con.execute(statement, params).fetchall()
        finally:
            con.close()

    return query


@pytest.fixture
def db_path(env) -> Path:  # noqa: ANN001
    return Path(env["AMKIT_DB"])


DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
