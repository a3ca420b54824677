"""`amkit team setup` and `amkit user grant`: PostgreSQL roles, grants and row-level security.

Run them on the owner's connection (the login that ran `amkit init`, with CREATEROLE). The
owner is not subject to the policies (no FORCE): it stays the unrestricted admin connection.
Policy steps are versioned like migrations: each runs once and is recorded in amkit_policies.
Grants are re-applied on every `team setup` (idempotent): everything is revoked from the group
roles, then exactly PRIVILEGES and FUNCTIONS below are granted, so running it again on an
existing team database applies the current policy (tables added by later migrations included;
a table missing from PRIVILEGES is granted to nobody, and a test fails).
"""

from __future__ import annotations

import re
from typing import Any, Callable

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.store import lookup
from amkit.errors import BadInput, Conflict, bad_value
from amkit.store.writer import Store
from amkit.store.scope import GROUPS, ROLES

VIA_CUSTOMER = ("contacts", "followups", "deals", "surveys", "complaints", "lifecycle_history", "tier_history",
                "handovers")
VIA_DEAL = ("payments", "deal_stage_history")
# issue 22: a customer's contracts and a won deal's installments, scoped like deals and payments
# (their policies come with step p003, as p001 has run on existing team databases)
MONEY_VIA_CUSTOMER = ("contracts",)
MONEY_VIA_DEAL = ("installments",)
SCOPED = ("customers", *VIA_CUSTOMER, *VIA_DEAL, "goals", *MONEY_VIA_CUSTOMER, *MONEY_VIA_DEAL)
ALL_GROUPS = ", ".join(GROUPS.values())
MANAGER, LEAD, ADMIN = (GROUPS[r] for r in ("manager", "lead", "admin"))

# The written policy (README "Team mode" shows it): table -> privileges of each group role
# (S select, I insert, U update, D delete). No group has TRUNCATE, REFERENCES or TRIGGER
# anywhere, nor CREATE on the schema; `team setup` revokes everything else. A test compares
# this table with what PostgreSQL reports (has_table_privilege), table by table.
_EVERYONE_SIUD = {MANAGER: "SIUD", LEAD: "SIUD", ADMIN: "SIUD"}
_EVERYONE_S = {MANAGER: "S", LEAD: "S", ADMIN: "S"}
PRIVILEGES: dict[str, dict[str, str]] = {
    **{table: dict(_EVERYONE_SIUD) for table in SCOPED},  # rows limited by row-level security
    "kb_entries": {MANAGER: "SI", LEAD: "SI", ADMIN: "SIU"},  # shared cases; admin scrubs them (erase)
    "calendar_days": {MANAGER: "S", LEAD: "SIUD", ADMIN: "SIUD"},  # the team's calendar: leads load it
    "managers": {MANAGER: "S", LEAD: "S", ADMIN: "SIU"},  # a team change moves scope: admin only
    "users": dict(_EVERYONE_S),  # logins and roles: `user grant` (the owner)
    "amkit_policies": dict(_EVERYONE_S),
    "amkit_migrations": dict(_EVERYONE_S),
    "amkit_meta": {MANAGER: "SI", LEAD: "SI", ADMIN: "SI"},  # insert: only the key fingerprint, once (RLS)
    "audit_log": {ADMIN: "S"},  # written only through amkit_audit_append / amkit_audit_redact
}
# tables with row-level security enabled; none is FORCEd, so the owner is not subject to it
RLS = (*SCOPED, "audit_log", "amkit_meta")
# amkit's functions -> the groups that may execute them (revoked from PUBLIC); SECURITY DEFINER
# ones run as the owner and do one narrow thing each
FUNCTIONS: dict[str, tuple[str, ...]] = {
    "amkit_visible_owner(integer)": (MANAGER, LEAD, ADMIN),
    "amkit_visible_team(text)": (MANAGER, LEAD, ADMIN),
    "amkit_is_admin()": (MANAGER, LEAD, ADMIN),
    "amkit_audit_head()": (MANAGER, LEAD, ADMIN),
    "amkit_audit_append(timestamp without time zone, text, text, json)": (MANAGER, LEAD, ADMIN),
    "amkit_audit_redact(bigint[])": (ADMIN,),
    "amkit_audit_append_run(timestamp without time zone, text, text, text, json)": (MANAGER, LEAD, ADMIN),
    "amkit_audit_own_runs()": (MANAGER, LEAD, ADMIN),
    "amkit_audit_reverted()": (MANAGER, LEAD, ADMIN),
    "amkit_audit_run_entries(text)": (MANAGER, LEAD, ADMIN),
    "amkit_audit_later(bigint, json)": (MANAGER, LEAD, ADMIN),
}
SECURITY_DEFINER = ("amkit_audit_head", "amkit_audit_append", "amkit_audit_redact", "amkit_audit_append_run",
                    "amkit_audit_own_runs", "amkit_audit_reverted", "amkit_audit_run_entries", "amkit_audit_later")

