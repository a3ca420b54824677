"""`amkit remind`: what is due, per owner; safe under cron (no TTY, colour or prompt)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from amkit.ui.opts import AsOfOpt, Lang, OutputOpt, OwnerOpt, Via, example, note
from amkit.ui.opts import complete_customer


class RemindFmt(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"
    ics = "ics"
    table = "table"  # what every other listing calls its default: the text digest here


EXAMPLES = example(
    "amkit remind",
    "amkit remind --owner 张伟 --within 14d -f json",
    "amkit remind -f ics -o reminders.ics",
    "amkit remind --check || echo 'something is due'",
    "amkit remind --notify \"$WEBHOOK\" --via wecom --lang zh",
    "amkit remind --snooze 中国银行 --until 2026-12-31",
)


def remind(
    owner: OwnerOpt = None,
    within: Annotated[str, typer.Option("--within", help="Window for dated events: 7d, 2w, 1m.")] = "7d",
    fmt: Annotated[RemindFmt, typer.Option("--format", "-f", help="Output format.",
                                           case_sensitive=False)] = RemindFmt.text,
    check: Annotated[bool, typer.Option("--check", help="Exit 10 when anything is due (after printing).")] = False,
    notify: Annotated[Optional[str], typer.Option("--notify", help="Post one digest per owner to this webhook.",
                                                  metavar="URL")] = None,
    via: Annotated[Optional[Via], typer.Option("--via", help="Webhook kind (default generic).",
                                               case_sensitive=False)] = None,
    snooze: Annotated[Optional[str], typer.Option("--snooze", help="Mute cadence/dormant reminders of a "
                                                                    "customer (needs --until).",
                                                  metavar="CUSTOMER", autocompletion=complete_customer)] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Last day of the snooze.", metavar="DATE")] = None,
    output: OutputOpt = None,
    as_of: AsOfOpt = None,
    lang: Annotated[Optional[Lang], typer.Option("--lang", help="Language of the digest and messages for this run "
                                                 "(default: AMKIT_LANG, config language, LANG).",
                                                 case_sensitive=False)] = None,
) -> None:
    """Overdue and upcoming next actions, cadence breaches, dormant customers, birthdays and
    holidays, grouped per owner. A read: it never writes (dormancy is derived from activity)."""
    from amkit import config

    with config.language_override(lang.value if lang else None):
        _remind(owner, within, fmt, check, notify, via, snooze, until, output, as_of)


def _remind(owner, within, fmt, check, notify, via, snooze, until, output, as_of) -> None:  # noqa: ANN001
    from amkit import config, store
    from amkit.errors import BadInput, Due, ServiceError
    from amkit.reminders import queries as reminders
    from amkit.ui.i18n import t

    if snooze or until:
        _snooze(snooze, until)
        return
    if via and not notify:
        raise BadInput(f"--via {via.value} needs --notify URL")
    if notify:
        from amkit.reminders.notify import check_url, notify_options

        check_url(notify)
        notify_options()
    lang = config.language()
    with store.reader() as r:
        result = reminders.run(r, as_of, within, owner, lang)
        mentions = reminders.mentions(r) if notify else {}
    from amkit.ui.render import clip_lines, write_to

    with write_to(output) as stream:
        kind = "text" if fmt == RemindFmt.table else fmt.value
        text = reminders.render(result.reminders, kind, result.today, lang)
        stream.write(clip_lines(text, stream) if kind == "text" else text)
    if notify and result.reminders:
        try:
            from amkit.reminders.notify import notify as send_digests

            sent = send_digests(notify, (via or Via.generic).value, result.reminders, result.today, lang, mentions)
        except ServiceError as exc:
            raise ServiceError(exc.message) from None  # one line; the digest is printed already
        note(t("posted {n} digest(s) to the webhook", n=sent))
    if check and result.due:
        raise Due(t("{n} reminder(s) due", n=result.due))


def _snooze(customer: str | None, until: str | None) -> None:
    from amkit import config
    from amkit import store
    from amkit.errors import BadInput
    from amkit.reminders import writes
    from amkit.ui.i18n import t

    if not customer or not until:
        raise BadInput("--snooze CUSTOMER and --until DATE go together")
    with store.write() as st:
        c, day = writes.snooze(st, customer, until, config.today())
    typer.echo(t("snoozed {customer} until {date}: no cadence or dormant reminders until then",
                 customer=c.name, date=day.isoformat()))


def register(app: typer.Typer) -> None:
    app.command("remind", epilog=EXAMPLES)(remind)
