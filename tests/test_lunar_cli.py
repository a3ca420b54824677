"""A lunar birthday set with `contact add --lunar` is reminded on its solar date, which moves
from year to year (issue 12). Dates from published calendars: Mid-Autumn (lunar 8-15) is
2026-09-25 and 2027-09-15; Spring Festival 2027 is 2027-02-06 and the 12th month of lunar
2026 has 29 days, so lunar 12-20 of that year is 2027-02-05 minus 9 days = 2027-01-27."""

from __future__ import annotations

import pytest


@pytest.fixture
def lunar_book(cli):
    early = {"AMKIT_TODAY": "2026-01-05"}
    assert cli("manager", "add", "张伟", extra_env=early).exit_code == 0
    assert cli("customer", "add", "中国银行", "--owner", "张伟", extra_env=early).exit_code == 0
    for name, birthday, lunar in (("李中秋", "08-15", True), ("王腊月", "1980-12-20", True),
                                  ("赵阳历", "08-15", False)):
        r = cli("contact", "add", "中国银行", name, "--birthday", birthday, *(["--lunar"] if lunar else []),
                extra_env=early)
        assert r.exit_code == 0, r.stderr
    return cli


def birthdays(cli, today: str) -> list[tuple[str, str]]:
    r = cli("remind", "-f", "json", extra_env={"AMKIT_TODAY": today})
    assert r.exit_code == 0, r.stderr
    return sorted((row["due"], row["reason"]) for row in r.json() if row["kind"] == "birthday")


def test_stored_as_given_with_the_lunar_flag(lunar_book, sql):
    assert sql("SELECT name, birthday, birthday_lunar FROM contacts ORDER BY id") == [
        ("李中秋", "08-15", 1), ("王腊月", "1980-12-20", 1), ("赵阳历", "08-15", 0)]


def test_lunar_birthday_on_its_solar_date_in_two_years(lunar_book):
    assert birthdays(lunar_book, "2026-09-20") == [("2026-09-25", "birthday of 李中秋 (lunar 8-15)")]
    assert birthdays(lunar_book, "2027-09-10") == [("2027-09-15", "birthday of 李中秋 (lunar 8-15)")]
    # a week before each date nothing is due yet; the solar 08-15 is due on 15 August
    assert birthdays(lunar_book, "2026-09-17") == []
    assert birthdays(lunar_book, "2027-09-07") == []
    assert birthdays(lunar_book, "2027-08-12") == [("2027-08-15", "birthday of 赵阳历")]


def test_lunar_year_straddles_the_solar_new_year(lunar_book):
    assert birthdays(lunar_book, "2027-01-25") == [("2027-01-27", "birthday of 王腊月 (lunar 12-20)")]


def test_lunar_birthday_reason_in_zh(lunar_book):
    r = lunar_book("remind", "-f", "json", extra_env={"AMKIT_TODAY": "2026-09-20", "AMKIT_LANG": "zh"})
    rows = [row for row in r.json() if row["kind"] == "birthday"]
    assert [(row["due"], row["customer"]) for row in rows] == [("2026-09-25", "中国银行")]
    assert "农历 8 月 15 日" in rows[0]["reason"]
