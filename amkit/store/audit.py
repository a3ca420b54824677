"""The audit log: append, list, verify (SPEC §2 audit log, issue: data safety).

Each entry's payload (before/after) is hashed with a random per-entry salt:
    payload_hash = sha256(salt + canonical(before, after))
and the chain links the entries' metadata and payload hashes:
    hash = sha256(previous hash + canonical(at, who, command, action, table, row_id, payload_hash))
so editing, inserting or deleting an entry breaks the chain, while `customer erase` can drop a
payload (and its salt) without breaking it: the payload hash stays, and the erase itself is an
entry naming the erased entry ids. The latest (id, hash) is also kept in amkit_meta so a
deleted tail is caught too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import json.encoder
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def _fast(encoder: json.JSONEncoder) -> Callable[[Any], str]:
    """encoder.encode, with its C encoder made once instead of at every call (the audit log
    serialises every payload of an import)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None or encoder.indent is not None:
        return encoder.encode
    quote = json.encoder.encode_basestring_ascii if encoder.ensure_ascii else json.encoder.encode_basestring
    fast = make(None, encoder.default, quote, None, encoder.key_separator, encoder.item_separator,
                encoder.sort_keys, encoder.skipkeys, encoder.allow_nan)
    return lambda data: "".join(fast(data, 0))


# json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str): hashed
_canonical = _fast(json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str))


def _text(value: Any) -> str:
    return json.encoder.encode_basestring(value) if type(value) is str else _canonical(value)


JSON_READY = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A column value as the log keeps it (dates as ISO text, Decimal as text): the Store's
    snapshots and the replay's comparisons."""
    if type(value) in JSON_READY:
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def payload_hash(salt: str, before: Any, after: Any) -> str:
    return _payload_hash(salt, _canonical(before), _canonical(after))


def _payload_hash(salt: str, before_text: str, after_text: str) -> str:
    """sha256(salt + canonical({"before": …, "after": …})) from the canonical texts of both
    halves: canonical JSON sorts keys ("after" < "before") and has no spaces, so the whole is
    exactly this concatenation, and each half is serialised only once."""
    return hashlib.sha256(f'{salt}{{"after":{after_text},"before":{before_text}}}'.encode()).hexdigest()


def chain_hash(prev: str, at: str, who: str, command: str, action: str, table: str, row_id: Any,
               p_hash: str) -> str:
    """sha256(prev + canonical({"at", "who", "command", "action", "table_name", "row_id",
    "payload_hash"})), the canonical object written out key by key in its sorted order."""
    return _chain(prev, _text(action), _text(at), _text(command), _text(p_hash), row_id, _text(table), _text(who))


def _chain(prev: str, action: str, at: str, command: str, p_hash: str, row_id: Any, table: str, who: str) -> str:
    """chain_hash from the JSON texts of the string fields (an append makes most of them once)."""
    rid = str(row_id) if type(row_id) is int else _canonical(row_id)
    meta = (f'{{"action":{action},"at":{at},"command":{command},"payload_hash":{p_hash},"row_id":{rid},'
            f'"table_name":{table},"who":{who}}}')
    return hashlib.sha256((prev + meta).encode()).hexdigest()


