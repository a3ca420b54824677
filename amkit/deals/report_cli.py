"""`amkit report ...`: one sub-app for the reports (funnel here; pareto and dormant join it)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, OutputOpt, OwnerOpt, ReportFmt, ReportFormatOpt, emit, example, write_html

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS

PeriodOpt = Annotated[Optional[str], typer.Option("--period", help="2026, 2026Q4, 2026-11 or 2026W47.",
                                                  metavar="P")]


def bar(value: int | None, maximum: int, width: int = 24) -> str:
    """A text bar of `value` relative to `maximum` (tables only)."""
    if not value or not maximum:
        return ""
    return "█" * max(1, round(width * value / maximum))


def funnel_columns(with_bar: bool):  # noqa: ANN201
    from amkit.core.enums import DEAL_STAGES
    from amkit.ui.render import Col

    cols = [Col("stage", "Stage", "enum", {**DEAL_STAGES, "repurchase": "复购"}), Col("entered", "Entered", "int"),
            Col("advanced", "Advanced", "int"), Col("conversion", "Conversion", "ratio"),
            Col("lost", "Lost", "int"), Col("median_days", "Median days", "number")]
    return cols + [Col("bar", "", priority=90)] if with_bar else cols  # whole or not at all (ui/fit.py)


@app.command("funnel", epilog=example("amkit report funnel --period 2026Q4",
                                      "amkit report funnel --owner 张伟 -f json",
                                      "amkit report funnel --period 2026Q4 -f html -o funnel.html"))
def funnel(
    period: PeriodOpt = None, owner: OwnerOpt = None,
    fmt: ReportFormatOpt = ReportFmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """The sales funnel of the deals created in the period: entered, advanced, conversion,
    lost and median days per stage, plus repurchases (复购). See amkit/funnel.py for the rules."""
    from amkit import store
    from amkit.deals import writes as deals

    with store.session(write=False) as sess:
        rows = deals.funnel_report(sess, period, owner)
    if fmt == ReportFmt.html:
        from amkit.core.enums import DEAL_STAGES
        from amkit.ui import pages
        from amkit.ui.i18n import t

        title = t("Sales funnel") + (f" {period}" if period else "") + (f" · {owner}" if owner else "")
        write_html(pages.funnel(rows, funnel_columns(False), title, t("deals created in the period, by the stage "
                                                                     "they reached"),
                                {**DEAL_STAGES, "repurchase": "复购"}), output)
        return
    if fmt == ReportFmt.table:
        top = max((r["entered"] for r in rows), default=0)
        rows = [{**r, "bar": bar(r["entered"], top)} for r in rows]
    emit(rows, funnel_columns(fmt == ReportFmt.table), Fmt(fmt.value), output, bom)


from amkit.tiers import pareto_cli as report_pareto  # noqa: E402 - `report pareto` lives in its own module

report_pareto.register(app)
