"""`amkit config get|set|list`."""

from __future__ import annotations

from typing import Annotated

import typer

from amkit.ui.opts import Fmt, FormatOpt, emit, example

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


@app.command("get", epilog=example("amkit config get cadence.A"))
def get(key: Annotated[str, typer.Argument(help="Dotted key, e.g. cadence.A.")]) -> None:
    """Print one setting (the file's value, else the default)."""
    from amkit import config
    from amkit.ui.render import csv_value

    value = config.get(key)
    if isinstance(value, dict):
        for name, item in config.flatten(value, key + "."):
            typer.echo(f"{name} = {csv_value(item)}")
    else:
        typer.echo(csv_value(value))


@app.command("set", epilog=example("amkit config set cadence.A 5", "amkit config set cadence.industry.金融 3",
                                   "amkit config set language zh"))
def set_(key: Annotated[str, typer.Argument(help="Dotted key.")],
         value: Annotated[str, typer.Argument(help="Value (number, true/false or text).")]) -> None:
    """Set a setting in the config file."""
    from amkit import config

    config.set_value(key, value)
    typer.echo(f"{key} = {value}", err=True)


@app.command("list", epilog=example("amkit config list", "amkit config list -f json"))
def list_(fmt: FormatOpt = Fmt.table) -> None:
    """All settings, defaults merged with the file."""
    from amkit import config
    from amkit.ui.render import Col

    rows = [{"key": k, "value": v} for k, v in config.flatten(config.merged())]
    emit(rows, [Col("key", "Key"), Col("value", "Value")], fmt)
