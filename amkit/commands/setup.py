"""`amkit init` and `amkit demo`."""

from __future__ import annotations

from typing import Annotated

import typer

from amkit.commands._opts import example, note


def init() -> None:
    """Create (or migrate) the database explicitly."""
    from amkit import db
    from amkit.migrations import latest

    with db.session(write=True):
        pass
    note(f"database ready at {db.url()} (schema {latest()})")


def demo(
    reset: Annotated[bool, typer.Option("--reset", help="Rebuild the demo data from scratch.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for the sample data.")] = 7,
) -> None:
    """Build a demo database with realistic sample data and print a short tour."""
    from amkit.demo import build, tour

    counts = build(reset=reset, seed=seed)
    note(", ".join(f"{n} {what}" for what, n in counts.items()))
    typer.echo(tour())


def register(app: typer.Typer) -> None:
    app.command("init", epilog=example("amkit init", "AMKIT_DB=team.db amkit init"))(init)
    app.command("demo", epilog=example("amkit demo", "amkit --db demo.db demo --reset"))(demo)
