"""`amkit review`: the review meeting document (复盘) for a week, month or quarter."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from amkit.ui.opts import OutputOpt, OwnerOpt, Via, example, note


class ReviewFmt(str, Enum):
    md = "md"
    html = "html"
    json = "json"
    table = "table"  # what other commands call their default: the markdown document here


EXAMPLES = example(
    "amkit review --period 2026W47",
    "amkit review --period 2026-11 --team 华东 -f html -o review.html",
    "amkit review --period 2026Q4 --owner 张伟 -f json",
    "amkit review --period 2026W47 --notify \"$WEBHOOK\" --via wecom",
)


def review(
    period: Annotated[Optional[str], typer.Option("--period", "-p", help="2026W47, 2026-11 or 2026Q4 (default: "
                                                  "last week).", metavar="PERIOD")] = None,
    team: Annotated[Optional[str], typer.Option("--team", help="Only this team's managers (and team goals).")] = None,
    owner: OwnerOpt = None,
    fmt: Annotated[ReviewFmt, typer.Option("--format", "-f", help="md (chat apps), html (mail, self-contained) "
                                           "or json.", case_sensitive=False)] = ReviewFmt.md,
    output: OutputOpt = None,
    notify: Annotated[Optional[str], typer.Option("--notify", help="Also post the markdown to this webhook.",
                                                  metavar="URL")] = None,
    via: Annotated[Optional[Via], typer.Option("--via", help="Webhook kind (default generic).",
                                               case_sensitive=False)] = None,
) -> None:
    """One document for the review meeting: goal progress with pace, new/won/lost deals and why
    deals were lost, customers gone dormant or churned, tier changes, reminders ignored for more
    than a week, top visits, and what changed since the previous period."""
    from amkit import config
    from amkit import store
    from amkit.review import queries as domain
    from amkit.errors import BadInput
    from amkit.review import doc as review_doc
    from amkit.ui.render import render_one, write_to

    if via and not notify:
        raise BadInput(f"--via {via.value} needs --notify URL")
    if notify:
        from amkit.reminders.notify import check_url, notify_options

        check_url(notify)
        notify_options()
    with store.reader() as r:
        doc = domain.build(r, period or _last_week(), team, owner, config.language())
        if any(g.get("calendar") == "provisional" for g in doc.get("goals", [])):
            from amkit.calendar import queries as calendar_queries
            from amkit.calendar.cli import warn_provisional
            from amkit.core.periods import parse_period

            span = parse_period(doc["goals_period"])
            warn_provisional(calendar_queries.work_calendar(r), span.start, span.end)
    with store.session(write=False) as sess:
        from amkit.deals import writes as deals
        from amkit.store import audit

        doc["funnel"] = deals.funnel_report(sess, doc["period"], owner_ids=doc["owner_ids"])
        audit.record_default_anchor(sess)  # the audit head, outside the database (issue 25)
    with write_to(output) as stream:
        if fmt == ReviewFmt.json:
            render_one(doc, [], "json", out=stream)
        elif fmt == ReviewFmt.html:
            stream.write(review_doc.to_html(doc))
        else:
            stream.write(review_doc.to_markdown(doc))
    if output:
        from amkit.ui.i18n import t

        note(t("wrote {path}", path=output))
    if notify:
        _post(notify, (via or Via.generic).value, doc)


def _last_week() -> str:
    import datetime as dt

    from amkit import config
    from amkit.core.periods import period_containing

    return period_containing("week", config.today() - dt.timedelta(days=7)).key


def _post(url: str, via: str, doc: dict) -> None:
    from amkit.reminders import notify as webhooks
    from amkit.ui.i18n import t
    from amkit.review import doc as review_doc
    from amkit.ui.render import json_value

    options = webhooks.notify_options()
    if via == "generic":
        payloads = webhooks.document_payloads(via, review_doc.title(doc), review_doc.to_markdown(doc).splitlines(),
                                              json_value(doc))
    else:
        payloads = webhooks.document_payloads(via, review_doc.title(doc), review_doc.to_chat_lines(doc))
    for payload in payloads:  # in order; a long review is several numbered messages
        webhooks.send(url, payload, via=via, **options)
    note(t("posted the review to the webhook ({n} message(s))", n=len(payloads)))


def register(app: typer.Typer) -> None:
    app.command("review", epilog=EXAMPLES)(review)
