"""The light read path (amkit.fastdb): no SQLAlchemy in hot read commands, and a database
that is missing or behind on migrations is still created and migrated first."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from amkit.store import migrations

PROBE = ("import atexit, sys\n"
         "atexit.register(lambda: print('heavy:' + ','.join(m for m in ('sqlalchemy', 'sqlmodel', 'alembic') "
         "if m in sys.modules), file=sys.stderr))\n"
         "sys.argv = ['amkit', *sys.argv[1:]]\n"
         "from amkit.cli import main\nmain()\n")


def _heavy_modules(env, *argv: str) -> tuple[str, list[str]]:  # noqa: ANN001
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env={**os.environ, **env})
    assert out.returncode in (0, 10), out.stderr
    heavy = out.stderr.strip().splitlines()[-1].removeprefix("heavy:")
    return out.stdout, [m for m in heavy.split(",") if m]


@pytest.fixture
def filled(cli):  # noqa: ANN001, ANN201
    assert cli("manager", "add", "王芳").exit_code == 0
    assert cli("customer", "add", "华信科技", "--owner", "王芳", "--tier", "A").exit_code == 0
    assert cli("followup", "log", "华信科技", "--channel", "call", "--summary", "讨论续约和年度预算",
               "--at", "2026-11-01 10:00", "--next", "发报价", "--next-date", "2026-11-20").exit_code == 0


def test_remind_and_search_run_without_sqlalchemy(env, filled):  # noqa: ANN001
    out, heavy = _heavy_modules(env, "remind", "-f", "json")  # today's run: nothing to move, so no write
    assert heavy == []
    kinds = {(r["kind"], r["customer"]) for r in json.loads(out)}
    # tier A cadence is 7 days: silent since 11-01 → due 11-08; the next action was due 11-20
    assert kinds == {("cadence", "华信科技"), ("next_action", "华信科技")}
    out, heavy = _heavy_modules(env, "followup", "search", "年度预算", "-f", "json")
    assert heavy == [] and [r["customer"] for r in json.loads(out)] == ["华信科技"]


@pytest.mark.sqlite_only
def test_a_missing_database_is_created_and_migrated_first(env, tmp_path, cli):  # noqa: ANN001
    path = tmp_path / "fresh" / "new.db"
    result = cli("followup", "search", "续约", "-f", "json", extra_env={"AMKIT_DB": str(path)})
    assert result.exit_code == 0, result.stderr
    assert result.json() == []
    with sqlite3.connect(path) as con:
        done = [r[0] for r in con.execute("SELECT name FROM amkit_migrations ORDER BY name")]
    assert done == migrations.names()


@pytest.mark.sqlite_only
def test_pending_migrations_run_before_a_light_read(tmp_path, cli):  # noqa: ANN001
    import sqlalchemy as sa

    path = tmp_path / "old.db"
    first = migrations.names()[0]
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrations.migrate(conn, upto=first)
    engine.dispose()
    result = cli("remind", "-f", "json", extra_env={"AMKIT_DB": str(path)})
    assert result.exit_code == 0, result.stderr
    with sqlite3.connect(path) as con:
        done = [r[0] for r in con.execute("SELECT name FROM amkit_migrations ORDER BY name")]
    assert done == migrations.names()


def test_tier_and_score_reads_run_without_sqlalchemy(env, filled, cli):  # noqa: ANN001
    assert cli("deal", "add", "华信科技", "--amount", "12345.67", "--stage", "won",
               "--created", "2026-10-02").exit_code == 0
    for argv in (("tier", "run", "--dry-run", "-f", "json"), ("tier", "list", "-f", "json"),
                 ("report", "pareto", "-f", "json"), ("score", "card", "--period", "2026Q4", "-f", "json"),
                 ("score", "card", "--period", "2026Q4", "--owner", "王芳", "-f", "json")):
        out, heavy = _heavy_modules(env, *argv)
        assert heavy == [], argv
        rows = json.loads(out)
        assert len(rows) == 1, argv
    tier = json.loads(_heavy_modules(env, "tier", "run", "--dry-run", "-f", "json")[0])[0]
    assert (tier["customer"], tier["value"], tier["share"], tier["tier"]) == ("华信科技", 12345.67, 1.0, "A")
    card = json.loads(_heavy_modules(env, "score", "card", "--period", "2026Q4", "-f", "json")[0])[0]
    assert (card["owner"], card["revenue"], card["deals_won"], card["followups"]) == ("王芳", 12345.67, 1, 1)
