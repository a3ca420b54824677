"""`amkit calendar load|show` and plans on a year the package does not cover (issue 19), on both backends.

Worked out by hand (2027-01-01 is a Friday):
* January 2027: 21 weekdays; New Year Friday 01-01 off -> 20 (provisional and made-up notice alike).
* February: 20 weekdays. Provisional (the package's statutory days): eve Fri 02-05, day 3 Mon 02-08 and the
  observed Tue 02-09, Wed 02-10 off -> 16. Made-up notice: Fri 02-05 and Mon 02-08..Fri 02-12 off, Saturday
  02-20 worked -> 20 - 6 + 1 = 15.
* March: 23 weekdays, no holiday -> 23. Q1: 59 provisional, 58 on the notice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

NOTICES = Path(__file__).parent / "fixtures" / "notices"
WARNING = "provisional calendar for 2027: load the State Council notice with `amkit calendar load`"
DEC = {"AMKIT_TODAY": "2026-12-03"}


def ok(run, *args, **kw):  # noqa: ANN001, ANN202
    r = run(*args, **kw)
    assert r.exit_code == 0, (args, r.stdout, r.stderr)
    return r


@pytest.fixture
def goal(cli):  # noqa: ANN001, ANN201
    ok(cli, "manager", "add", "张伟")
    ok(cli, "goal", "set", "--period", "2027Q1", "--owner", "张伟", "--metric", "revenue", "--target", "590000")
    return cli


def plan(cli, by="month", **kw):  # noqa: ANN001, ANN202
    return ok(cli, "goal", "plan", "--period", "2027Q1", "--owner", "张伟", "--by", by, "-f", "json",
              extra_env=DEC, **kw)


def days_table(sql) -> list[tuple]:  # noqa: ANN001
    rows = sql("SELECT code, day, kind, name, source, notice_year FROM calendar_days ORDER BY day, source")
    return [(code, str(day)[:10], *rest) for code, day, *rest in rows]


def test_2027_plans_provisionally_then_follow_the_loaded_notice(goal, sql, sh, tmp_path):
    before = plan(goal)
    assert before.stderr.splitlines() == [WARNING]
    rows = before.json()
    assert [(r["bucket"], r["workdays"], r["target"], r["calendar"]) for r in rows] == [
        ("2027-01", 20, 200000, "provisional"), ("2027-02", 16, 160000, "provisional"),
        ("2027-03", 23, 230000, "provisional")]
    # February on the provisional calendar: the Spring Festival days off, from the package's statutory rules
    feb = ok(goal, "calendar", "show", "2027", "--month", "2", "-f", "json").json()
    assert [(d["date"], d["kind"], d["source"]) for d in feb] == [
        (f"2027-02-{n:02d}", "holiday", "provisional") for n in (5, 8, 9, 10)]
    assert all("Spring Festival" in d["name"] or "New Year's Eve" in d["name"] for d in feb)

    loaded = ok(goal, "calendar", "load", str(NOTICES / "2027_madeup.txt"), "-f", "json")
    assert len(loaded.json()) == 33 and "loaded 33 day(s) for 2027" in loaded.stderr
    assert len(days_table(sql)) == 33
    assert sql("SELECT count(*) FROM audit_log WHERE table_name = 'calendar_days' AND action = 'insert'") == [(33,)]

    after = plan(goal)
    # the first print after the load shows the remaining buckets old -> new (once: the next print is quiet)
    assert after.stderr.splitlines() == [
        "the calendar changed since this plan was last shown; remaining buckets, old -> new:",
        "  2027-01: workdays 20 -> 20, target 200000.00 -> 203448.27",
        "  2027-02: workdays 16 -> 15, target 160000.00 -> 152586.21",
        "  2027-03: workdays 23 -> 23, target 230000.00 -> 233965.52"]
    again = plan(goal)
    assert again.stderr == "" and again.stdout == after.stdout
    zh = ok(goal, "goal", "plan", "--period", "2027Q1", "--owner", "张伟", "--by", "week", extra_env={
        **DEC, "AMKIT_LANG": "zh"})
    assert zh.stderr == ""  # a week plan not printed before: nothing to compare
    rows = after.json()
    # 590000 × 20/58, 15/58, 23/58 = 203448.2758…, 152586.2068…, 233965.5172…: the floors to the cent
    # sum to 589999.98; the two cents go to the largest remainders (March .72, February .69 of a cent)
    assert [(r["bucket"], r["workdays"], r["target"]) for r in rows] == [
        ("2027-01", 20, 203448.27), ("2027-02", 15, 152586.21), ("2027-03", 23, 233965.52)]
    assert all("calendar" not in r for r in rows)
    assert round(sum(r["target"] for r in rows), 2) == 590000
    weeks = plan(goal, by="week").json()
    by_week = {r["bucket"]: r["workdays"] for r in weeks}
    # W53 of 2026 clipped to Fri 01-01..Sun 01-03: New Year only; W06 Mon 02-08..Sun 02-14 all off;
    # W07 02-15..02-21 five weekdays and Saturday 02-20
    assert (by_week["2026-W53"], by_week["2027-W05"], by_week["2027-W06"], by_week["2027-W07"]) == (0, 4, 0, 6)
    assert sum(by_week.values()) == 58
    assert round(sum(r["target"] for r in weeks), 2) == 590000 and round(sum(r["stretch"] for r in weeks), 2) == 885000

    # another user (another HOME and config) on the same database plans on the same days
    home = tmp_path / "other-home"
    home.mkdir()
    other = sh("goal", "plan", "--period", "2027Q1", "--owner", "张伟", "--by", "month", "-f", "json",
               extra_env={**DEC, "HOME": str(home), "AMKIT_CONFIG": str(home / "config.toml"),
                          "XDG_DATA_HOME": str(home / "data"), "AMKIT_USER": "someone-else"})
    assert (other.exit_code, other.stderr) == (0, "")
    assert other.json() == rows


def test_old_and_new_targets_only_for_buckets_not_over_yet(goal):
    ok(goal, "goal", "plan", "--period", "2027Q1", "--owner", "张伟", "--by", "month", extra_env={"AMKIT_LANG": "zh"})
    ok(goal, "calendar", "load", str(NOTICES / "2027_madeup.txt"))
    late = ok(goal, "goal", "plan", "--period", "2027Q1", "--owner", "张伟", "--by", "month",
              extra_env={"AMKIT_TODAY": "2027-02-01", "AMKIT_LANG": "zh"})
    assert late.stderr.splitlines() == [
        "自上次查看此分解以来日历已变化；剩余各期 旧 -> 新：",
        "  2027-02：工作日 16 -> 15，达标 160000.00 -> 152586.21",
        "  2027-03：工作日 23 -> 23，达标 230000.00 -> 233965.52"]


def test_progress_and_replan_mark_provisional_rows(goal):
    progress = ok(goal, "goal", "progress", "--period", "2027Q1", "--as-of", "2027-02-26", "-f", "json",
                  extra_env=DEC)
    assert WARNING in progress.stderr
    [row] = progress.json()
    # Jan 20 + Feb 16 provisional workdays elapsed of 59
    assert (row["workdays_elapsed"], row["workdays_total"], row["calendar"]) == (36, 59, "provisional")
    ok(goal, "calendar", "load", str(NOTICES / "2027_madeup.txt"))
    [row] = ok(goal, "goal", "progress", "--period", "2027Q1", "--as-of", "2027-02-26", "-f", "json").json()
    assert (row["workdays_elapsed"], row["workdays_total"]) == (35, 58) and "calendar" not in row


def test_contradicting_and_garbled_notices_change_nothing(cli, sql):
    audit = "SELECT count(*) FROM audit_log"
    n = sql(audit)
    bad = cli("calendar", "load", str(NOTICES / "2026_contradicting.txt"))
    assert bad.exit_code == 4
    assert bad.stderr.splitlines() == [
        "amkit: the notice for 2026 differs from the holidays package on 2 day(s); nothing stored "
        "(check the text, or load it with --replace)",
        "  2026-09-19  day off -> workday", "  2026-09-24  workday -> day off"]
    garbled = cli("calendar", "load", str(NOTICES / "2027_garbled.txt"))
    assert garbled.exit_code == 2 and garbled.stdout == ""
    assert garbled.stderr.startswith(f"amkit: invalid {NOTICES / '2027_garbled.txt'}:7 '二、春节：2月五日（农历除夕")
    assert garbled.stderr.rstrip().endswith("'12日' has no month")
    missing = cli("calendar", "load", str(NOTICES / "nope.txt"))
    assert missing.exit_code == 2 and "file not found" in missing.stderr
    assert days_table(sql) == [] and sql(audit) == n

    # the true 2026 notice agrees with the package: stored, and loading it again changes nothing
    ok(cli, "calendar", "load", str(NOTICES / "2026.txt"))
    stored = days_table(sql)
    assert len(stored) == 39 and {r[4] for r in stored} == {"notice"} and {r[5] for r in stored} == {2026}
    again = ok(cli, "calendar", "load", str(NOTICES / "2026.txt"))
    assert "already loaded: nothing changed for 2026" in again.stderr and days_table(sql) == stored
    # now it contradicts the loaded notice; --replace takes it, and 2026's Mid-Autumn week follows it
    again_bad = cli("calendar", "load", str(NOTICES / "2026_contradicting.txt"))
    assert again_bad.exit_code == 4 and "differs from the loaded notice on 2 day(s)" in again_bad.stderr
    assert days_table(sql) == stored
    ok(cli, "calendar", "load", str(NOTICES / "2026_contradicting.txt"), "--replace")
    week = ok(cli, "goal", "plan", "--period", "2026-09", "--target", "100", "--by", "week", "-f", "json").json()
    # W38 Mon 09-14..Sun 09-20: 5 weekdays + Sat 09-19 + Sun 09-20 (both worked now);
    # W39 09-21..09-27: Thu 09-24 and Fri 09-25 off -> 3
    assert {r["bucket"]: r["workdays"] for r in week}["2026-W38"] == 7
    assert {r["bucket"]: r["workdays"] for r in week}["2026-W39"] == 3


def test_dry_run_stores_nothing(cli, sql):
    r = ok(cli, "calendar", "load", str(NOTICES / "2027_madeup.txt"), "--dry-run")
    assert "2027-02-20  Sat      workday  Spring Festival" in r.stdout
    assert "nothing stored" in r.stderr and days_table(sql) == []


def test_company_days_from_csv_overlay_the_year(cli, sql, tmp_path):
    days = tmp_path / "company.csv"
    days.write_text("date,kind,name\n2026-12-24,holiday,年会\n2026-12-26,workday,年会补班\n", encoding="utf-8")
    ok(cli, "calendar", "load", str(days))
    assert days_table(sql) == [("CN", "2026-12-24", "holiday", "年会", "manual", None),
                               ("CN", "2026-12-26", "workday", "年会补班", "manual", None)]
    shown = ok(cli, "calendar", "show", "2026", "--month", "12", "-f", "json").json()
    assert shown == [{"date": "2026-12-24", "kind": "holiday", "name": "年会", "source": "manual"},
                     {"date": "2026-12-26", "kind": "workday", "name": "年会补班", "source": "manual"}]
    # W52 Mon 12-21..Sun 12-27: 5 weekdays - Thu 24 + Sat 26 = 5
    week = ok(cli, "goal", "plan", "--period", "2026-12", "--target", "10", "--by", "week", "-f", "json").json()
    assert {r["bucket"]: r["workdays"] for r in week}["2026-W52"] == 5


EN_OCT = """\
October 2026  (source: holidays package)
Mo   Tu   We   Th   Fr   Sa   Su
                1o   2o   3    4
 5o   6o   7o   8    9   10w  11
