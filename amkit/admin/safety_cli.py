"""`amkit backup`, `amkit restore`, `amkit doctor`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import Fmt, FormatOpt, emit, example, note


def backup(
    path: Annotated[Optional[str], typer.Argument(help="Backup file (default: <db>-<timestamp>.db).")] = None,
    directory: Annotated[Optional[str], typer.Option("--dir", help="Write a dated backup into DIR.")] = None,
    keep: Annotated[Optional[int], typer.Option("--keep", help="With --dir: keep the newest N backups.")] = None,
) -> None:
    """Copy the database with SQLite's online-backup API (safe while others write)."""
    from amkit.store import backup as bk
    from amkit.errors import bad_value

    if keep is not None and not directory:
        raise bad_value("--keep", keep, "needs --dir")
    if path and directory:
        raise bad_value("path", path, "give a PATH or --dir, not both")
    dst, removed = bk.backup(path, directory, keep)
    typer.echo(str(dst))
    for old in removed:
        note(f"removed old backup {old}")


def restore(
    file: Annotated[str, typer.Argument(help="A backup made by `amkit backup`.")],
) -> None:
    """Replace the database with a backup; the current one is kept as <db>.bak."""
    from amkit.store import backup as bk

    bak = bk.restore(file)
    note(f"restored {file}; the previous database is kept as {bak}")


def doctor(fmt: FormatOpt = Fmt.table) -> None:
    """Check integrity, foreign keys, schema version, orphans, permissions, WAL size, audit chain.

    Exit 4 if any check fails; warnings exit 0."""
    from amkit.store import backup as bk
    from amkit.errors import Conflict
    from amkit.ui.render import Col

    checks = bk.doctor()
    rows = [c.__dict__ for c in checks]
    emit(rows, [Col("check", "Check"), Col("status", "Status"), Col("detail", "Detail")], fmt)
    failed = [c.check for c in checks if c.status == "fail"]
    if failed:
        raise Conflict(f"doctor found problems: {', '.join(failed)}")


def register(app: typer.Typer) -> None:
    app.command("backup", epilog=example("amkit backup ~/backups/amkit-today.db",
                                         "amkit backup --dir ~/backups/amkit --keep 14   # in cron, nightly"))(backup)
    app.command("restore", epilog=example("amkit restore ~/backups/amkit/amkit-20261122-230000.db"))(restore)
    app.command("doctor", epilog=example("amkit doctor", "amkit doctor -f json"))(doctor)
