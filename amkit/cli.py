"""The root command: global options and the one place errors become exit codes.

Kept light: importing this module must not import SQLAlchemy, SQLModel or Rich; command
modules import heavy libraries inside their function bodies.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

from amkit._click import exceptions as cx
import typer
from typer.core import TyperGroup

from amkit import __version__, config
from amkit.errors import AmkitError


def _fail(message: str, code: int, details: list[str] | None = None) -> int:
    from amkit.helptext import message as in_language

    typer.echo(f"amkit: {in_language(message)}", err=True)
    for line in details or []:
        typer.echo(f"  {line}", err=True)
    return code


def _one_line(exc: cx.ClickException) -> str:
    if isinstance(exc, cx.UsageError) and exc.ctx is not None:
        return f"{exc.format_message()} (see '{exc.ctx.command_path} --help')"
    return exc.format_message()


class AmkitGroup(TyperGroup):
    """Runs the app in non-standalone mode and maps every failure to one stderr line."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        code = self._run(args, prog_name or "amkit", complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: Any, prog_name: str, complete_var: str | None, **extra: Any) -> int:
        try:
            from amkit.helptext import translate_tree

            translate_tree(self)  # help texts in zh when AMKIT_LANG/LANG say so (no-op in en)
            if os.environ.get(complete_var or f"_{prog_name}_COMPLETE".replace("-", "_").upper()):
                from amkit.completion import keep_unprefixed

                keep_unprefixed(self)
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            return rv if isinstance(rv, int) else 0
        except AmkitError as exc:
            return _fail(exc.message, exc.exit_code, exc.details)
        except typer.Exit as exc:
            return exc.exit_code
        except typer.Abort:
            return _fail("aborted", 1)
        except cx.ClickException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
                typer.echo(exc.ctx.get_help())  # bare `amkit` / `amkit customer`: show help
                return 0
            return _fail(_one_line(exc), 2 if isinstance(exc, cx.UsageError) else exc.exit_code)
        except BrokenPipeError:
            return 0
        except OverflowError as exc:  # a number too large for the database (e.g. --id 10**30)
            return _fail(f"invalid number: {exc}", 2)
        except KeyboardInterrupt:
            return _fail("interrupted", 130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if os.environ.get("AMKIT_DEBUG") == "1":
                import traceback

                traceback.print_exc()
            return _fail(f"internal error: {type(exc).__name__}: {exc}", 1)


app = typer.Typer(
    cls=AmkitGroup,
    name="amkit",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="amkit: account-manager kit (客户经理工具箱).\n\nCustomers, contacts, follow-ups, reminders, goals and reports in one CLI.",
    epilog="Example: amkit demo && amkit customer list --tier A",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"amkit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: Optional[str] = typer.Option(None, "--db", help="SQLite file (overrides AMKIT_DB / AMKIT_DATABASE_URL).",
                                     metavar="PATH"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    config.CLI_DB[0] = db


def _register() -> None:
    from amkit.commands import (audit, complaint, config_cmd, contact, copy, customer, deal, followup, goal, kb,
                                manager, payment, remind, report, report_pareto, review, safety, score, setup, survey,
                                team, tier, transfer)

    app.add_typer(customer.app, name="customer")
    app.add_typer(contact.app, name="contact")
    app.add_typer(manager.app, name="manager")
    app.add_typer(followup.app, name="followup")
    app.add_typer(config_cmd.app, name="config")
    app.add_typer(goal.app, name="goal")
    app.add_typer(audit.app, name="audit")
    safety.register(app)
    app.add_typer(tier.app, name="tier")
    app.add_typer(score.app, name="score")
    report_pareto.register(report.app)
    app.add_typer(deal.app, name="deal")
    app.add_typer(payment.app, name="payment")
    app.add_typer(survey.app, name="survey")
    app.add_typer(complaint.app, name="complaint")
    app.add_typer(report.app, name="report")
    app.add_typer(kb.app, name="kb")
    setup.register(app)
    copy.register(app)
    transfer.register(app)
    remind.register(app)
    review.register(app)
    app.add_typer(team.app, name="team")
    app.add_typer(team.user_app, name="user")


_register()


def main() -> None:
    command = typer.main.get_command(app)
    command.main(prog_name="amkit")
