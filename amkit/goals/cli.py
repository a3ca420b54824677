"""`amkit goal set|plan|split|progress|replan|suggest` (SPEC §2 goal, §3.1, §5)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.metrics.figures import METRICS as FIGURES
from amkit.ui.opts import AsOfOpt, BomOpt, Fmt, FormatOpt, OutputOpt, OwnerOpt, ReportFmt, ReportFormatOpt, emit, example, note
from amkit.ui.opts import write_html

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS

PeriodOpt = Annotated[Optional[str], typer.Option(
    "--period", "-p", help="2026Q4, 2026-11, 2026W47 or 2026 (default: the current quarter).", metavar="P")]
PeriodReq = Annotated[str, typer.Option("--period", "-p", help="2026Q4, 2026-11, 2026W47 or 2026.", metavar="P")]
TeamOpt = Annotated[Optional[str], typer.Option("--team", help="Team name (managers' team).", metavar="TEAM")]
MetricOpt = Annotated[str, typer.Option(
    "--metric", "-m", help="revenue, collection (money), collection_rate (0–1), deals_won, new_customers, visits, "
    "followups or any other metric of the README table.")]
MetricFilter = Annotated[Optional[str], typer.Option("--metric", "-m", help="Only this metric.")]
ByOpt = Annotated[str, typer.Option("--by", help="Buckets: week (ISO weeks) or month.")]
CalendarOpt = Annotated[Optional[str], typer.Option(
    "--calendar", help="CN (调休 aware), none (Mon–Fri) or an ISO country code; default: config 'calendar'.",
    metavar="CODE")]
Target = Annotated[Optional[str], typer.Option("--target", help="达标 line (money: 30000, 3万, ¥1,200).")]
Excellent = Annotated[Optional[str], typer.Option("--excellent", help="优秀 line (default 1.2 × target).")]
Stretch = Annotated[Optional[str], typer.Option("--stretch", help="冲刺 line (default 1.5 × target).")]
METRIC_NAMES = {name: m.zh for name, m in FIGURES.items()}
from amkit.core.enums import GOAL_LINES as LINE_NAMES  # noqa: E402


def _kind(metric: str) -> str:
    from amkit.goals.calc import metric_info

    unit = metric_info(metric).unit
    return "money" if unit == "money" else "int" if unit == "count" else "number"


def _goal_cols(metric: str | None = None):  # noqa: ANN202
    from amkit.ui.render import Col

    kind = _kind(metric) if metric else "number"
    return [Col("id", "id", "int"), Col("owner", "Owner"), Col("period", "Period"),
            Col("metric", "Metric", "enum", METRIC_NAMES),
            Col("target", "Target", kind), Col("excellent", "Excellent", kind), Col("stretch", "Stretch", kind)]


@app.command("set", epilog=example(
    "amkit goal set --period 2026Q4 --owner 张伟 --metric revenue --target 100万",
    "amkit goal set --period 2026Q4 --team 华东 --metric visits --target 120 --excellent 150 --stretch 200 -f json"))
def set_(
    period: PeriodReq, metric: MetricOpt, target: Annotated[str, typer.Option(
        "--target", help="达标 line (money: 30000, 3万, ¥1,200).")],
    owner: OwnerOpt = None, team: TeamOpt = None, excellent: Excellent = None, stretch: Stretch = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Set a goal for a manager or a team; setting it again updates it and prints what changed."""
    from amkit import store
    from amkit.goals import writes as goalstore

    with store.write() as st:
        who = goalstore.resolve(st.session, owner, team)
        lines = goalstore.parse_lines(metric, target, excellent, stretch)
        goal, diff, created = goalstore.set_goal(st, who, period, lines)
        row = goalstore.goal_row(goal, who)
    if fmt != Fmt.table:
        emit(row, _goal_cols(row["metric"]), fmt, one=True)
    elif created:
        note(f"goal set: {who.name} {row['period']} {row['metric']} "
             f"target {row['target']} / excellent {row['excellent']} / stretch {row['stretch']}")
        typer.echo(row["id"])
    else:
        note(f"goal {row['id']} updated: {len(diff)} line(s) changed" if diff else "nothing changed")
        from amkit.ui.render import change_line

        for key, (old, new) in diff.items():
            typer.echo(change_line(key, old, new))


