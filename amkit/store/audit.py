"""The audit log: append, list, verify, anchor (SPEC §2 audit log, issue 25: tamper evidence).

Each entry's payload (before/after) is hashed with a random per-entry salt:
    payload_hash = sha256(salt + canonical(before, after))
and the chain links the entries' metadata and payload hashes:
    hash = sha256(previous hash + canonical(at, who, command, action, table, row_id, payload_hash))
or, for entries written with AMKIT_AUDIT_KEY set, HMAC-SHA256(key, the same text): the keyed
chain starts at the first entry written with the key (amkit_meta `audit_key` = "<entry id>:<key
fingerprint>"); from then on every entry must be written, and verified, with that key.
Editing, inserting or deleting an entry breaks the chain, while `customer erase` can drop a
payload (and its salt) without breaking it: the payload hash stays, and the erase itself is an
entry naming the erased entry ids. The latest (id, hash) is also kept in amkit_meta so a
deleted tail is caught too; an anchor (`amkit audit anchor`, backup, review) keeps it outside the
database, so a tail deleted together with that head, or a chain recomputed from scratch, is caught.

`verify` replays the log table by table and compares every row of every audited table with the
state its entries give: a row with no entry, a field that differs, a row gone without a delete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import json.encoder
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from amkit import config

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
KEY_MARK = "audit_key"  # amkit_meta: "<first keyed entry id>:<key fingerprint>"
KEY_ENV = "AMKIT_AUDIT_KEY"


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
               p_hash: str, key: bytes | None = None, run: str | None = None) -> str:
    """sha256(prev + canonical({"at", "who", "command", "action", "table_name", "row_id",
    "payload_hash"[, "run"]})), the canonical object written out key by key in its sorted order;
    with `key`, HMAC-SHA256(key, the same text). `run` (the command invocation that wrote the
    entry, issue 21) is in the object when the entry has one (entries written before m120 have
    none), so regrouping entries into other runs breaks the chain too."""
    return _chain(prev, _text(action), _text(at), _text(command), _text(p_hash), row_id, _text(table), _text(who),
                  key, None if run is None else _text(run))


def _chain(prev: str, action: str, at: str, command: str, p_hash: str, row_id: Any, table: str, who: str,
           key: bytes | None = None, run: str | None = None) -> str:
    """chain_hash from the JSON texts of the string fields (an append makes most of them once)."""
    rid = str(row_id) if type(row_id) is int else _canonical(row_id)
    part = "" if run is None else f',"run":{run}'
    meta = (f'{{"action":{action},"at":{at},"command":{command},"payload_hash":{p_hash},"row_id":{rid}{part},'
            f'"table_name":{table},"who":{who}}}')
    if key is not None:
        return hmac.new(key, (prev + meta).encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256((prev + meta).encode()).hexdigest()


# --- the key (AMKIT_AUDIT_KEY) ----------------------------------------------------------------

def audit_key() -> bytes | None:
    """AMKIT_AUDIT_KEY as bytes (None when unset or empty)."""
    value = os.environ.get(KEY_ENV, "")
    return value.encode("utf-8", "surrogateescape") if value else None


def key_fingerprint(key: bytes) -> str:
    """What amkit_meta and anchors keep instead of the key: 16 hex digits of an HMAC."""
    return hmac.new(key, b"amkit audit key check", hashlib.sha256).hexdigest()[:16]


def key_mark(session: Session) -> tuple[int, str] | None:
    """(first keyed entry id, key fingerprint) when the log is keyed."""
    from amkit.store.models import Meta

    found = session.get(Meta, KEY_MARK)
    if found is None or ":" not in (found.value or ""):
        return None
    first, fingerprint = found.value.split(":", 1)
    return int(first), fingerprint


def _append_key(session: Session) -> tuple[bytes | None, bool]:
    """The key for new entries, and whether this append starts the keyed chain. A keyed log
    takes no unkeyed entry (that would end the keyed chain) and no other key."""
    from amkit.errors import Conflict

    key, mark = audit_key(), key_mark(session)
    if mark is None:
        return key, key is not None
    if key is None:
        raise Conflict(f"the audit log is keyed from entry {mark[0]} on: set {KEY_ENV} to write "
                       f"(key fingerprint {mark[1]})")
    if key_fingerprint(key) != mark[1]:
        raise Conflict(f"{KEY_ENV} is not the key this audit log is keyed with (fingerprint {mark[1]})")
    return key, False


# --- append: compute the entries, then insert them ------------------------------------------

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


def compute(prev: str, at: dt.datetime, who: str, command: str, items: list[dict[str, Any]],
            key: bytes | None = None, json_as_text: bool = False, run: str | None = None) -> dict[str, list[Any]]:
    """The audit_log rows (column -> values) for `items` chained after `prev`: salts, payload
    hashes and chain hashes; no database access. With `json_as_text`, before/after are the
    canonical JSON texts that were hashed (SQLite keeps JSON as text)."""
    count = len(items)
    actions, tables, row_ids, befores, afters = (list(map(itemgetter(k), items))
                                                 for k in ("action", "table_name", "row_id", "before", "after"))
    salt_hex = os.urandom(16 * count).hex()  # one 32-hex-digit salt per entry
    salts = [salt_hex[i:i + 32] for i in range(0, 32 * count, 32)]
    before_texts = [_canonical(before) if before is not None else "null" for before in befores]
    after_texts = [_canonical(after) if after is not None else "null" for after in afters]
    p_hashes = list(map(_payload_hash, salts, before_texts, after_texts))
    at_json, command_json, who_json = _text(at.isoformat()), _text(command), _text(who)
    run_json = None if run is None else _text(run)
    texts: dict[Any, str] = {}
    hashes = []
    for action, table, row_id, p_hash in zip(actions, tables, row_ids, p_hashes):
        if action not in texts or table not in texts:
            texts.update({action: _text(action), table: _text(table)})
        prev = _chain(prev, texts[action], at_json, command_json, f'"{p_hash}"', row_id, texts[table], who_json,
                      key, run_json)
        hashes.append(prev)
    if json_as_text:
        befores, afters = before_texts, after_texts
    columns = {"action": actions, "table_name": tables, "row_id": row_ids, "before": befores, "after": afters,
               "salt": salts, "payload_hash": p_hashes, "hash": hashes}
    columns.update(at=[at] * count, who=[who] * count, command=[command] * count, erased=[False] * count,
                   run=[run] * count)
    return columns


def _insert(session: Session, columns: dict[str, list[Any]]) -> int | None:
    """Store the computed entries (one list per column); the id of the last one, or None when
    the database moved the head itself.

    A team login (a `users` row) has no privilege on audit_log: its entries go in through the
    owner's amkit_audit_append(), which only appends, under the caller's own login, and moves
    the head itself. The owner and SQLite insert directly."""
    if session.get_bind().dialect.name == "sqlite":
        from amkit.store import bulk

        bulk.insert_columns(session, _insert_table(True), columns)
    else:
        from amkit.store import scope as team

        if team.scope(session) is not None:
            _append_through_function(session, columns)
            return None
        rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
        session.execute(_insert_table(False).insert().inline(), rows)  # no RETURNING: see _last_id
    return _last_id(session)


def append(session: Session, who: str, command: str, items: list[dict[str, Any]], run: str | None = None,
           at: dt.datetime | None = None) -> None:
    """Chain `items` after the head and store them; `run` names the command invocation (one per
    Store: the unit `amkit undo` reverts), `at` its time (the same for all its batches)."""
    from amkit.store.models import Meta

    key, starts_keyed = _append_key(session)
    if run is not None and not _run_recordable(session):
        run = None
    columns = compute(_head(session), at or config.now(), who, command, items, key,
                      json_as_text=session.get_bind().dialect.name == "sqlite", run=run)
    last = _insert(session, columns)
    if last is None:
        return  # amkit_audit_append recorded the head
    if starts_keyed:
        session.merge(Meta(key=KEY_MARK, value=f"{last - len(items) + 1}:{key_fingerprint(key)}"))
    session.merge(Meta(key=HEAD_KEY, value=f"{last}:{columns['hash'][-1]}"))


PER_ENTRY = ("action", "table_name", "row_id", "before", "after", "salt", "payload_hash", "hash", "run")
RUN_FUNCTION = "amkit_audit_append_run"  # team mode: appends with the run column (policy step p004)


def _run_recordable(session: Session) -> bool:
    """Whether this append can store the run: always, except for a team login before `team setup`
    added amkit_audit_append_run (its entries then carry no run, and their hashes none)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    from amkit.store import scope as team

    if team.scope(session) is None:
        return True
    return session.execute(sa.text(f"SELECT to_regproc('{RUN_FUNCTION}')")).scalar() is not None


