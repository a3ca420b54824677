"""A tamper-evident audit (issue 25): every row of every audited table is checked against the
log; anchors kept outside the database catch a truncated log and a recomputed chain; with
AMKIT_AUDIT_KEY the chain is an HMAC, so recomputing it without the key fails.

The attacks are done by raw SQL on the test database (sqlite3 / psycopg through the `sql`
fixture), the way someone with the file or a database login would, on both backends."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from amkit.store.audit import chain_hash, payload_hash
from conftest import BACKEND

PERIOD = "2026Q4"
KEY = "s3cret-audit-key-XYZ"
JSON_PARAM = "CAST(? AS json)" if BACKEND == "postgresql" else "?"


def _canonical(data):  # noqa: ANN001, ANN202
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _load(value):  # noqa: ANN001, ANN202
    return json.loads(value) if isinstance(value, str) else value


def _seed(cli, **extra):  # noqa: ANN001, ANN003, ANN202
    for argv in (("manager", "add", "Ann"), ("customer", "add", "华信科技", "--owner", "Ann", "--industry", "金融"),
                 ("deal", "add", "华信科技", "--amount", "527600", "--stage", "won", "--created", "2026-10-02")):
        r = cli(*argv, **extra)
        assert r.exit_code == 0, r.stderr


def _revenue(cli) -> float:  # noqa: ANN001
    r = cli("score", "card", "--period", PERIOD, "-f", "json")
    assert r.exit_code == 0, r.stderr
    return {row["owner"]: row for row in r.json()}["Ann"]["revenue"]


def _insert_won_deal(sql) -> int:  # noqa: ANN001
    """The reproduction: a won deal of ¥10,000,000 inserted behind amkit's back."""
    (cid, owner), = sql("SELECT id, owner_id FROM customers WHERE name = '华信科技'")
    sql("INSERT INTO deals (customer_id, owner_id, amount_cents, stage, created, closed_at, created_at) "
        "VALUES (?, ?, ?, 'won', ?, ?, ?)", cid, owner, 1_000_000_000, "2026-11-01", "2026-11-02",
        "2026-11-02 10:00:00")
    (deal_id,), = sql("SELECT max(id) FROM deals")
    return deal_id


def _dump(sql):  # noqa: ANN001, ANN202
    return sql("SELECT * FROM audit_log ORDER BY id"), sql("SELECT * FROM amkit_meta ORDER BY key")


def _recompute(sql, key: bytes | None = None, keyed_from: int = 1) -> None:  # noqa: ANN001
    """What an attacker with write access does after editing rows and payloads: rehash every
    payload and relink every entry with amkit's own functions, then move the stored head."""
    rows = sql("SELECT id, at, who, command, action, table_name, row_id, before, after, salt, payload_hash, erased, "
               "run FROM audit_log ORDER BY id")
    prev = "0" * 64
    for eid, at, who, command, action, table, row_id, before, after, salt, p_hash, erased, run in rows:
        if not erased:
            p_hash = payload_hash(salt, _load(before), _load(after))
        stamp = dt.datetime.fromisoformat(at).isoformat()
        prev = chain_hash(prev, stamp, who, command, action, table, row_id, p_hash, key if eid >= keyed_from else None,
                          run)
        sql("UPDATE audit_log SET payload_hash = ?, hash = ? WHERE id = ?", p_hash, prev, eid)
    sql("UPDATE amkit_meta SET value = ? WHERE key = 'audit_head'", f"{rows[-1][0]}:{prev}")


def _forge_deal_amount(sql, cents: int) -> None:  # noqa: ANN001
    """Change deal 1's amount and its insert entry's payload to match."""
    sql("UPDATE deals SET amount_cents = ? WHERE id = 1", cents)
    (eid, after), = sql("SELECT id, after FROM audit_log WHERE table_name = 'deals' AND row_id = 1 "
                        "AND action = 'insert'")
    payload = _load(after)
    payload["amount_cents"] = cents
    sql(f"UPDATE audit_log SET after = {JSON_PARAM} WHERE id = ?", _canonical(payload), eid)


