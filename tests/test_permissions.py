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

    def as_user(login: str, *args: str):  # noqa: ANN202
        return cli(*args, extra_env={"AMKIT_DATABASE_URL": url.set(username=login).render_as_string(False)})

    def connect(login: str):  # noqa: ANN202
        import psycopg

        return psycopg.connect(host=url.host, port=url.port, user=login, dbname=url.database, autocommit=True)

    ids = dict(sql("SELECT name, id FROM customers"))
    return type("Team", (), {"as_user": staticmethod(as_user), "connect": staticmethod(connect), "ids": ids})


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
    assert shown.exit_code == 4 and "outside the scope" in shown.stderr


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
    assert sql("SELECT name FROM amkit_policies") == [("p001_roles_rls",)]
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
