"""amkit.bulk writes values exactly as SQLAlchemy's own bind processors would."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from amkit.store.bulk import _datetime_text

DIALECT = sqlite.dialect()
PROC = sa.DateTime().dialect_impl(DIALECT).bind_processor(DIALECT)


@settings(max_examples=300, deadline=None)
@given(st.datetimes() | st.dates() | st.none())
def test_datetime_text_is_sqlalchemys(value):
    assert _datetime_text(PROC)(value) == PROC(value)


def test_datetime_text_examples():
    fast = _datetime_text(PROC)
    assert fast(dt.datetime(2026, 11, 23, 9, 0)) == "2026-11-23 09:00:00.000000"
    assert fast(dt.datetime(7, 1, 2, 3, 4, 5, 60)) == "0007-01-02 03:04:05.000060"
