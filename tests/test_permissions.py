"""Team permissions on PostgreSQL (issue 13): each person connects with their own login and
row-level security decides what they see, through amkit and through a plain SQL connection."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.pg_only

# Logins are cluster-wide roles: fixed names, re-granted by every test (user grant revokes the
# other groups), so reruns and test order do not matter.
ALICE, BOB, CAROL, LEAD, BOSS = "amkt_alice", "amkt_bob", "amkt_carol", "amkt_lead", "amkt_boss"


@pytest.fixture
def team(cli, env, sql):  # noqa: ANN001, ANN201
    """Managers A, B (team 华东) and C (华西), one customer each with a contact, a follow-up and
    a won deal; logins alice=A, bob=B (managers), lead of 华东, boss (admin)."""
    from sqlalchemy.engine import make_url

    for name, team_name in (("A", "华东"), ("B", "华东"), ("C", "华西")):
        assert cli("manager", "add", name, "--team", team_name).exit_code == 0
        assert cli("customer", "add", f"客户{name}", "--owner", name).exit_code == 0
        assert cli("contact", "add", f"客户{name}", f"联系人{name}", "--phone", f"1380000000{ord(name) % 10}",
                   ).exit_code == 0
        assert cli("followup", "log", f"客户{name}", "--channel", "visit", "--summary", f"visit {name}",
                   "--at", "2026-11-02 10:00", "--next", "call back", "--next-date", "2026-11-20").exit_code == 0
        assert cli("deal", "add", f"客户{name}", "--amount", "1000", "--stage", "won", "--owner", name,
                   "--created", "2026-10-10").exit_code == 0
    run = cli("team", "setup")
    assert run.exit_code == 0, run.stderr
    for login, args in ((ALICE, ["--role", "manager", "--manager", "A"]),
                        (BOB, ["--role", "manager", "--manager", "B"]),
                        (CAROL, ["--role", "manager", "--manager", "C"]),
                        (LEAD, ["--role", "lead", "--team", "华东"]), (BOSS, ["--role", "admin"])):
        run = cli("user", "grant", login, *args)
        assert run.exit_code == 0, run.stderr
    url = make_url(env["AMKIT_DATABASE_URL"])

    def as_user(login: str, *args: str, key: str | None = None, lang: str = "en"):  # noqa: ANN202
        extra = {"AMKIT_DATABASE_URL": url.set(username=login).render_as_string(False), "AMKIT_LANG": lang}
        return cli(*args, extra_env={**extra, "AMKIT_KEY": key} if key else extra)

    def connect(login: str):  # noqa: ANN202
        import psycopg

        return psycopg.connect(host=url.host, port=url.port, user=login, dbname=url.database, autocommit=True)

    ids = dict(sql("SELECT name, id FROM customers"))
    return type("Team", (), {"as_user": staticmethod(as_user), "connect": staticmethod(connect), "ids": ids,
                                 "url": url})


def _names(run) -> list[str]:  # noqa: ANN001
    assert run.exit_code == 0, run.stderr
    return sorted(r["name"] for r in run.json())


def test_manager_sees_only_own_customers_through_amkit(team):
    assert _names(team.as_user(ALICE, "customer", "list", "-f", "json")) == ["客户A"]
    assert _names(team.as_user(BOB, "customer", "list", "-f", "json")) == ["客户B"]
    contacts = team.as_user(ALICE, "contact", "list", "-f", "json").json()
    assert [c["name"] for c in contacts] == ["联系人A"]
    deals = team.as_user(ALICE, "deal", "list", "-f", "json").json()
    assert [d["customer"] for d in deals] == ["客户A"]
    exported = team.as_user(ALICE, "export", "customers", "-f", "json").json()
    assert [r["name"] for r in exported] == ["客户A"]
    card = team.as_user(ALICE, "score", "card", "--period", "2026Q4", "-f", "json").json()
    assert [(r["owner"], r["revenue"]) for r in card] == [("A", 1000)]
    shown = team.as_user(ALICE, "customer", "show", "客户B")
    assert shown.exit_code == 4 and "not in the scope of amkt_alice" in shown.stderr
    # the answer is the same for a name that exists nowhere: nothing to learn from it
    missing = team.as_user(ALICE, "customer", "show", "客户Z")
    assert (missing.exit_code, missing.stderr.replace("客户Z", "客户B")) == (4, shown.stderr)


def test_manager_sees_only_own_rows_through_sql(team):
    with team.connect(ALICE) as con:
        assert [r[0] for r in con.execute("SELECT name FROM customers ORDER BY name")] == ["客户A"]
        for table in ("contacts", "followups", "deals"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM payments").fetchone()[0] == 0


def test_manager_cannot_change_another_managers_customer_through_amkit(team, sql):
    before = sql("SELECT count(*) FROM followups")[0][0]
    run = team.as_user(ALICE, "followup", "log", "客户B", "--channel", "call", "--summary", "x")
    assert run.exit_code == 4
    assert "客户B" in run.stderr and "amkt_alice" in run.stderr
    assert sql("SELECT count(*) FROM followups")[0][0] == before
    run = team.as_user(ALICE, "customer", "add", "新客户", "--owner", "B")
    assert run.exit_code == 4 and "row-level security" in run.stderr
    run = team.as_user(ALICE, "customer", "edit", "客户A", "--owner", "B")
    assert run.exit_code == 4
    assert sql("SELECT c.name, m.name FROM customers c JOIN managers m ON m.id = c.owner_id ORDER BY c.name") == [
        ("客户A", "A"), ("客户B", "B"), ("客户C", "C")]
    refused = sql("SELECT who, command FROM audit_log WHERE action = 'refused' ORDER BY id")
    assert refused == [(ALICE, "amkit followup log"), (ALICE, "amkit customer add"), (ALICE, "amkit customer edit")]


def test_manager_writes_own_customer_and_the_chain_holds(team, sql):
    run = team.as_user(ALICE, "followup", "log", "客户A", "--channel", "call", "--summary", "ok")
    assert run.exit_code == 0, run.stderr
    run = team.as_user(ALICE, "customer", "add", "新客户")  # owned by A: the login's manager
    assert run.exit_code == 0, run.stderr
    assert sql("SELECT m.name FROM customers c JOIN managers m ON m.id = c.owner_id WHERE c.name = '新客户'") == [("A",)]
    assert sql("SELECT who FROM audit_log ORDER BY id DESC LIMIT 1") == [(ALICE,)]
    assert team.as_user(ALICE, "audit", "list").exit_code == 4  # the log is for admins
    verify = team.as_user(BOSS, "audit", "verify")
    assert verify.exit_code == 0, verify.stderr


def test_manager_cannot_change_another_managers_rows_through_sql(team):
    import psycopg

    other = team.ids["客户B"]
    with team.connect(ALICE) as con:
        assert con.execute("UPDATE customers SET name = 'hacked' WHERE id = %s", (other,)).rowcount == 0
        assert con.execute("DELETE FROM contacts").rowcount == 1  # only their own contact
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("UPDATE customers SET owner_id = (SELECT id FROM managers WHERE name = 'B')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("INSERT INTO followups (customer_id, channel, at, summary, created_at) "
                        "VALUES (%s, 'call', now(), 'x', now())", (other,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("DELETE FROM audit_log")
    with team.connect(BOB) as con:
        assert con.execute("SELECT name FROM customers").fetchall() == [("客户B",)]
        assert con.execute("SELECT count(*) FROM contacts").fetchone()[0] == 1


def test_lead_sees_the_team_and_admin_sees_all(team):
    assert _names(team.as_user(LEAD, "customer", "list", "-f", "json")) == ["客户A", "客户B"]
    assert _names(team.as_user(BOSS, "customer", "list", "-f", "json")) == ["客户A", "客户B", "客户C"]
    with team.connect(LEAD) as con:
        assert con.execute("SELECT count(*) FROM followups").fetchone()[0] == 2
    with team.connect(BOSS) as con:
        assert con.execute("SELECT count(*) FROM deals").fetchone()[0] == 3
    card = team.as_user(LEAD, "score", "card", "--period", "2026Q4", "-f", "json").json()
    assert sorted(r["owner"] for r in card) == ["A", "B"]


def test_handover_is_a_lead_or_admin_action(team, sql):
    run = team.as_user(ALICE, "customer", "handover", "--from", "A", "--to", "B")
    assert run.exit_code == 4 and "lead/admin" in run.stderr
    run = team.as_user(LEAD, "customer", "handover", "--from", "A", "--to", "C")  # C is in another team
    assert run.exit_code == 4
    run = team.as_user(LEAD, "customer", "handover", "--from", "A", "--to", "B")
    assert run.exit_code == 0, run.stderr
    assert sql("SELECT m.name FROM customers c JOIN managers m ON m.id = c.owner_id WHERE c.name = '客户A'") == [("B",)]
    assert _names(team.as_user(BOB, "customer", "list", "-f", "json")) == ["客户A", "客户B"]
    assert _names(team.as_user(ALICE, "customer", "list", "-f", "json")) == []


def test_team_setup_is_versioned_and_idempotent(team, cli, sql):
    run = cli("team", "setup")
    assert run.exit_code == 0 and "up to date" in run.stderr
    assert sql("SELECT name FROM amkit_policies ORDER BY id") == [("p001_roles_rls",), ("p002_lockdown",),
                                                                  ("p003_contracts_installments",),
                                                                  ("p004_audit_runs",)]
    users = {r["login"]: (r["role"], r["manager"], r["team"]) for r in cli("user", "list", "-f", "json").json()}
    assert users[ALICE] == ("manager", "A", "华东") and users[LEAD] == ("lead", None, "华东")
    assert cli("user", "grant", ALICE, "--role", "lead").exit_code == 0  # promoted: the team of A
    assert _names(team.as_user(ALICE, "customer", "list", "-f", "json")) == ["客户A", "客户B"]


def test_user_grant_rejects_bad_input(team, cli):
    run = cli("user", "grant", "amkt_nobody", "--role", "manager")
    assert run.exit_code == 3 and "amkt_nobody" in run.stderr
    run = cli("user", "grant", "amkt_x", "--role", "lead")
    assert run.exit_code == 2 and "--team" in run.stderr
    run = cli("user", "grant", "amkit", "--role", "admin")  # the superuser that owns the tables
    assert run.exit_code == 4


def test_remind_is_scoped(team):
    for login, expected in ((ALICE, {"客户A"}), (LEAD, {"客户A", "客户B"})):
        run = team.as_user(login, "remind", "--within", "30d", "-f", "json")
        assert run.exit_code == 0, run.stderr
        assert {r["customer"] for r in run.json()} == expected


# --- issue 25: team mode locked down ------------------------------------------------------

PRIVILEGE_NAMES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
LETTER = {"SELECT": "S", "INSERT": "I", "UPDATE": "U", "DELETE": "D"}


def test_every_table_role_and_privilege_is_the_written_policy(team, sql):
    _check_policy(sql)


def test_team_setup_again_locks_down_a_database_set_up_before(team, cli, sql):
    """A team database of the previous release (p001 only, its grants and amkit_hidden) gets the
    lockdown from `amkit team setup`, and a third run changes nothing."""
    for statement in ("GRANT INSERT, UPDATE ON managers TO amkit_lead, amkit_admin",
                      "GRANT SELECT, INSERT, UPDATE ON amkit_meta TO amkit_manager, amkit_lead, amkit_admin",
                      "GRANT INSERT ON audit_log TO amkit_manager, amkit_lead, amkit_admin",
                      "GRANT SELECT, UPDATE ON audit_log TO amkit_admin",
                      "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO amkit_manager",
                      "REVOKE ALL ON kb_entries FROM amkit_manager, amkit_lead, amkit_admin",
                      "DROP POLICY amkit_read ON amkit_meta", "DROP POLICY amkit_key_check ON amkit_meta",
                      "ALTER TABLE amkit_meta DISABLE ROW LEVEL SECURITY",
                      "CREATE POLICY amkit_append ON audit_log FOR INSERT WITH CHECK (who = current_user)",
                      "CREATE FUNCTION amkit_hidden(p_table text, p_ref text) RETURNS boolean LANGUAGE sql "
                      "SECURITY DEFINER AS $$ SELECT EXISTS (SELECT 1 FROM customers WHERE name = p_ref) $$",
                      "DROP FUNCTION amkit_audit_append(timestamp without time zone, text, text, json)",
                      "DROP FUNCTION amkit_audit_append_run(timestamp without time zone, text, text, text, json)",
                      "DELETE FROM amkit_policies WHERE name IN ('p002_lockdown', 'p004_audit_runs')"):
        sql(statement)
    stale = team.as_user(ALICE, "followup", "log", "客户A", "--channel", "call", "--summary", "x")
    assert stale.exit_code == 4 and "amkit team setup" in stale.stderr  # not a traceback
    run = cli("team", "setup")
    assert run.exit_code == 0 and "p002_lockdown" in run.stderr, run.stderr
    _check_policy(sql)
    run = cli("team", "setup")
    assert run.exit_code == 0 and "up to date" in run.stderr
    _check_policy(sql)
    ok = team.as_user(ALICE, "followup", "log", "客户A", "--channel", "call", "--summary", "x")
    assert ok.exit_code == 0, ok.stderr


def _check_policy(sql) -> None:  # noqa: ANN001
    """What PostgreSQL grants (has_table_privilege, RLS flags, EXECUTE, policies) is exactly the
    policy table of amkit.admin.teamsetup (shown in the README), for the groups and the logins."""
    from amkit.admin.teamsetup import FUNCTIONS, PRIVILEGES, RLS, SECURITY_DEFINER

    tables = [t for (t,) in sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")]
    assert sorted(PRIVILEGES) == tables, "every table needs a line in teamsetup.PRIVILEGES"
    members = {"amkit_manager": [ALICE, BOB, CAROL], "amkit_lead": [LEAD], "amkit_admin": [BOSS]}
    for group, logins in members.items():
        for role in [group, *logins]:
            found = {}
            for table in tables:
                held = [p for p in PRIVILEGE_NAMES if sql("SELECT has_table_privilege(?, ?, ?)", role, table, p)[0][0]]
                found[table] = "".join(LETTER.get(p, p) for p in held)
            expected = {table: PRIVILEGES[table].get(group, "") for table in tables}
            assert found == expected, role
            schema = sql("SELECT has_schema_privilege(?, current_schema(), 'CREATE'), "
                         "has_schema_privilege(?, current_schema(), 'USAGE')", role, role)
            assert schema == [(False, True)], role
            # sequences: only those of tables the role inserts into, and never setval (UPDATE)
            for (seq, table) in sql("SELECT s.relname, t.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
                                    "JOIN pg_class t ON t.oid = d.refobjid WHERE s.relkind = 'S' "
                                    "AND s.relnamespace = current_schema()::regnamespace"):
                usage, update = sql("SELECT has_sequence_privilege(?, ?, 'USAGE'), "
                                    "has_sequence_privilege(?, ?, 'UPDATE')", role, seq, role, seq)[0]
                assert (usage, update) == ("I" in PRIVILEGES[table].get(group, ""), False), (role, seq)
            for function, allowed in FUNCTIONS.items():
                can = sql("SELECT has_function_privilege(?, ?, 'EXECUTE')", role, function)[0][0]
                assert can == (group in allowed), (role, function)
    flags = {t: (rls, forced) for t, rls, forced in sql(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
        "WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'")}
    assert flags == {t: (t in RLS, False) for t in tables}  # not FORCEd: the owner stays unrestricted
    functions = dict(sql("SELECT proname, prosecdef FROM pg_proc WHERE proname LIKE 'amkit%' "
                         "AND pronamespace = current_schema()::regnamespace"))
    assert functions == {f.split("(")[0]: f.split("(")[0] in SECURITY_DEFINER for f in FUNCTIONS}
    assert sql("SELECT count(*) FROM pg_proc p, aclexplode(p.proacl) a WHERE p.proname LIKE 'amkit%' "
               "AND a.grantee = 0") == [(0,)]  # nothing executable by PUBLIC
    policies = sorted(sql("SELECT tablename, policyname, cmd FROM pg_policies WHERE schemaname = current_schema()"))
    from amkit.admin.teamsetup import SCOPED
    assert policies == sorted([(t, "amkit_scope", "ALL") for t in SCOPED] + [
        ("audit_log", "amkit_read", "SELECT"), ("amkit_meta", "amkit_read", "SELECT"),
        ("amkit_meta", "amkit_key_check", "INSERT")])


def _psql(team, login: str, statement: str):  # noqa: ANN001, ANN202
    """A real psql session of the login (trust auth on the test server)."""
    import subprocess

    url = team.url
    return subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", url.host, "-p", str(url.port),
                           "-U", login, "-d", url.database, "-c", statement],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "PGCONNECT_TIMEOUT": "10"},
                          timeout=60)


def _refused(team, login: str, statement: str, why: str = "permission denied") -> None:  # noqa: ANN001
    run = _psql(team, login, statement)
    assert run.returncode != 0 and why in run.stderr, (login, statement, run.stdout, run.stderr)


KEY = "team-test-key-0123456789abcdefghijklmnop"


def test_lead_cannot_move_a_manager_into_the_team_nor_steal_a_customer_with_psql(team, sql):
    before = sql("SELECT id, name, team FROM managers ORDER BY id"), sql("SELECT id, owner_id FROM customers ORDER BY id")
    _refused(team, LEAD, "UPDATE managers SET team = '华东' WHERE name = 'C'")
    _refused(team, LEAD, "INSERT INTO managers (name, team, active, created_at) VALUES ('X', '华东', true, now())")
    _refused(team, LEAD, "DELETE FROM managers WHERE name = 'C'")
    _refused(team, LEAD, "TRUNCATE managers")
    steal = _psql(team, LEAD, f"UPDATE customers SET owner_id = (SELECT id FROM managers WHERE name = 'A') "
                              f"WHERE id = {team.ids['客户C']}")
    assert (steal.returncode, steal.stdout.strip()) == (0, "UPDATE 0")  # not theirs to see, so not theirs to change
    _refused(team, LEAD, "UPDATE users SET team = '华西' WHERE login = current_user")
    _refused(team, LEAD, "UPDATE users SET role = 'admin' WHERE login = current_user")
    _refused(team, LEAD, "INSERT INTO amkit_policies (name, applied_at) VALUES ('p999', now())")
    # roles and policies: none of theirs to change
    _refused(team, LEAD, "DROP POLICY amkit_scope ON customers", "must be owner")
    _refused(team, LEAD, "ALTER TABLE customers DISABLE ROW LEVEL SECURITY", "must be owner")
    _refused(team, LEAD, f"GRANT amkit_admin TO {LEAD}", "admin option")
    _refused(team, LEAD, "CREATE ROLE amkt_mole LOGIN")
    _refused(team, LEAD, "SET ROLE amkit_admin")
    _refused(team, LEAD, "CREATE TABLE amkit_mine (x int)")
    assert (sql("SELECT id, name, team FROM managers ORDER BY id"),
            sql("SELECT id, owner_id FROM customers ORDER BY id")) == before
    assert _names(team.as_user(LEAD, "customer", "list", "-f", "json")) == ["客户A", "客户B"]
    run = team.as_user(LEAD, "manager", "add", "新人", "--team", "华东")  # amkit says the same, audited
    assert run.exit_code == 4 and "reserved to admin" in run.stderr
    assert sql("SELECT count(*) FROM managers WHERE name = '新人'") == [(0,)]
    assert sql("SELECT who, command FROM audit_log WHERE action = 'refused'") == [(LEAD, "amkit manager add")]
    run = team.as_user(BOSS, "manager", "add", "新人", "--team", "华东")
    assert run.exit_code == 0, run.stderr


def test_manager_cannot_change_meta_nor_the_audit_log_with_psql(team, cli, sql):
    run = cli("team", "setup", extra_env={"AMKIT_KEY": KEY})  # records the key's fingerprint
    assert run.exit_code == 0, run.stderr
    meta = sql("SELECT key, value FROM amkit_meta ORDER BY key")
    assert "crypto_key_check" in dict(meta)
    audit = sql("SELECT id, hash, coalesce(after::text, '') FROM audit_log ORDER BY id")
    _refused(team, ALICE, "UPDATE amkit_meta SET value = 'x' WHERE key = 'crypto_key_check'")
    _refused(team, ALICE, "DELETE FROM amkit_meta")
    _refused(team, ALICE, "INSERT INTO amkit_meta (key, value) VALUES ('audit_head', '1:x')", "row-level security")
    _refused(team, ALICE, "INSERT INTO amkit_meta (key, value) VALUES ('crypto_key_check', 'x')", "duplicate key")
    _refused(team, ALICE, "INSERT INTO audit_log (at, who, command, action, table_name, payload_hash, hash, erased) "
                          "VALUES (now(), current_user, 'x', 'insert', 'deals', 'x', 'x', false)")
    _refused(team, ALICE, "DELETE FROM audit_log")
    _refused(team, ALICE, "UPDATE audit_log SET who = 'x'")
    _refused(team, ALICE, "TRUNCATE audit_log")
    _refused(team, ALICE, "SELECT count(*) FROM audit_log")
    _refused(team, ALICE, "SELECT amkit_audit_redact(ARRAY[1::bigint])")
    _refused(team, BOSS, "UPDATE audit_log SET who = 'x'")  # the admin reads it, and that is all
    _refused(team, BOSS, "DELETE FROM audit_log")
    # the append function writes under the caller's own login only, and no erase entries
    _refused(team, ALICE, f"SELECT amkit_audit_append(now()::timestamp, '{BOB}', 'x', '[]')", "under the login")
    _refused(team, ALICE, f"SELECT amkit_audit_append(now()::timestamp, '{ALICE}', 'x', "
                          "'[{\"action\": \"erase\", \"table_name\": \"customers\", \"hash\": \"x\"}]')", "only an admin")
    # the old existence oracle is gone
    _refused(team, ALICE, "SELECT amkit_hidden('customers', '客户B')", "does not exist")
    assert sql("SELECT key, value FROM amkit_meta ORDER BY key") == meta
    assert sql("SELECT id, hash, coalesce(after::text, '') FROM audit_log ORDER BY id") == audit
    verify = team.as_user(BOSS, "audit", "verify")
    assert verify.exit_code == 0, verify.stderr
    # the key still opens contacts for everyone
    run = team.as_user(ALICE, "contact", "add", "客户A", "新联系人", "--phone", "13900000000", key=KEY)
    assert run.exit_code == 0, run.stderr
    shown = team.as_user(BOB, "contact", "list", "-f", "json", key=KEY).json()
    assert [c["name"] for c in shown] == ["联系人B"]


def test_team_logins_write_the_audit_log_through_the_function_only(team, sql):
    before = sql("SELECT max(id) FROM audit_log")[0][0]
    run = team.as_user(ALICE, "followup", "log", "客户A", "--channel", "call", "--summary", "ok")
    assert run.exit_code == 0, run.stderr
    run = team.as_user(LEAD, "followup", "log", "客户B", "--channel", "call", "--summary", "ok")
    assert run.exit_code == 0, run.stderr
    refused = team.as_user(ALICE, "followup", "log", "客户C", "--channel", "call", "--summary", "x")
    assert refused.exit_code == 4
    rows = sql("SELECT who, command, action, table_name FROM audit_log WHERE id > ? ORDER BY id", before)
    assert {(who, command) for who, command, _, _ in rows} == {(ALICE, "amkit followup log"), (LEAD, "amkit followup log")}
    assert (ALICE, "insert", "followups") in {(w, a, t) for w, _, a, t in rows if w == ALICE}
    assert (LEAD, "insert", "followups") in {(w, a, t) for w, _, a, t in rows if w == LEAD}
    assert rows[-1][::2] == (ALICE, "refused")
    last_id, last_hash = sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert sql("SELECT value FROM amkit_meta WHERE key = 'audit_head'") == [(f"{last_id}:{last_hash}",)]
    for login in (BOSS,):
        verify = team.as_user(login, "audit", "verify")
        assert verify.exit_code == 0, verify.stderr


def test_the_scope_answer_does_not_say_whether_a_name_exists(team, sql):
    for ref in ("客户C", "不存在的客户", str(team.ids["客户C"]), "999999"):
        run = team.as_user(ALICE, "followup", "log", ref, "--channel", "call", "--summary", "x")
        assert run.exit_code == 4
        assert run.stderr == f"amkit: customer {ref!r} is not in the scope of {ALICE} (manager) (missing, or not " \
                             "theirs to see)\n"
    # the documented limit: names are unique database-wide, so a duplicate is refused (one line)
    dup = team.as_user(ALICE, "customer", "add", "客户C")
    assert dup.exit_code == 4 and len(dup.stderr.splitlines()) == 1, dup.stderr
    zh = team.as_user(ALICE, "customer", "show", "客户C", lang="zh")
    assert (zh.exit_code, zh.stderr) == (4, f"amkit: 客户 '客户C' 不在 {ALICE} (manager) 的权限范围内（不存在，或无权查看）\n")
    deal_c = sql("SELECT id FROM deals WHERE customer_id = ?", team.ids["客户C"])[0][0]
    answers = {team.as_user(ALICE, "deal", "stage", ref, "lost").stderr.replace(ref, "N")
               for ref in (str(deal_c), "999999")}
    assert len(answers) == 1, answers


def test_every_role_runs_customer_show_and_kb(team, sql):
    for login in (ALICE, LEAD, BOSS):
        run = team.as_user(login, "kb", "add", "--title", f"案例{login}", "--body", "先电话再拜访", "--customer", "客户A")
        assert run.exit_code == 0, (login, run.stderr)
        shown = team.as_user(login, "customer", "show", "客户A")
        assert shown.exit_code == 0, (login, shown.stderr)
        listed = team.as_user(login, "kb", "list", "-f", "json")
        assert listed.exit_code == 0, (login, listed.stderr)
        assert f"案例{login}" in {r["title"] for r in listed.json()}
        found = team.as_user(login, "kb", "search", "拜访", "-f", "json")
        assert found.exit_code == 0, (login, found.stderr)
    assert sql("SELECT count(*) FROM kb_entries") == [(3,)]


def test_the_admin_login_erases_a_customer(team, sql):
    cid = team.ids["客户C"]
    entries = [i for (i,) in sql("SELECT id FROM audit_log WHERE table_name = 'customers' AND row_id = ?", cid)]
    assert entries
    assert team.as_user(ALICE, "customer", "erase", "客户A", "--yes").exit_code == 4
    run = team.as_user(BOSS, "customer", "erase", "客户C", "--yes")
    assert run.exit_code == 0, run.stderr
    assert sql("SELECT name FROM customers WHERE id = ?", cid) == [(f"[erased #{cid}]",)]
    assert sql("SELECT count(*) FROM contacts WHERE customer_id = ?", cid) == [(0,)]
    assert sql("SELECT summary FROM followups WHERE customer_id = ?", cid) == [("[erased]",)]
    assert set(sql("SELECT erased, before IS NULL AND after IS NULL AND salt IS NULL FROM audit_log "
                   f"WHERE id IN ({', '.join(map(str, entries))})")) == {(True, True)}
    assert sql("SELECT who, action FROM audit_log ORDER BY id DESC LIMIT 1") == [(BOSS, "erase")]
    verify = team.as_user(BOSS, "audit", "verify")
    assert verify.exit_code == 0, verify.stderr


# --- issue 21: undo in team mode covers only the login's own commands ----------------------------

def test_undo_in_team_mode_is_per_login_and_refuses_a_colleagues_later_change(team, sql):
    fid = sql("SELECT f.id FROM followups f JOIN customers c ON c.id = f.customer_id WHERE c.name = '客户A'")[0][0]
    assert team.as_user(ALICE, "followup", "edit", str(fid), "--summary", "alice fixed it").exit_code == 0
    assert team.as_user(LEAD, "followup", "edit", str(fid), "--channel", "call").exit_code == 0
    mine = team.as_user(ALICE, "undo", "--list", "-f", "json")
    assert mine.exit_code == 0, mine.stderr
    assert [r["command"] for r in mine.json()] == ["amkit followup edit"]  # not the owner's setup commands
    before = sql("SELECT count(*) FROM audit_log")[0][0]
    refused = team.as_user(ALICE, "undo")
    assert refused.exit_code == 4 and f"'amkit followup edit' by {LEAD}" in refused.stderr, refused.stderr
    assert sql("SELECT count(*) FROM audit_log")[0][0] == before
    assert team.as_user(LEAD, "undo").exit_code == 0
    assert sql("SELECT channel, summary FROM followups WHERE id = ?", fid) == [("visit", "alice fixed it")]
    done = team.as_user(ALICE, "undo")
    assert done.exit_code == 0, done.stderr
    assert sql("SELECT channel, summary FROM followups WHERE id = ?", fid) == [("visit", "visit A")]
    assert sql("SELECT who, run IS NOT NULL FROM audit_log ORDER BY id DESC LIMIT 1") == [(ALICE, True)]
    assert team.as_user(ALICE, "undo").exit_code == 3  # nothing else of hers
    verify = team.as_user(BOSS, "audit", "verify")
    assert verify.exit_code == 0, verify.stderr
