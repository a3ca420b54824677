"""`amkit calendar load|show`: the work calendar the whole team plans on (issue 19)."""

from __future__ import annotations

from typing import Annotated

import typer

from amkit.ui.opts import Fmt, FormatOpt, example, note

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS

CalendarOpt = Annotated[str | None, typer.Option(
    "--calendar", help="Calendar code the days belong to (default: config 'calendar', CN).", metavar="CODE")]


def _load_cols():
    from amkit.ui.render import Col

    return [Col("date", "Date", "date"), Col("weekday", "Weekday"), Col("kind", "Kind", "enum", KIND_NAMES),
            Col("name", "Name"), Col("source", "Source", "enum", SOURCE_NAMES)]


KIND_NAMES = {"holiday": "放假", "workday": "上班"}
SOURCE_NAMES = {"package": "holidays 包", "notice": "国务院通知", "provisional": "暂定", "manual": "自定义"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@app.command("load", epilog=example(
    "amkit calendar load 2027节假日安排.txt --dry-run",
    "amkit calendar load notice.html -f json",
    "pbpaste | amkit calendar load -",
    "amkit calendar load company-days.toml"))
def load(
    file: Annotated[str, typer.Argument(help="The State Council notice (.txt or saved .html, - for stdin), "
                                             "or a list of days (.toml/.csv: date, kind, name).",
                                        metavar="FILE")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what was understood without storing it.")] = False,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Store a notice even where it contradicts the package or the loaded notice; "
                          "for a day list, drop the other manual days of its years.")] = False,
    calendar: CalendarOpt = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Load the yearly holiday notice (国务院办公厅关于部分节假日安排的通知) or a company's own days
    into the database, audited and shared by the team; plans follow it at once."""
    import sys

    from amkit import config, store
    from amkit.calendar import queries, writes
    from amkit.calendar.calc import festival_name
    from amkit.ui.i18n import t
    from amkit.ui.opts import emit

    text, kind = writes.read_file(file, sys.stdin.read() if file == "-" else None)
    where = "stdin" if file == "-" else file
    source, days, year = writes.parse(text, kind, where)
    code = queries.configured_code(calendar)
    with store.write() as st:
        result = writes.load(st, code, source, days, year, replace)
        if dry_run:
            st.discard()
    lang = config.language()
    rows = [{"date": d.day, "weekday": WEEKDAYS[d.day.weekday()], "kind": d.kind,
             "name": festival_name(d.name, lang) if fmt == Fmt.table else d.name, "source": d.source}
            for d in result.days]
    emit(rows, _load_cols(), fmt)
    years = ", ".join(map(str, result.years))
    if result.replaced:
        note(t("{n} day(s) of {years} changed from what was there before (--replace)",
               n=len(result.replaced), years=years))
    if dry_run:
        note(t("dry run: {n} day(s) understood for {years}; nothing stored", n=len(days), years=years))
    elif result.unchanged:
        note(t("already loaded: nothing changed for {years}", years=years))
    else:
        note(t("loaded {n} day(s) for {years} ({source}): plans, progress and reviews follow them now",
               n=len(days), years=years, source=source))


@app.command("show", epilog=example(
    "amkit calendar show 2027", "amkit calendar show 2026 --month 10",
    "amkit calendar show 2027 -f json"))
def show(
    year: Annotated[int, typer.Argument(help="The year, e.g. 2027.", metavar="YEAR")],
    month: Annotated[int | None, typer.Option("--month", "-m", help="Only this month (1-12).")] = None,
    calendar: CalendarOpt = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """A month grid with days off (休) and make-up working days (班) marked, and where they come
    from: package, notice, provisional or manual. JSON: one row per day that differs from
    Monday–Friday."""
    from datetime import date

    from amkit import config, store
    from amkit.calendar import grid, queries
    from amkit.errors import bad_value
    from amkit.ui.opts import emit
    from amkit.ui.render import Col

    if not 1 <= year <= 9998:
        raise bad_value("YEAR", year, "expected a year like 2027")
    if month is not None and not 1 <= month <= 12:
        raise bad_value("--month", month, "expected 1-12")
    lang = config.language()
    with store.reader() as r:
        cal = queries.work_calendar(r, calendar, lang)
    source = cal.source(year)  # BadInput for a year nothing covers
    start, end = (date(year, month, 1), _month_end(year, month)) if month else (date(year, 1, 1), date(year, 12, 31))
    days = cal.days_between(start, end)
    warn_provisional(cal, start, end)
    if fmt != Fmt.table:
        rows = [{"date": d.day, "kind": d.kind, "name": d.name, "source": d.source} for d in days]
        emit(rows, [Col("date", "Date", "date"), Col("kind", "Kind"), Col("name", "Name"), Col("source", "Source")],
             fmt)
        return
    out: list[str] = []
    for m in ([month] if month else range(1, 13)):
        out.extend(grid.month_lines(year, m, days, source, lang))
        out.append("")
    out.append(grid.legend(lang))
    typer.echo("\n".join(out))


def _month_end(year: int, month: int):
    from datetime import date, timedelta

    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def warn_provisional(cal, start, end) -> list[int]:
    """The stderr line for each provisional year from ``start`` to ``end`` (SPEC: outputs that
    use such a year say so); returns those years."""
    from amkit.ui.i18n import t

    years = cal.provisional_years(start, end)
    for y in years:
        note(t("provisional calendar for {year}: load the State Council notice with `amkit calendar load`",
               year=y))
    return years
