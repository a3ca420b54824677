"""Width math for tables on a terminal (pure: no terminal, no Rich import at module level).

A table fits the terminal it is printed on: columns are chosen by priority until the width is
used up, the rest are hidden (the caller says how many), and a text cell longer than its
column is cut with "…". A number, a date or an enum value is never cut or wrapped: its column
is either shown whole or hidden. Widths are terminal cells (a CJK character counts 2, as
Rich's ``cell_len`` counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
import unicodedata

# Cell kinds that are shown whole or not at all (no "…" inside an amount or a date).
RIGID = frozenset({"int", "money", "ratio", "number", "date", "datetime", "bool", "enum", "bar"})
# Text columns kept whole like numbers (a cut phone number is useless, a cut bar misleads).
RIGID_KEYS = frozenset({"phone", "mobile", "bar"})
# Text columns give way down to this many cells (or their header's width, if smaller).
TEXT_MIN = 10
# Column keys that carry the row's identity or its main figure: shown first.
KEY_COLUMNS = ("name", "customer", "owner", "title", "metric", "kind", "bucket", "stage", "amount", "revenue",
               "score", "grade")
BORDER = 3  # a Rich box column: one padding cell either side and a separator
EDGE = 1  # the left edge of the box


@lru_cache(maxsize=4096)
def cell_len(text: str) -> int:
    """Terminal cells of `text`: wide and full-width characters (CJK) count 2, combining 0."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


def clip(text: str, width: int) -> str:
    """`text` cut to `width` cells, ending in "…" when cut (a CJK character is never halved)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


@dataclass(frozen=True)
class Plan:
    shown: tuple[int, ...]  # column indexes, in display (declaration) order
    widths: dict[int, int]  # index -> cells given to that column
    hidden: int  # how many columns did not fit
    record_view: bool  # even the key columns do not fit: print one block per row


KEY, OTHER = 10, 50  # default priorities: key columns, the rest (a column may set its own)


def default_priority(key: str, kind: str) -> int:
    return KEY if key in KEY_COLUMNS else OTHER


def priority_order(keys: list[str], kinds: list[str], priorities: list[int | None]) -> list[int]:
    """Indexes from the most to the least wanted column: by priority (lower first; a column
    without one is a key column, 10 — names, the main amount — or another, 50), then in
    declaration order."""
    def rank(i: int) -> tuple[int, int]:
        p = priorities[i]
        return (default_priority(keys[i], kinds[i]) if p is None else p, i)
    return sorted(range(len(keys)), key=rank)


def plan(heads: list[str], cells: list[list[str]], kinds: list[str], order: list[int], width: int, *,
         key_count: int = 1, wide: bool = False) -> Plan:
    """Which columns to show and how wide, for a boxed table of at most `width` cells.

    `order`: column indexes by priority; the first `key_count` are the key columns (when even
    they cannot fit, the plan asks for a record view). `wide`: every column at full width."""
    n = len(heads)
    natural = [max([cell_len(heads[i])] + [cell_len(row[i]) for row in cells]) for i in range(n)]
    if wide:
        return Plan(tuple(range(n)), {i: natural[i] for i in range(n)}, 0, False)
    minimal = [natural[i] if kinds[i] in RIGID else min(natural[i], TEXT_MIN) for i in range(n)]
    chosen: list[int] = []
    used = EDGE
    for i in order:
        need = max(minimal[i], 1) + BORDER
        if used + need <= width:
            chosen.append(i)
            used += need
    keys = order[:max(1, min(key_count, n))]
    if any(k not in chosen for k in keys):
        return Plan(tuple(range(n)), {}, 0, True)
    widths = {i: max(minimal[i], 1) for i in chosen}
    spare = width - used
    for i in order:  # give the spare cells back to cut text columns, the most wanted first
        if i in widths and spare > 0 and widths[i] < natural[i]:
            more = min(spare, natural[i] - widths[i])
            widths[i] += more
            spare -= more
    return Plan(tuple(sorted(chosen)), widths, n - len(chosen), False)