_FUNCTIONS = """
CREATE OR REPLACE FUNCTION amkit_visible_owner(p_owner integer) RETURNS boolean
LANGUAGE sql STABLE SET search_path = {schema}, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM users u WHERE u.login = current_user AND (
    u.role = 'admin'
    OR (p_owner IS NOT NULL AND u.manager_id = p_owner)
    OR (u.role = 'lead' AND EXISTS (SELECT 1 FROM managers m WHERE m.id = p_owner AND m.team = u.team))))
$$
--
CREATE OR REPLACE FUNCTION amkit_visible_team(p_team text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = {schema}, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM users u WHERE u.login = current_user
                 AND (u.role = 'admin' OR (u.role = 'lead' AND p_team IS NOT NULL AND u.team = p_team)))
$$
--
CREATE OR REPLACE FUNCTION amkit_is_admin() RETURNS boolean
LANGUAGE sql STABLE SET search_path = {schema}, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM users u WHERE u.login = current_user AND u.role = 'admin')
$$
--
CREATE OR REPLACE FUNCTION amkit_audit_head() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1
$$
"""

# The one body of the audit-append functions: p002's amkit_audit_append and p004's
# amkit_audit_append_run (the same, and the entries name their run). Shipped steps must stay
# byte-identical (tests/test_permissions.py pins each step's hash), so both are rendered from it.
_APPEND = """
CREATE OR REPLACE FUNCTION @NAME@(p_at timestamp without time zone, p_who text, p_command text,
@PARAMS@) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE e json; last_id bigint; last_hash text; caller text := session_user;
BEGIN
  IF p_who IS DISTINCT FROM caller THEN
    RAISE EXCEPTION 'audit entries are recorded under the login that makes them (%), not %', caller, p_who
      USING ERRCODE = '42501';
  END IF;
  PERFORM pg_advisory_xact_lock(4242);
  FOR e IN SELECT value FROM json_array_elements(p_rows) WITH ORDINALITY ORDER BY ordinality LOOP
    IF e->>'action' = 'erase' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.login = caller AND u.role = 'admin')
    THEN
      RAISE EXCEPTION 'only an admin records an erase' USING ERRCODE = '42501';
    END IF;
    INSERT INTO audit_log (at, who, command, action, table_name, row_id, before, after, salt, payload_hash,
                           hash, erased@RUNCOL@)
    VALUES (p_at, caller, p_command, e->>'action', e->>'table_name', (e->>'row_id')::bigint, e->'before',
            e->'after', e->>'salt', e->>'payload_hash', e->>'hash', false@RUNVAL@)
    RETURNING id, hash INTO last_id, last_hash;
  END LOOP;
  IF last_id IS NOT NULL THEN
    INSERT INTO amkit_meta (key, value) VALUES ('audit_head', last_id || ':' || last_hash)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
  END IF;
  RETURN last_id;
END $$
"""


def _append_function(name: str, params: str, run: bool) -> str:
    indent = " " * (len("CREATE OR REPLACE FUNCTION ") + len(name) + 1)  # under the "(" of the first line
    return (_APPEND.lstrip("\n").replace("@NAME@", name).replace("@PARAMS@", indent + params)
            .replace("@RUNCOL@", ", run" if run else "").replace("@RUNVAL@", ", p_run" if run else ""))


