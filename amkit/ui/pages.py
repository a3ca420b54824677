"""`-f html` of the reports with a chart: `report funnel`, `report pareto`, `goal progress`.

Each page is the chart (amkit.ui.charts) over the rows the command already computed, then the
same table the terminal shows (long ones: top 10, the rest collapsed). Features pass data in.
"""

from __future__ import annotations

from typing import Any, Sequence

from amkit.ui import charts
from amkit.ui.html import figure, long_table, report_page
from amkit.ui.i18n import enum_label, t
from amkit.ui.render import Col

TIER_CUTS = (("A/B", 0.8), ("B/C", 0.95))  # SPEC §3.2: A below 80 % of the value, B below 95 %


def funnel(rows: Sequence[dict[str, Any]], cols: Sequence[Col], title: str, meta: str,
           stages: dict[str, str]) -> str:
    """The funnel: deals entering each stage (bars, first stage on top), lost per stage beside."""
    steps = [r for r in rows if r["stage"] != "repurchase"]
    svg = charts.hbar(title, [enum_label(r["stage"], stages) for r in steps],
                      [(t("Entered"), [r["entered"] for r in steps]), (t("Lost"), [r["lost"] for r in steps])])
    return report_page(title, [figure(svg), long_table(list(rows), list(cols), top=len(rows))], meta)


def pareto(rows: Sequence[dict[str, Any]], cols: Sequence[Col], title: str, meta: str) -> str:
    """The Lorenz curve of won value (share of customers → cumulative share of value) with the
    A/B and B/C cut lines, then the customers."""
    points = [(r["customer_share"], r["cumulative_share"]) for r in rows if r["cumulative_share"] is not None]
    cuts = [(t("{cut} cut", cut=name) + f" {charts.percent(f)}", f) for name, f in TIER_CUTS]
    svg = charts.lorenz(title, points, cuts, (t("Cumulative share"), t("Even spread")),
                        (t("Share of customers"), t("Share of value")))
    return report_page(title, [figure(svg), long_table(list(rows), list(cols))], meta)


def progress(rows: Sequence[dict[str, Any]], cols: Sequence[Col], title: str, meta: str,
             metrics: dict[str, str], shown: Sequence[dict[str, Any]] | None = None) -> str:
    """Goal progress: achievement per goal against the target, excellent and stretch lines; the
    table shows ``shown`` (the rows with their cells as text) when given."""
    parts = []
    if rows:
        first = next((r for r in rows if r["target"]), rows[0])
        lines = [(t("Target"), 1.0)]
        if first["target"]:
            lines += [(t("Excellent"), float(first["excellent"]) / float(first["target"])),
                      (t("Stretch"), float(first["stretch"]) / float(first["target"]))]
        labels = [f"{r['owner']} · {enum_label(r['metric'], metrics)}" for r in rows]
        parts.append(figure(charts.attainment(title, labels, [r["achievement"] for r in rows], lines,
                                              t("Achievement"))))
    parts.append(long_table(list(shown if shown is not None else rows), list(cols)))
    return report_page(title, parts, meta)
