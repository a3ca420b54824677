"""`amkit copy --to URL`."""

from __future__ import annotations

from typing import Annotated

import typer

from amkit.ui.opts import example, note


def copy(
    to: Annotated[str, typer.Option("--to", help="Target database: a SQLAlchemy URL or a SQLite path.",
                                    metavar="URL")],
) -> None:
    """Copy the whole database (ids, history and audit log included) into an empty one, then
    check a row count and checksum per table on both sides."""
    from amkit import config
    from amkit.store import engine
    from amkit.store import copy as copydb
    from amkit.errors import Conflict

    source = engine.engine()
    target_url = config.database_url(to) if "://" not in to else to
    if target_url == engine.url():
        raise Conflict("--to is the database being copied")
    target = engine.engine_for(target_url)
    counts = copydb.copy(source, target)
    before, after = copydb.checksums(source), copydb.checksums(target)
    mismatched = [t for t in before if t != "amkit_meta" and before[t] != after.get(t)]
    if mismatched:
        raise Conflict(f"copy differs in: {', '.join(mismatched)}")
    for table, n in counts.items():
        typer.echo(f"{table}\t{n}\t{after[table][1][:16]}")
    note(f"copied {sum(counts.values())} rows in {len(counts)} tables; counts and checksums match")


def register(app: typer.Typer) -> None:
    app.command("copy", epilog=example(
        "amkit copy --to postgresql+psycopg://amkit@db.example.com/team",
        "amkit --db old.db copy --to new.db"))(copy)
