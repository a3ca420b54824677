"""Names close to what was typed: "did you mean" suggestions (pure, no database).

A homophone typo (中国银航 for 中国银行) has the same or a near pinyin; a slip of the keyboard
(张威 for 张伟, zgyy for zgyh) a small edit distance. Each candidate is scored by the smaller
of the two normalised distances, characters and pinyin, and the closest few are kept.
"""

from __future__ import annotations

from typing import Iterable

from amkit.core.pinyin import keys

CUTOFF = 0.3  # a candidate further than this (0 = same, 1 = nothing in common) is no suggestion


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute: 1 each)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def distance(query: str, name: str) -> float:
    """0..1: how far `name` is from `query`, by characters or by pinyin, whichever is nearer."""
    q, n = query.lower(), name.lower()
    by_text = edit_distance(q, n) / max(len(q), len(n), 1)
    qp, np_ = keys(query)[0], keys(name)[0]
    by_pinyin = edit_distance(qp, np_) / max(len(qp), len(np_), 1) if qp and np_ else 1.0
    initials = keys(name)[1]
    by_initials = edit_distance(q, initials) / max(len(q), len(initials), 1) if q.isascii() and initials else 1.0
    return min(by_text, by_pinyin, by_initials)


def suggest(query: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """Up to `limit` names nearest to `query`, nearest first (ties by name)."""
    text = (query or "").strip()
    if not text:
        return []
    scored = sorted((distance(text, name), name) for name in set(names) if name and name != text)
    return [name for score, name in scored if score <= CUTOFF][:limit]


def resolve(query: str, names: list[str]) -> list[str]:
    """The names a short reference can mean, in the lookup order: unique prefix, substring,
    pinyin initials or full pinyin (equal, then prefix). The first step that matches anything
    decides; more than one name is ambiguous (the caller says so)."""
    text = (query or "").strip()
    if not text:
        return []
    steps = [lambda n: n.startswith(text), lambda n: text in n]
    key = text.lower().replace(" ", "")
    if key.isascii() and key.isalnum():
        steps += [lambda n: key in keys(n), lambda n: keys(n)[1].startswith(key) or keys(n)[0].startswith(key)]
    for step in steps:
        found = sorted({n for n in names if step(n)})
        if found:
            return found
    return []