def _append_through_function(session: Session, columns: dict[str, list[Any]]) -> None:
    from amkit.errors import Conflict

    run = columns["run"][0]
    name = RUN_FUNCTION if run is not None else "amkit_audit_append"
    if session.execute(sa.text(f"SELECT to_regproc('{name}')")).scalar() is None:
        raise Conflict("team mode needs `amkit team setup` again (as the owner) after this upgrade: "
                       "the audit log is written through amkit_audit_append")
    entries = [dict(zip(PER_ENTRY, values)) for values in zip(*(columns[k] for k in PER_ENTRY))]
    params = {"at": columns["at"][0], "who": columns["who"][0], "command": columns["command"][0],
              "rows": _canonical(entries)}
    if run is None:
        session.execute(sa.text("SELECT amkit_audit_append(CAST(:at AS timestamp), :who, :command, "
                                "CAST(:rows AS json))"), params)
    else:
        session.execute(sa.text(f"SELECT {RUN_FUNCTION}(CAST(:at AS timestamp), :who, :command, :run, "
                                "CAST(:rows AS json))"), {**params, "run": run})


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


# --- verify -------------------------------------------------------------------------------------

@dataclass
class Problem:
    entry_id: int | None
    message: str


NOT_AUDITED = frozenset({"audit_log", "amkit_meta", "amkit_migrations", "amkit_policies"})
BATCH = 5000


