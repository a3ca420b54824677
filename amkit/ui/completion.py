"""Shell completion of customer names (`amkit --install-completion`, then TAB).

Runs inside the shell's completion call: quiet, bounded (20 names), and it never creates or
migrates a database that is not there yet.
"""

from __future__ import annotations

import os

LIMIT = 20


def customer_names(incomplete: str, cli_db: str | None = None, limit: int = LIMIT) -> list[str]:
    return _names("complete_names", incomplete, cli_db, limit)


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
            elif getattr(param, "_custom_shell_complete", None) is None:
                values = _values_for(param)
                if values is not None:
                    param._custom_shell_complete = _unfiltered(values)


# Options completed by their name, in every command (a command added later gets it too):
# managers, channels, stages, metrics, periods and tiers.
MANAGER_OPTS = ("--owner", "--from", "--to", "--manager")


def _values_for(param):  # noqa: ANN001, ANN202
    opts = set(getattr(param, "opts", ()))
    if opts & set(MANAGER_OPTS):
        return lambda ctx, args, incomplete: manager_names(incomplete, _root_db(ctx))
    for opt, values in (("--channel", _channels), ("--stage", _stages), ("--metric", _metrics),
                        ("--period", _periods), ("--tier", lambda: ["A", "B", "C"])):
        if opt in opts:
            return lambda ctx, args, incomplete, values=values: [v for v in values() if v.startswith(incomplete)]
    return None


def _root_db(ctx):  # noqa: ANN001, ANN202
    root = ctx.find_root() if ctx is not None else None
    return root.params.get("db") if root is not None else None


def _channels() -> list[str]:
    from amkit.core.enums import CHANNELS

    return [*CHANNELS, *CHANNELS.values()]


def _stages() -> list[str]:
    from amkit.core.enums import DEAL_STAGES, LIFECYCLE

    return [*DEAL_STAGES, *DEAL_STAGES.values(), *LIFECYCLE, *LIFECYCLE.values()]


def _metrics() -> list[str]:
    from amkit.metrics.figures import METRICS

    return [*METRICS, *(m.zh for m in METRICS.values())]


def _periods() -> list[str]:
    """This and the previous quarter, month, ISO week and year (AMKIT_TODAY counts)."""
    from amkit import config

    today = config.today()
    quarter = (today.month - 1) // 3 + 1
    previous_quarter = f"{today.year}Q{quarter - 1}" if quarter > 1 else f"{today.year - 1}Q4"
    month = f"{today.year}-{today.month:02d}"
    previous_month = f"{today.year}-{today.month - 1:02d}" if today.month > 1 else f"{today.year - 1}-12"
    year, week, _ = today.isocalendar()
    return [f"{today.year}Q{quarter}", previous_quarter, month, previous_month, f"{year}W{week:02d}",
            str(today.year), str(today.year - 1)]


def manager_names(incomplete: str, cli_db: str | None = None, limit: int = LIMIT) -> list[str]:
    """Active managers' names (one who left, `manager leave`, is not offered) starting with the
    text, or whose pinyin (initials or full) does."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from amkit import config
    from amkit.core.pinyin import keys
    from amkit.store import engine
    from amkit.store.models import Manager

    try:
        db_url = config.database_url(cli_db)
        path = engine.sqlite_path(db_url)
        if path is not None and not path.exists():
            return []
        with Session(engine.engine_for(db_url)) as sess:
            names = sorted(sess.execute(sa.select(Manager.name).where(Manager.active.is_(True))).scalars())
    except Exception:  # noqa: BLE001 - a completion never prints a traceback into the shell
        return []
    key = (incomplete or "").lower()
    found = [n for n in names if n.startswith(incomplete or "")]
    found += [n for n in names if n not in found and key and key.isascii() and
              any(k.startswith(key) for k in keys(n))]
    return [_for_shell(n) for n in found[:limit]]


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
