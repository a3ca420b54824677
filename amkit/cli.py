"""The root command: global options and the one place errors become exit codes.

Kept light: importing this module must not import SQLAlchemy, SQLModel or Rich; command
modules import heavy libraries inside their function bodies.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

from amkit.ui.click import exceptions as cx
import typer
from typer.core import TyperCommand, TyperGroup

from amkit import __version__, config, context
from amkit.errors import AmkitError


def _fail(message: str, code: int, details: list[str] | None = None) -> int:
    from amkit.core.text import mask_secrets
    from amkit.ui.helptext import message as in_language

    typer.echo(f"amkit: {mask_secrets(in_language(message))}", err=True)
    for line in details or []:  # an import's bad rows: "line 4, column '日期', value …: reason"
        typer.echo(f"  {mask_secrets(in_language(line))}", err=True)
    return code


def _check_arguments(args: Any) -> None:
    """A byte that is not UTF-8 in an argument reaches Python as a lone surrogate (PEP 383):
    refuse it in one line (exit 2) before it reaches a database or a terminal."""
    from amkit.errors import bad_value

    for arg in args:
        if isinstance(arg, str) and any("\udc80" <= ch <= "\udcff" for ch in arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise bad_value("argument", shown, "not valid UTF-8 (use a UTF-8 locale and terminal)")


def _damaged(exc: BaseException) -> str | None:
    """The one line for a damaged SQLite file (exit 4, SPEC §1 "integrity failure"): SQLite
    says "file is not a database" or "database disk image is malformed", directly (the raw
    read path) or wrapped by SQLAlchemy (its multi-line text is not shown)."""
    import sqlite3

    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        cause = getattr(seen, "orig", None) or seen
        text = str(cause).splitlines()[0] if str(cause) else ""
        if isinstance(cause, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
            where = config.database_url(context.current().db).removeprefix("sqlite:///")
            return (f"the database file {where} is damaged ({text}); "
                    "run amkit doctor, then amkit restore BACKUP")
        seen = seen.__cause__ or seen.__context__
    return None


def _translated(command: Any) -> Any:
    """The command with its help texts in zh when AMKIT_LANG/LANG say so (no-op in en)."""
    if "amkit.ui.helptext" not in sys.modules and _english():
        return command  # nothing to translate, nor to restore from an earlier zh run
    from amkit.ui.helptext import translate_tree

    translate_tree(command)
    return command


def _english() -> bool:
    try:
        return config.language() == "en"
    except AmkitError:  # an unreadable config file is reported by the command that reads it
        return True


def _one_line(exc: cx.ClickException) -> str:
    if isinstance(exc, cx.UsageError) and exc.ctx is not None:
        return f"{exc.format_message()} (see '{exc.ctx.command_path} --help')"
    return exc.format_message()


class AmkitGroup(TyperGroup):
    """Runs the app in non-standalone mode and maps every failure to one stderr line.

    Top-level commands are loaded by name on first use (`COMMANDS`); listing them in the
    help shows their summary line without importing them."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if self._listing and cmd_name in COMMANDS:  # `amkit --help`: the summary is enough
            return _translated(TyperCommand(cmd_name, help=COMMANDS[cmd_name][2]))
        command = load_command(cmd_name)
        if command is not None:
            self.commands[cmd_name] = _translated(command)
        return command

    def load_all(self) -> None:
        for name in COMMANDS:
            self.get_command(None, name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in COMMANDS:
            self.load_all()  # an unknown name: "did you mean" looks at every command
        return super().resolve_command(ctx, args)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        code = self._run(args, prog_name or "amkit", complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: Any, prog_name: str, complete_var: str | None, **extra: Any) -> int:
        try:
            argv = sys.argv[1:] if args is None else list(args)
            _check_arguments(argv)
            if not argv or "--help" in argv or "-h" in argv or len(argv) == 1:
                from amkit.ui.helptext import plain_rich_help  # a help screen may follow

                plain_rich_help()
            _translated(self)
            if os.environ.get(complete_var or f"_{prog_name}_COMPLETE".replace("-", "_").upper()):
                from amkit.ui.completion import keep_unprefixed

                self.load_all()
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
            damage = _damaged(exc)
            if damage:
                return _fail(damage, 4)
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
    context.current().db = db


# Every top-level command: name -> (module under amkit, what it exports, the line shown
# in `amkit --help`). Modules are imported only when their command runs (or for the whole
# tree: completion, a mistyped name), so `amkit --help` and each command stay quick.
# "app": a Typer sub-app mounted under the name (the line is its help); "register": a
# function adding top-level commands to the app it is given.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "backup": ("admin.safety_cli", "register", "Copy the database with SQLite's online-backup API (safe while others write)."),
    "restore": ("admin.safety_cli", "register",
                "Replace the database with a backup; the current one is first kept as <db>.<timestamp>.bak."),
    "doctor": ("admin.safety_cli", "register",
               "Check integrity, foreign keys, schema version, orphans, permissions, WAL size, audit chain."),
    "init": ("admin.setup_cli", "register", "Create (or migrate) the database explicitly."),
    "demo": ("admin.setup_cli", "register", "Build a demo database with realistic sample data and print a short tour."),
    "copy": ("admin.copy_cli", "register", "Copy the whole database (ids, history and audit log included) into an empty "
                                 "one, then check a row count and checksum per table on both sides."),
    "import": ("transfer.cli", "register", "Import rows from a file. All or nothing unless --skip-invalid."),
    "export": ("transfer.cli", "register", "Export a table; the file imports back unchanged (with AMKIT_KEY set: "
                                       "contacts need --reveal)."),
    "remind": ("reminders.cli", "register", "Overdue and upcoming next actions, cadence breaches, dormant customers, "
                                     "birthdays and holidays, grouped per owner. A read: it never writes (dormancy is "
                                     "derived from activity)."),
    "review": ("review.cli", "register", "One document for the review meeting: goal progress with pace, new/won/lost "
                                     "deals and why deals were lost, customers gone dormant or churned, tier "
                                     "changes, reminders ignored for more than a week, top visits, and what "
                                     "changed since the previous period."),
    "customer": ("customers.cli", "app", "Customer archive (客户档案)."),
    "contact": ("customers.contacts_cli", "app", "Key contacts of customers (关键联系人)."),
    "manager": ("admin.managers_cli", "app", "Account managers (客户经理)."),
    "followup": ("followups.cli", "app", "Follow-up log (跟进记录): calls, visits, WeChat…"),
    "config": ("admin.config_cli", "app", "Settings in config.toml (cadence, KPI weights, calendar, language)."),
    "calendar": ("calendar.cli", "app", "Work calendar (工作日历): load the State Council holiday notice, show "
                                        "the year; plans follow it."),
    "goal": ("goals.cli", "app", "Goals (目标): three lines, split by week/month and by team, tracked and re-planned."),
    "audit": ("admin.audit_cli", "app", "The append-only, hash-chained audit log (操作日志)."),
    "tier": ("tiers.cli", "app", "Customer tiers A/B/C (客户分级): Pareto, RFM or rules."),
    "score": ("scores.cli", "app", "KPI scorecards and ranking (绩效考核)."),
    "deal": ("deals.cli", "app", "Deals (商机) through the stages, with the weighted pipeline."),
    "payment": ("deals.payments_cli", "app", "Payments (回款) against won deals; collection rate (回款率)."),
    "contract": ("contracts.cli", "app", "Contracts (合同) with end dates and renewals (续约)."),
    "receivable": ("deals.payments_cli", "receivable_app", "Receivables (应收): payment-plan installments, received, "
                                                          "outstanding and overdue."),
    "survey": ("feedback.surveys_cli", "app", "Satisfaction surveys (满意度): 1-5, or NPS 0-10."),
    "complaint": ("feedback.complaints_cli", "app", "Complaints (投诉): opened, resolved, response time."),
    "report": ("deals.report_cli", "app", "Reports: funnel, and more."),
    "kb": ("kb.cli", "app", "Knowledge base: cases and talk tracks (案例库, 话术)."),
    "team": ("admin.team_cli", "app", "Team mode on PostgreSQL: database roles and row-level security."),
    "user": ("admin.team_cli", "user_app", "People in team mode: their database login and role."),
    "undo": ("records.cli", "register", "Revert your last write command as a whole (again: the one before); "
                                        "--list shows the stack."),
    "history": ("records.cli", "register", "What changed, when, by which command and user, before → after in "
                                           "words (the audit log, git-log style)."),
}


