"""Team mode on PostgreSQL (issue 13): who is acting, what they may see, and the database
roles and row-level-security policies that make the rule hold for `psql` too.

- The acting user is the database login (`current_user`), found in the `users` table. A login
  that is not there (the owner that ran `amkit init` / `team setup`, a superuser) and SQLite
  personal mode have no scope: everything is allowed, exactly as before.
- Roles: manager (customers they own and those customers' records), lead (their team's:
  customers whose owner's `managers.team` is the lead's team), admin (all).
- The rule lives in PostgreSQL: `amkit_visible_owner(owner_id)` (a plain SQL function reading
  `users`/`managers` as the caller) is the policy of `customers` and `goals`; child tables are
  visible when their customer (or deal) is, through an EXISTS on the RLS-protected parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from amkit.errors import OutOfScope

if TYPE_CHECKING:
    from sqlmodel import Session

    from amkit.store.raw import Reader

# No SQLAlchemy here (the light reads use visible_manager_ids_of): the session helpers send
# their SQL through the session's connection as it is (PostgreSQL's driver, pyformat).
SCOPE_SQL = "SELECT login, role, manager_id, team FROM users WHERE login = current_user"

ROLES = ("manager", "lead", "admin")
GROUPS = {role: f"amkit_{role}" for role in ROLES}


@dataclass(frozen=True)
class Scope:
    login: str
    role: str
    manager_id: int | None
    team: str | None

    def describe(self) -> str:
        return f"{self.login} ({self.role}{', team ' + self.team if self.role == 'lead' and self.team else ''})"


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def scope(session: Session) -> Scope | None:
    """The acting user in team mode, or None (personal mode / the owner: no restriction)."""
    if "amkit_scope" not in session.info:
        found = None
        if is_postgres(session):
            row = session.connection().exec_driver_sql(SCOPE_SQL).first()
            found = Scope(*row) if row else None
        session.info["amkit_scope"] = found
    return session.info["amkit_scope"]


def restricted(session: Session) -> Scope | None:
    """The scope when it limits what is visible (manager or lead), else None."""
    return _limiting(scope(session))


def _limiting(found: Scope | None) -> Scope | None:
    return found if found is not None and found.role != "admin" else None


def require(session: Session, *roles: str, action: str, table: str = "*") -> None:
    """Refuse (exit 4, audited) an action reserved to `roles` in team mode."""
    found = scope(session)
    if found is not None and found.role not in roles:
        raise OutOfScope(f"{action} is reserved to {'/'.join(roles)}; {found.describe()} may not run it",
                         table=table)


def not_found(session: Session, what: str, table: str, ref: str) -> Exception:
    """The error for a reference that matches nothing the acting user can see.

    A manager or lead gets one answer (exit 4, audited as refused) whether or not such a row
    exists outside their scope, so it cannot be used to test whether a name exists; elsewhere
    (personal mode, the owner, an admin) it is plain not found (exit 3)."""
    from amkit.errors import NotFound

    found = restricted(session)
    if found is None:
        return NotFound(f"{what} not found: {ref!r}")
    return OutOfScope(f"{what} {ref!r} is not in the scope of {found.describe()} (missing, or not theirs to see)",
                      table=table)


def visible_manager_ids_of(r: Reader) -> set[int] | None:
    """Managers whose numbers the acting user may see, read on amkit.store.raw: a manager their
    own, a lead their team's (and their own), others all (None)."""
    row = r.rows(SCOPE_SQL) if not r.sqlite else []
    found = _limiting(Scope(*row[0]) if row else None)
    if found is None:
        return None
    own = {found.manager_id} if found.manager_id is not None else set()
    if found.role == "manager":
        return own
    return own | {mid for (mid,) in r.rows("SELECT id FROM managers WHERE team = :t", t=found.team)}


def default_owner_id(session: Session) -> int | None:
    """A manager's new customers are theirs unless --owner says otherwise."""
    found = scope(session)
    return found.manager_id if found is not None else None
