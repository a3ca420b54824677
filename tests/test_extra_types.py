"""amkit.transfer.extra_types: the one type of an unmapped column, by hand and by property."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amkit.transfer.extra_types import column_kind, column_kinds, convert, kind_of, shown


@pytest.mark.parametrize(("value", "kind"), [
    (None, None), ("", None), ("  ", None), (120, "int"), (120.0, "int"), (1.5, "number"), ("1.5", "number"),
    ("-3", "int"), ("007", "text"), ("0", "int"), ("1" * 15, "int"), ("1" * 16, "text"), (10**15, "text"),
    (True, "bool"), ("FALSE", "bool"), (dt.date(2026, 11, 3), "date"), (dt.datetime(2026, 11, 3), "date"),
    (dt.datetime(2026, 11, 3, 9, 30), "datetime"), ("2026年11月3日", "date"), ("2026/11/3", "date"),
    ("2026.11.3", "date"), ("2026-02-30", "text"), ("2026-11-03 09:30", "datetime"), ("上海", "text"),
    (float("nan"), "text"), ("1e5", "text"), ("1,200", "text")])
def test_kind_of_one_cell(value, kind):  # noqa: ANN001, ANN201
    assert kind_of(value) == kind


@pytest.mark.parametrize(("kinds", "kind"), [
    ([], "text"), (["int"], "int"), (["int", "number"], "number"), (["bool"], "bool"), (["int", "bool"], "text"),
    (["date", "datetime"], "datetime"), (["date", "int"], "text"), (["text", "int"], "text")])
def test_column_kind(kinds, kind):  # noqa: ANN001, ANN201
    assert column_kind(kinds) == kind


def test_convert_by_hand():  # noqa: ANN201
    assert convert("120", "int") == 120 and convert(120.0, "int") == 120
    assert convert("3.10", "number") == 3.1 and convert(2, "number") == 2 and convert("2", "number") == 2
    assert convert("TRUE", "bool") is True and convert(False, "bool") is False
    assert convert("2026年11月3日", "date") == "2026-11-03"
    assert convert(dt.datetime(2026, 11, 3, 9, 30), "datetime") == "2026-11-03T09:30:00"
    assert convert("2026-11-03", "datetime") == "2026-11-03T00:00:00"
    assert convert(120.0, "text") == "120" and convert(True, "text") == "true"
    assert convert(dt.datetime(2026, 11, 3), "text") == "2026-11-03"


def test_a_column_turns_text_at_its_first_odd_cell():  # noqa: ANN201
    rows = [{"a": 1, "b": "x"}, {"a": "2", "b": None}, {"a": 2.5, "b": 3}]
    assert column_kinds(rows, ["a", "b"]) == {"a": "number", "b": "text"}


@given(st.lists(st.integers(-10**14, 10**14), min_size=1))
def test_integers_written_any_way_come_back_as_the_same_integers(numbers):  # noqa: ANN001, ANN201
    cells = [n if i % 3 == 0 else str(n) if i % 3 == 1 else float(n) for i, n in enumerate(numbers)]
    assert column_kind(kind_of(c) for c in cells) == "int"
    assert [convert(c, "int") for c in cells] == numbers


@given(st.lists(st.one_of(st.integers(-10**6, 10**6), st.text(max_size=6)), min_size=1))
def test_a_text_column_is_shown_as_the_sheet_shows_it(cells):  # noqa: ANN001, ANN201
    kind = column_kind(k for k in map(kind_of, cells) if k)
    for c in cells:
        if kind == "text" and kind_of(c):
            assert convert(c, kind) == (c if isinstance(c, str) else str(c)) == shown(c)