# --- rows against the log ------------------------------------------------------------------

def test_a_won_deal_inserted_with_raw_sql_fails_verify_naming_the_row(cli, sql):
    _seed(cli)
    assert cli("audit", "verify").exit_code == 0
    assert _revenue(cli) == 527_600
    deal_id = _insert_won_deal(sql)
    assert _revenue(cli) == 10_527_600  # what the score card shows: the forged revenue counts
    before = _dump(sql)
    bad = cli("audit", "verify")
    assert bad.exit_code == 4
    assert bad.stderr == f"amkit: deals row {deal_id} is not in the audit log: inserted outside amkit\n"
    assert _dump(sql) == before  # verify writes nothing
    # amkit editing the forged row later does not make it legitimate
    r = cli("deal", "move", str(deal_id), "negotiation")
    assert r.exit_code == 0, r.stderr
    bad = cli("audit", "verify")
    assert bad.exit_code == 4 and f"deals row {deal_id} has no insert entry in the audit log" in bad.stderr
    sql("DELETE FROM deals WHERE id = ?", deal_id)
    bad = cli("audit", "verify")  # its update entry says it existed: now it is gone without a delete entry
    assert bad.exit_code == 4 and f"deals row {deal_id} was deleted outside amkit" in bad.stderr


def test_a_row_updated_with_raw_sql_fails_verify(cli, sql):
    _seed(cli)
    sql("UPDATE deals SET amount_cents = ? WHERE id = 1", 552_760_000)
    bad = cli("audit", "verify")
    assert bad.exit_code == 4
    assert bad.stderr == ("amkit: deals row 1 field 'amount_cents' was changed outside amkit: 52760000 in the log, "
                          "552760000 now\n")
    sql("UPDATE deals SET amount_cents = ? WHERE id = 1", 52_760_000)
    assert cli("audit", "verify").exit_code == 0


def test_a_row_deleted_with_raw_sql_fails_verify(cli, sql):
    _seed(cli)
    (hist,), = sql("SELECT max(id) FROM deal_stage_history")
    sql("DELETE FROM deal_stage_history WHERE id = ?", hist)
    bad = cli("audit", "verify")
    assert bad.exit_code == 4
    assert bad.stderr == f"amkit: deal_stage_history row {hist} was deleted outside amkit\n"


def test_several_rows_give_a_summary_line_and_one_line_each(cli, sql):
    _seed(cli)
    deal_id = _insert_won_deal(sql)
    sql("UPDATE customers SET industry = '制造' WHERE id = 1")
    sql("DELETE FROM deal_stage_history")
    bad = cli("audit", "verify")
    assert bad.exit_code == 4
    lines = bad.stderr.splitlines()
    assert lines[0] == "amkit: 3 rows differ from the audit log"
    assert sorted(lines[1:]) == sorted([
        "  customers row 1 field 'industry' was changed outside amkit: '金融' in the log, '制造' now",
        f"  deals row {deal_id} is not in the audit log: inserted outside amkit",
        "  deal_stage_history row 1 was deleted outside amkit"])
    zh = cli("audit", "verify", extra_env={"AMKIT_LANG": "zh"})
    assert zh.exit_code == 4 and zh.stderr.splitlines()[0] == "amkit: 有 3 行与审计日志不一致"
    assert f"  商机 第 {deal_id} 行不在审计日志中：是绕过 amkit 插入的" in zh.stderr.splitlines()
    assert "  商机阶段记录 第 1 行被绕过 amkit 删除了" in zh.stderr.splitlines()  # table names in words too


