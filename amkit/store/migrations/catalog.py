"""The names of the migration steps, without SQLAlchemy: amkit.store.raw asks whether a
database is up to date before every light read (the steps and the runner import it)."""

from __future__ import annotations

import pkgutil
from pathlib import Path

_HERE = str(Path(__file__).parent)


def names() -> list[str]:
    """The steps (modules ``mNNN_name``) in the order they run."""
    return sorted(m.name for m in pkgutil.iter_modules([_HERE]) if m.name[:1] == "m" and m.name[1:4].isdigit())


def latest() -> str:
    return names()[-1]