# The nouns whose sub-app gets `edit` and `delete` from amkit.records (its spec.KINDS; a test
# keeps the two in step): listed here so other commands do not import amkit.records.
RECORD_KINDS = ("followup", "deal", "payment", "contact", "kb", "survey", "complaint", "goal", "manager", "receivable")


def load_command(name: str) -> Any:
    """The click command of a top-level name, importing its module (None if unknown)."""
    if name not in COMMANDS:
        return None
    import importlib

    module_name, export, summary = COMMANDS[name]
    module = importlib.import_module(f"amkit.{module_name}")
    holder = typer.Typer()
    holder.callback()(_nothing)  # a group even when it holds one command
    if export == "register":
        module.register(holder)
    else:
        if name in RECORD_KINDS:  # issue 21: `edit` and `delete` of every record kind
            from amkit.records.cli import attach

            attach(name, getattr(module, export))
        holder.add_typer(getattr(module, export), name=name, help=summary)
    command = typer.main.get_command(holder).commands[name]
    command.short_help = summary  # the line in `amkit --help`, loaded or not
    _stamp(command)
    return command


def _stamp(command: Any) -> None:
    """Each leaf command records its path in the app context when it runs (the audit log's
    ``command``): storage is told who is running, it never asks click."""
    for sub in getattr(command, "commands", {}).values():
        _stamp(sub)
    _accept_labels(command)
    if not hasattr(command, "commands"):
        _add_view_options(command)
        run = command.invoke

        def invoke(ctx: Any, run: Any = run) -> Any:
            context.current().command = ctx.command_path
            return run(ctx)

        command.invoke = invoke