def test_rows_of_every_audited_table_are_checked(cli, sql):
    """A row with no entry is caught in each table amkit writes (here managers, customers, followups)."""
    _seed(cli)
    sql("INSERT INTO managers (name, active, lead, created_at) VALUES ('Eve', ?, ?, '2026-11-02 10:00:00')",
        True, False)
    sql("INSERT INTO followups (customer_id, at, channel, summary, created_at) "
        "VALUES (1, '2026-11-02 10:00:00', 'visit', '伪造拜访', '2026-11-02 10:00:00')")
    bad = cli("audit", "verify")
    assert bad.exit_code == 4
    assert "managers row 2 is not in the audit log" in bad.stderr
    assert "followups row 1 is not in the audit log" in bad.stderr


def test_erase_keeps_verify_passing(cli, sql):
    """Erase blanks payloads (their hashes stay) and deletes contacts without entries of their own."""
    _seed(cli)
    assert cli("contact", "add", "华信科技", "周秘密", "--phone", "13800138000").exit_code == 0
    assert cli("customer", "erase", "华信科技", "--yes").exit_code == 0
    assert sql("SELECT count(*) FROM contacts") == [(0,)]
    ok = cli("audit", "verify")
    assert ok.exit_code == 0, ok.stderr
    sql("UPDATE deals SET amount_cents = 1 WHERE id = 1")  # an erased row's fields are unknown now,
    assert cli("audit", "verify").exit_code == 0           # a documented limit
    _insert_won_deal_for = sql("SELECT id, owner_id FROM customers")
    (cid, owner), = _insert_won_deal_for
    sql("INSERT INTO deals (customer_id, owner_id, amount_cents, stage, created, created_at) "
        "VALUES (?, ?, 5, 'won', '2026-11-01', '2026-11-02 10:00:00')", cid, owner)
    assert cli("audit", "verify").exit_code == 4  # but a new row is still caught


# --- anchors --------------------------------------------------------------------------------

def test_truncation_with_the_stored_head_passes_plain_verify_but_not_the_anchor(cli, sql, tmp_path):
    _seed(cli)
    anchor = tmp_path / "safe" / "a.json"
    r = cli("audit", "anchor", "-o", anchor)
    assert r.exit_code == 0, r.stderr
    (last, last_hash), = sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    data = json.loads(anchor.read_text())
    assert (data["entry_id"], data["hash"], data["count"]) == (last, last_hash, sql("SELECT count(*) FROM "
                                                                                     "audit_log")[0][0])
    assert cli("audit", "verify", "--anchor", anchor).exit_code == 0
    assert cli("customer", "add", "后来客户").exit_code == 0  # the chain grows: still extends the anchor
    assert cli("audit", "verify", "--anchor", anchor).exit_code == 0
    # the attack: drop the deal (row, its history, their entries) and the last entries with the stored head
    (first_deal_entry,), = sql("SELECT min(id) FROM audit_log WHERE table_name = 'deals'")
    sql("DELETE FROM deal_stage_history")
    sql("DELETE FROM deals")
    sql("DELETE FROM customers WHERE name = '后来客户'")
    sql("DELETE FROM audit_log WHERE id >= ?", first_deal_entry)
    (new_last, new_hash), = sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    sql("UPDATE amkit_meta SET value = ? WHERE key = 'audit_head'", f"{new_last}:{new_hash}")
    assert cli("audit", "verify").exit_code == 0  # what the chain alone cannot see
    bad = cli("audit", "verify", "--anchor", anchor)
    assert bad.exit_code == 4
    assert bad.stderr == (f"amkit: audit entry {last} recorded by the anchor of {data['at']} is gone (the log ends "
                          f"at entry {new_last}): entries were deleted\n")


