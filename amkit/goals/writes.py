"""Goals in the database: one per (manager or team, period, metric), set, found, split.

``set_goal`` inserts or updates (audited through the Store) and reports what changed;
``split`` spreads a stored team goal over the team's active managers with
:func:`amkit.goals.split_team` and writes one goal per manager. Lines are validated by
:func:`amkit.goals.default_lines` (SPEC defaults 1.2× / 1.5×). Money lines are yuan with
2 decimals (``3万``, ``¥1,200`` accepted), count lines whole numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config
from amkit.store import lookup
from amkit.errors import BadInput, NotFound
from amkit.goals.calc import LINES, GoalLines, default_lines, metric_info
from amkit.goals.queries import Who
from amkit.store.models import Goal, Manager
from amkit.core.periods import Period, parse_period
from amkit.store.writer import Store


def resolve(session: Session, owner: str | None, team: str | None, *, required: bool = True) -> Who | None:
    """``--owner N`` or ``--team T`` (exactly one); a team must have at least one manager."""
    if owner and team:
        raise BadInput("give either --owner or --team, not both")
    if owner:
        m = lookup.manager(session, owner)
        return Who(m.id, None, m.name)
    if team:
        name = team.strip()
        if not session.execute(sa.select(Manager.id).where(Manager.team == name).limit(1)).first():
            raise NotFound(f"team not found: {name!r} (no manager has team {name!r})")
        return Who(None, name, name)
    if required:
        raise BadInput("give --owner NAME or --team TEAM")
    return None


def parse_lines(metric: str, target: object, excellent: object = None, stretch: object = None) -> GoalLines:
    """Validate the three lines from user input (money accepts 3万, ¥ and separators)."""
    if metric_info(metric).kind == "money":
        target, excellent, stretch = (_money(f, v) for f, v in
                                      (("target", target), ("excellent", excellent), ("stretch", stretch)))
    return default_lines(metric, target, excellent, stretch)


def _money(field: str, value: object) -> object:
    """Plain numbers pass through (messages quote them as typed); 3万/¥1,200 become numbers."""
    from decimal import InvalidOperation

    from amkit.core.parse import parse_amount

    if value is None:
        return None
    try:
        Decimal(str(value).strip())
        return value
    except InvalidOperation:
        amount = parse_amount(field, value)
        if amount is None:
            raise BadInput(f"invalid {field} {value!r}: expected an amount") from None
        return str(amount)


def lines_of(goal: Goal) -> GoalLines:
    """A stored goal as GoalLines in the metric's precision (amkit.goals.queries reads them so)."""
    from amkit.goals.queries import lines_from

    return lines_from(goal.metric, [getattr(goal, n) for n in LINES])


def _where(who: Who, period: str, metric: str) -> list:
    holder = Goal.owner_id == who.owner_id if who.team is None else Goal.team == who.team
    return [holder, Goal.period == period, Goal.metric == metric]


def find(session: Session, who: Who, period: Period | str, metric: str) -> Goal | None:
    key = parse_period(period).key
    return session.execute(sa.select(Goal).where(*_where(who, key, metric))).scalars().first()


def get(session: Session, who: Who, period: Period | str, metric: str) -> Goal:
    """The stored goal; NotFound (3) naming it, with the command that would set it."""
    goal = find(session, who, period, metric_info(metric).name)
    if goal is None:
        key = parse_period(period).key
        flag = "--team" if who.team is not None else "--owner"
        raise NotFound(f"no {metric} goal for {who.name} in {key} "
                       f"(set one: amkit goal set --period {key} {flag} {who.name} --metric {metric} --target X)")
    return goal


def set_goal(st: Store, who: Who, period: Period | str, lines: GoalLines) -> tuple[Goal, dict, bool]:
    """Insert or update; returns (goal, {line: (old, new)}, created)."""
    key = parse_period(period).key
    values = {n: Decimal(str(v)) for n, v in lines.items()}
    goal = find(st.session, who, key, lines.metric)
    if goal is None:
        goal = st.add(Goal(owner_id=who.owner_id, team=who.team, period=key, metric=lines.metric,
                           created_at=config.now(), **values))
        return goal, {}, True
    before = lines_of(goal)
    changes = {n: values[n] for n in LINES if getattr(before, n) != getattr(lines, n)}
    st.update(goal, changes)
    return goal, {n: (getattr(before, n), getattr(lines, n)) for n in changes}, False


