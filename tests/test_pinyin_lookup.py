"""Customer lookup: id, exact name, name prefix, pinyin initials / full pinyin, in that order;
polyphonic characters take the reading of their word (issue 12)."""

from __future__ import annotations

import pytest

from amkit.core.pinyin import keys

NAMES = ["中国银行", "中国银行上海分行", "中国建设银行", "重庆银行", "长城汽车", "行业协会", "银行行长俱乐部",
         "zgyh tech", "cqtech"]


@pytest.mark.parametrize("name,full,initials", [
    ("银行", "yinhang", "yh"),            # 行 háng in 银行, not xíng
    ("行业协会", "hangyexiehui", "hyxh"),  # 行业 háng
    ("行走", "xingzou", "xz"),            # 行 xíng
    ("重庆银行", "chongqingyinhang", "cqyh"),  # 重 chóng in 重庆, not zhòng
    ("长城汽车", "changchengqiche", "ccqc"),  # 长 cháng in 长城, not zhǎng
    ("银行行长俱乐部", "yinhanghangzhangjulebu", "yhhzjlb"),  # 行长 háng zhǎng
])
def test_polyphonic_readings(name, full, initials):
    assert keys(name) == (full, initials)


@pytest.fixture
def book(cli):
    for name in NAMES:
        assert cli("customer", "add", name).exit_code == 0
    return cli


def found(cli, ref: str) -> str:
    r = cli("customer", "show", ref, "-f", "json")
    assert r.exit_code == 0, (ref, r.stderr)
    return r.json()["name"]


RANKING = [
    ("中国银行", "中国银行"),              # exact name first, although it prefixes 中国银行上海分行
    ("中国银行上", "中国银行上海分行"),     # a unique prefix
    ("中国建", "中国建设银行"),
    ("zgyh tech", "zgyh tech"),            # an exact name that is also pinyin-like text
    ("zgyh", "zgyh tech"),                 # a name prefix beats the initials of 中国银行
    ("zgjs", "中国建设银行"),              # initials prefix
    ("zhongguoyinhang", "中国银行"),       # full pinyin equal beats the longer 中国银行上海分行
    ("ZhongGuo YinHang", "中国银行"),      # case and spaces do not matter
    ("cqyh", "重庆银行"),                  # 重 read chóng
    ("chongqing", "重庆银行"),
    ("ccqc", "长城汽车"),                  # 长 read cháng
    ("changcheng", "长城汽车"),
    ("hyxh", "行业协会"),                  # 行 read háng
    ("hangye", "行业协会"),
    ("yinhanghangzhang", "银行行长俱乐部"),
    ("cq", "cqtech"),                      # name prefix before the initials of 重庆银行
]


def test_lookup_ranking(book):
    """One database for all the cases (each is a separate lookup)."""
    assert {ref: found(book, ref) for ref, _ in RANKING} == dict(RANKING)


def test_wrong_readings_of_polyphonic_characters_do_not_match(book):
    for ref in ("zhongqing", "zhangcheng", "xingye", "yinxing"):
        r = book("customer", "show", ref)
        assert (r.exit_code, r.stderr) == (3, f"amkit: customer not found: {ref!r}\n")


def test_lookup_by_id_first(book, sql):
    (cid,), = sql("SELECT id FROM customers WHERE name = ?", "长城汽车")
    assert found(book, str(cid)) == "长城汽车"


def test_ambiguous_initials_list_candidates_exit_4(book):
    assert found(book, "zg") == "zgyh tech"  # the name prefix decides before pinyin is tried
    r = book("customer", "show", "zhongguo")  # the full pinyin of three names starts with it
    assert r.exit_code == 4
    lines = r.stderr.splitlines()
    assert lines[0] == "amkit: customer 'zhongguo' is ambiguous: 3 matches"
    assert sorted(line.split(None, 1)[1] for line in lines[1:]) == sorted(["中国银行", "中国银行上海分行",
                                                                           "中国建设银行"])


def test_renamed_customer_is_found_by_its_new_pinyin(book):
    assert book("customer", "edit", "长城汽车", "--name", "长安汽车").exit_code == 0
    assert found(book, "caqc") == "长安汽车"  # 长安 cháng'ān
    assert book("customer", "show", "ccqc").exit_code == 3
