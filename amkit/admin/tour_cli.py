"""The demo as a product tour, in the user's language.

`amkit demo` prints the list of commands to try (`amkit.demo.tour()`, English ids, each
comment translated through the catalog here, so lines other features add to it are
translated as soon as the catalog has them). `amkit demo --tour` also runs a few of them
in-process, one heading per feature, and says how long the whole tour took.
"""

from __future__ import annotations

import shlex
import time
from typing import Callable

from amkit.ui.i18n import t

# (heading, command): one step per feature, output kept short (limits, one owner).
STEPS: list[tuple[str, str]] = [
    ("The customer archive: A-tier customers", "customer list --tier A --limit 5"),
    ("Pinyin lookup: a briefing by initials", "customer show zgyh"),
    ("Follow-ups: the latest in 张伟's log", "followup list --owner 张伟 --limit 5"),
    ("Reminders: what is due in the next 3 days", "remind --owner 张伟 --within 3d"),
    ("Goals: this quarter's revenue goal month by month (调休 aware)", "goal plan --owner 张伟 --by month"),
    ("Goals: progress against the three lines", "goal progress --owner 张伟"),
    ("Tiers: 张伟's A-tier customers (Pareto)", "tier list --tier A --owner 张伟"),
    ("Scorecard: this quarter's KPIs and rank", "score card"),
    ("Scorecard: this month's targets from the quarter goals (source plan)",
     "score card --period {month} --owner 张伟 --detail"),
    ("Team cards: each team's figures added up (团队 PK)", "score card --by team"),
    ("Funnel: this year's deals stage by stage", "report funnel --period {year}"),
    ("Contracts: renewals due in the next 60 days", "contract list --expiring 60d"),
    ("Receivables: 张伟's overdue installments", "receivable list --overdue --owner 张伟"),
    ("Work calendar: October's holidays and make-up workdays (调休)", "calendar show {year} --month 10"),
    ("Undo: the commands you can take back, newest first", "undo --list --limit 3"),
]


def localized(text: str, width: int | None = None) -> str:
    """The printed tour in the user's language: `# comments` and plain lines through the
    catalog, comments re-aligned by display width (CJK counts double). On a terminal WIDTH
    columns wide, a comment that would not fit after its command goes on the line below it,
    so no line wraps."""
    from amkit.ui.render import display_width

    rows: list[tuple[str, str] | str] = []
    for line in text.splitlines():
        command, sep, comment = line.partition("  # ")
        if sep and line.lstrip().startswith("amkit "):
            rows.append((command.rstrip(), t(comment.strip())))
        else:
            rows.append(t(line.strip()) if line.strip() else "")
    align = max((display_width(r[0]) for r in rows if isinstance(r, tuple)), default=0)
    out = []
    for row in rows:
        if not isinstance(row, tuple):
            out.append(row)
            continue
        line = row[0] + " " * (align - display_width(row[0]) + 2) + "# " + row[1]
        if width is not None and display_width(line) > width:
            indent = len(row[0]) - len(row[0].lstrip()) + 4
            line = row[0] + "\n" + " " * indent + "# " + row[1]
        out.append(line)
    return "\n".join(out)


def run(echo: Callable[[str], None], steps: list[tuple[str, str]] | None = None) -> float:
    """Run each step's command in this process under its heading; returns the seconds taken.

    A step that fails prints its one-line error (stderr) and the tour goes on.
    """
    from typer.main import get_command

    from amkit import config
    from amkit.cli import app

    year = config.today().year
    started = time.perf_counter()
    chosen = steps or STEPS
    for number, (heading, template) in enumerate(chosen, 1):
        command = template.format(year=year, month=f"{config.today():%Y-%m}")
        echo("")
        echo(f"== {number}/{len(chosen)} {t(heading)} ==")
        echo(f"$ amkit {command}")
        get_command(app).main(global_options() + shlex.split(command), prog_name="amkit", standalone_mode=False)
    return time.perf_counter() - started


def global_options() -> list[str]:
    """The global options this run was given (`amkit --db X demo --tour`), for every step: each
    step runs the root command again, which would otherwise fall back to the default database."""
    from amkit import context

    db = context.current().db
    return ["--db", db] if db else []


def demo_ready() -> bool:
    """True when this database already holds the demo data (`--tour` then just runs)."""
    from amkit import store
    from amkit.store.models import Meta

    with store.session(write=False) as sess:
        return sess.get(Meta, "demo") is not None