def audited_tables() -> list[sa.Table]:
    """Every table written through the Store (all but the log, amkit's bookkeeping and team policies)."""
    from sqlmodel import SQLModel

    from amkit.store import models  # noqa: F401  (registers the tables)

    return [t for t in SQLModel.metadata.sorted_tables if t.name not in NOT_AUDITED]


def _stream(session: Session, sql: str, **params: Any) -> Iterable[Any]:
    """Rows of a plain SELECT, fetched in batches (server-side on PostgreSQL)."""
    result = session.connection().execution_options(stream_results=True).execute(sa.text(sql), params)
    while True:
        rows = result.fetchmany(BATCH)
        if not rows:
            return
        yield from rows


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def verify(session: Session, replay: bool = True, anchor: dict[str, Any] | None = None) -> list[Problem]:
    """The first chain break (if any); then, with `anchor`, whether the chain still extends it;
    then (with `replay`) every row of every audited table that differs from the log."""
    problems = _verify_chain(session, anchor)
    if problems or not replay:
        return problems
    return compare_rows(session)


def _verify_chain(session: Session, anchor: dict[str, Any] | None) -> list[Problem]:
    from amkit.store.models import Meta

    sqlite = session.get_bind().dialect.name == "sqlite"
    erased_ok: set[int] = set()
    for (after,) in _stream(session, "SELECT after FROM audit_log WHERE action = 'erase' ORDER BY id"):
        after = _json(after)
        if isinstance(after, dict):
            erased_ok.update(after.get("erased_entries", []))
    mark = key_mark(session)
    key = audit_key()
    keyed_from = mark[0] if mark else None
    if mark is not None and key is not None and key_fingerprint(key) != mark[1]:
        return [Problem(None, f"{KEY_ENV} is not the key this audit log is keyed with (fingerprint {mark[1]})")]
    anchor_id = anchor.get("entry_id") if anchor else None
    anchor_seen = False
    prev, last_id, seen = GENESIS, None, 0
    texts: dict[Any, str] = {}

    def text(value: Any) -> str:
        found = texts.get(value)
        if found is None:
            if len(texts) > 10_000:
                texts.clear()
            found = texts[value] = _text(value)
        return found

    at_cache: tuple[Any, str] = (None, "")
    for (eid, at, who, command, action, table, row_id, before, after, salt, p_hash, erased, stored, run) in _stream(
            session, "SELECT id, at, who, command, action, table_name, row_id, before, after, salt, payload_hash, "
                     "erased, hash, run FROM audit_log ORDER BY id"):
        where = f"entry {eid} ({table} {row_id})"
        if erased and eid not in erased_ok:
            return [Problem(eid, f"audit entry {eid} is marked erased but no erase entry covers it")]
        if not erased and not _payload_ok(salt or "", before, after, p_hash, sqlite):
            return [Problem(eid, f"audit {where} was altered: payload does not match its hash")]
        if at is not at_cache[0] and at != at_cache[0]:
            stamp = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
            at_cache = (at, _text(stamp.isoformat()))
        entry_key = None
        if keyed_from is not None and eid >= keyed_from:
            if key is None:
                return [Problem(eid, f"the audit log is keyed from entry {keyed_from} on (key fingerprint "
                                     f"{mark[1]}): set {KEY_ENV} to verify it")]
            entry_key = key
        expected = _chain(prev, text(action), at_cache[1], text(command), f'"{p_hash}"', row_id, text(table),
                          text(who), entry_key, None if run is None else text(run))
        if expected != stored:
            why = ("an entry was altered, inserted or deleted, or the chain was recomputed without the key"
                   if entry_key is not None else "an entry was altered, inserted or deleted")
            return [Problem(eid, f"audit chain broken at {where}: {why}")]
        prev, last_id, seen = stored, eid, seen + 1
        if eid == anchor_id:
            anchor_seen = True
            if stored != anchor.get("hash") or seen != anchor.get("count", seen):
                return [Problem(eid, f"audit entry {eid} no longer matches the anchor of {anchor.get('at')}: "
                                     "the log was rewritten and its chain recomputed")]
    head = session.get(Meta, HEAD_KEY)
    if head is not None and head.value != f"{last_id}:{prev}":
        return [Problem(last_id, f"audit log ends at entry {last_id} but entry {head.value.split(':')[0]} was "
                                 "recorded: entries were deleted")]
    if anchor is not None:
        return _check_anchor(anchor, anchor_seen, last_id, mark)
    return []


