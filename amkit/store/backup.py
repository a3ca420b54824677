"""Backup, restore and doctor for the SQLite file (SPEC §4).

Backups use SQLite's online-backup API, so they are consistent while other processes write.
"""

from __future__ import annotations

import datetime as dt
import glob
import re
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from amkit.errors import BadInput, Conflict, NotFound, bad_value


def live_path() -> Path:
    from amkit.store import engine as db

    path = db.sqlite_path(db.url())
    if path is None:
        raise BadInput("backup/restore/doctor work on a SQLite database; for PostgreSQL use pg_dump")
    db.engine()  # creates and migrates it if new
    return path


def _copy(src: Path, dst: Path, *, exclusive: bool = False) -> None:
    """Online backup src → dst: into a temp file next to dst (0600), fsynced, renamed over dst
    (amkit.core.atomic). A full disk or any I/O error: exit 5 naming dst, dst as it was, no temp left."""
    from amkit.core.atomic import failed, replacing

    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise bad_value("path", str(dst), exc.strerror or str(exc)) from None
    with replacing(dst, private=True, exclusive=exclusive, field="path") as tmp:
        try:
            _sqlite_copy(f"file:{src}?mode=ro", tmp, pages=1024)
        except sqlite3.Error as exc:
            _discard_journal(tmp)
            raise failed(dst, exc) from None


def _sqlite_copy(source_uri: str, target: Path, pages: int = -1) -> None:
    source = sqlite3.connect(source_uri, uri=True, timeout=30)
    try:
        con = sqlite3.connect(target, timeout=30)
        try:
            source.backup(con, pages=pages)
            con.execute("PRAGMA journal_mode=DELETE")
        finally:
            con.close()
    finally:
        source.close()


