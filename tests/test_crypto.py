"""Sensitive contact fields encrypted at rest with AMKIT_KEY (issue 13), on either backend."""

from __future__ import annotations

import json

import pytest

from conftest import BACKEND

KEY = "k3y-for-tests-0123456789abcdefghijklmnopqrstuvwxyz"
PHONE, EMAIL, WECHAT = "13912345678", "Li.Ming@Example.com", "liming_wx88"


@pytest.fixture
def keyed(cli, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("AMKIT_KEY", KEY)
    assert cli("manager", "add", "张伟").exit_code == 0
    assert cli("customer", "add", "中国银行", "--owner", "张伟").exit_code == 0
    assert cli("customer", "add", "中行北京").exit_code == 0
    run = cli("contact", "add", "中国银行", "李明", "--phone", "+86 139-1234-5678", "--email", EMAIL,
              "--wechat", WECHAT, "--birthday", "1980-11-25")
    assert run.exit_code == 0, run.stderr
    assert cli("contact", "add", "中行北京", "王芳", "--phone", PHONE).exit_code == 0
    return cli


def _everything_stored(env, sql) -> str:  # noqa: ANN001
    """Every byte the database holds: the SQLite file and its WAL, or every PostgreSQL table as text."""
    if BACKEND == "sqlite":
        from pathlib import Path

        db = Path(env["AMKIT_DB"])
        parts = [p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists()]
        return b"".join(parts).decode("utf-8", "replace")
    tables = [r[0] for r in sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    return "\n".join(str(row[0]) for t in tables for row in sql(f'SELECT t::text FROM "{t}" t'))


def test_no_plaintext_phone_email_or_wechat_at_rest(keyed, env, sql):
    stored = _everything_stored(env, sql)
    for secret in (PHONE, "139-1234-5678", EMAIL, EMAIL.lower(), WECHAT, "1980-11-25"):
        assert secret not in stored
    assert "李明" in stored  # the names are not encrypted: the check itself sees the data
    phones = [r[0] for r in sql("SELECT phone FROM contacts ORDER BY id")]
    assert all(p.startswith("enc1:") for p in phones)
    hashes = [r[0] for r in sql("SELECT phone_hash FROM contacts ORDER BY id")]
    assert hashes[0] == hashes[1] and len(hashes[0]) == 64  # the same number, written two ways


def test_lookup_by_phone_and_email_still_works(keyed):
    rows = keyed("contact", "list", "--phone", "139 1234 5678", "-f", "json").json()
    assert sorted(r["name"] for r in rows) == ["李明", "王芳"]
    rows = keyed("contact", "list", "--email", "li.ming@example.com", "-f", "json").json()
    assert [r["name"] for r in rows] == ["李明"]
    assert keyed("contact", "list", "--phone", "13900000000", "-f", "json").json() == []
    dupes = keyed("customer", "dupes", "-f", "json").json()
    assert [(d["reason"], d["customers"]) for d in dupes if d["reason"] == "phone"] == [("phone", ["中国银行", "中行北京"])]


def test_listing_and_export_mask_unless_reveal(keyed, sql):
    listed = keyed("contact", "list", "--customer", "中国银行", "-f", "json").json()[0]
    assert (listed["phone"], listed["email"], listed["wechat"], listed["birthday"]) == (
        "139****5678", "L***@Example.com", "li****", "****")
    masked = keyed("export", "contacts", "-f", "json")
    assert masked.exit_code == 0
    assert PHONE not in masked.stdout and EMAIL not in masked.stdout and "139****5678" in masked.stdout
    assert sql("SELECT count(*) FROM audit_log WHERE action = 'reveal'") == [(0,)]
    revealed = keyed("export", "contacts", "-f", "json", "--reveal")
    assert revealed.exit_code == 0
    rows = {r["name"]: r for r in json.loads(revealed.stdout)}
    assert (rows["李明"]["phone"], rows["李明"]["email"], rows["李明"]["wechat"], rows["李明"]["birthday"]) == (
        "+86 139-1234-5678", EMAIL, WECHAT, "1980-11-25")
    assert rows["王芳"]["phone"] == PHONE
    assert sql("SELECT command, table_name FROM audit_log WHERE action = 'reveal'") == [("amkit export", "contacts")]


def test_revealed_export_imports_back_and_birthdays_still_remind(keyed, tmp_path, sql):
    out = tmp_path / "contacts.csv"
    assert keyed("export", "contacts", "--reveal", "-o", out).exit_code == 0
    run = keyed("import", "contacts", out, "--mode", "upsert")
    assert run.exit_code == 0 and "2 unchanged" in run.stderr, run.stderr
    reminders = keyed("remind", "-f", "json").json()
    assert [(r["kind"], r["due"]) for r in reminders if r["kind"] == "birthday"] == [("birthday", "2026-11-25")]
    assert keyed("audit", "verify").exit_code == 0


def test_a_wrong_key_is_refused_and_no_key_shows_locked_values(keyed, monkeypatch, sql):
    monkeypatch.setenv("AMKIT_KEY", "another key entirely, 0123456789")
    run = keyed("contact", "list")
    assert run.exit_code == 4 and "AMKIT_KEY" in run.stderr
    before = sql("SELECT count(*) FROM contacts")
    run = keyed("contact", "add", "中国银行", "赵六", "--phone", "13700000000")
    assert run.exit_code == 4 and sql("SELECT count(*) FROM contacts") == before
    monkeypatch.delenv("AMKIT_KEY")
    rows = keyed("contact", "list", "--customer", "中国银行", "-f", "json").json()
    assert rows[0]["phone"] == "[encrypted]"


def test_without_a_key_values_stay_plain(cli, sql):
    assert cli("customer", "add", "Acme").exit_code == 0
    assert cli("contact", "add", "Acme", "Bob", "--phone", PHONE, "--email", EMAIL).exit_code == 0
    assert sql("SELECT phone, email, phone_hash FROM contacts") == [(PHONE, EMAIL, None)]
    exported = json.loads(cli("export", "contacts", "-f", "json").stdout)
    assert exported[0]["phone"] == PHONE
    assert [r["name"] for r in cli("contact", "list", "--phone", PHONE, "-f", "json").json()] == ["Bob"]
    bad = cli("contact", "list", "--phone", "not-a-phone")
    assert bad.exit_code == 2 and "not-a-phone" in bad.stderr


@pytest.mark.sqlite_only
def test_roles_need_team_mode(cli):
    for args in (("team", "setup"), ("user", "grant", "bob", "--role", "manager")):
        run = cli(*args)
        assert run.exit_code == 2 and "team mode" in run.stderr