def _payload_ok(salt: str, before: Any, after: Any, p_hash: str, sqlite: bool) -> bool:
    """The payload rehashes to its hash: from the stored canonical text when SQLite keeps it
    (the fast path), else (or for text written another way) from the parsed values."""
    as_text = sqlite and (before is None or isinstance(before, str)) and (after is None or isinstance(after, str))
    if as_text and _payload_hash(salt, before or "null", after or "null") == p_hash:
        return True
    return payload_hash(salt, _json(before), _json(after)) == p_hash


def _check_anchor(anchor: dict[str, Any], seen: bool, last_id: int | None,
                  mark: tuple[int, str] | None) -> list[Problem]:
    anchor_id, when = anchor.get("entry_id"), anchor.get("at")
    if anchor_id is not None and not seen:
        return [Problem(last_id, f"audit entry {anchor_id} recorded by the anchor of {when} is gone (the log ends "
                                 f"at entry {last_id}): entries were deleted")]
    if anchor.get("keyed_from") is not None and (mark is None or mark[0] != anchor["keyed_from"]
                                                 or mark[1] != anchor.get("key_fingerprint")):
        return [Problem(None, f"the anchor of {when} records a log keyed from entry {anchor['keyed_from']}, "
                              "but the database's key mark is gone or different")]
    return []