# p002: the lockdown (issue 25). The log is appended to, never changed, by the logins: entries
# (computed by amkit) go in through amkit_audit_append, which records them under the caller's
# own login, in order, and moves the head kept in amkit_meta; only an admin's erase blanks
# payloads, through amkit_audit_redact. amkit_hidden (it answered whether any customer name
# existed) is gone: a reference outside one's scope gets the same answer as a missing one.
_LOCKDOWN = """
DROP FUNCTION IF EXISTS amkit_hidden(text, text)
--
DROP POLICY IF EXISTS amkit_append ON audit_log
--
DROP POLICY IF EXISTS amkit_redact ON audit_log
--
""" + _append_function("amkit_audit_append", "p_rows json", run=False) + """--
CREATE OR REPLACE FUNCTION amkit_audit_redact(p_ids bigint[]) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE n integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM users u WHERE u.login = session_user AND u.role = 'admin') THEN
    RAISE EXCEPTION 'only an admin erases audit payloads' USING ERRCODE = '42501';
  END IF;
  UPDATE audit_log SET before = NULL, after = NULL, salt = NULL, erased = true WHERE id = ANY(p_ids);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$
"""


# p004 (issue 21): entries name the command invocation (run) that wrote them, so `amkit undo`
# reverts a command as a whole; amkit_audit_append_run is amkit_audit_append with the run. A
# login that may not read the log undoes its own commands through four narrow readers: its own
# runs, which runs were reverted, the entries of one of its runs, and the later entries (no
# payload) of exactly the rows that run touched.
_RUNS = """
""" + _append_function("amkit_audit_append_run", "p_run text, p_rows json", run=True) + """--
CREATE OR REPLACE FUNCTION amkit_audit_own_runs()
RETURNS TABLE(run text, command text, at timestamp without time zone, first_id bigint, last_id bigint, action text,
              table_name text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT a.run::text, a.command::text, min(a.at), min(a.id)::bigint, max(a.id)::bigint, a.action::text,
         a.table_name::text, count(*)
  FROM audit_log a WHERE a.run IS NOT NULL AND a.who = session_user
  GROUP BY a.run, a.command, a.action, a.table_name
$$
--
CREATE OR REPLACE FUNCTION amkit_audit_reverted() RETURNS TABLE(run text, reverted text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT a.run::text, (a.after->>'run')::text FROM audit_log a WHERE a.action = 'undo'
$$
--
CREATE OR REPLACE FUNCTION amkit_audit_run_entries(p_run text)
RETURNS TABLE(id bigint, action text, table_name text, row_id bigint, before json, after json, erased boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT a.id::bigint, a.action::text, a.table_name::text, a.row_id::bigint, a.before, a.after, a.erased
  FROM audit_log a WHERE a.run = p_run AND a.who = session_user AND a.action IN ('insert', 'update', 'delete')
  ORDER BY a.id
$$
--
CREATE OR REPLACE FUNCTION amkit_audit_later(p_after bigint, p_rows json)
RETURNS TABLE(id bigint, run text, who text, command text, at timestamp without time zone, action text,
              table_name text, row_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT a.id::bigint, a.run::text, a.who::text, a.command::text, a.at, a.action::text, a.table_name::text,
         a.row_id::bigint
  FROM audit_log a JOIN json_to_recordset(p_rows) AS r(t text, i bigint) ON r.t = a.table_name AND r.i = a.row_id
  WHERE a.id > p_after AND a.action IN ('insert', 'update', 'delete', 'erase', 'merge')
  ORDER BY a.id
$$
"""


def _statements(text: str, schema: str) -> list[str]:
    return [s.strip() for s in text.format(schema=schema).split("\n--\n") if s.strip()]


def _p001_policies(schema: str) -> list[str]:
    stmts = _statements(_FUNCTIONS, schema)
    rules = {"customers": "amkit_visible_owner(owner_id)",
             "goals": "amkit_visible_owner(owner_id) OR amkit_visible_team(team)"}
    for table in VIA_CUSTOMER:
        rules[table] = f"EXISTS (SELECT 1 FROM customers c WHERE c.id = {table}.customer_id)"
    for table in VIA_DEAL:
        rules[table] = f"EXISTS (SELECT 1 FROM deals d WHERE d.id = {table}.deal_id)"
    return stmts + _scope_policies(rules) + [
        "ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY amkit_append ON audit_log FOR INSERT WITH CHECK (who = current_user OR amkit_is_admin())",
        "CREATE POLICY amkit_read ON audit_log FOR SELECT USING (amkit_is_admin())",
        "CREATE POLICY amkit_redact ON audit_log FOR UPDATE USING (amkit_is_admin())",
    ]