def goal_row(goal: Goal, who: Who) -> dict[str, Any]:
    lines = lines_of(goal)
    return {"id": goal.id, "owner": who.name, "kind": who.kind, "period": goal.period,
            "metric": goal.metric, "target": lines.target, "excellent": lines.excellent,
            "stretch": lines.stretch}


def goals_for(session: Session, period: Period | str, who: Who | None = None,
              metric: str | None = None) -> list[tuple[Goal, Who]]:
    """Stored goals of a period (optionally one holder / one metric), managers then teams."""
    query = (sa.select(Goal, Manager.name).join(Manager, Manager.id == Goal.owner_id, isouter=True)
             .where(Goal.period == parse_period(period).key))
    if who is not None:
        query = query.where(Goal.team == who.team if who.team is not None else Goal.owner_id == who.owner_id)
    if metric is not None:
        query = query.where(Goal.metric == metric_info(metric).name)
    rows = [(g, Who(g.owner_id, None, name) if g.team is None else Who(None, g.team, g.team))
            for g, name in session.execute(query)]
    return sorted(rows, key=lambda r: (r[1].kind == "team", r[1].name, r[0].metric))


def members(session: Session, team: str) -> list[Manager]:
    """Active managers of a team, by name (the order ties are broken in)."""
    return list(session.execute(sa.select(Manager).where(Manager.team == team, Manager.active.is_(True))
                                .order_by(Manager.name)).scalars())


def _history_weights(session: Session, names: dict[int, str], period: Period, metric: str) -> tuple[dict, str]:
    """Each member's actual in the previous period; all zero → the same period last year."""
    from amkit.goals.queries import Actuals
    from amkit.store.raw import Reader

    r = Reader.of_session(session)
    for basis in (period.previous(), period.same_period_last_year()):
        values = Actuals(r, basis, config.today(), [metric])
        shares = {name: values.of(Who(mid, None, name), metric) or 0 for mid, name in names.items()}
        if any(shares.values()):
            return shares, f"{metric} in {basis.key}"
    raise BadInput(f"invalid history {metric!r}: no team member has any {metric} in "
                   f"{period.previous().key} or {period.same_period_last_year().key}; "
                   "split equally or give --weights")


def split(st: Store, team: str, period: Period | str, metric: str = "revenue", weights: str | None = None,
          by_history: bool = False) -> tuple[list[dict[str, Any]], str, list[str]]:
    """Spread the stored team goal over the team's active managers and write their goals.

    Weights: equal (default), ``name=share,...`` or by history (each member's actual of the
    same metric in the previous period; if that is zero for everyone, the same period last
    year). Active members that ``--weights`` does not name (a team lead, say) are left out: no
    goal is written for them. Returns the rows (with the weight used and new/updated/unchanged),
    the basis and the names left out.
    """
    from amkit.goals.calc import split_team

    if weights and by_history:
        raise BadInput("give either --weights or --by-history, not both")
    period = parse_period(period)
    who = resolve(st.session, None, team)
    team_goal = get(st.session, who, period, metric)
    people = members(st.session, who.team)
    if not people:
        raise BadInput(f"invalid team {who.team!r}: it has no active managers to split onto")
    names = {m.id: m.name for m in people}
    basis, shares, left_out = "equal", None, []
    if by_history:
        shares, basis = _history_weights(st.session, names, period, metric)
    elif weights:
        from amkit.goals.calc import parse_weights

        shares, basis = parse_weights(weights), "weights"
    if basis == "weights":  # whoever --weights does not name (the team lead, say) is left out
        left_out = [name for name in names.values() if name not in shares]
        names = {mid: name for mid, name in names.items() if name in shares}
    parts = split_team(lines_of(team_goal), list(names.values()), shares, by_history=by_history)
    rows = []
    for mid, name in names.items():
        person = Who(mid, None, name)
        goal, diff, created = set_goal(st, person, period, parts[name])
        status = "new" if created else ("updated" if diff else "unchanged")
        rows.append({**goal_row(goal, person), "weight": 1 if shares is None else shares.get(name, 0),
                     "status": status})
    return rows, basis, left_out