# --- rows against the log -------------------------------------------------------------------------

class _Expected:
    """What the log says about one row: present or not, the fields it knows, whether an insert
    entry was seen. `customer erase` blanks the payloads of a customer's entries and deletes
    its contacts without an entry of their own: after an erased entry the row's fields are
    unknown and it may be gone (until a later entry of it says otherwise)."""

    __slots__ = ("erased", "fields", "inserted", "logged", "present")

    def __init__(self, logged: bool = False) -> None:
        self.logged, self.present, self.inserted, self.erased, self.fields = logged, False, False, False, {}


def _replay(entries: Iterable[Any]) -> _Expected:
    state = _Expected(logged=True)
    for action, after, erased in entries:
        if action == "insert":
            state.present, state.inserted, state.erased = True, True, bool(erased)
            state.fields = {} if erased else dict(_json(after) or {})
        elif action == "update":
            state.present, state.erased = True, bool(erased)
            if erased:
                state.fields = {}
            else:
                state.fields.update(_json(after) or {})
        elif action == "erase":  # the customer row stays, anonymised by the erase
            state.erased, state.fields = True, {}
        elif action == "delete":
            state.present, state.inserted, state.erased, state.fields = False, False, False, {}
    return state


def compare_rows(session: Session, limit: int = 0) -> list[Problem]:
    """Every row of every audited table against the state its entries replay to (a merge of
    the table in id order with its entries in (row id, entry id) order: memory stays flat)."""
    problems: list[Problem] = []
    (last_reset,) = session.execute(sa.text(
        "SELECT coalesce(max(id), 0) FROM audit_log WHERE table_name = '*' AND action = 'delete'")).one()
    for table in audited_tables():
        problems.extend(_compare_table(session, table, last_reset))
        if limit and len(problems) >= limit:
            break
    return problems


def _compare_table(session: Session, table: sa.Table, last_reset: int) -> Iterable[Problem]:
    name = table.name
    entries = iter(_stream(session, "SELECT row_id, action, after, erased FROM audit_log WHERE table_name = :t "
                                    "AND id > :reset AND row_id IS NOT NULL AND action IN "
                                    "('insert', 'update', 'delete', 'erase') ORDER BY row_id, id",
                           t=name, reset=last_reset))
    rows = iter(session.connection().execution_options(stream_results=True, yield_per=BATCH)
                .execute(sa.select(table).order_by(table.c.id)).mappings())
    columns = set(table.c.keys())
    pending = next(entries, None)
    row = next(rows, None)
    while pending is not None or row is not None:
        if pending is not None and (row is None or pending[0] <= row["id"]):
            row_id, group = pending[0], []
            while pending is not None and pending[0] == row_id:
                group.append(pending[1:])
                pending = next(entries, None)
            state = _replay(group)
            actual = row if row is not None and row["id"] == row_id else None
            if actual is not None:
                row = next(rows, None)
        else:
            row_id, state, actual = row["id"], _Expected(), row
            row = next(rows, None)
        problem = _row_problem(name, row_id, state, actual, columns)
        if problem:
            yield Problem(None, problem)


def _row_problem(name: str, row_id: int, state: _Expected, actual: Any, columns: set[str]) -> str | None:
    if actual is None:
        return f"{name} row {row_id} was deleted outside amkit" if state.present and not state.erased else None
    if not state.present:
        return (f"{name} row {row_id} is not in the audit log: inserted outside amkit" if not state.logged else
                f"{name} row {row_id} was deleted per the audit log but is there: inserted outside amkit")
    if not state.inserted:
        return f"{name} row {row_id} has no insert entry in the audit log: inserted outside amkit"
    for field, value in state.fields.items():
        if field not in columns:
            continue
        current = actual[field]
        if (type(current) is type(value) and current == value) or _same(current, value):
            continue
        return (f"{name} row {row_id} field {field!r} was changed outside amkit: {value!r} in the log, "
                f"{jsonable(current)!r} now")
    return None


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


