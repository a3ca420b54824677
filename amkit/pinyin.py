"""Pinyin lookup keys for Chinese names (`zgyh` → 中国银行).

pypinyin is imported lazily: it loads large dictionaries.
"""

from __future__ import annotations

import re
from functools import lru_cache

_KEEP = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lower-case, letters and digits only.

    Phrase-aware, so polyphonic characters take the reading of the word (银行 → yinhang).
    Latin words contribute themselves to the full key and their first letter to initials.
    """
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(name, style=Style.NORMAL, errors=lambda text: _latin(text))
    full: list[str] = []
    initials: list[str] = []
    for syl in syllables:
        for word in _KEEP.findall(syl.lower()):
            full.append(word)
            initials.append(word[0])
    return "".join(full), "".join(initials)


def _latin(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+", text)


def looks_like_pinyin(query: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9 ]+", query))
