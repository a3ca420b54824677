"""Shell completion of customer names (`amkit --install-completion`, then TAB).

Runs inside the shell's completion call: quiet, bounded (20 names), and it never creates or
migrates a database that is not there yet.
"""

from __future__ import annotations

import os

LIMIT = 20


def customer_names(incomplete: str, cli_db: str | None = None, limit: int = LIMIT) -> list[str]:
    return _names("complete_names", incomplete, cli_db, limit)


def manager_names(incomplete: str, cli_db: str | None = None, limit: int = LIMIT) -> list[str]:
    """Active managers' names (one who left, `manager leave`, is not offered; issue 21)."""
    return _names("complete_managers", incomplete, cli_db, limit)


def _names(finder: str, incomplete: str, cli_db: str | None, limit: int) -> list[str]:
    """Names from amkit.store.lookup.<finder>, without creating a database that is not there."""
    from sqlmodel import Session

    from amkit import config
    from amkit.store import engine
    from amkit.store import lookup

    db_url = config.database_url(cli_db)  # the --db typed before the TAB counts
    path = engine.sqlite_path(db_url)
    if path is not None and not path.exists():
        return []
    with Session(engine.engine_for(db_url)) as sess:
        names = getattr(lookup, finder)(sess, incomplete, limit)
    return [_for_shell(n) for n in names]


def _for_shell(name: str) -> str:
    """bash inserts a completion as typed text: escape the spaces of 'Acme Ltd'."""
    if os.environ.get("_AMKIT_COMPLETE") == "complete_bash":
        return name.replace(" ", "\\ ")
    return name


def keep_unprefixed(root) -> None:  # noqa: ANN001
    """Typer keeps only completions that start with the typed text, which would drop pinyin
    matches (`zg` → 中国银行) and bash-escaped names; for callbacks marked `unfiltered`, hand
    the shell every candidate. Called only while completing (cheap walk, no imports)."""
    from amkit.ui.helptext import walk

    for cmd in walk(root):
        for param in cmd.params:
            callback = _marked_callback(getattr(param, "_custom_shell_complete", None))
            if callback is not None:
                param._custom_shell_complete = _unfiltered(callback)


def _marked_callback(compat):  # noqa: ANN001, ANN202
    for cell in getattr(compat, "__closure__", None) or ():
        inner = getattr(cell.cell_contents, "__wrapped__", None)
        if getattr(inner, "unfiltered", False):
            return cell.cell_contents
    return None


def _unfiltered(callback):  # noqa: ANN001, ANN202
    def complete(ctx, param, incomplete):  # noqa: ANN001, ANN202
        try:
            from typer._click.shell_completion import CompletionItem
        except ImportError:  # pragma: no cover - older typer on the click package
            from click.shell_completion import CompletionItem

        return [CompletionItem(value) for value in callback(ctx, [], incomplete)]

    return complete