# --- anchors: the head kept outside the database ------------------------------------------------

def head_info(session: Session) -> dict[str, Any]:
    """The chain head as an anchor records it: entry id, hash, its time, the entry count, and the
    key mark (fingerprint only) when the log is keyed."""
    last = session.execute(sa.text("SELECT id, hash, at FROM audit_log ORDER BY id DESC LIMIT 1")).first()
    (total,) = session.execute(sa.text("SELECT count(*) FROM audit_log")).one()
    mark = key_mark(session)
    return _anchor(last, total, mark)


def head_info_of_file(path: str | os.PathLike) -> dict[str, Any]:
    """head_info of a SQLite file (a backup), read with sqlite3."""
    import sqlite3

    con = sqlite3.connect(f"file:{os.fspath(path)}?mode=ro", uri=True)
    try:
        last = con.execute("SELECT id, hash, at FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        (total,) = con.execute("SELECT count(*) FROM audit_log").fetchone()
        found = con.execute("SELECT value FROM amkit_meta WHERE key = ?", (KEY_MARK,)).fetchone()
    finally:
        con.close()
    mark = None
    if found and ":" in (found[0] or ""):
        first, fingerprint = found[0].split(":", 1)
        mark = (int(first), fingerprint)
    return _anchor(last, total, mark)


def _anchor(last: Any, total: int, mark: tuple[int, str] | None) -> dict[str, Any]:
    entry_at = last[2] if last else None
    if entry_at is not None and not isinstance(entry_at, str):
        entry_at = entry_at.isoformat()
    return {"amkit_audit_anchor": 1, "at": config.now().isoformat(), "entry_id": last[0] if last else None,
            "hash": last[1] if last else GENESIS, "entry_at": entry_at, "count": total,
            "keyed_from": mark[0] if mark else None, "key_fingerprint": mark[1] if mark else None}


def default_anchor_path(db_url: str) -> Path:
    """Next to a SQLite file (<db>.anchor.json); for PostgreSQL a file named after host, port and
    database in the platform data dir."""
    import re

    url = sa.make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        return path.with_name(path.name + ".anchor.json")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{url.host or 'local'}-{url.port or ''}-{url.database or ''}")
    return config.data_dir() / "anchors" / f"{name}.anchor.json"


def record_default_anchor(session: Session) -> Path | None:
    """Write/update the anchor in its default place (`review` does, issue 25). Not for logins
    that may not read the log (team-mode managers and leads), nor where the file cannot be
    written: None."""
    from amkit import context
    from amkit.errors import ServiceError
    from amkit.store import scope as team

    if team.restricted(session) is not None:
        return None
    try:
        return write_anchor(default_anchor_path(context.current().database_url), head_info(session))
    except ServiceError:  # a read-only place must not fail the review; `audit anchor` reports it
        return None


def write_anchor(path: str | os.PathLike, info: dict[str, Any]) -> Path:
    """Write an anchor file atomically (temp file in the same directory, fsync, rename), 0600."""
    import tempfile

    from amkit.errors import ServiceError

    target = Path(path)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(info, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise ServiceError(f"cannot write the audit anchor {str(target)!r}: {exc.strerror or exc}") from None
    return target


def read_anchor(path: str | os.PathLike) -> dict[str, Any]:
    from amkit.errors import NotFound, bad_value

    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"file not found: {str(source)!r}") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise bad_value("--anchor", str(source), f"not an amkit audit anchor ({exc})") from None
    if not isinstance(data, dict) or data.get("amkit_audit_anchor") != 1 or not isinstance(data.get("hash"), str) \
            or not isinstance(data.get("entry_id"), (int, type(None))) or not isinstance(data.get("count"), int):
        raise bad_value("--anchor", str(source), "not an amkit audit anchor")
    return data


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
            "after": e.after, "erased": e.erased, "run": e.run}


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
