"""Backup, restore and doctor for the SQLite file (SPEC §4).

Backups use SQLite's online-backup API, so they are consistent while other processes write.
"""

from __future__ import annotations

import datetime as dt
import os
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


def _copy(src: Path, dst: Path) -> None:
    """Online backup src → dst (dst created 0600)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".partial")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(tmp)
    try:
        source.backup(target, pages=1024)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    os.replace(tmp, dst)


def backup(path: str | None = None, directory: str | None = None, keep: int | None = None,
           now: dt.datetime | None = None) -> tuple[Path, list[Path]]:
    """One backup file; with `directory` a dated file there and rotation to `keep` files."""
    src = live_path()
    removed: list[Path] = []
    if directory:
        if keep is not None and keep < 1:
            raise bad_value("--keep", keep, "must be at least 1")
        stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        dst = Path(directory) / f"{src.stem}-{stamp}.db"
        _copy(src, dst)
        if keep:
            removed = _rotate(Path(directory), src.stem, keep)
        return dst, removed
    dst = Path(path) if path else src.with_name(f"{src.stem}-{(now or dt.datetime.now()):%Y%m%d-%H%M%S}.db")
    if dst.resolve() == src.resolve():
        raise bad_value("path", str(path), "is the live database")
    _copy(src, dst)
    return dst, removed


def _rotate(directory: Path, stem: str, keep: int) -> list[Path]:
    files = sorted(directory.glob(f"{stem}-????????-??????.db"))
    old = files[:-keep] if len(files) > keep else []
    for f in old:
        f.unlink()
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


def restore(path: str) -> Path:
    """Replace the live database with `path`; the current one is kept as <db>.bak."""
    from amkit.store import engine as db

    src = Path(path)
    validate(src)
    live = live_path()
    bak = live.with_name(live.name + ".bak")
    _copy(live, bak)
    db.dispose()
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(live, timeout=30)
    try:
        source.backup(target)  # in place, so WAL readers/writers see a consistent switch
    finally:
        target.close()
        source.close()
    db.engine()  # migrate an older backup to the current schema
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