def _scope_policies(rules: dict[str, str]) -> list[str]:
    stmts = []
    for table, rule in rules.items():
        stmts += [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
                  f"DROP POLICY IF EXISTS amkit_scope ON {table}",
                  f"CREATE POLICY amkit_scope ON {table} USING ({rule}) WITH CHECK ({rule})"]
    return stmts


def _p003_money(schema: str) -> list[str]:
    """Contracts through their customer, installments through their deal (issue 22)."""
    rules = {table: f"EXISTS (SELECT 1 FROM customers c WHERE c.id = {table}.customer_id)"
             for table in MONEY_VIA_CUSTOMER}
    rules.update({table: f"EXISTS (SELECT 1 FROM deals d WHERE d.id = {table}.deal_id)" for table in MONEY_VIA_DEAL})
    return _scope_policies(rules)


def _p002_lockdown(schema: str) -> list[str]:
    from amkit.store import crypto

    return _statements(_LOCKDOWN, schema) + [
        "ALTER TABLE amkit_meta ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS amkit_read ON amkit_meta",
        "CREATE POLICY amkit_read ON amkit_meta FOR SELECT USING (true)",
        "DROP POLICY IF EXISTS amkit_key_check ON amkit_meta",
        # the first login to use AMKIT_KEY records its fingerprint; nothing else, and never a change
        f"CREATE POLICY amkit_key_check ON amkit_meta FOR INSERT WITH CHECK (key = '{crypto.CHECK_KEY}')",
    ]


# name → statements (given the schema); a shipped step is never edited: add a new one
POLICY_STEPS: list[tuple[str, Callable[[str], list[str]]]] = [("p001_roles_rls", _p001_policies),
                                                               ("p002_lockdown", _p002_lockdown),
                                                               ("p003_contracts_installments", _p003_money),
                                                               ("p004_audit_runs",
                                                                lambda schema: _statements(_RUNS, schema))]
_LETTERS = {"S": "SELECT", "I": "INSERT", "U": "UPDATE", "D": "DELETE"}