def test_recomputed_chain_passes_plain_verify_but_not_the_anchor(cli, sql, tmp_path):
    _seed(cli)
    anchor = tmp_path / "a.json"
    assert cli("audit", "anchor", "-o", anchor).exit_code == 0
    _forge_deal_amount(sql, 552_760_000)
    bad = cli("audit", "verify")
    assert bad.exit_code == 4 and "payload does not match its hash" in bad.stderr
    _recompute(sql)
    assert cli("audit", "verify").exit_code == 0  # the unkeyed chain alone is fooled
    assert _revenue(cli) == 5_527_600
    bad = cli("audit", "verify", "--anchor", anchor)
    assert bad.exit_code == 4
    last = json.loads(anchor.read_text())["entry_id"]
    assert f"audit entry {last} no longer matches the anchor" in bad.stderr
    assert "chain recomputed" in bad.stderr


def test_anchor_default_place_backup_and_review(cli, sql, env, tmp_path):
    _seed(cli)
    r = cli("audit", "anchor")
    assert r.exit_code == 0, r.stderr
    if BACKEND == "sqlite":
        default = Path(env["AMKIT_DB"] + ".anchor.json")
    else:
        found = list((tmp_path / "data" / "amkit" / "anchors").glob("*.anchor.json"))
        assert len(found) == 1
        default = found[0]
    assert str(default) in r.stderr
    first = json.loads(default.read_text())
    assert cli("customer", "add", "后来客户").exit_code == 0
    r = cli("review", "--period", "2026-11", "-o", tmp_path / "review.md")
    assert r.exit_code == 0, r.stderr
    updated = json.loads(default.read_text())
    (last, last_hash), = sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (updated["entry_id"], updated["hash"]) == (last, last_hash) and last > first["entry_id"]
    assert cli("audit", "verify", "--anchor", default).exit_code == 0


