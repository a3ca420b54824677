"""Self-contained HTML pages (score card, review, funnel, Pareto, goal progress): one file a
lead can mail.

Inline CSS and inline SVG only (charts from amkit.ui.charts): no scripts, fonts, images or
links to fetch, so a page renders the same offline, in a mail client or in headless Chromium.
"""

from __future__ import annotations

from html import escape
from typing import Any, Sequence

from amkit.ui.i18n import t
from amkit.ui.render import Col, Locale, cell_text

CSS = """
body{font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:24px;color:#1f2933;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:8px 0 6px}p.meta{color:#616e7c;margin:0 0 16px;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin-bottom:24px}
th,td{padding:5px 8px;border-bottom:1px solid #e4e7eb;text-align:right;white-space:nowrap}
th{background:#f5f7fa;font-weight:600;color:#3e4c59;white-space:normal;vertical-align:bottom}
td.text,th.text{text-align:left}
td.grade{font-weight:700;text-align:center}
.g-S{color:#7b2cbf}.g-A{color:#1b7f3b}.g-B{color:#2563eb}.g-C{color:#b7791f}.g-D{color:#c53030}
svg{vertical-align:middle;margin-left:6px}
""".strip()

# the report pages add the headline cards, charts and collapsed full lists
REPORT_CSS = """
.headline{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 20px}
.card{border:1px solid #e4e7eb;border-radius:6px;padding:10px 14px;min-width:150px}
.card .label{font-size:12px;color:#616e7c}.card .value{font-size:22px;font-weight:700;margin-top:2px}
.card .delta{font-size:12px;color:#616e7c}.up{color:#1b7f3b}.down{color:#c53030}
figure.chart{margin:0 0 20px}figure.chart svg{display:block;margin:0;max-width:100%;height:auto}
details{margin:-16px 0 24px;font-size:13px}summary{cursor:pointer;color:#2563eb;margin-bottom:6px}
""".strip()

BAR_W, BAR_H, CAP = 84, 11, 1.2
TOP = 10  # rows of a long table shown before the collapsed full list


def _colour(fraction: float) -> str:
    if fraction >= 1:
        return "#2f9e44"
    if fraction >= 0.8:
        return "#f59f00"
    return "#e03131"


def svg_bar(fraction: Any) -> str:
    """An inline SVG bar for a ratio (1.0 = goal, marked; capped at 1.2)."""
    if fraction is None:
        return ""
    value = max(0.0, min(float(fraction), CAP))
    width = round(value / CAP * BAR_W, 1)
    goal_x = round(1 / CAP * BAR_W, 1)
    return (f'<svg width="{BAR_W}" height="{BAR_H}" viewBox="0 0 {BAR_W} {BAR_H}" role="img">'
            f'<rect width="{BAR_W}" height="{BAR_H}" fill="#e4e7eb" rx="2"/>'
            f'<rect width="{width}" height="{BAR_H}" fill="{_colour(float(fraction))}" rx="2"/>'
            f'<line x1="{goal_x}" y1="0" x2="{goal_x}" y2="{BAR_H}" stroke="#1f2933" stroke-width="1"/></svg>')


def _cell(row: dict, col: Col, loc: Locale) -> str:
    value = row.get(col.key)
    text = escape(cell_text(value, col, loc))
    css = "text" if col.kind in ("text", "enum") else ""
    if col.key == "grade":
        return f'<td class="grade g-{escape(str(value or ""))}">{text}</td>'
    if col.key == "achievement":
        return f"<td>{text}{svg_bar(value)}</td>"
    if col.key == "score":
        return f"<td>{text}{svg_bar(None if value is None else float(value) / 100)}</td>"
    return f'<td class="{css}">{text}</td>' if css else f"<td>{text}</td>"


def _table(rows: Sequence[dict], cols: Sequence[Col], loc: Locale) -> str:
    head = "".join(f'<th class="{"text" if c.kind in ("text", "enum") else ""}">{escape(t(c.label))}</th>'
                   for c in cols)
    body = "\n".join("<tr>" + "".join(_cell(r, c, loc) for c in cols) + "</tr>" for r in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def table(rows: Sequence[dict], cols: Sequence[Col]) -> str:
    """One escaped HTML table in the scorecard style (ratios of key ``achievement`` get a bar)."""
    return _table(rows, cols, Locale.current())


def long_table(rows: Sequence[dict], cols: Sequence[Col], top: int = TOP) -> str:
    """The first ``top`` rows, then the whole list in a collapsed ``<details>`` when longer."""
    if not rows:
        return f'<p class="meta">{escape(t("(none)"))}</p>'
    if len(rows) <= top:
        return table(rows, cols)
    summary = escape(t("All {n} rows", n=len(rows)))
    return (table(rows[:top], cols) + f"\n<details><summary>{summary}</summary>\n" + table(rows, cols)
            + "\n</details>")


def figure(svg: str) -> str:
    return f'<figure class="chart">{svg}</figure>'


def headline(cards: Sequence[tuple[str, str, str | None, int]]) -> str:
    """The headline block: (label, value, change text or None, sign of the change) per card."""
    out = []
    for label, value, delta, sign in cards:
        change = ""
        if delta is not None:
            css = "up" if sign > 0 else "down" if sign < 0 else ""
            change = f'<div class="delta {css}">{escape(delta)}</div>'
        out.append(f'<div class="card"><div class="label">{escape(label)}</div>'
                   f'<div class="value">{escape(value)}</div>{change}</div>')
    return '<section class="headline">' + "".join(out) + "</section>"


def page(title: str, parts: Sequence[str], meta: str = "", extra_css: str = "") -> str:
    """A self-contained page: inline CSS, the title, the meta line, then ``parts`` (HTML)."""
    lang = "zh-CN" if Locale.current().lang == "zh" else "en"
    head = [f"<h1>{escape(title)}</h1>", f'<p class="meta">{escape(meta)}</p>']
    css = CSS + ("\n" + extra_css if extra_css else "")
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
            + "\n".join(head + list(parts)) + "\n</body>\n</html>\n")


def report_page(title: str, parts: Sequence[str], meta: str = "") -> str:
    """A report page (headline cards, charts, long tables)."""
    return page(title, parts, meta, REPORT_CSS)
