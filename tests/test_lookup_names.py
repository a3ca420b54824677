"""Lookup that finds what people type (issue 20 §3): id, exact name, alias (简称), unique
prefix, unique substring, pinyin initials, full pinyin; on a miss exit 3 with up to 3
suggestions ranked by pinyin and edit distance; managers the same; completion by option."""

from __future__ import annotations

import pytest


@pytest.fixture
def book(cli):  # noqa: ANN001, ANN201
    for name in ("张伟", "李娜", "王芳"):
        assert cli("manager", "add", name).exit_code == 0
    for args in (["北京京东世纪贸易有限公司", "--owner", "张伟"], ["中国银行", "--alias", "中行", "--alias", "BOC"],
                 ["上海浦东发展银行", "--alias", "浦发"], ["中国工商银行"], ["招商证券"]):
        assert cli("customer", "add", *args).exit_code == 0
    return cli


def shown(cli, ref):  # noqa: ANN001, ANN201
    r = cli("customer", "show", ref, "-f", "json")
    assert r.exit_code == 0, r.stderr
    return r.json()["name"]


@pytest.mark.parametrize("ref,name", [
    ("2", "中国银行"), ("中国银行", "中国银行"), ("中行", "中国银行"), ("BOC", "中国银行"), ("浦发", "上海浦东发展银行"),
    ("北京京东", "北京京东世纪贸易有限公司"), ("京东", "北京京东世纪贸易有限公司"), ("工商", "中国工商银行"),
    ("zsz", "招商证券"), ("zhaoshangzhengquan", "招商证券"), ("zggs", "中国工商银行"),
])
def test_lookup_order(book, ref, name):  # noqa: ANN001
    assert shown(book, ref) == name


def test_alias_is_stored_listed_and_removable(book, sql):
    assert sql("SELECT aliases FROM customers WHERE name = '中国银行'") in ([("中行,BOC",)], "中行,BOC")
    assert book("customer", "edit", "浦发", "--alias", "SPDB", "--remove-alias", "浦发").exit_code == 0
    assert shown(book, "SPDB") == "上海浦东发展银行"
    r = book("customer", "show", "浦发")
    assert r.exit_code == 3


def test_an_alias_names_one_customer(book, sql):
    before = sql("SELECT id, name, aliases FROM customers ORDER BY id")
    r = book("customer", "add", "中信银行", "--alias", "中行")
    assert r.exit_code == 4 and r.stderr.strip() == "amkit: alias '中行' already names customer '中国银行'"
    r = book("customer", "edit", "招商证券", "--alias", "中国银行")
    assert r.exit_code == 4
    assert sql("SELECT id, name, aliases FROM customers ORDER BY id") == before


def test_a_substring_of_several_is_ambiguous(book):
    r = book("customer", "show", "银行")
    assert r.exit_code == 4 and "ambiguous: 3 matches" in r.stderr
    assert "中国银行" in r.stderr and "上海浦东发展银行" in r.stderr and "中国工商银行" in r.stderr


def test_a_homophone_typo_gets_suggestions(book):
    r = book("customer", "show", "中国银航")
    assert r.exit_code == 3 and r.stdout == ""
    assert r.stderr.strip() == "amkit: customer not found: '中国银航' (did you mean: 中国银行?)"
    zh = book("customer", "show", "中国银航", extra_env={"AMKIT_LANG": "zh"})
    assert zh.exit_code == 3 and zh.stderr.strip().startswith("amkit: 找不到客户：'中国银航'（是不是要找：中国银行")
    far = book("customer", "show", "完全无关的名字")
    assert far.exit_code == 3 and "did you mean" not in far.stderr


def test_unknown_owner_suggests_the_close_manager_and_writes_nothing(book, sql):
    before = sql("SELECT count(*) FROM customers")
    r = book("customer", "add", "新客户", "--owner", "张威")
    assert r.exit_code == 3 and r.stderr.strip() == "amkit: manager not found: '张威' (did you mean: 张伟?)"
    assert sql("SELECT count(*) FROM customers") == before
    zh = book("customer", "add", "新客户", "--owner", "张威", extra_env={"AMKIT_LANG": "zh"})
    assert zh.stderr.strip() == "amkit: 找不到客户经理：'张威'（是不是要找：张伟？）"
    # managers are found by unique prefix and pinyin too
    rows = book("customer", "list", "--owner", "zw", "-f", "json").json()
    assert [r["name"] for r in rows] == ["北京京东世纪贸易有限公司"]
    assert book("deal", "list", "--owner", "张", "-f", "json").exit_code == 0
    r = book("remind", "--owner", "wangf", "-f", "json")
    assert r.exit_code == 0, r.stderr
    nobody = book("customer", "list", "--owner", "赵磊")
    assert nobody.exit_code == 3 and "amkit manager add" in nobody.stderr


def complete(sh, *words: str) -> list[str]:  # noqa: ANN001
    line = " ".join(("amkit",) + words)
    r = sh(extra_env={"_AMKIT_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words))})
    assert r.exit_code == 0 and r.stderr == "", r.stderr
    return [x for x in r.stdout.splitlines() if x]


def test_completion_of_owner_channel_stage_metric_period(book, sh):
    assert complete(sh, "customer", "list", "--owner", "") == ["张伟", "李娜", "王芳"] or \
        sorted(complete(sh, "customer", "list", "--owner", "")) == sorted(["张伟", "李娜", "王芳"])
    assert complete(sh, "customer", "list", "--owner", "zw") == ["张伟"]
    assert complete(sh, "deal", "add", "中国银行", "--owner", "li") == ["李娜"]
    assert "visit" in complete(sh, "followup", "log", "中国银行", "--channel", "")
    assert complete(sh, "followup", "list", "--channel", "拜") == ["拜访"]
    assert complete(sh, "deal", "list", "--stage", "neg") == ["negotiation"]
    assert complete(sh, "goal", "progress", "--metric", "new") == ["new_customers"]
    assert complete(sh, "score", "card", "--period", "2026") == ["2026Q4", "2026Q3", "2026-11", "2026-10",
                                                                  "2026W48", "2026"]
