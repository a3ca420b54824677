"""Charts for the self-contained HTML reports, drawn by pygal (static SVG, pure Python).

Features pass plain numbers in; this module only draws. Every chart is an inline ``<svg>`` at
a real size (``WIDTH`` x ``height``) that needs nothing from the network:

* ``js=[]`` drops pygal's default tooltip script (a remote URL); the small inline config
  ``<script>`` pygal still writes, its comments (which carry URLs) and the ``xmlns`` namespace
  attribute (not needed for SVG inside HTML) are removed from the markup pygal returns;
* the font stack has CJK fallbacks, so Chinese labels render in a mail client or Chromium.

Ratios are fractions (1.0 = 100 %) and are labelled as percentages.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Sequence

FONTS = ('-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei",'
         '"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif')
WIDTH = 760
COLOURS = ("#2563eb", "#f59f00", "#2f9e44", "#7b2cbf", "#e03131", "#0b7285", "#5c940d", "#862e9c")
_SCRIPT = re.compile(r"<script\b[^>]*?(?:/>|>.*?</script>)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def _style():  # noqa: ANN202
    from pygal.style import Style

    return Style(font_family=FONTS, background="#ffffff", plot_background="#ffffff",
                 foreground="#1f2933", foreground_strong="#1f2933", foreground_subtle="#9aa5b1",
                 colors=COLOURS, title_font_size=15, legend_font_size=12, label_font_size=11,
                 major_label_font_size=11, value_font_size=11, tooltip_font_size=12)


def _config(height: int, **extra: Any) -> dict[str, Any]:
    return {"js": [], "disable_xml_declaration": True, "width": WIDTH, "height": height, "style": _style(),
            "explicit_size": True, "legend_at_bottom": True, "truncate_legend": -1, "truncate_label": -1,
            "print_values": False, **extra}


def _finish(chart, label: str) -> str:  # noqa: ANN001
    """pygal's SVG without scripts, comments or namespace URLs, with an accessible name."""
    svg = chart.render(is_unicode=True)
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg))
    svg = _XMLNS.sub("", svg, count=2)
    from html import escape

    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, (int, float, Decimal)) else None


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def money(value: float) -> str:
    return f"{value:,.0f}"


def attainment_colour(fraction: float | None) -> str:
    if fraction is None:
        return COLOURS[0]
    return "#2f9e44" if fraction >= 1 else "#f59f00" if fraction >= 0.8 else "#e03131"


def attainment(title: str, labels: Sequence[str], achievements: Sequence[Any],
               lines: Sequence[tuple[str, float]], series: str) -> str:
    """Bars of achievement (fraction of the target) per label, with a labelled guide line per
    (name, fraction) in ``lines`` (target 1.0, excellent, stretch)."""
    import pygal

    values = [_num(a) for a in achievements]
    top = max([v or 0 for v in values] + [f for _, f in lines] + [1.0])
    chart = pygal.HorizontalBar(**_config(max(260, 100 + 26 * len(labels)), title=title, range=(0, top * 1.08),
                                          value_formatter=percent, show_legend=True))
    chart.x_labels = list(reversed(labels))
    values.reverse()  # the first label on top
    chart.y_labels = ([{"value": 0.0, "label": "0%"}]
                      + [{"value": f, "label": f"{name} {percent(f)}"} for name, f in lines])
    chart.add(series, [{"value": v, "color": attainment_colour(v)} if v is not None else None for v in values])
    return _finish(chart, title)


def _count_ticks(top: float) -> list[int]:
    """Whole-number ticks (0, step, 2·step, ...) for a count axis: never 0.5 of a deal."""
    step = max(1, math.ceil(top / 8))
    return list(range(0, int(top) + step + 1, step))


def hbar(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Any]]], *,
         kind: str = "int") -> str:
    """Horizontal bars (first label on top): the funnel, lost reasons."""
    import pygal

    fmt = money if kind == "money" else percent if kind == "ratio" else (lambda v: f"{v:,.0f}")
    chart = pygal.HorizontalBar(**_config(max(240, 90 + 30 * len(labels) * max(1, len(series))), title=title,
                                          value_formatter=fmt, print_values=True,
                                          show_legend=len(series) > 1))
    chart.x_labels = list(reversed(labels))
    if kind == "int":
        chart.y_labels = _count_ticks(max([_num(v) or 0 for _, values in series for v in values] + [1]))
    for name, values in series:
        chart.add(name, [_num(v) for v in reversed(values)])
    return _finish(chart, title)


def trend(title: str, labels: Sequence[str], left: tuple[str, Sequence[Any]],
          right: tuple[str, Sequence[Any]]) -> str:
    """A line per week: ``left`` (money) on the left axis, ``right`` (a count) on the right."""
    import pygal

    chart = pygal.Line(**_config(320, title=title, value_formatter=money, x_label_rotation=0, dots_size=3,
                                 show_legend=True))
    chart.x_labels = list(labels)
    chart.add(left[0], [_num(v) for v in left[1]])
    chart.add(right[0], [_num(v) for v in right[1]], secondary=True)
    return _finish(chart, title)


def lorenz(title: str, points: Sequence[tuple[Any, Any]], cuts: Sequence[tuple[str, float]],
           names: tuple[str, str], axes: tuple[str, str]) -> str:
    """The Pareto (Lorenz) curve: x = share of customers, y = cumulative share of value, from
    (0, 0); the even-spread diagonal; a horizontal line per (name, fraction) cut."""
    import pygal

    curve, diagonal = names
    chart = pygal.XY(**_config(380, title=title, range=(0, 1), xrange=(0, 1), value_formatter=percent,
                               x_value_formatter=percent, show_dots=len(points) <= 40, dots_size=2,
                               x_title=axes[0], y_title=axes[1], show_y_guides=False,
                               show_legend=True))
    chart.add(curve, [(0.0, 0.0)] + [(float(x), float(y)) for x, y in points])
    chart.add(diagonal, [(0.0, 0.0), (1.0, 1.0)], stroke_style={"dasharray": "4,4"}, show_dots=False)
    for name, fraction in cuts:
        chart.add(name, [(0.0, fraction), (1.0, fraction)], stroke_style={"width": 2, "dasharray": "8,4"},
                  show_dots=False)
    return _finish(chart, title)
