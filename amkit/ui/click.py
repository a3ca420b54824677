"""The click that Typer runs on: recent Typer releases vendor it as `typer._click`, older
ones use the `click` package. amkit imports click's exceptions and context from here."""

from __future__ import annotations

try:  # typer >= 0.2x
    from typer._click import exceptions
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - older typer
    from click import exceptions  # type: ignore[no-redef]
    from click import get_current_context  # type: ignore[no-redef]

__all__ = ["exceptions", "get_current_context"]
