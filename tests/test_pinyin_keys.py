"""amkit.pinyin.keys caches the readings of Chinese runs and words (import speed, issue 11):
it must give exactly what pypinyin gives for the whole name, polyphones included."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from amkit.core.pinyin import keys


def reference(name: str) -> tuple[str, str]:
    """The straightforward way: pypinyin on the whole name, phrase-aware."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(name, style=Style.NORMAL, errors=lambda t: re.findall(r"[A-Za-z0-9]+", t))
    words = [w for s in syllables for w in re.findall(r"[a-z0-9]+", s.lower())]
    return "".join(words), "".join(w[0] for w in words)


NAMES = ["中国银行上海分行", "银行行长俱乐部", "重庆长城行业协会", "行走的银行", "长沙重工有限公司",
         "北京华信银行有限公司000123", "zgyh tech 中国", "ABC银行(香港)·会计师事务所", "厦门朝阳区调查局",
         "[erased #12]", "〇一二", "", "   ", "曾单解查仇朴区盖乐都"]


def test_known_names_match_pypinyin():
    for name in NAMES:
        assert keys(name) == reference(name), name


def test_a_run_read_in_another_name_keeps_its_reading():
    keys.cache_clear()
    assert keys("银行行长") == ("yinhanghangzhang", "yhhz")
    assert keys("行长银行") == ("hangzhangyinhang", "hzyh")
    assert keys("行走") == ("xingzou", "xz")  # not the háng cached from 银行


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["银行", "行", "长", "重庆", "长城", "中国", "有限公司", "科技", "乐", "都", "了",
                                 "会计", "A", "b2", " ", "-", "（", "）", "·", "调", "朝阳", "单", "行长"]),
                max_size=8))
def test_any_mix_matches_pypinyin(parts):
    name = "".join(parts)
    assert keys(name) == reference(name)
