"""`NOUN edit|delete` for every record kind (built from amkit.records.spec.KINDS and attached to
the nouns' sub-apps by amkit.cli), `amkit undo` and `amkit history` (issue 21)."""

from __future__ import annotations

import inspect
import sys
from typing import Annotated, Any, Optional

import typer

from amkit.records.spec import KINDS, NOUNS, Kind
from amkit.ui.i18n import counted, plural, record_named, t
from amkit.ui.opts import Fmt, FormatOpt, OutputOpt, example, note

EXAMPLES = {
    "followup": ("amkit followup edit 12 --channel visit --summary '现场演示'", "amkit followup delete 12"),
    "deal": ("amkit deal edit 7 --amount 118000 --expected-close 2026-12-20", "amkit deal delete 7 --cascade"),
    "payment": ("amkit payment edit 3 --amount 2万 --date 2026-11-20", "amkit payment delete 3"),
    "contact": ("amkit contact edit 中国银行 李明 --phone 13900139000", "amkit contact delete 中国银行 李明"),
    "kb": ("amkit kb edit 4 --tags 话术,异议处理", "amkit kb delete 4"),
    "survey": ("amkit survey edit 5 --score 4", "amkit survey delete 5"),
    "complaint": ("amkit complaint edit 2 --resolved '2026-11-21 10:00'", "amkit complaint delete 2"),
    "goal": ("amkit goal edit 9 --target 300000", "amkit goal delete 9"),
    "manager": ("amkit manager edit 张伟 --mobile 13800138000 --wecom-userid zhangwei", "amkit manager delete 测试"),
    "receivable": ("amkit receivable edit 4 --due 2027-01-15 --amount 5万", "amkit receivable delete 4"),
}


def _ref_params(kind: Kind) -> list[inspect.Parameter]:
    kw = inspect.Parameter.POSITIONAL_OR_KEYWORD
    if kind.address == "contact":
        from amkit.ui.opts import CustomerArg

        return [inspect.Parameter("customer", kw, annotation=CustomerArg),
                inspect.Parameter("ref", kw, annotation=Annotated[str, typer.Argument(
                    help="Contact name or id.", metavar="NAME|ID")])]
    if kind.address == "manager":
        return [inspect.Parameter("ref", kw, annotation=Annotated[str, typer.Argument(
            help="Manager name or id.", metavar="NAME")])]
    return [inspect.Parameter("ref", kw, annotation=Annotated[str, typer.Argument(
        help=f"The {kind.label}'s id.", metavar="ID")])]


def _command(func: Any, params: list[inspect.Parameter]) -> Any:
    func.__signature__ = inspect.Signature(params)
    func.__annotations__ = {p.name: p.annotation for p in params}
    return func


def words(session: Any, changes: list) -> list[dict[str, str]]:
    from amkit.records import history

    return [{"field": f.flag.lstrip("-"), "label": t(f.label), "before": history.word(f.shown, old, session),
             "after": history.word(f.shown, new, session)} for f, old, new in changes]


def _edit(kind: Kind) -> Any:
    kw = inspect.Parameter.KEYWORD_ONLY
    params = _ref_params(kind)
    for f in kind.fields:
        params.append(inspect.Parameter(f"v_{f.column}", kw, default=None, annotation=Annotated[
            Optional[str], typer.Option(f.flag, help=f.help or f"New {f.label}.", metavar="VALUE")]))
    params.append(inspect.Parameter("fmt", kw, default=Fmt.table, annotation=FormatOpt))

    def edit(ref: str, customer: str | None = None, fmt: Fmt = Fmt.table, **values: Optional[str]) -> None:
        from amkit import store
        from amkit.records import history, writes

        given = {k[2:]: v for k, v in values.items() if v is not None}
        if not given:
            from amkit.errors import BadInput

            raise BadInput("give at least one field to change (see --help)")
        with store.write() as st:
            record, changes = writes.edit(st, kind, ref, given, customer)
            lines = words(st.session, changes)
            name = history.record_name(st.session, kind, record)
        print_changes(kind, record.id, name, lines, fmt)

    edit.__doc__ = f"Edit {_a(kind.label)}: only the fields given change; prints what changed (amkit undo reverts it)."
    return _command(edit, params)


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def print_changes(kind: Kind, record_id: int, name: str, lines: list[dict[str, str]], fmt: Fmt) -> None:
    if fmt != Fmt.table:
        _json({"kind": kind.name, "id": record_id, "name": name or None, "changes": lines})
        return
    head = named(kind, record_id, name)
    if not lines:
        typer.echo(t("{record}: nothing changed", record=head))
    for line in lines:
        typer.echo(t("{record}: {field}: {before} → {after}", record=head, field=line["label"],
                     before=line["before"], after=line["after"]))


def named(kind: Kind, record_id: Any, name: str) -> str:
    """"follow-up 12 (上门拜访)" in the user's language."""
    return record_named(kind.label, record_id, name)


def _json(obj: Any) -> None:
    import json

    from amkit.ui.render import json_value

    typer.echo(json.dumps(obj, ensure_ascii=False, default=json_value))


