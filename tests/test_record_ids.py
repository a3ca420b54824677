"""An id is a whole number that fits the INTEGER key of both backends (1 .. 2^31-1).

Longer digit strings are never sent to the database: PostgreSQL refuses them ("integer out of
range"), which used to surface as an internal error. They are "not found" (exit 3) like any
other id that names no record, and the real id next to them still works."""

from __future__ import annotations

import pytest

from amkit.core.parse import MAX_ID, record_id

TOO_BIG = [str(MAX_ID + 1), "3000000000", "9" * 30]


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 1), (" 42 ", 42), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None), ("-1", None),
    ("4.0", None), ("١٢", None), ("", None), ("9" * 30, None), ("中国银行", None)])
def test_record_id(text, expected):  # noqa: ANN001, ANN201
    assert record_id(text) == expected


@pytest.fixture
def seeded(cli):  # noqa: ANN001, ANN201
    steps = [
        ("manager", "add", "张伟"),
        ("customer", "add", "中国银行", "--owner", "张伟"),
        ("contact", "add", "中国银行", "李明"),
        ("deal", "add", "中国银行", "--stage", "contact", "--amount", "1000", "--title", "网银"),
        ("deal", "move", "1", "won"),
        ("payment", "add", "1", "100", "--date", "2026-11-02"),
        ("followup", "log", "中国银行", "--channel", "visit", "--summary", "拜访", "--at", "2026-11-02"),
        ("contract", "add", "中国银行", "--start", "2026-01-01", "--end", "2026-12-31", "--amount", "1000"),
    ]
    for step in steps:
        result = cli(*step)
        assert result.exit_code == 0, (step, result.stderr)
    return cli


COMMANDS = [
    ("deal", "edit", "{id}", "--amount", "2000"),
    ("deal", "move", "{id}", "lost"),
    ("deal", "delete", "{id}", "--cascade", "--yes"),
    ("payment", "edit", "{id}", "--amount", "50"),
    ("followup", "edit", "{id}", "--summary", "电话"),
    ("contact", "edit", "中国银行", "{id}", "--phone", "13800138000"),
    ("contract", "edit", "{id}", "--amount", "900"),
    ("contract", "delete", "{id}"),
    ("customer", "show", "{id}"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_an_id_out_of_range_is_not_found(seeded, sql, command):  # noqa: ANN001, ANN201
    before = sql("SELECT COUNT(*) FROM audit_log")[0][0]
    for text in TOO_BIG:
        result = seeded(*[text if a == "{id}" else a for a in command], input="")
        assert result.exit_code == 3, (text, result.stderr)
        assert f"'{text}'" in result.stderr and "\n" == result.stderr[-1] and result.stderr.count("\n") == 1
    assert sql("SELECT COUNT(*) FROM audit_log")[0][0] == before  # nothing written
    ok = seeded(*["1" if a == "{id}" else a for a in command], input="")
    assert ok.exit_code == 0, ok.stderr


def test_history_names_the_id_range(seeded):  # noqa: ANN001, ANN201
    result = seeded("history", "--record", "deal", "9" * 30)
    assert result.exit_code == 2
    assert "--record" in result.stderr and str(MAX_ID) in result.stderr
    assert seeded("history", "--record", "deal", "1").exit_code == 0