@pytest.mark.sqlite_only
def test_backup_writes_an_anchor_next_to_it(cli, sql, tmp_path):
    _seed(cli)
    target = tmp_path / "b.db"
    assert cli("backup", target).exit_code == 0
    anchor = tmp_path / "b.db.anchor.json"
    data = json.loads(anchor.read_text())
    # the backup's own head (the live log has one more entry since: the backup itself, recorded)
    import sqlite3

    con = sqlite3.connect(target)
    (last, last_hash), = con.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchall()
    con.close()
    assert (data["entry_id"], data["hash"]) == (last, last_hash)
    assert sql("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == [("backup",)]
    assert cli("audit", "verify", "--anchor", anchor).exit_code == 0
    assert cli("--db", target, "audit", "verify", "--anchor", anchor).exit_code == 0
    r = cli("backup", "--dir", tmp_path / "rot", "--keep", "1")
    assert r.exit_code == 0, r.stderr
    assert len(list((tmp_path / "rot").glob("*.db.anchor.json"))) == 1


def test_a_bad_anchor_file_is_refused(cli, sql, tmp_path):
    _seed(cli)
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    before = _dump(sql)
    r = cli("audit", "verify", "--anchor", junk)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert f"--anchor {str(junk)!r}" in r.stderr and "not an amkit audit anchor" in r.stderr
    r = cli("audit", "verify", "--anchor", tmp_path / "missing.json")
    assert r.exit_code == 3 and "file not found" in r.stderr
    assert _dump(sql) == before


# --- the keyed chain ------------------------------------------------------------------------

def test_keyed_chain_catches_a_recomputation_without_the_key(cli, sql):
    _seed(cli)  # unkeyed entries first: the key applies from the first entry written with it
    (unkeyed,), = sql("SELECT max(id) FROM audit_log")
    keyed = {"AMKIT_AUDIT_KEY": KEY}
    assert cli("customer", "add", "第二客户", "--owner", "Ann", extra_env=keyed).exit_code == 0
    assert cli("deal", "add", "第二客户", "--amount", "1000", "--stage", "won", extra_env=keyed).exit_code == 0
    ((mark,),) = sql("SELECT value FROM amkit_meta WHERE key = 'audit_key'")
    assert mark.split(":")[0] == str(unkeyed + 1)
    ok = cli("audit", "verify", extra_env=keyed)
    assert ok.exit_code == 0, ok.stderr
    _forge_deal_amount(sql, 552_760_000)
    _recompute(sql)  # amkit's own functions, without the key
    bad = cli("audit", "verify", extra_env=keyed)
    assert bad.exit_code == 4
    assert bad.stderr == (f"amkit: audit chain broken at entry {unkeyed + 1} (customers 2): an entry was altered, "
                          "inserted or deleted, or the chain was recomputed without the key\n")
    _recompute(sql, KEY.encode(), unkeyed + 1)  # with the key it passes: the documented limit
    assert cli("audit", "verify", extra_env=keyed).exit_code == 0


def test_a_keyed_log_needs_its_key(cli, sql, env):
    _seed(cli, extra_env={"AMKIT_AUDIT_KEY": KEY})
    ((mark,),) = sql("SELECT value FROM amkit_meta WHERE key = 'audit_key'")
    first, fingerprint = mark.split(":")
    assert first == "1" and len(fingerprint) == 16
    # never the key itself, anywhere
    values = json.dumps([list(map(str, row)) for row in sql("SELECT * FROM amkit_meta")] +
                        [list(map(str, row)) for row in sql("SELECT * FROM audit_log")], ensure_ascii=False)
    assert KEY not in values
    if BACKEND == "sqlite":
        assert KEY.encode() not in Path(env["AMKIT_DB"]).read_bytes()
    r = cli("audit", "verify")
    assert r.exit_code == 4
    assert r.stderr == (f"amkit: the audit log is keyed from entry 1 on (key fingerprint {fingerprint}): "
                        "set AMKIT_AUDIT_KEY to verify it\n")
    before = _dump(sql), sql("SELECT count(*) FROM customers")
    r = cli("customer", "add", "无密钥客户")  # an unkeyed entry would end the keyed chain
    assert r.exit_code == 4 and r.stderr.count("\n") == 1 and "set AMKIT_AUDIT_KEY to write" in r.stderr
    r = cli("customer", "add", "错密钥客户", extra_env={"AMKIT_AUDIT_KEY": "wrong"})
    assert r.exit_code == 4
    assert r.stderr == f"amkit: AMKIT_AUDIT_KEY is not the key this audit log is keyed with (fingerprint {fingerprint})\n"
    assert (_dump(sql), sql("SELECT count(*) FROM customers")) == before
    assert cli("audit", "verify", extra_env={"AMKIT_AUDIT_KEY": "wrong"}).exit_code == 4
    zh = cli("audit", "verify", extra_env={"AMKIT_LANG": "zh"})
    assert zh.stderr.startswith("amkit: 审计日志从第 1 条起使用密钥")


def test_an_anchor_catches_the_key_mark_removed(cli, sql, tmp_path):
    """Downgrade: deleting the key mark and recomputing the whole chain unkeyed."""
    _seed(cli, extra_env={"AMKIT_AUDIT_KEY": KEY})
    anchor = tmp_path / "a.json"
    assert cli("audit", "anchor", "-o", anchor).exit_code == 0
    assert json.loads(anchor.read_text())["keyed_from"] == 1
    assert KEY not in anchor.read_text()
    sql("DELETE FROM amkit_meta WHERE key = 'audit_key'")
    _forge_deal_amount(sql, 552_760_000)
    _recompute(sql)
    assert cli("audit", "verify").exit_code == 0  # nothing in the database says it was keyed
    bad = cli("audit", "verify", "--anchor", anchor)
    assert bad.exit_code == 4 and "no longer matches the anchor" in bad.stderr


def test_an_anchor_that_cannot_be_written_is_one_line_exit_5(cli, sql, tmp_path):
    _seed(cli)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    r = cli("audit", "anchor", "-o", blocker / "x.anchor.json")
    assert r.exit_code == 5 and r.stderr.count("\n") == 1
    assert r.stderr.startswith(f"amkit: cannot write the audit anchor {str(blocker / 'x.anchor.json')!r}")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