def _nothing() -> None:
    return None


# Options (and arguments, by name) whose values a table shows translated: the label shown is
# accepted back as input (--metric 拜访, --reason-code 价格, deal move 12 签约), in every command.
LABELLED = {"--metric": "metric", "--reason-code": "reason_code", "--channel": "channel", "--stage": "stage",
            "--lifecycle": "lifecycle", "--tier": "tier", "--kind": "kind", "--line": "line", "--method": "method"}


def _english_value(enum: str, value: Any) -> Any:
    """A shown (zh) label as the English value it stands for; anything else unchanged."""
    if not isinstance(value, str) or not value.strip() or value.isascii():
        return value
    from amkit.core.enums import ENUMS, LIFECYCLE

    if enum == "metric":
        from amkit.metrics.figures import METRICS

        names = {name: m.zh for name, m in METRICS.items()}
    elif enum == "stage":  # deal stages, and customer stages on customer commands
        names = {**LIFECYCLE, **ENUMS["stage"]}
    else:
        names = ENUMS.get(enum, {})
    back = {label: key for key, label in names.items()}
    return back.get(value.strip(), value)


def _accept_labels(command: Any) -> None:
    for param in command.params:
        enum = next((LABELLED[o] for o in getattr(param, "opts", ()) if o in LABELLED), None)
        if enum is None and getattr(param, "param_type_name", "") == "argument" and param.name in ("stage", "metric"):
            enum = param.name
        if enum is None or getattr(param, "_amkit_labels", False):
            continue
        original = param.callback

        def translate(ctx: Any, p: Any, value: Any, enum: str = enum, original: Any = original) -> Any:
            if isinstance(value, (list, tuple)):
                value = type(value)(_english_value(enum, v) for v in value)
            else:
                value = _english_value(enum, value)
            return original(ctx, p, value) if original is not None else value

        param.callback = translate
        param._amkit_labels = True


def _view_options() -> list[Any]:
    """Fresh `--wide` and `--columns/-c` options (amkit.ui.render reads them from the app context)."""
    holder = typer.Typer(add_completion=False)

    @holder.command()
    def view(
        wide: bool = typer.Option(False, "--wide", help="Show every column, none cut to the terminal."),
        columns: Optional[str] = typer.Option(None, "--columns", "-c", metavar="A,B,C",
                                              help="Only these columns, in this order (keys or shown labels)."),
    ) -> None:
        return None

    return [p for p in typer.main.get_command(holder).params if p.name in ("wide", "columns")]


def _set_view(ctx: Any, param: Any, value: Any) -> Any:
    if param.name == "wide":
        context.current().wide = bool(value)
    else:  # called for every run, given or not: a value from an earlier run in this process never lingers
        context.current().columns = tuple(v.strip() for v in str(value or "").replace("，", ",").split(",")
                                          if v.strip()) or None
    return value


def _add_view_options(command: Any) -> None:
    """Every listing (a leaf command with --format) takes --wide and --columns/-c, so a command
    added to COMMANDS gets them without declaring them; `-c` only where it is still free."""
    taken = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    if "--format" not in taken or "--wide" in taken:
        return
    for param in _view_options():
        if "--columns" in param.opts and "-c" in taken:
            param.opts = ["--columns"]
        param.expose_value = False
        param.callback = _set_view
        command.params.append(param)


def full_tree() -> Any:
    """The root click group with every command loaded (tests, docs, completion)."""
    group = typer.main.get_command(app)
    group.load_all()
    return group


def main() -> None:
    """The `amkit` process. Its garbage collector runs 100x less often than Python's default:
    a report builds 100k-row results whose objects make no reference cycles, and each
    default-paced collection walked all of them again (a third of `remind`'s compute time)."""
    import gc

    gc.set_threshold(70_000, 10, 10)
    command = typer.main.get_command(app)
    command.main(prog_name="amkit")