def _discard_journal(path: Path) -> None:
    for suffix in ("-journal", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.unlink()


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def backup(path: str | None = None, directory: str | None = None, keep: int | None = None,
           now: dt.datetime | None = None) -> tuple[Path, list[Path]]:
    """One backup file; with `directory` a dated file there and rotation to `keep` files.
    Each backup made is recorded in the audit log (action "backup", see `record_backup`)."""
    src = live_path()
    removed: list[Path] = []
    if directory:
        if keep is not None and keep < 1:
            raise bad_value("--keep", keep, "must be at least 1")
        dst = Path(directory) / f"{src.stem}-{_stamp(now)}.db"
        _copy(src, dst)
        record_backup(dst, now)
        _anchor(dst)
        if keep:
            removed = _rotate(Path(directory), src.stem, keep)
        return dst, removed
    dst = Path(path) if path else src.with_name(f"{src.stem}-{_stamp(now)}.db")
    if dst.resolve() == src.resolve():
        raise bad_value("path", str(path), "is the live database")
    _copy(src, dst)
    record_backup(dst, now)
    _anchor(dst)
    return dst, removed


def record_backup(dst: Path, now: dt.datetime | None = None) -> None:
    """One audit entry per copy of the data amkit makes (backup, restore's kept copy): action
    "backup", table "backup", no row, after {"path": absolute path, "at": ISO time}. Erase names
    the backups made before it from these; `backup prune` removes them."""
    from amkit import config, context
    from amkit.store import engine as db
    from amkit.store.writer import Store

    with db.session(write=True) as sess:
        st = Store(sess, context.current().command)
        st.record("backup", "backup", None, None, {"path": str(dst.resolve()), "at": (now or config.now()).isoformat()})
        st.flush_audit()


def _anchor(dst: Path) -> None:
    """The backup's audit head next to it (X.db.anchor.json): `audit verify --anchor` (issue 25)."""
    from amkit.store import audit

    audit.write_anchor(dst.with_name(dst.name + ".anchor.json"), audit.head_info_of_file(dst))


def _rotate(directory: Path, stem: str, keep: int) -> list[Path]:
    files = sorted(directory.glob(f"{stem}-????????-??????.db"))
    old = files[:-keep] if len(files) > keep else []
    for f in old:
        f.unlink()
        f.with_name(f.name + ".anchor.json").unlink(missing_ok=True)
    return old


def validate(path: Path) -> int:
    """A restorable file: SQLite, integrity ok, an amkit schema. Returns its migration count."""
    if not path.exists():
        raise NotFound(f"file not found: {str(path)!r}")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()[0]
            names = [r[0] for r in con.execute("SELECT name FROM amkit_migrations")]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise bad_value("file", str(path), f"not an amkit SQLite database ({exc})") from None
    if result != "ok":
        raise Conflict(f"{path} fails integrity_check: {result}")
    from amkit.store.migrations import names as known

    unknown = set(names) - set(known())
    if unknown:
        raise Conflict(f"{path} has a newer schema ({', '.join(sorted(unknown))}); upgrade amkit first")
    return len(names)


@dataclass
class Made:
    """A backup file amkit made: where, when, and whether the audit log recorded it."""

    path: Path
    at: dt.datetime
    recorded: bool


_DATED = re.compile(r"-(\d{8}-\d{6})\.db$")


def made_backups(directory: str | None = None) -> list[Made]:
    """Backups that still exist: those recorded in the audit log (action "backup"), and the
    dated `<db>-YYYYmmdd-HHMMSS.db` files in `directory`; oldest first, each file once."""
    import json

    from amkit.store import engine as db
    from amkit.store.raw import Reader, moment

    found: dict[Path, Made] = {}
    with db.session(write=False) as sess:
        r = Reader.of_session(sess)
        for (after,) in r.rows("SELECT after FROM audit_log WHERE action = 'backup' AND table_name = 'backup' "
                               "AND erased = :no ORDER BY id", no=False):
            data = json.loads(after) if isinstance(after, str) else after
            if not isinstance(data, dict) or not data.get("path") or not data.get("at"):
                continue
            path = Path(data["path"])
            if path.is_file():
                found[path.resolve()] = Made(path, moment(data["at"]), True)
    if directory:
        folder = Path(directory)
        if not folder.is_dir():
            raise bad_value("--dir", directory, "is not a directory")
        stem = live_path().stem
        for path in folder.glob(f"{glob.escape(stem)}-????????-??????.db"):
            m = _DATED.search(path.name)
            try:
                at = dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S") if m else None
            except ValueError:
                at = None
            if at is not None and path.resolve() not in found:
                found[path.resolve()] = Made(path, at, False)
    return sorted(found.values(), key=lambda b: (b.at, str(b.path)))


def prune(before: dt.date, directory: str | None = None, dry_run: bool = False) -> list[Made]:
    """Delete the backups made before `before` (00:00 that day); each removal is audited
    (action "prune", table "backup", before {"path", "at"}). The live database is never one."""
    from amkit import context
    from amkit.store import engine as db
    from amkit.store.writer import Store

    cutoff = dt.datetime.combine(before, dt.time())
    live = live_path().resolve()
    old = [b for b in made_backups(directory) if b.at < cutoff and b.path.resolve() != live]
    if dry_run or not old:
        return old
    removed: list[Made] = []
    try:
        for b in old:
            b.path.unlink()
            b.path.with_name(b.path.name + ".anchor.json").unlink(missing_ok=True)  # its audit anchor
            removed.append(b)
    except OSError as exc:
        from amkit.core.atomic import failed

        raise failed(b.path, exc) from None
    finally:
        if removed:
            with db.session(write=True) as sess:
                st = Store(sess, context.current().command)
                for b in removed:
                    st.record("prune", "backup", None, {"path": str(b.path.resolve()), "at": b.at.isoformat()}, None)
                st.flush_audit()
    return removed


def kept_name(live: Path, now: dt.datetime | None = None) -> Path:
    """Where restore keeps the current database: <db>.<YYYYmmdd-HHMMSS>.bak, never an existing file."""
    base = live.with_name(f"{live.name}.{_stamp(now)}")
    candidate, n = base.with_name(base.name + ".bak"), 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}.bak")
    return candidate


