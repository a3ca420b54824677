"""Options shared by every command (one definition each, like sqlite-utils' output_options)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]
OutputOpt = Annotated[Optional[str], typer.Option("--output", "-o", help="Write to FILE instead of stdout.",
                                                   metavar="FILE")]
BomOpt = Annotated[bool, typer.Option("--bom", help="Start CSV with a UTF-8 BOM (for Excel).")]
OwnerOpt = Annotated[Optional[str], typer.Option("--owner", help="Manager name.", metavar="NAME")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="Report as of DATE (default today).",
                                                 metavar="DATE")]


def example(*lines: str) -> str:
    """A help epilog with examples (every command shows at least one)."""
    return "Examples:\n\n" + "\n\n".join(f"  $ {line}" for line in lines)


def emit(rows, cols, fmt: Fmt, output: str | None = None, bom: bool = False, one: bool = False) -> None:  # noqa: ANN001
    from amkit.reports.render import render, render_one, write_to

    with write_to(output) as stream:
        if one:
            render_one(rows, cols, fmt.value, out=stream)
        else:
            render(rows, cols, fmt.value, out=stream, bom=bom)


def note(message: str) -> None:
    """Chatter goes to stderr."""
    typer.echo(message, err=True)
