"""`amkit backup`, `amkit restore`, `amkit doctor`."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from amkit.ui.opts import Fmt, FormatOpt, emit, example, note


class _BackupGroup(TyperGroup):
    """`amkit backup [PATH]` makes a backup; `amkit backup prune ...` is a subcommand. A first
    word naming a subcommand goes to it (the optional PATH would otherwise take it)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] in self.commands:
            super().parse_args(ctx, [])
            ctx._protected_args, ctx.args = args[:1], args[1:]
            return ctx.args
        return super().parse_args(ctx, args)

    def get_params(self, ctx: Any) -> list[Any]:
        """Under a subcommand, PATH is not part of the command path (`amkit backup prune`)."""
        params = super().get_params(ctx)
        if ctx.command is not self:  # click asks with the subcommand's context
            return [p for p in params if p.param_type_name != "argument"]
        return params


backup_app = typer.Typer(cls=_BackupGroup, invoke_without_command=True, no_args_is_help=False)


@backup_app.callback()
def backup(
    ctx: typer.Context,
    path: Annotated[Optional[str], typer.Argument(help="Backup file (default: <db>-<timestamp>.db).")] = None,
    directory: Annotated[Optional[str], typer.Option("--dir", help="Write a dated backup into DIR.")] = None,
    keep: Annotated[Optional[int], typer.Option("--keep", help="With --dir: keep the newest N backups.")] = None,
) -> None:
    """Copy the database with SQLite's online-backup API (safe while others write).

    Written to a temp file next to PATH, synced, then renamed over it: a full disk leaves the earlier file as it was (exit 5). Each backup is recorded in the audit log."""
    if ctx.invoked_subcommand is not None:
        return
    from amkit import context
    from amkit.store import backup as bk

    context.current().command = ctx.command_path  # a group: amkit.cli stamps only leaf commands
    from amkit.errors import bad_value

    if keep is not None and not directory:
        raise bad_value("--keep", keep, "needs --dir")
    if path and directory:
        raise bad_value("path", path, "give a PATH or --dir, not both")
    dst, removed = bk.backup(path, directory, keep)
    typer.echo(str(dst))
    for old in removed:
        note(f"removed old backup {old}")


@backup_app.command("prune", epilog=example("amkit backup prune --before 2026-11-01 --dir ~/backups/amkit --dry-run",
                                            "amkit backup prune --before 2026-11-01 --dir ~/backups/amkit"))
def prune(
    before: Annotated[str, typer.Option("--before", help="Remove backups made before this date (YYYY-MM-DD).")],
    directory: Annotated[Optional[str], typer.Option("--dir", help="Also the dated <db>-YYYYmmdd-HHMMSS.db "
                                                                   "files in DIR.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List them, remove nothing.")] = False,
) -> None:
    """Delete backups made before DATE: those the audit log recorded, and the dated files in --dir.

    Prints each file removed; each removal is recorded in the audit log."""
    from amkit.core.parse import parse_date
    from amkit.store import backup as bk

    day = parse_date("--before", before)
    gone = bk.prune(day, directory, dry_run)
    for b in gone:
        typer.echo(str(b.path))
    note(f"{'would remove' if dry_run else 'removed'} {len(gone)} backup(s) made before {day}")


def restore(
    file: Annotated[str, typer.Argument(help="A backup made by `amkit backup`.")],
) -> None:
    """Replace the database with a backup; the current one is first kept as <db>.<timestamp>.bak.

    The kept file is always a new one and the backup is only read, so `amkit restore <db>.<timestamp>.bak` undoes a restore."""
    from amkit.store import backup as bk

    bak = bk.restore(file)
    note(f"restored {file}; the previous database is kept as {bak} (undo: amkit restore {bak})")


def doctor(fmt: FormatOpt = Fmt.table) -> None:
    """Check integrity, foreign keys, schema version, orphans, permissions, WAL size, audit chain.

    Exit 4 if any check fails; warnings exit 0."""
    from amkit.store import backup as bk
    from amkit.errors import Conflict
    from amkit.ui.render import Col

    from amkit.core.text import mask_secrets
    from amkit.store import engine
    checks = bk.doctor()
    where = {"check": "database", "status": "ok", "detail": mask_secrets(engine.url())}  # which file this is
    rows = [where] + [c.__dict__ for c in checks]
    emit(rows, [Col("check", "Check"), Col("status", "Status"), Col("detail", "Detail")], fmt)
    failed = [c.check for c in checks if c.status == "fail"]
    if failed:
        raise Conflict(f"doctor found problems: {', '.join(failed)}")


def register(app: typer.Typer) -> None:
    backup_app.info.epilog = example("amkit backup ~/backups/amkit-today.db",
                                     "amkit backup --dir ~/backups/amkit --keep 14   # in cron, nightly",
                                     "amkit backup prune --before 2026-11-01 --dir ~/backups/amkit")
    app.add_typer(backup_app, name="backup", help=backup.__doc__)
    app.command("restore", epilog=example("amkit restore ~/backups/amkit/amkit-20261122-230000.db"))(restore)
    app.command("doctor", epilog=example("amkit doctor", "amkit doctor -f json"))(doctor)
