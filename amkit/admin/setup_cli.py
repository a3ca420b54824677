"""`amkit init` and `amkit demo`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from amkit.ui.opts import example, note


def init() -> None:
    """Create (or migrate) the database explicitly."""
    from amkit import store
    from amkit.store import engine
    from amkit.store.migrations import latest

    with store.session(write=True):
        pass
    from amkit.core.text import mask_secrets

    from amkit.ui.i18n import t

    note(t("database ready at {url} (schema {schema})", url=mask_secrets(engine.url()), schema=latest()))


def demo(
    reset: Annotated[bool, typer.Option("--reset", help="Rebuild the demo data from scratch.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for the sample data.")] = 7,
    run_tour: Annotated[bool, typer.Option("--tour", help="Also run the tour: a few commands, one per feature, "
                                                          "with their output (reuses existing demo data).")] = False,
) -> None:
    """Build a demo database with realistic sample data and print a short tour."""
    from amkit.admin import tour_cli as guided
    from amkit.admin.demo import build, tour
    from amkit.ui.i18n import counted, t

    if not (run_tour and not reset and guided.demo_ready()):
        counts = build(reset=reset, seed=seed)
        note(t(", ").join(counted(n, noun) for noun, n in counts.items()))
        from amkit.core.text import mask_secrets
        from amkit.store import engine

        note(t("demo database: {url} (keep your own work in another file: amkit --db work.db …)",
               url=mask_secrets(engine.url())))
    from amkit.ui.render import terminal_width

    typer.echo(guided.localized(tour(), terminal_width(sys.stdout) if sys.stdout.isatty() else None))
    if run_tour:
        seconds = guided.run(typer.echo)
        note(t("the tour took {seconds:.1f} s", seconds=seconds))


def register(app: typer.Typer) -> None:
    app.command("init", epilog=example("amkit init", "AMKIT_DB=team.db amkit init"))(init)
    app.command("demo", epilog=example("amkit demo", "amkit --db demo.db demo --reset",
                                       "AMKIT_LANG=zh amkit --db demo.db demo --tour"))(demo)