def _plan_cols(metric: str):  # noqa: ANN202
    from amkit.ui.render import Col

    kind = _kind(metric)
    return [Col("bucket", "Bucket"), Col("start", "Start", "date"), Col("end", "End", "date"),
            Col("workdays", "Workdays", "int"), Col("target", "Target", kind), Col("excellent", "Excellent", kind),
            Col("stretch", "Stretch", kind), Col("cumulative_target", "Cumulative target", kind)]


def _total_row(rows: list[dict]) -> dict:
    from amkit.ui.i18n import t

    total = {"bucket": t("Total")}
    for key in ("workdays", "target", "excellent", "stretch"):
        total[key] = sum(r[key] for r in rows)
    return total


@app.command("plan", epilog=example(
    "amkit goal plan --period 2026Q4 --owner 张伟 --metric revenue --by week",
    "amkit goal plan --period 2026Q4 --team 华东 --metric visits --by month -f json",
    "amkit goal plan --period 2026Q4 --target 60万 --by week --calendar none -f csv"))
def plan(
    period: PeriodOpt = None, owner: OwnerOpt = None, team: TeamOpt = None, metric: MetricOpt = "revenue",
    by: ByOpt = "week", calendar: CalendarOpt = None, target: Target = None, excellent: Excellent = None,
    stretch: Stretch = None, fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Split a goal's three lines over weeks or months by working days (largest remainder).

    Plans the stored goal of --owner or --team; with --target it plans those lines ad hoc
    without storing anything."""
    from amkit import store
    from amkit.calendar.cli import warn_provisional
    from amkit.core.periods import parse_period
    from amkit.goals import queries, report as goalreport, writes as goalstore

    period = period or goalreport.default_period()
    with store.reader() as r:
        cal = goalreport.calendar(calendar, r)
        if target is not None:
            lines = goalstore.parse_lines(metric, target, excellent, stretch)
        else:
            who = queries.resolve(r, owner, team)
            lines = goalreport.stored_lines(r, who, period, metric)
    rows = goalreport.plan_rows(lines, period, by, cal)
    span = parse_period(period)
    warn_provisional(cal, span.start, span.end)
    holder = f"lines:{target}/{excellent}/{stretch}" if target is not None else f"{who.kind}:{who.name}"
    _calendar_moved(rows, holder, span, lines.metric, by, cal)
    shown = rows + [_total_row(rows)] if fmt == Fmt.table else rows
    emit(shown, _plan_cols(lines.metric), fmt, output, bom)


def _calendar_moved(rows: list[dict], holder: str, span, metric: str, by: str, cal) -> None:  # noqa: ANN001
    """After a calendar load, the first print of a plan lists its remaining buckets old -> new."""
    from amkit import config, context
    from amkit.goals import planseen
    from amkit.ui.i18n import t

    plan_key = planseen.key(context.current().database_url, holder, span.key, metric, by, cal.code)
    moved = planseen.changes(plan_key, cal.fingerprint(span.start, span.end), rows, config.today())
    if moved:
        note(t("the calendar changed since this plan was last shown; remaining buckets, old -> new:"))
        for bucket, old_days, new_days, old_target, new_target in moved:
            note(t("  {bucket}: workdays {old_days} -> {new_days}, target {old_target} -> {new_target}",
                   bucket=bucket, old_days=old_days, new_days=new_days, old_target=old_target,
                   new_target=new_target))


@app.command("split", epilog=example(
    "amkit goal split --team 华东 --period 2026Q4",
    "amkit goal split --team 华东 --period 2026Q4 --weights 张伟=2,李娜=1 --dry-run",
    "amkit goal split --team 华东 --period 2026Q4 --metric visits --by-history -f json"))
def split(
    team: Annotated[str, typer.Option("--team", help="Team whose goal is split.", metavar="TEAM")],
    period: PeriodReq, metric: MetricOpt = "revenue",
    weights: Annotated[Optional[str], typer.Option(
        "--weights", help="name=share,... (e.g. 张伟=2,李娜=1); active members not named are left out.")] = None,
    by_history: Annotated[bool, typer.Option(
        "--by-history", help="Weigh by each member's actual of the metric in the previous period "
                             "(all zero: the same period last year).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the split without writing.")] = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Spread a team goal over the team's active managers so every line sums exactly."""
    from amkit import store
    from amkit.goals import writes as goalstore
    from amkit.ui.render import Col

    with store.write() as st:
        rows, basis, left_out = goalstore.split(st, team, period, metric, weights, by_history)
        if dry_run:
            st.discard()
    note(f"split by {basis}" + (" (dry run: nothing written)" if dry_run else ""))
    if left_out:
        from amkit.ui.i18n import t

        note(t("left out (not named in --weights, no goal written): {names}", names=", ".join(left_out)))
    cols = _goal_cols(metric) + [Col("weight", "Weight", "number"), Col("status", "Status")]
    emit(rows, cols, fmt)


def _progress_cols(fmt: Fmt):  # noqa: ANN202
    from amkit.ui.render import Col

    if fmt != Fmt.table:
        keys = ("owner", "period", "metric", "target", "excellent", "stretch", "actual", "achievement", "pace",
                "projected", "projected_line", "kind", "excellent_achievement", "stretch_achievement",
                "planned_to_date", "workdays_elapsed", "workdays_total", "as_of", "target_source", "goal_id")
        ratios = ("achievement", "pace", "excellent_achievement", "stretch_achievement")
        return [Col(k, k, "ratio" if k in ratios else "date" if k == "as_of" else "text") for k in keys]
    return [Col("owner", "Owner"), Col("metric", "Metric", "enum", METRIC_NAMES), Col("target", "Target", "number"),
            Col("actual", "Actual", "number"), Col("achievement", "% target", "number"),
            Col("excellent_achievement", "% excellent", "number"), Col("stretch_achievement", "% stretch", "number"),
            Col("pace", "Pace", "number"), Col("projected", "Projected", "number"),
            Col("projected_line", "Projected line", "enum", LINE_NAMES), Col("bar", "Progress"),
            Col("goal_id", "Goal id", "int", priority=95)]  # for goal edit|delete; --wide or -c goal_id


def _shown(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """Table cells for rows of mixed metrics: money with separators, counts whole."""
    from amkit.ui.render import Col, cell_text

    return [{**r, **{k: cell_text(r[k], Col(k, k, _kind(r["metric"]))) for k in keys if r.get(k) is not None}}
            for r in rows]


RATIO_KEYS = ("achievement", "excellent_achievement", "stretch_achievement", "pace")


def _ratios_shown(rows: list[dict]) -> list[dict]:
    """Ratio cells as percents; a zero target has no achievement: "n/a" (JSON keeps null)."""
    from amkit.ui.i18n import t
    from amkit.ui.render import Col, cell_text

    out = []
    for r in rows:
        zero = not r["target"]
        out.append({**r, **{k: t("n/a") if zero else cell_text(r[k], Col(k, k, "ratio")) for k in RATIO_KEYS},
                    **({"projected_line": t("n/a")} if zero else {})})
    return out


@app.command("progress", epilog=example(
    "amkit goal progress --period 2026Q4", "amkit goal progress --owner 张伟 --metric revenue --as-of 2026-11-30",
    "amkit goal progress --team 华东 -f json", "amkit goal progress --period 2026Q4 -f html -o goals.html"))
def progress(
    period: PeriodOpt = None, owner: OwnerOpt = None, team: TeamOpt = None, metric: MetricFilter = None,
    as_of: AsOfOpt = None, calendar: CalendarOpt = None,
    fmt: ReportFormatOpt = ReportFmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Actual against each line, pace against the plan to date, and the projected end value."""
    from amkit import store
    from amkit.core.parse import parse_date
    from amkit.calendar.cli import warn_provisional
    from amkit.core.periods import parse_period
    from amkit.goals import queries, report as goalreport

    period = period or goalreport.default_period()
    day = parse_date("as_of", as_of)
    with store.reader() as r:
        cal = goalreport.calendar(calendar, r)
        who = queries.resolve(r, owner, team, required=False)
        rows = goalreport.progress_rows(r, period, who, metric, day, cal, with_bar=fmt == Fmt.table)
    if rows:
        span = parse_period(period)
        warn_provisional(cal, span.start, span.end)
    else:
        note(f"no goals for {period} yet (set one: amkit goal set --period {period} --owner NAME "
             "--metric revenue --target X)")
    if fmt == ReportFmt.html:
        write_html(_progress_html(rows, period, day), output)
        return
    if fmt == ReportFmt.table:
        rows = _shown(_ratios_shown(rows), ("target", "actual", "projected"))
    emit(rows, _progress_cols(Fmt(fmt.value)), Fmt(fmt.value), output, bom)


def _progress_html(rows, period: str, day) -> str:  # noqa: ANN001
    from amkit import config
    from amkit.ui import pages
    from amkit.ui.i18n import t

    title = t("Goal progress ({period}, as of {date})", period=period, date=(day or config.today()).isoformat())
    from dataclasses import replace

    # the page draws ratios itself (percent, the achievement bar); a zero target's are empty
    cols = [replace(c, kind="ratio") if c.key in RATIO_KEYS else c for c in _progress_cols(Fmt.table)[:-1]]
    return pages.progress(rows, cols, title, "", METRIC_NAMES,
                          shown=_shown(rows, ("target", "actual", "projected", "excellent", "stretch")))


def _replan_cols(metric: str):  # noqa: ANN202
    from amkit.ui.render import Col

    kind = _kind(metric)
    return [Col("bucket", "Bucket"), Col("start", "Start", "date"), Col("end", "End", "date"),
            Col("workdays", "Workdays", "int"), Col("remaining_workdays", "Remaining workdays", "int"),
            Col("target", "Target", kind), Col("replanned_target", "Replanned target", kind),
            Col("excellent", "Excellent", kind), Col("replanned_excellent", "Replanned excellent", kind),
            Col("stretch", "Stretch", kind), Col("replanned_stretch", "Replanned stretch", kind)]


@app.command("replan", epilog=example(
    "amkit goal replan --period 2026Q4 --owner 张伟 --metric revenue",
    "amkit goal replan --owner 张伟 --metric visits --as-of 2026-11-30 --by month -f json"))
def replan(
    period: PeriodOpt = None, owner: OwnerOpt = None, team: TeamOpt = None, metric: MetricOpt = "revenue",
    as_of: AsOfOpt = None, by: ByOpt = "week", calendar: CalendarOpt = None,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """Spread what is left of each line over the remaining workdays, beside the original plan."""
    from amkit import store
    from amkit.core.parse import parse_date
    from amkit.calendar.cli import warn_provisional
    from amkit.core.periods import parse_period
    from amkit.goals import queries, report as goalreport

    period = period or goalreport.default_period()
    day = parse_date("as_of", as_of)
    with store.reader() as r:
        cal = goalreport.calendar(calendar, r)
        who = queries.resolve(r, owner, team)
        rows, info = goalreport.replan_rows(r, who, period, metric, day, by, cal)
    span = parse_period(period)
    warn_provisional(cal, span.start, span.end)
    note(f"{info['owner']} {info['period']} {info['metric']}: actual {info['actual']} as of "
         f"{info['as_of']}; {info['remaining_target']} left to target over {info['remaining_workdays']} workdays")
    emit(rows, _replan_cols(metric), fmt, output, bom)


@app.command("suggest", epilog=example(
    "amkit goal suggest --owner 张伟 --metric revenue --period 2027Q1",
    "amkit goal suggest --team 华东 --metric visits --period 2027Q1 -f json",
    "amkit goal suggest --owner 张伟 --metric revenue --period 2027Q1 --save"))
def suggest(
    period: PeriodOpt = None, owner: OwnerOpt = None, team: TeamOpt = None, metric: MetricOpt = "revenue",
    periods: Annotated[int, typer.Option("--history", min=1, max=40,
                                         help="How many past periods of the same kind to look at.")] = 4,
    as_of: AsOfOpt = None,
    save: Annotated[bool, typer.Option("--save", help="Store the suggestion as the goal.")] = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Propose target/excellent/stretch from history (average, min, max, growth, seasonality)."""
    from amkit import store
    from amkit.goals import report as goalreport, writes as goalstore
    from amkit.core.parse import parse_date
    from amkit.ui.render import Col

    from amkit.goals import queries
    from amkit.store.raw import Reader

    period = period or goalreport.default_period()
    with (store.write() if save else store.reader()) as handle:  # a write lock only with --save
        r = Reader.of_session(handle.session) if save else handle
        who = queries.resolve(r, owner, team)
        row, lines = goalreport.suggestion(r, who, period, metric, periods, parse_date("as_of", as_of))
        if save:
            goalstore.set_goal(handle, who, period, lines)
    if fmt != Fmt.table:
        emit(row, [Col(k, k) for k in row], fmt, one=True)
        return
    for item in row["explanation"]:
        note(f"  {item['key']}: {'' if item['value'] is None else item['value']}  ({item['note']})")
    if save:
        note(f"saved as the {row['metric']} goal of {row['owner']} for {row['period']}")
    emit(row, _goal_cols(row["metric"])[1:], fmt, one=True)
