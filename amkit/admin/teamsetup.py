"""`amkit team setup` and `amkit user grant`: PostgreSQL roles, grants and row-level security.

Run them on the owner's connection (the login that ran `amkit init`, with CREATEROLE). The
owner is not subject to the policies (no FORCE): it stays the unrestricted admin connection.
Policy steps are versioned like migrations: each runs once and is recorded in amkit_policies.
Grants are re-applied on every `team setup` (idempotent), so tables added by later migrations
are covered by running it again.
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
SCOPED = ("customers", *VIA_CUSTOMER, *VIA_DEAL, "goals")
READ_ONLY = ("managers", "users", "amkit_migrations", "amkit_policies")
ALL_GROUPS = ", ".join(GROUPS.values())

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
--
CREATE OR REPLACE FUNCTION amkit_hidden(p_table text, p_ref text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE found boolean := false;
BEGIN
  IF p_table NOT IN ('customers', 'deals', 'complaints', 'contacts', 'followups', 'payments', 'surveys') THEN
    RETURN false;
  END IF;
  IF p_ref ~ '^[0-9]{{1,18}}$' THEN
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM ' || quote_ident(p_table) || ' WHERE id = $1)'
      INTO found USING p_ref::bigint;
  END IF;
  IF NOT found AND p_table = 'customers' THEN
    SELECT EXISTS (SELECT 1 FROM customers WHERE name = p_ref) INTO found;
  END IF;
  RETURN found;
END $$
--
REVOKE ALL ON FUNCTION amkit_audit_head(), amkit_hidden(text, text) FROM PUBLIC
--
GRANT EXECUTE ON FUNCTION amkit_audit_head(), amkit_hidden(text, text) TO {groups}
"""


def _p001_policies(schema: str) -> list[str]:
    stmts = [s.strip() for s in _FUNCTIONS.format(schema=schema, groups=ALL_GROUPS).split("\n--\n") if s.strip()]
    rules = {"customers": "amkit_visible_owner(owner_id)",
             "goals": "amkit_visible_owner(owner_id) OR amkit_visible_team(team)"}
    for table in VIA_CUSTOMER:
        rules[table] = f"EXISTS (SELECT 1 FROM customers c WHERE c.id = {table}.customer_id)"
    for table in VIA_DEAL:
        rules[table] = f"EXISTS (SELECT 1 FROM deals d WHERE d.id = {table}.deal_id)"
    for table, rule in rules.items():
        stmts += [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
                  f"DROP POLICY IF EXISTS amkit_scope ON {table}",
                  f"CREATE POLICY amkit_scope ON {table} USING ({rule}) WITH CHECK ({rule})"]
    stmts += [
        "ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY",
        # everyone appends, under their own name; only admins read (payloads span every team)
        "CREATE POLICY amkit_append ON audit_log FOR INSERT WITH CHECK (who = current_user OR amkit_is_admin())",
        "CREATE POLICY amkit_read ON audit_log FOR SELECT USING (amkit_is_admin())",
        "CREATE POLICY amkit_redact ON audit_log FOR UPDATE USING (amkit_is_admin())",
    ]
    return stmts


# name → statements (given the schema); a shipped step is never edited: add a new one
POLICY_STEPS: list[tuple[str, Callable[[str], list[str]]]] = [("p001_roles_rls", _p001_policies)]


def _grants(schema: str) -> list[str]:
    stmts = [f"GRANT USAGE ON SCHEMA {schema} TO {ALL_GROUPS}",
             f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(SCOPED)} TO {ALL_GROUPS}",
             f"GRANT SELECT ON {', '.join(READ_ONLY)} TO {ALL_GROUPS}",
             "GRANT INSERT, UPDATE ON managers TO amkit_lead, amkit_admin",
             f"GRANT SELECT, INSERT, UPDATE ON amkit_meta TO {ALL_GROUPS}",
             f"GRANT INSERT ON audit_log TO {ALL_GROUPS}",
             "GRANT SELECT, UPDATE ON audit_log TO amkit_admin",
             f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {ALL_GROUPS}"]
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
    for stmt in _grants(schema):
        session.execute(sa.text(stmt))
    return ran


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