def _grants(session: Session, schema: str) -> list[str]:
    """Revoke everything from the groups (and PUBLIC), then grant exactly PRIVILEGES/FUNCTIONS."""
    tables = list(session.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                          "ORDER BY tablename")).scalars())
    quoted = ", ".join(_quote(session, t) for t in tables)
    stmts = [f"REVOKE ALL ON SCHEMA {schema} FROM {ALL_GROUPS}",
             f"GRANT USAGE ON SCHEMA {schema} TO {ALL_GROUPS}",
             f"REVOKE ALL ON {quoted} FROM PUBLIC, {ALL_GROUPS}",
             f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM PUBLIC, {ALL_GROUPS}"]
    sequences = dict(session.execute(sa.text(
        "SELECT table_name, pg_get_serial_sequence(quote_ident(table_schema) || '.' || quote_ident(table_name), "
        "column_name) FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'id'")).all())
    for table in tables:
        for group, letters in PRIVILEGES.get(table, {}).items():  # a table not in it: nobody (closed)
            privileges = ", ".join(_LETTERS[c] for c in letters)
            stmts.append(f"GRANT {privileges} ON {_quote(session, table)} TO {group}")
            if "I" in letters and sequences.get(table):  # ids of the rows they may add
                stmts.append(f"GRANT USAGE ON SEQUENCE {sequences[table]} TO {group}")
    for function, groups in FUNCTIONS.items():
        stmts += [f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC, {ALL_GROUPS}",
                  f"GRANT EXECUTE ON FUNCTION {function} TO {', '.join(groups)}"]
    return stmts


def _require_postgres(session: Session, what: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        raise BadInput(f"{what} needs team mode (AMKIT_DATABASE_URL=postgresql+psycopg://…); SQLite personal "
                       "mode has one user with every right")


def _ensure_groups(session: Session) -> None:
    for group in GROUPS.values():
        exists = session.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": group}).first()
        if not exists:
            session.execute(sa.text(f"CREATE ROLE {group} NOLOGIN"))


def setup(st: Store) -> list[str]:
    """Create the group roles, apply pending policy steps and the grants; return the steps run."""
    from amkit.store.models import PolicyVersion

    session = st.session
    _require_postgres(session, "team setup")
    schema = _quote(session, session.execute(sa.text("SELECT current_schema()")).scalar())
    _ensure_groups(session)
    done = set(session.execute(sa.select(PolicyVersion.name)).scalars())
    ran = []
    for name, build in POLICY_STEPS:
        if name in done:
            continue
        for stmt in build(schema):
            session.execute(sa.text(stmt))
        st.add(PolicyVersion(name=name, applied_at=config.now()))
        ran.append(name)
    for stmt in _grants(session, schema):
        session.execute(sa.text(stmt))
    _record_key(st)
    return ran


def _record_key(st: Store) -> None:
    """With AMKIT_KEY set, the owner records its fingerprint now, so no login can claim another."""
    from amkit.store import crypto

    if crypto.active():
        st.check_key()


def _quote(session: Session, name: str) -> str:
    return session.get_bind().dialect.identifier_preparer.quote(name)


def grant(st: Store, login: str, role: str, team: str | None = None, manager: str | None = None,
          password: str | None = None) -> dict:
    """Create/update the login role and its users row (role, manager record, team)."""
    from amkit.store.models import PolicyVersion, User

    session = st.session
    _require_postgres(session, "user grant")
    if role not in ROLES:
        raise bad_value("--role", role, f"expected one of {', '.join(ROLES)}")
    if not login or len(login.encode()) > 63 or re.search(r"[\x00-\x1f\"]", login):
        raise bad_value("NAME", login, "expected a database login name (at most 63 bytes, no quotes)")
    if session.execute(sa.select(PolicyVersion.id).limit(1)).first() is None:
        raise Conflict("team mode is not set up: run `amkit team setup` first")
    found = session.execute(sa.select(User).where(User.login == login)).scalars().first()
    mgr = _manager(session, login, role, manager, found.manager_id if found else None)
    team = (team or "").strip() or (mgr.team if mgr else None)
    if role == "lead" and not team:
        raise bad_value("--team", "", "a lead needs a team (--team T, or a manager record with a team)")
    _login_role(session, login, role, password)
    values = {"manager_id": mgr.id if mgr else None, "role": role, "team": team}
    if found is None:
        st.add(User(login=login, created_at=config.now(), **values))
    else:
        st.update(found, values)
    return {"login": login, "role": role, "manager": mgr.name if mgr else None, "team": team}


def _manager(session: Session, login: str, role: str, manager: str | None, current: int | None):  # noqa: ANN202
    """--manager, else the manager record the login already has, else the one named like it."""
    from amkit.errors import NotFound
    from amkit.store.models import Manager

    if manager is None and current is not None:
        return session.get(Manager, current)
    try:
        return lookup.manager(session, manager or login)
    except NotFound:
        if manager or role == "manager":
            raise
        return None


def _login_role(session: Session, login: str, role: str, password: str | None) -> None:
    name = _quote(session, login)
    row = session.execute(sa.text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :n"),
                          {"n": login}).first()
    if row is None:
        session.execute(sa.text(f"CREATE ROLE {name} LOGIN"))
    elif row[0]:
        raise Conflict(f"login {login!r} is a superuser or bypasses row-level security: give each person "
                       "an ordinary login")
    owner = session.execute(sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'customers' "
                                    "AND schemaname = current_schema()")).scalar()
    if owner == login:
        raise Conflict(f"login {login!r} owns the tables, so row-level security does not apply to it")
    for other, group in GROUPS.items():
        if other != role:
            session.execute(sa.text(f"REVOKE {group} FROM {name}"))
    session.execute(sa.text(f"GRANT {GROUPS[role]} TO {name}"))
    database = _quote(session, session.execute(sa.text("SELECT current_database()")).scalar())
    session.execute(sa.text(f"GRANT CONNECT ON DATABASE {database} TO {name}"))
    if password:
        literal = "'" + password.replace("'", "''") + "'"
        session.execute(sa.text(f"ALTER ROLE {name} LOGIN PASSWORD {literal}"))


def users(session: Session) -> list[dict[str, Any]]:
    """The logins with their role, manager record and team (`amkit user list`)."""
    from amkit.store.models import Manager, User

    query = (sa.select(User, Manager.name).join(Manager, User.manager_id == Manager.id, isouter=True)
             .order_by(User.login))
    return [{"login": u.login, "role": u.role, "manager": name, "team": u.team, "created_at": u.created_at}
            for u, name in session.execute(query)]
