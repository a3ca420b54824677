"""`amkit kb add|search|show|list`: the team's knowledge base (案例库, 话术)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, FormatOpt, OutputOpt, emit, emit_created, example

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS

TagOpt = Annotated[Optional[list[str]], typer.Option("--tag", help="A tag (repeatable; 'a,b' works too).")]
IndustryOpt = Annotated[Optional[str], typer.Option("--industry", help="Industry it is about, e.g. 金融.")]
StageOpt = Annotated[Optional[str], typer.Option("--stage", help="Deal stage it is about: contact, needs, quote, "
                                                                 "negotiation, won, lost (报价 works).")]
LimitOpt = Annotated[int, typer.Option("--limit", min=0, help="At most N rows (0 = all).")]


def columns(with_body: bool = False):  # noqa: ANN201
    from amkit.core.enums import DEAL_STAGES
    from amkit.ui.render import Col

    cols = [Col("id", "id", "int"), Col("title", "Title"), Col("tags", "Tags"), Col("industry", "Industry"),
            Col("stage", "Stage", "enum", DEAL_STAGES), Col("customer", "Customer"),
            Col("created_at", "Created", "datetime")]
    return cols + [Col("body", "Body")] if with_body else cols


@app.command("add", epilog=example(
    "amkit kb add --title '银行客户续约话术' --body '先谈服务成果，再谈价格' --tag 话术 --industry 金融 --stage negotiation",
    "amkit kb add --title '某城商行上云案例' --file case.md --tag 案例 --customer 重庆银行 -f json"))
def add(
    title: Annotated[str, typer.Option("--title", help="Short title.")],
    body: Annotated[Optional[str], typer.Option("--body", help="The text (or use --file).")] = None,
    file: Annotated[Optional[str], typer.Option("--file", help="Read the text from a UTF-8 file (markdown ok).",
                                                metavar="FILE")] = None,
    tag: TagOpt = None, industry: IndustryOpt = None, stage: StageOpt = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help="The customer it came from.")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Add a case or talk track; prints its id (-f json: the entry)."""
    from amkit import store
    from amkit.kb import writes as kb

    with store.write() as st:
        entry = kb.add(st, kb.NewEntry(title, body, file, tag, industry, stage, customer))
        row = kb.row(st.session, entry.id)
    emit_created(row, columns(True), fmt)


@app.command("search", epilog=example("amkit kb search 续约", "amkit kb search '价格 异议' -f json"))
def search(
    text: Annotated[str, typer.Argument(help="Words that must all appear (\"a phrase\" in quotes).")],
    limit: LimitOpt = 50,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Full-text search in titles, bodies and tags (Chinese works, also two-character words)."""
    from amkit import store
    from amkit.kb import writes as kb

    with store.session(write=False) as sess:
        rows = kb.search(sess, text, limit)
    _emit_list(rows, fmt, output, bom)


@app.command("show", epilog=example("amkit kb show 3", "amkit kb show 3 -f json"))
def show(
    entry_id: Annotated[str, typer.Argument(help="Entry id.", metavar="ID")],
    fmt: FormatOpt = Fmt.table,
) -> None:
    """One entry with its full text."""
    from amkit import store
    from amkit.kb import writes as kb

    with store.session(write=False) as sess:
        row = kb.row(sess, entry_id)
    if fmt != Fmt.table:
        emit(row, columns(True), fmt, one=True)
        return
    emit(row, columns(), fmt, one=True)
    typer.echo("")
    typer.echo(row["body"].rstrip("\n"))


@app.command("list", epilog=example("amkit kb list --tag 话术", "amkit kb list --industry 金融 -f json"))
def list_(
    tag: TagOpt = None, industry: IndustryOpt = None, stage: StageOpt = None, limit: LimitOpt = 0,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Entries, newest first, filtered by tags (all must match), industry and stage."""
    from amkit import store
    from amkit.kb import writes as kb

    with store.session(write=False) as sess:
        rows = kb.list_rows(sess, tag, industry, stage, limit)
    _emit_list(rows, fmt, output, bom)


def _emit_list(rows: list[dict], fmt: Fmt, output: str | None, bom: bool) -> None:
    emit(rows, columns(fmt != Fmt.table), fmt, output, bom)