12   13   14   15   16   17   18
19   20   21   22   23   24   25
26   27   28   29   30   31"""

ZH_OCT = """\
2026年10月  (来源: holidays 包)
一   二   三   四   五   六   日
                1休  2休  3    4
 5休  6休  7休  8    9   10班 11
12   13   14   15   16   17   18
19   20   21   22   23   24   25
26   27   28   29   30   31"""


def test_show_in_english_and_chinese(cli):
    en = ok(cli, "calendar", "show", "2026", "--month", "10")
    assert en.stdout.startswith(EN_OCT + "\n")
    assert "  2026-10-01 Th  day off  National Day  [holidays package]" in en.stdout
    assert "  2026-10-10 Sa  workday  National Day (observed)  [holidays package]" in en.stdout
    assert en.stdout.rstrip().endswith("o = weekday off (holiday), w = weekend working day (make-up day, 调休)")
    zh = ok(cli, "calendar", "show", "2026", "--month", "10", extra_env={"AMKIT_LANG": "zh"})
    assert zh.stdout.startswith(ZH_OCT + "\n")
    assert "  2026-10-01 周四  休  国庆节  [holidays 包]" in zh.stdout
    assert zh.stdout.rstrip().endswith("休 = 工作日放假，班 = 周末调休上班")
    # a loaded notice: its names and source, in either language
    ok(cli, "calendar", "load", str(NOTICES / "2027_madeup.txt"))
    zh27 = ok(cli, "calendar", "show", "2027", "--month", "2", extra_env={"AMKIT_LANG": "zh"})
    assert zh27.stdout.startswith("2027年2月  (来源: 国务院通知)\n") and zh27.stderr == ""
    assert "  2027-02-20 周六  班  春节  [国务院通知]" in zh27.stdout
    en27 = ok(cli, "calendar", "show", "2027", "--month", "2", "-f", "json")
    assert en27.json()[-1] == {"date": "2027-02-20", "kind": "workday", "name": "Spring Festival", "source": "notice"}
    zh_json = ok(cli, "calendar", "show", "2027", "--month", "2", "-f", "json", extra_env={"AMKIT_LANG": "zh"})
    assert zh_json.json()[-1]["name"] == "春节"


def test_show_bad_input(cli):
    r = cli("calendar", "show", "2026", "--month", "13")
    assert (r.exit_code, r.stderr) == (2, "amkit: invalid --month 13: expected 1-12\n")
    r = cli("calendar", "show", "2000")
    assert r.exit_code == 2 and "no holiday data for 2000" in r.stderr
    zh = cli("calendar", "show", "2028", "--month", "1", extra_env={"AMKIT_LANG": "zh"})
    assert zh.exit_code == 0 and "2028 年为暂定日历" in zh.stderr


def test_load_from_stdin_html_and_toml_and_conflict_in_chinese(cli, sql, tmp_path):
    text = (NOTICES / "2026_contradicting.txt").read_text(encoding="utf-8")
    zh = cli("calendar", "load", "-", input=text, extra_env={"AMKIT_LANG": "zh"})
    assert zh.exit_code == 4
    assert zh.stderr.splitlines()[0] == ("amkit: 2026 年的通知与 holidays 包 有 2 天不一致；未保存"
                                         "（请核对原文，或加 --replace 导入）")
    assert days_table(sql) == []
    page = tmp_path / "notice.html"
    body = "".join(f"<p>{line}</p>" for line in (NOTICES / "2027_madeup.txt").read_text(encoding="utf-8").splitlines())
    page.write_text(f"<html><body>{body}</body></html>", encoding="gb18030")  # a page saved by an old browser
    ok(cli, "calendar", "load", str(page))
    assert len(days_table(sql)) == 33
    company = tmp_path / "days.toml"
    company.write_text('[[day]]\ndate = 2027-02-19\nkind = "holiday"\nname = "公司春节加休"\n', encoding="utf-8")
    ok(cli, "calendar", "load", str(company))
    feb = ok(cli, "calendar", "show", "2027", "--month", "2", "-f", "json").json()
    assert {"date": "2027-02-19", "kind": "holiday", "name": "公司春节加休", "source": "manual"} in feb
    month = ok(cli, "goal", "plan", "--period", "2027-02", "--target", "14", "--by", "month", "-f", "json").json()
    assert month[0]["workdays"] == 14  # the notice's 15 less the company's Friday


def test_review_marks_provisional_goal_rows_until_the_notice_is_loaded(goal):
    doc = ok(goal, "review", "--period", "2027-01", "-f", "json", extra_env={"AMKIT_TODAY": "2027-01-20"})
    assert doc.json()["goals_period"] == "2027-01"  # the month's share of the quarter goal (#24)
    assert [g["calendar"] for g in doc.json()["goals"]] == ["provisional"] and WARNING in doc.stderr
    ok(goal, "calendar", "load", str(NOTICES / "2027_madeup.txt"))
    doc = ok(goal, "review", "--period", "2027-01", "-f", "json", extra_env={"AMKIT_TODAY": "2027-01-20"})
    assert all("calendar" not in g for g in doc.json()["goals"]) and WARNING not in doc.stderr


def test_score_card_month_targets_follow_the_loaded_notice(goal):
    """A month without its own goal takes its workday share of the quarter goal (#24) from the
    same calendar as goal plan: provisional first, the notice's once loaded."""
    def target() -> float:
        card = ok(goal, "score", "card", "--period", "2027-02", "-f", "json", extra_env={"AMKIT_TODAY": "2027-02-20"})
        (row,) = card.json()
        assert row["target_source"] == "plan"
        return float(row["target"])

    assert target() == 160000.00  # provisional: 590000 × 16/59 workdays
    ok(goal, "calendar", "load", str(NOTICES / "2027_madeup.txt"))
    assert target() == 152586.21  # the notice: 590000 × 15/58, floored to the cent as goal plan does