def _delete(kind: Kind) -> Any:
    kw = inspect.Parameter.KEYWORD_ONLY
    params = _ref_params(kind)
    if kind.cascade and kind.dependents:
        labels = ", ".join(plural(d.label) for d in kind.dependents)
        params.append(inspect.Parameter("cascade", kw, default=False, annotation=Annotated[bool, typer.Option(
            "--cascade", help=f"Also delete (or unlink) its {labels}.")]))
    params.append(inspect.Parameter("yes", kw, default=False, annotation=Annotated[bool, typer.Option(
        "--yes", "-y", help="Do not ask (a terminal asks first; scripts and cron are never asked).")]))

    def delete(ref: str, customer: str | None = None, cascade: bool = False, yes: bool = False) -> None:
        from amkit import store
        from amkit.records import history, writes

        with store.write() as st:
            record = writes.find(st.session, kind, ref, customer)
            name = history.record_name(st.session, kind, record)
            writes.check_dependents(st.session, kind, record, cascade)  # refused before anyone is asked
            if not yes and sys.stdin.isatty() and sys.stdout.isatty():
                typer.confirm(t("Delete {record}?", record=named(kind, record.id, name)), abort=True)
            record, done = writes.delete(st, kind, ref, cascade, customer)
        typer.echo(t("deleted {record}", record=named(kind, record.id, name)))
        for dep, ids, how in done:
            if how == "unlink":
                note(t("unlinked {what} (kept, no longer pointing at it)", what=counted(len(ids), dep.label)))
            else:
                note(t("also deleted {what}", what=counted(len(ids), dep.label)))
        note(t("amkit undo brings it back"))

    delete.__doc__ = (f"Delete {_a(kind.label)}; refuses while other records depend on it (exit 4). "
                      "amkit undo brings it back.")
    return _command(delete, params)


def attach(noun: str, app: typer.Typer) -> None:
    """Add `edit` and `delete` to the sub-app of `noun` when it is a record kind (once)."""
    kind = KINDS.get(NOUNS.get(noun, noun))
    if kind is None or not kind.editable:
        return
    have = {c.name for c in app.registered_commands}
    edit_ex, delete_ex = EXAMPLES.get(noun, ("", ""))
    if "edit" not in have:
        app.command("edit", epilog=example(edit_ex) if edit_ex else None)(_edit(kind))
    if "delete" not in have:
        app.command("delete", epilog=example(delete_ex) if delete_ex else None)(_delete(kind))


# --- amkit undo / amkit history ------------------------------------------------------------------

def register(app: typer.Typer) -> None:
    app.command("undo", epilog=example("amkit undo --list", "amkit undo --dry-run", "amkit undo"))(undo)
    app.command("history", epilog=example("amkit history --customer 中国银行",
                                          "amkit history --record deal 7 -f json",
                                          "amkit history --since 2026-11-01"))(history_)


def undo(
    list_: Annotated[bool, typer.Option("--list", help="Show the undo stack (newest first) and change nothing.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be reverted; write nothing.")] = False,
    run: Annotated[Optional[str], typer.Option("--run", help="Refuse unless the last command is this run "
                                                          "(from --list): a guard for scripts.",
                                               metavar="RUN")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="--list: at most N commands (0 = all).")] = 20,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Revert your last write command as a whole (again: the one before); --list shows the stack.

    A whole import is one step. The undo is audited; it refuses (exit 4) when a later command changed
    the same records, and never restores erased personal data."""
    from amkit import store
    from amkit.records import history
    from amkit.store import undo as engine
    from amkit.store.writer import Store

    if list_ or dry_run:  # reads only: a read transaction, nothing recorded
        with store.session(write=False) as sess:
            who = Store(sess).who
            if list_:
                runs = engine.stack(sess, who, limit)
            else:
                plan = engine.plan(sess, who, run)
                summary = history.run_row(plan.run)
        if list_:
            _emit_runs([{"position": i, **history.run_row(r)} for i, r in enumerate(runs, 1)], fmt)
            return
    else:
        with store.write() as st:
            plan = engine.plan(st.session, st.who, run)
            summary = history.run_row(plan.run)
            engine.apply(st, plan)
    counts = plan.counts()
    if fmt != Fmt.table:
        _json({**summary, "dry_run": dry_run, "reverted": counts})
        return
    head = t("would undo") if dry_run else t("undone")
    typer.echo(f"{head}: {summary['command']} ({summary['at']}, run {summary['run']})")
    for line in history.count_lines(counts):
        typer.echo(f"  {line}")


def _emit_runs(rows: list[dict[str, Any]], fmt: Fmt) -> None:
    from amkit.ui.opts import emit
    from amkit.ui.render import Col

    cols = [Col("position", "#", "int"), Col("run", "Run"), Col("at", "At"), Col("command", "Command"),
            Col("changes", "Changes"), Col("undoable", "Undoable", "bool")]
    emit(rows, cols, fmt)


def history_(
    customer: Annotated[Optional[str], typer.Option("--customer", help="Changes to this customer and its records.",
                                                    metavar="CUSTOMER")] = None,
    record: Annotated[Optional[tuple[str, str]], typer.Option("--record", help="One record: KIND ID "
                                                               "(e.g. deal 7).", metavar="KIND ID")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="From DATE.", metavar="DATE")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most N commands, newest first (0 = all).")] = 50,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None,
) -> None:
    """What changed, when, by which command and user, before → after in words (the audit log, git-log style)."""
    from amkit import store
    from amkit.records import history

    with store.session(write=False) as sess:
        runs = history.read(sess, customer=customer, record=record, since=since, limit=limit)
    if fmt == Fmt.json:
        from amkit.ui.opts import emit
        from amkit.ui.render import Col

        emit(runs, [Col(k, k) for k in ("run", "at", "who", "command", "changes")], fmt, output)
        return
    from amkit.ui.render import write_to

    with write_to(output) as stream:
        for entry in runs:
            stream.write(f"{t('command')} {entry['command']}  ·  {entry['at']}  ·  {entry['who']}"
                         + (f"  ·  run {entry['run']}" if entry["run"] else "") + "\n")
            for change in entry["changes"]:
                stream.write(f"    {change['text']}\n")
            stream.write("\n")
    if not runs:
        note(t("no changes found"))
