"""The application context: what a command runs with, passed down instead of asked for.

The CLI fills it in (the global ``--db`` and the command being run); storage reads it here
and never asks click who is running. Today and the language come from the environment and
the config (``AMKIT_TODAY``, ``AMKIT_LANG``), so scripts and tests set them the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from amkit import config


@dataclass
class AppContext:
    db: str | None = None  # the global --db option (overrides AMKIT_DB / AMKIT_DATABASE_URL)
    command: str = "amkit"  # the command path recorded in the audit log, e.g. "amkit customer add"
    wide: bool = False  # a listing's --wide: every column, none cut to the terminal
    columns: tuple[str, ...] | None = None  # a listing's --columns a,b,c (keys or shown labels)

    @property
    def database_url(self) -> str:
        return config.database_url(self.db)

    @property
    def today(self) -> dt.date:
        return config.today()

    @property
    def language(self) -> str:
        return config.language()


_CURRENT = AppContext()


def current() -> AppContext:
    return _CURRENT


def reset(db: str | None = None, command: str = "amkit") -> AppContext:
    """A fresh context for this process (the root callback; tests between invocations)."""
    _CURRENT.db = db
    _CURRENT.command = command
    _CURRENT.wide = False
    _CURRENT.columns = None
    return _CURRENT
