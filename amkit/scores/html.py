"""A self-contained HTML scorecard (`score card -f html`): one file a lead can mail.

The page, its CSS and the inline SVG bars are amkit.ui.html's (shared with the review and
the other report pages): no scripts, fonts, images or links to fetch.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from amkit.ui.html import page, table  # the page style (kept as it was) lives in amkit.ui.html
from amkit.ui.i18n import t
from amkit.ui.render import Col


def render_html(rows: Sequence[dict], sections: Sequence[tuple[str | None, Sequence[Col]]], title: str,
                meta: str, detail: tuple[Sequence[dict], Sequence[Col]] | None = None) -> str:
    """The page: one table per (heading, columns) section over the same rows, then the
    optional sub-score table. Labels are translated; cells are escaped."""
    parts = [f"<h1>{escape(title)}</h1>", f'<p class="meta">{escape(meta)}</p>']
    for heading, cols in sections:
        if heading:
            parts.append(f"<h2>{escape(t(heading))}</h2>")
        parts.append(table(rows, cols))
    if detail is not None:
        parts.append(f"<h2>{escape(t('Sub-scores'))}</h2>")
        parts.append(table(detail[0], detail[1]))
    return page(title, parts[2:], meta)