def restore(path: str, now: dt.datetime | None = None) -> Path:
    """Replace the live database with `path`; the current one is first kept under a new
    timestamped name (`kept_name`), so `restore <that file>` undoes it. The source is only read.

    The live file is rewritten in place with SQLite's backup API (one transaction: other
    processes' connections stay valid, and a failure rolls back to the database as it was)."""
    from amkit.store import engine as db

    src = Path(path)
    validate(src)
    live = live_path()
    if src.resolve() == live.resolve():
        raise bad_value("file", str(path), "is the live database")
    bak = kept_name(live, now)
    _copy(live, bak, exclusive=True)
    db.dispose()
    try:
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(live, timeout=30)
            try:
                source.backup(target)  # in place, so WAL readers/writers see a consistent switch
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        from amkit.core.atomic import failed

        raise failed(live, exc) from None
    db.engine()  # migrate an older backup to the current schema
    record_backup(bak, now)
    return bak


@dataclass
class Check:
    check: str
    status: str  # ok | warn | fail
    detail: str


def doctor() -> list[Check]:
    from amkit.store import engine as db
    from amkit.store.migrations import names as known

    damage = _damage(db.sqlite_path(db.url()))
    if damage:  # one line; the other checks (and migrating it) would only fail on it
        return [Check("integrity_check", "fail", f"the file is damaged ({damage}); restore a backup: amkit restore BACKUP")]
    path = live_path()
    checks: list[Check] = []
    con = sqlite3.connect(path, timeout=30)
    try:
        checks.append(Check("integrity_check", "ok", "ok"))
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        checks.append(Check("foreign_keys", "ok" if not fk else "fail",
                            "no violations" if not fk else f"{len(fk)} violation(s), first: {fk[0]}"))
        applied = [r[0] for r in con.execute("SELECT name FROM amkit_migrations")]
        missing = [n for n in known() if n not in applied]
        checks.append(Check("schema_version", "ok" if not missing else "fail",
                            f"{len(applied)} migrations, latest {applied[-1] if applied else '-'}"
                            + (f"; missing {', '.join(missing)}" if missing else "")))
        checks.append(_orphans(con))
        mode = con.execute("PRAGMA journal_mode").fetchone()[0]
        checks.append(Check("journal_mode", "ok" if mode == "wal" else "warn", mode))
    finally:
        con.close()
    perms = stat.S_IMODE(path.stat().st_mode)
    checks.append(Check("file_permissions", "ok" if perms & 0o077 == 0 else "warn",
                        f"{perms:o}" + ("" if perms & 0o077 == 0 else " (others can read it: chmod 600)")))
    wal = path.with_name(path.name + "-wal")
    size = wal.stat().st_size if wal.exists() else 0
    checks.append(Check("wal_size", "ok" if size < 64 << 20 else "warn", f"{size} bytes"))
    from amkit.store import audit

    with db.session(write=False) as sess:
        problems = audit.verify(sess, replay=False)
    checks.append(Check("audit_chain", "ok" if not problems else "fail",
                        "intact" if not problems else problems[0].message))
    return checks


def _damage(path: Path | None) -> str | None:
    """SQLite's first complaint about an existing database file, or None when it is sound."""
    if path is None or not path.exists():
        return None
    try:
        con = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True, timeout=30)
        try:
            found = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        found = str(exc)
    return None if found == "ok" else found.splitlines()[0]


ORPHAN_QUERIES = {
    "contacts without customer": "SELECT count(*) FROM contacts WHERE customer_id NOT IN (SELECT id FROM customers)",
    "followups without customer": "SELECT count(*) FROM followups WHERE customer_id NOT IN (SELECT id FROM customers)",
    "deals without customer": "SELECT count(*) FROM deals WHERE customer_id NOT IN (SELECT id FROM customers)",
    "payments without deal": "SELECT count(*) FROM payments WHERE deal_id NOT IN (SELECT id FROM deals)",
    "contracts without customer": "SELECT count(*) FROM contracts WHERE customer_id NOT IN (SELECT id FROM customers)",
    "installments without deal": "SELECT count(*) FROM installments WHERE deal_id NOT IN (SELECT id FROM deals)",
    "customers with unknown owner": "SELECT count(*) FROM customers WHERE owner_id IS NOT NULL AND owner_id NOT IN "
                                    "(SELECT id FROM managers)",
}


def _orphans(con: sqlite3.Connection) -> Check:
    found = []
    for label, query in ORPHAN_QUERIES.items():
        n = con.execute(query).fetchone()[0]
        if n:
            found.append(f"{n} {label}")
    return Check("orphan_rows", "ok" if not found else "fail", "none" if not found else "; ".join(found))
