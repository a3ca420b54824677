"""The demo is kept apart from real work (issue 20 §5): `demo --reset` never deletes a record
the demo did not create; `amkit --db X demo --tour` tours X; init/doctor name the database."""

from __future__ import annotations

import re

import pytest


def test_reset_refuses_while_user_records_exist_and_keeps_them(cli, sql):
    assert cli("demo").exit_code == 0
    customers = sql("SELECT count(*) FROM customers")
    assert cli("customer", "add", "我的真客户").exit_code == 0
    assert cli("contact", "add", "我的真客户", "王经理").exit_code == 0
    before = sql("SELECT id, name FROM customers ORDER BY id")
    r = cli("demo", "--reset")
    assert r.exit_code == 4 and r.stdout == ""
    assert "2 record(s) the demo did not create (contacts 1, customers 1)" in r.stderr
    assert sql("SELECT id, name FROM customers ORDER BY id") == before
    assert sql("SELECT count(*) FROM contacts WHERE name = '王经理'") == [(1,)]
    zh = cli("demo", "--reset", extra_env={"AMKIT_LANG": "zh"})
    assert zh.exit_code == 4 and "2 条不是演示生成的记录" in zh.stderr
    assert sql("SELECT count(*) FROM customers") == [(customers[0][0] + 1,)]


def test_reset_rebuilds_an_untouched_demo(cli, sql):
    assert cli("demo").exit_code == 0
    customers = sql("SELECT count(*) FROM customers")
    assert cli("followup", "list").exit_code == 0  # reads do not count
    r = cli("demo", "--reset")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT count(*) FROM customers") == customers


def test_tour_runs_against_the_db_option(cli, env, tmp_path, sql):
    other = tmp_path / "demo.db"
    r = cli("--db", str(other), "demo", "--tour")
    assert r.exit_code == 0, r.stderr
    assert "customer not found" not in r.stderr and "amkit:" not in r.stderr
    assert "中国银行上海分行" in r.stdout  # the pinyin step found the demo customer in X
    assert str(other) in r.stderr  # it says which file holds the demo
    assert sql("SELECT count(*) FROM customers") == [(0,)]  # the default database is untouched


def test_init_and_doctor_name_the_database(cli, env):
    where = env.get("AMKIT_DB") or env["AMKIT_DATABASE_URL"].rsplit("/", 1)[-1]  # the file, or the PG database
    r = cli("init")
    assert r.exit_code == 0 and "database ready at " in r.stderr and where in r.stderr


@pytest.mark.sqlite_only  # doctor checks a SQLite file
def test_doctor_names_the_database(cli, env):
    where = env["AMKIT_DB"]
    rows = cli("doctor", "-f", "json").json()
    assert rows[0]["check"] == "database" and rows[0]["detail"].endswith(where)
    assert where in cli("doctor").stdout.split("\n")[2]  # the first row of the table
