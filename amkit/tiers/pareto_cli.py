"""`amkit report pareto`: the cumulative-share (80/20) curve of won value (SPEC §3.2)."""

from __future__ import annotations

from typing import Annotated

import typer

from amkit.ui.opts import AsOfOpt, BomOpt, Fmt, OutputOpt, ReportFmt, ReportFormatOpt, emit, example, note, write_html

BAR_WIDTH = 30


def _bar(share) -> str:  # noqa: ANN001
    """A text bar for a fraction 0..1 in eighths of a character."""
    if share is None:
        return ""
    eighths = round(float(share) * BAR_WIDTH * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[rest]


def curve_rows(curve) -> list[dict]:  # noqa: ANN001
    return [
        {"rank": r.rank, "customer": r.customer, "value": r.value, "share": r.share,
         "cumulative_share": r.cumulative_share, "customer_share": r.customer_share,
         "curve": _bar(r.cumulative_share)}
        for r in curve.rows
    ]


def summary_line(curve) -> str:  # noqa: ANN001
    from amkit.ui.i18n import t
    from amkit.ui.render import Col, cell_text

    total = cell_text(curve.total, Col("total", "", "money"))
    if curve.customers_for_80 is None:
        return t("no won value in the 12 months ({n} customers)", n=curve.customers)
    return t("{top} of {n} customers ({pct}) make 80% of the value {total}",
             top=curve.customers_for_80, n=curve.customers,
             pct=f"{float(curve.customer_share_for_80) * 100:.1f}%", total=total)


def pareto_cmd(
    as_of: AsOfOpt = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Only the first N customers (0 = all).")] = 0,
    fmt: ReportFormatOpt = ReportFmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """The Pareto curve: customers by won value (12 months to --as-of) with cumulative shares.

    The summary line (stderr) says how few customers make 80% of the value. The table draws
    the cumulative share as a bar; JSON/CSV rows are
    {rank, customer, value, share, cumulative_share, customer_share}.
    """
    from amkit import config
    from amkit import store
    from amkit.tiers import calc as tiering, queries as tierread
    from amkit.core.parse import parse_date
    from amkit.ui.render import Col

    day = parse_date("--as-of", as_of) if as_of else config.today()
    with store.reader() as r:
        curve = tiering.pareto_curve(tierread.load_values(r, day))
    rows = curve_rows(curve)[: top or None]
    cols = [Col("rank", "#", "int"), Col("customer", "Customer"), Col("value", "Value (12 months)", "money"),
            Col("share", "Share", "ratio"), Col("cumulative_share", "Cumulative share", "ratio"),
            Col("customer_share", "Customer share", "ratio")]
    if fmt == ReportFmt.table:
        cols.append(Col("curve", "Curve"))
    else:
        rows = [{k: v for k, v in r.items() if k != "curve"} for r in rows]
    if fmt == ReportFmt.html:
        from amkit.ui import pages
        from amkit.ui.i18n import t

        title = t("Pareto curve of won value (12 months to {date})", date=day.isoformat())
        write_html(pages.pareto(curve_rows(curve) if not top else rows, cols, title, summary_line(curve)), output)
    else:
        emit(rows, cols, Fmt(fmt.value), output, bom)
    note(summary_line(curve))


def register(report_app: typer.Typer) -> None:
    report_app.command("pareto", epilog=example("amkit report pareto", "amkit report pareto --top 20",
                                                "amkit report pareto --as-of 2026-09-30 -f json",
                                                "amkit report pareto -f html -o pareto.html"))(pareto_cmd)