def _head(session: Session) -> str:
    from amkit.store.models import AuditEntry

    if session.get_bind().dialect.name == "postgresql":
        # serialise writers of the chain (SQLite's BEGIN IMMEDIATE already does)
        session.execute(sa.text("SELECT pg_advisory_xact_lock(4242)"))
        from amkit.store import scope as team

        if team.restricted(session) is not None:  # may append but not read: ask the owner's function
            return session.execute(sa.text("SELECT amkit_audit_head()")).scalar() or GENESIS
    last = session.execute(sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    return last or GENESIS


def append(session: Session, who: str, command: str, items: list[dict[str, Any]]) -> None:
    prev = _head(session)
    at = config.now()
    sqlite = session.get_bind().dialect.name == "sqlite"
    count = len(items)
    actions, tables, row_ids, befores, afters = (list(map(itemgetter(k), items))
                                                 for k in ("action", "table_name", "row_id", "before", "after"))
    salt_hex = os.urandom(16 * count).hex()  # one 32-hex-digit salt per entry
    salts = [salt_hex[i:i + 32] for i in range(0, 32 * count, 32)]
    before_texts = [_canonical(before) if before is not None else "null" for before in befores]
    after_texts = [_canonical(after) if after is not None else "null" for after in afters]
    p_hashes = list(map(_payload_hash, salts, before_texts, after_texts))
    at_json, command_json, who_json = _text(at.isoformat()), _text(command), _text(who)
    texts: dict[Any, str] = {}
    hashes = []
    for action, table, row_id, p_hash in zip(actions, tables, row_ids, p_hashes):
        if action not in texts or table not in texts:
            texts.update({action: _text(action), table: _text(table)})
        prev = _chain(prev, texts[action], at_json, command_json, f'"{p_hash}"', row_id, texts[table], who_json)
        hashes.append(prev)
    if sqlite:  # SQLite keeps JSON as text: store the canonical text just hashed
        befores, afters = before_texts, after_texts
    columns = {"action": actions, "table_name": tables, "row_id": row_ids, "before": befores, "after": afters,
               "salt": salts, "payload_hash": p_hashes, "hash": hashes}
    columns.update(at=[at] * count, who=[who] * count, command=[command] * count, erased=[False] * count)
    _insert(session, columns, prev)


def _insert(session: Session, columns: dict[str, list[Any]], head: str) -> None:
    """Store the computed entries (one list per column) and the new head (id:hash).

    A team login (a `users` row) has no privilege on audit_log: its entries go in through the
    owner's amkit_audit_append(), which only appends, under the caller's own login, and moves
    the head itself. The owner and SQLite insert directly."""
    from amkit.store.models import Meta

    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        from amkit.store import bulk

        bulk.insert_columns(session, _insert_table(True), columns)
    else:
        from amkit.store import scope as team

        if team.scope(session) is not None:
            _append_through_function(session, columns)
            return
        rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
        session.execute(_insert_table(False).insert().inline(), rows)  # no RETURNING: see _last_id
    session.merge(Meta(key=HEAD_KEY, value=f"{_last_id(session)}:{head}"))


PER_ENTRY = ("action", "table_name", "row_id", "before", "after", "salt", "payload_hash", "hash")


def _append_through_function(session: Session, columns: dict[str, list[Any]]) -> None:
    from amkit.errors import Conflict

    if session.execute(sa.text("SELECT to_regproc('amkit_audit_append')")).scalar() is None:
        raise Conflict("team mode needs `amkit team setup` again (as the owner) after this upgrade: "
                       "the audit log is written through amkit_audit_append")
    entries = [dict(zip(PER_ENTRY, values)) for values in zip(*(columns[k] for k in PER_ENTRY))]
    session.execute(sa.text("SELECT amkit_audit_append(CAST(:at AS timestamp), :who, :command, CAST(:rows AS json))"),
                    {"at": columns["at"][0], "who": columns["who"][0], "command": columns["command"][0],
                     "rows": _canonical(entries)})


@lru_cache(maxsize=2)
def _insert_table(json_as_text: bool) -> sa.Table:
    """audit_log for inserts; with `json_as_text`, before/after take ready JSON text (SQLite keeps
    JSON as text; the canonical text that was hashed is stored, so it is serialised once)."""
    from amkit.store.models import AuditEntry

    if not json_as_text:
        return AuditEntry.__table__
    columns = [sa.Column(c.name, sa.Text if c.name in ("before", "after") else c.type, primary_key=c.primary_key)
               for c in AuditEntry.__table__.columns]
    return sa.Table(AuditEntry.__tablename__, sa.MetaData(), *columns)


def _last_id(session: Session) -> int:
    """The id just written: in team mode a manager may append to the log but not read it (nor
    use RETURNING), so PostgreSQL asks the sequence; SQLite has one writer at a time."""
    from amkit.store.models import AuditEntry

    if session.get_bind().dialect.name == "postgresql":
        return session.execute(sa.text("SELECT currval(pg_get_serial_sequence('audit_log', 'id'))")).scalar()
    return session.execute(sa.select(sa.func.max(AuditEntry.id))).scalar()


@dataclass
class Problem:
    entry_id: int | None
    message: str


def verify(session: Session, replay: bool = True) -> list[Problem]:
    """The first chain break (if any), then rows whose current state differs from the log."""
    from amkit.store.models import AuditEntry, Meta

    prev = GENESIS
    last_id = None
    erased_ok: set[int] = set()
    for after in session.execute(sa.select(AuditEntry.after).where(AuditEntry.action == "erase")).scalars():
        if isinstance(after, dict):
            erased_ok.update(after.get("erased_entries", []))
    entries = session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars()
    state: dict[tuple[str, int], dict[str, Any]] = {}
    for e in entries:
        if e.erased and e.id not in erased_ok:
            return [Problem(e.id, f"audit entry {e.id} is marked erased but no erase entry covers it")]
        if not e.erased and payload_hash(e.salt or "", e.before, e.after) != e.payload_hash:
            return [Problem(e.id, f"audit entry {e.id} ({e.table_name} {e.row_id}) was altered: payload "
                                  "does not match its hash")]
        expected = chain_hash(prev, e.at.isoformat(), e.who, e.command, e.action, e.table_name, e.row_id,
                              e.payload_hash)
        if expected != e.hash:
            return [Problem(e.id, f"audit chain broken at entry {e.id} ({e.table_name} {e.row_id}): "
                                  "an entry was altered, inserted or deleted")]
        prev, last_id = e.hash, e.id
        if replay:
            _apply(state, e)
    head = session.get(Meta, HEAD_KEY)
    if head is not None and head.value != f"{last_id}:{prev}":
        return [Problem(last_id, f"audit log ends at entry {last_id} but entry {head.value.split(':')[0]} was "
                                 "recorded: entries were deleted")]
    return _compare(session, state) if replay else []


def _apply(state: dict[tuple[str, int], dict[str, Any]], e: Any) -> None:
    if e.erased or e.row_id is None:
        if e.action == "delete" and e.table_name == "*":
            state.clear()
        return
    key = (e.table_name, e.row_id)
    if e.action == "insert":
        state[key] = dict(e.after or {})
    elif e.action == "update" and key in state:
        state[key].update(e.after or {})
    elif e.action in ("delete", "erase"):
        state.pop(key, None)


def _compare(session: Session, state: dict[tuple[str, int], dict[str, Any]]) -> list[Problem]:
    """Rows edited or deleted outside amkit (e.g. with the sqlite3 CLI)."""
    problems: list[Problem] = []
    by_table: dict[str, dict[int, dict[str, Any]]] = {}
    for (table, row_id), values in state.items():
        by_table.setdefault(table, {})[row_id] = values
    for table, rows in sorted(by_table.items()):
        meta = sa.MetaData()
        try:
            tbl = sa.Table(table, meta, autoload_with=session.connection())
        except sa.exc.NoSuchTableError:
            continue
        current = {r["id"]: r for r in session.execute(sa.select(tbl)).mappings()}
        for row_id, expected in sorted(rows.items()):
            actual = current.get(row_id)
            if actual is None:
                problems.append(Problem(None, f"{table} row {row_id} was deleted outside amkit"))
                continue
            for field, value in expected.items():
                if field in actual and not _same(actual[field], value):
                    problems.append(Problem(None, f"{table} row {row_id} field {field!r} was changed outside "
                                                  f"amkit: {value!r} in the log, {jsonable(actual[field])!r} now"))
                    break
    return problems


def _same(current: Any, logged: Any) -> bool:
    """Equal as stored values: 53 == '53.00' for numeric columns, JSON text == object, …"""
    if _norm(jsonable(current)) == _norm(logged):
        return True
    if isinstance(current, (int, float, Decimal)) and not isinstance(current, bool):
        try:  # a numeric column: 53 and "53.00" are the same stored number
            return Decimal(str(current)) == Decimal(str(logged))
        except (InvalidOperation, ValueError):
            return False
    return False


def _norm(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value[:4].isdigit() and "T" in value[:11]:
        return value.replace("T", " ")
    if isinstance(value, str) and value.startswith(("{", "[")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def count(session: Session) -> int:
    from amkit.store.models import AuditEntry

    return session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar_one()


def list_rows(session: Session, table: str | None = None, row_id: int | None = None,
              since: dt.date | None = None, limit: int = 50) -> list[dict[str, Any]]:
    from amkit.store.models import AuditEntry

    query = sa.select(AuditEntry)
    if table:
        query = query.where(AuditEntry.table_name == table)
    if row_id is not None:
        query = query.where(AuditEntry.row_id == row_id)
    if since:
        query = query.where(AuditEntry.at >= dt.datetime.combine(since, dt.time()))
    query = query.order_by(AuditEntry.id.desc())
    if limit:
        query = query.limit(limit)
    return [_row(e) for e in session.execute(query).scalars()]


def _row(e: Any) -> dict[str, Any]:
    changed = sorted((e.after or {}).keys() if isinstance(e.after, dict) else [])
    return {"id": e.id, "at": e.at, "who": e.who, "command": e.command, "action": e.action,
            "table": e.table_name, "row_id": e.row_id, "fields": changed, "before": e.before,
            "after": e.after, "erased": e.erased}


def redact(session: Session, entry_ids: Iterable[int]) -> list[int]:
    """Drop the payload (and salt) of these entries; the caller records the erase entry."""
    from amkit.store.models import AuditEntry

    ids = sorted(set(entry_ids))
    from amkit.store import scope as team

    if session.get_bind().dialect.name == "postgresql" and team.scope(session) is not None:
        # an admin login: audit_log is changed only by the owner's amkit_audit_redact()
        session.execute(sa.text("SELECT amkit_audit_redact(CAST(:ids AS bigint[]))"), {"ids": ids})
        return ids
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        session.execute(sa.update(AuditEntry).where(AuditEntry.id.in_(chunk))
                        .values(before=None, after=None, salt=None, erased=True))
    return ids
