"""Dates and times as people say them (issue 20 §4), with AMKIT_TODAY fixed at 2026-11-23 (a
Monday): one parser for every date option; defaults: a payment today, a follow-up now."""

from __future__ import annotations

import datetime as dt

import pytest

from amkit.core.parse import parse_date, parse_datetime

MONDAY = dt.date(2026, 11, 23)

# (as typed, the date worked out by hand from Monday 2026-11-23)
DATES = [
    ("今天", "2026-11-23"), ("昨天", "2026-11-22"), ("前天", "2026-11-21"), ("明天", "2026-11-24"),
    ("上周五", "2026-11-20"), ("本周一", "2026-11-23"), ("这周三", "2026-11-25"), ("下周一", "2026-11-30"),
    ("上星期日", "2026-11-22"), ("11月3日", "2026-11-03"), ("11月3号", "2026-11-03"),
    ("2026年11月3日", "2026-11-03"), ("2025年1月9日", "2025-01-09"), ("2026/11/3", "2026-11-03"),
    ("11-03", "2026-11-03"), ("11/3", "2026-11-03"), ("3 days ago", "2026-11-20"), ("3天前", "2026-11-20"),
    ("两周后", "2026-12-07"), ("in 2 weeks", "2026-12-07"), ("last friday", "2026-11-20"),
    ("last monday", "2026-11-16"), ("this friday", "2026-11-27"), ("yesterday", "2026-11-22"),
    ("Nov 3", "2026-11-03"), ("2026-11-03", "2026-11-03"),
]


@pytest.mark.parametrize("text,expected", DATES)
def test_date_forms(text, expected):  # noqa: ANN001
    assert parse_date("--since", text, MONDAY).isoformat() == expected


@pytest.mark.parametrize("text,expected", [
    ("下午3点", "2026-11-23 15:00"), ("15:30", "2026-11-23 15:30"), ("昨天下午3点半", "2026-11-22 15:30"),
    ("上周五 15:30", "2026-11-20 15:30"), ("上午10点15分", "2026-11-23 10:15"), ("晚上8点", "2026-11-23 20:00"),
    ("3pm", "2026-11-23 15:00"), ("11月3日 9:05", "2026-11-03 09:05"), ("2026-11-20 15:30", "2026-11-20 15:30"),
])
def test_time_forms(text, expected):  # noqa: ANN001
    now = dt.datetime(2026, 11, 23, 9, 0)
    assert parse_datetime("--at", text, now).strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize("text", ["someday", "2月30日", "13-45", "上周八"])
def test_bad_dates_name_the_forms(text):  # noqa: ANN001
    from amkit.errors import BadInput

    with pytest.raises(BadInput) as caught:
        parse_date("--since", text, MONDAY)
    assert f"'{text}'" in caught.value.message and "上周五" in caught.value.message


@pytest.fixture
def customer(cli):  # noqa: ANN001, ANN201
    cli("manager", "add", "张伟")
    assert cli("customer", "add", "中国银行", "--owner", "张伟").exit_code == 0
    return cli


def test_followup_at_yesterday_afternoon_and_default_now(customer, sql):
    assert customer("followup", "log", "中国银行", "--channel", "拜访", "--summary", "a", "--at", "昨天下午3点").exit_code == 0
    assert customer("followup", "log", "中国银行", "--channel", "电话", "--summary", "b", "--at", "上周五").exit_code == 0
    assert customer("followup", "log", "中国银行", "--channel", "电话", "--summary", "c").exit_code == 0
    rows = sql("SELECT summary, at FROM followups ORDER BY id")
    assert [(s, str(a)[:16]) for s, a in rows[:2]] == [("a", "2026-11-22 15:00"), ("b", "2026-11-20 00:00")]
    assert str(rows[2][1])[:10] == "2026-11-23"  # now, on the AMKIT_TODAY day
    listed = customer("followup", "list", "--since", "上周五", "--until", "昨天", "-f", "json").json()
    assert sorted(r["summary"] for r in listed) == ["a", "b"]


def test_payment_date_defaults_to_today_and_takes_chinese_dates(customer, sql):
    assert customer("deal", "add", "中国银行", "--stage", "won", "--amount", "1000").exit_code == 0
    r = customer("payment", "add", "1", "100")
    assert r.exit_code == 0, r.stderr
    assert customer("payment", "add", "1", "200", "--date", "11月3日").exit_code == 0
    assert sql("SELECT amount_cents, date FROM payments ORDER BY id") == [(10000, "2026-11-23"), (20000, "2026-11-03")] \
        or [(a, str(d)) for a, d in sql("SELECT amount_cents, date FROM payments ORDER BY id")] == [
            (10000, "2026-11-23"), (20000, "2026-11-03")]


def test_a_bad_date_is_one_line_exit_2_in_zh_and_nothing_written(customer, sql):
    r = customer("followup", "log", "中国银行", "--channel", "拜访", "--summary", "x", "--at", "某天",
                 extra_env={"AMKIT_LANG": "zh"})
    assert r.exit_code == 2 and r.stdout == ""
    assert "'某天'" in r.stderr and "上周五" in r.stderr and "expected" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert sql("SELECT count(*) FROM followups") in ([(0,)], 0)
