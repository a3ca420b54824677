"""Pinyin lookup keys for Chinese names (`zgyh` → 中国银行).

pypinyin is imported lazily: it loads large dictionaries.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

_KEEP = re.compile(r"[a-z0-9]+")
_LATIN = re.compile(r"[A-Za-z0-9]+")


@lru_cache(maxsize=4096)
def keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lower-case, letters and digits only.

    Phrase-aware, so polyphonic characters take the reading of the word (银行 → yinhang).
    Latin words contribute themselves to the full key and their first letter to initials.

    The same result as `lazy_pinyin(name, errors=_latin)`, only faster on many names (imports):
    pypinyin splits a name into runs of Chinese / other characters, cuts each Chinese run into
    dictionary words and reads each word on its own, so the reading of a run, and of a word,
    never depends on what surrounds it and both can be cached (company names share most words).
    """
    full: list[str] = []
    initials: list[str] = []
    for i, part in enumerate(_han_runs().split(name)):  # other, Chinese, other, Chinese, …
        if not part:
            continue
        if i % 2:
            run_full, run_initials = _run(part)
        elif part.isascii() and part.isalnum():  # one Latin word or number: itself
            run_full, run_initials = part.lower(), part[:1].lower()
        else:
            run_full, run_initials = _join(_latin(part))
        full.append(run_full)
        initials.append(run_initials)
    return "".join(full), "".join(initials)


def _join(syllables: Iterable[str]) -> tuple[str, str]:
    words = [word for syl in syllables for word in _KEEP.findall(syl.lower())]
    return "".join(words), "".join(word[0] for word in words)


@lru_cache(maxsize=1)
def _han_runs() -> re.Pattern[str]:
    """Runs of the characters pypinyin reads (its RE_HANS is `^(?:[CLASS])+$`)."""
    from pypinyin.constants import RE_HANS

    char_class = RE_HANS.pattern[len("^(?:"):-len(")+$")]
    return re.compile(f"({char_class}+)")


@lru_cache(maxsize=8192)
def _run(run: str) -> tuple[str, str]:
    """The keys of a run of Chinese characters: its dictionary words, read one by one."""
    from pypinyin.seg.mmseg import seg

    return _join(syl for word in seg.cut(run) for syl in _word(word))


@lru_cache(maxsize=32768)
def _word(word: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(word, style=Style.NORMAL, errors=_latin))


def _latin(text: str) -> list[str]:
    return _LATIN.findall(text)


def looks_like_pinyin(query: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9 ]+", query))
