"""Options shared by every command (one definition each, like sqlite-utils' output_options)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"  # needs -o FILE (amkit.ui.xlsx)


class ReportFmt(str, Enum):
    """The reports with a chart (`report funnel|pareto`, `goal progress`): also a self-contained page."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    html = "html"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class Via(str, Enum):
    """Chat services `--notify` posts to (amkit.notify builds each one's message format)."""

    wecom = "wecom"
    dingtalk = "dingtalk"
    feishu = "feishu"
    slack = "slack"
    generic = "generic"


FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="Output format (xlsx needs -o FILE).",
                                        case_sensitive=False)]
ReportFormatOpt = Annotated[ReportFmt, typer.Option("--format", "-f", help="Output format (xlsx needs -o FILE; html: "
                                                    "a self-contained page with a chart).", case_sensitive=False)]
OutputOpt = Annotated[Optional[str], typer.Option("--output", "-o", help="Write to FILE instead of stdout.",
                                                   metavar="FILE")]
BomOpt = Annotated[bool, typer.Option("--bom", help="Start CSV with a UTF-8 BOM (for Excel).")]


def _completer(names: str, doc: str):  # noqa: ANN202
    """A shell-completion callback from ``amkit.ui.completion.<names>`` (the --db typed before the
    TAB counts). It never fails and never creates a database: any problem completes nothing.
    Marked ``unfiltered``: pinyin candidates do not start with the typed text."""
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        try:
            from amkit.ui import completion

            root = ctx.find_root() if ctx is not None else None
            return getattr(completion, names)(incomplete, root.params.get("db") if root is not None else None)
        except Exception:  # noqa: BLE001 - a completion must not print a traceback into the shell
            return []

    complete.__doc__ = doc
    complete.unfiltered = True
    return complete


complete_manager = _completer("manager_names", "Active managers' names (not those who left, issue 21).")

OwnerOpt = Annotated[Optional[str], typer.Option("--owner", help="Manager name.", metavar="NAME",
                                                  autocompletion=complete_manager)]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="Report as of DATE (default today).",
                                                 metavar="DATE")]


complete_customer = _completer("customer_names", "Customer names: prefix, pinyin initials or full pinyin (20 at most).")


CUSTOMER_HELP = "Id, name, short name (--alias), unique prefix or part of the name, or pinyin (initials or full)."
CustomerArg = Annotated[str, typer.Argument(help=CUSTOMER_HELP, metavar="CUSTOMER", autocompletion=complete_customer)]
CustomerOpt = Annotated[Optional[str], typer.Option("--customer", help="Only this customer.", metavar="CUSTOMER",
                                                    autocompletion=complete_customer)]


def example(*lines: str) -> str:
    """A help epilog with examples (every command shows at least one)."""
    return "Examples:\n\n" + "\n\n".join(f"  $ {line}" for line in lines)


def emit(rows, cols, fmt: Fmt, output: str | None = None, bom: bool = False, one: bool = False,  # noqa: ANN001
         private: bool = False) -> None:
    """Render to stdout or `-o FILE` (written atomically; private: 0600, for revealed contacts)."""
    from amkit.ui.render import render, render_one, write_to

    if fmt.value == "xlsx":
        write_xlsx(rows if not one else [rows], cols, output, private=private)
        return
    with write_to(output, private=private) as stream:
        if one:
            render_one(rows, cols, fmt.value, out=stream)
        else:
            render(rows, cols, fmt.value, out=stream, bom=bom)


def write_xlsx(rows, cols, output: str | None, private: bool = False) -> None:  # noqa: ANN001
    """`-f xlsx -o FILE`: the rows as a formatted workbook (amkit.ui.xlsx); a workbook is binary,
    so it needs a file."""
    from amkit.errors import bad_value
    from amkit.ui import xlsx

    if not output or output == "-":
        raise bad_value("--output", output or "-", "-f xlsx writes a workbook: give -o FILE.xlsx")
    xlsx.write(output, [c.key for c in cols], rows, [c.kind for c in cols], private=private)


def write_html(page: str, output: str | None) -> None:
    """`-f html`: the page to stdout or `-o FILE` (atomically)."""
    from amkit.ui.render import write_to

    with write_to(output) as stream:
        stream.write(page)


def emit_created(row, cols, fmt: Fmt) -> None:  # noqa: ANN001
    """What every `add` prints: the new id (table), or the created row (-f json/csv)."""
    if fmt == Fmt.table:
        typer.echo(row["id"])
    else:
        emit(row, cols, fmt, one=True)


def note(message: str) -> None:
    """Chatter goes to stderr (passwords in URLs masked), each line in the user's language when
    the catalog has it (amkit.ui.helptext.message; already translated text stays as it is)."""
    from amkit.core.text import mask_secrets
    from amkit.ui.helptext import message as in_language

    def said(line: str) -> str:
        body = line.lstrip()
        return line[:len(line) - len(body)] + in_language(body) if body else line

    typer.echo(mask_secrets("\n".join(said(line) for line in message.split("\n"))), err=True)
