"""`amkit remind` through the CLI: rows worked out by hand for today = 2026-11-23.

Seed (created_at set by import so the day counts are known):
  张伟: 中国银行 (A, created 2026-01-01, last call 2026-11-13: 10 days, cadence 7 -> due 11-20,
        overdue 3; contact 李明 born 11-25), 招商证券 (B, created 2026-10-01, never contacted:
        53 days, cadence 14 -> due 10-15, overdue 39).
  李娜: Acme Ltd (C, last follow-up 2026-08-01: 114 days -> dormant, due 08-01 + 90 = 10-30,
        overdue 24), 老客户 (created 2025-01-01, never contacted: 691 days -> churned, no reminder),
        Globex (C, called 2026-11-20, next action due 2026-11-26: in 3 days).
"""

from __future__ import annotations

import json

import os
import subprocess
import sys
from pathlib import Path

from test_notify import Hook

ROOT = Path(__file__).resolve().parents[1]

ZHANG = [
    {"kind": "cadence", "customer": "招商证券", "owner": "张伟", "due": "2026-10-15", "days_overdue": 39,
     "reason": "tier B cadence 14d, 53d since creation"},
    {"kind": "cadence", "customer": "中国银行", "owner": "张伟", "due": "2026-11-20", "days_overdue": 3,
     "reason": "tier A cadence 7d, 10d since last follow-up"},
    {"kind": "birthday", "customer": "中国银行", "owner": "张伟", "due": "2026-11-25", "days_overdue": -2,
     "reason": "birthday of 李明"},
]
LI = [
    {"kind": "dormant", "customer": "Acme Ltd", "owner": "李娜", "due": "2026-10-30", "days_overdue": 24,
     "reason": "no activity for 114d, last on 2026-08-01 (dormant after 90d)"},
    {"kind": "next_action", "customer": "Globex", "owner": "李娜", "due": "2026-11-26", "days_overdue": -3,
     "reason": "next action: send the contract"},
]


def seed(cli, tmp_path):  # noqa: ANN001, ANN201
    path = tmp_path / "customers.csv"
    path.write_text("name,owner,tier,created_at\n中国银行,张伟,A,2026-01-01\n招商证券,张伟,B,2026-10-01\n"
                    "Acme Ltd,李娜,C,2026-01-01\n老客户,李娜,C,2025-01-01\nGlobex,李娜,C,2026-01-01\n",
                    encoding="utf-8")
    assert cli("import", "customers", str(path), "--create-missing").exit_code == 0
    assert cli("contact", "add", "中国银行", "李明", "--birthday", "1980-11-25").exit_code == 0
    for args in (["中国银行", "--channel", "call", "--summary", "续约", "--at", "2026-11-13"],
                 ["Acme", "--channel", "visit", "--summary", "拜访", "--at", "2026-08-01"],
                 ["Globex", "--channel", "call", "--summary", "quote", "--at", "2026-11-20",
                  "--next", "send the contract", "--next-date", "2026-11-26"]):
        r = cli("followup", "log", *args)
        assert r.exit_code == 0, r.stderr


def rows(cli, *args):  # noqa: ANN001, ANN201
    r = cli("remind", *args, "-f", "json")
    assert r.exit_code == 0, r.stderr
    return r.json()


def test_json_rows_by_hand(cli, tmp_path):
    seed(cli, tmp_path)
    assert rows(cli) == ZHANG + LI
    assert rows(cli, "--owner", "李娜") == LI


def test_a_call_logged_yesterday_clears_the_a_tier_reminder(cli, tmp_path):
    seed(cli, tmp_path)
    assert ZHANG[1] in rows(cli)
    assert cli("followup", "log", "中国银行", "--channel", "电话", "--summary", "回访",
               "--at", "2026-11-22 16:00").exit_code == 0
    assert rows(cli, "--owner", "张伟") == [ZHANG[0], ZHANG[2]]


def test_never_contacted_counts_from_creation(cli, tmp_path):
    seed(cli, tmp_path)
    # 招商证券 was created 2026-10-01; with --as-of 2026-10-14 it is 13 days old: not yet due (B = 14)
    assert [r["customer"] for r in rows(cli, "--as-of", "2026-10-14", "--owner", "张伟")
            if r["kind"] == "cadence"] == []
    late = [r for r in rows(cli, "--as-of", "2026-10-15", "--owner", "张伟") if r["customer"] == "招商证券"]
    assert late == [{**ZHANG[0], "days_overdue": 0, "reason": "tier B cadence 14d, 14d since creation"}]


def test_remind_is_a_read_and_leaves_the_database_byte_for_byte_unchanged(cli, tmp_path, sql, env):
    """Dormancy is derived, never written: remind (today's run included) changes no row, and
    on SQLite not one byte of the file (a dump before and after on PostgreSQL)."""
    seed(cli, tmp_path)

    def dump():  # noqa: ANN202
        tables = [t for (t,) in sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                    "'%fts%' ORDER BY name")] if "AMKIT_DB" in env else \
            [t for (t,) in sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {t: sorted(map(repr, sql(f'SELECT * FROM "{t}"'))) for t in tables}

    before = dump()
    raw_before = Path(env["AMKIT_DB"]).read_bytes() if "AMKIT_DB" in env else None
    for args in ([], ["--as-of", "2026-11-20"], ["-f", "json"], ["-f", "ics"], ["--check"]):
        r = cli("remind", *args)
        assert r.exit_code in (0, 10), r.stderr
        assert "moved to" not in r.stderr
    assert dump() == before
    if raw_before is not None:
        assert Path(env["AMKIT_DB"]).read_bytes() == raw_before
    assert sql("SELECT count(*) FROM lifecycle_history") == [(0,)]
    # the derived stages are shown nonetheless: Acme silent since 08-01 (114 days), 老客户 never
    # contacted since its creation on 2025-01-01 (691 days)
    shown = {r["name"]: r["lifecycle"] for r in cli("customer", "list", "-f", "json").json()}
    assert shown["Acme Ltd"] == "dormant" and shown["老客户"] == "churned" and shown["中国银行"] == "active"


def test_check_exits_10_after_printing_and_0_when_nothing_is_due(cli, tmp_path):
    seed(cli, tmp_path)
    r = cli("remind", "--check")
    assert r.exit_code == 10
    assert r.stdout.startswith("== 张伟 (3) ==") and "== 李娜 (2) ==" in r.stdout
    assert r.stderr.strip().splitlines()[-1] == "amkit: 5 reminder(s) due"
    # only a holiday in the window (context, not due): exit 0
    quiet = cli("remind", "--check", "--as-of", "2026-09-28", "--owner", "张伟")
    assert quiet.exit_code == 0, quiet.stderr
    assert "National Day 2026-10-01" in quiet.stdout


def test_text_digest_and_empty_digest(cli, tmp_path):
    assert cli("manager", "add", "张伟").exit_code == 0
    empty = cli("remind", "--check")
    assert (empty.exit_code, empty.stdout) == (0, "Nothing due.\n")
    seed(cli, tmp_path)
    text = cli("remind", "--owner", "张伟").stdout
    assert cli("remind", "--owner", "张伟", "-f", "table").stdout == text
    assert text.splitlines() == [
        "== 张伟 (3) ==",
        "  2026-10-15  overdue 39d  cadence   招商证券  tier B cadence 14d, 53d since creation",
        "  2026-11-20  overdue 3d   cadence   中国银行  tier A cadence 7d, 10d since last follow-up",
        "  2026-11-25  in 2d        birthday  中国银行  birthday of 李明"]


def test_holidays_in_the_window_in_english_and_chinese(cli, tmp_path):
    seed(cli, tmp_path)
    holiday = [r for r in rows(cli, "--as-of", "2026-09-28") if r["kind"] == "holiday"]
    assert holiday == [{"kind": "holiday", "customer": None, "owner": owner, "due": "2026-10-01",
                        "days_overdue": -3, "reason": "National Day 2026-10-01 – 2026-10-05"}
                       for owner in ("张伟", "李娜")]
    zh = cli("remind", "--as-of", "2026-09-28", "--within", "2w", "--owner", "张伟", extra_env={"AMKIT_LANG": "zh"})
    assert "国庆节 2026-10-01 – 2026-10-07" in zh.stdout and "3 天后" in zh.stdout
    # a window reaching into a year the holidays package does not cover (2027): its statutory New Year
    # from the provisional calendar, marked so; after `calendar load`, the notice's days (issue 19)
    far = cli("remind", "--within", "60d", "--owner", "张伟", "-f", "json")
    assert far.exit_code == 0
    assert [r["reason"] for r in far.json() if r["kind"] == "holiday"] == [
        "New Year's Day (provisional) 2027-01-01 – 2027-01-01"]
    zh_far = cli("remind", "--within", "60d", "--owner", "张伟", extra_env={"AMKIT_LANG": "zh"})
    assert "元旦（暂定） 2027-01-01 – 2027-01-01" in zh_far.stdout
    notice = Path(__file__).parent / "fixtures" / "notices" / "2027_madeup.txt"
    assert cli("calendar", "load", str(notice)).exit_code == 0
    loaded = [r for r in cli("remind", "--within", "60d", "--owner", "张伟", "-f", "json").json()
              if r["kind"] == "holiday"]
    assert [(r["due"], r["reason"]) for r in loaded] == [("2027-01-01", "New Year's Day 2027-01-01 – 2027-01-03")]
    zh_loaded = cli("remind", "--within", "60d", "--owner", "张伟", extra_env={"AMKIT_LANG": "zh"})
    assert "元旦 2027-01-01 – 2027-01-03" in zh_loaded.stdout


def test_csv_ics_and_output_file(cli, tmp_path):
    from icalendar import Calendar

    seed(cli, tmp_path)
    csv_text = cli("remind", "-f", "csv").stdout.splitlines()
    assert csv_text[0] == "kind,customer,owner,due,days_overdue,reason"
    assert csv_text[1] == "cadence,招商证券,张伟,2026-10-15,39,\"tier B cadence 14d, 53d since creation\""
    out = tmp_path / "r.ics"
    r = cli("remind", "-f", "ics", "-o", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    cal = Calendar.from_ical(out.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == 5 and len({str(e["UID"]) for e in events}) == 5
    starts = [(str(e["SUMMARY"]).split("]")[0], e.decoded("DTSTART").isoformat()) for e in events]
    # overdue reminders sit on today, upcoming ones on their day
    assert starts == [("[cadence", "2026-11-23"), ("[cadence", "2026-11-23"), ("[birthday", "2026-11-25"),
                      ("[dormant", "2026-11-23"), ("[next_action", "2026-11-26")]


def test_no_tty_no_colour_no_prompt_under_a_bare_environment(env, cli, tmp_path):
    seed(cli, tmp_path)
    bare = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AMKIT_TODAY": env["AMKIT_TODAY"],
            "AMKIT_CONFIG": env["AMKIT_CONFIG"],
            **{k: env[k] for k in ("AMKIT_DB", "AMKIT_DATABASE_URL") if k in env}}
    proc = subprocess.run([sys.executable, "-m", "amkit", "remind"], env=bare, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr
    assert proc.stdout.startswith("== 张伟 (3) ==\n  2026-10-15  overdue 39d")
    assert "?" not in proc.stdout + proc.stderr  # nothing asked
    json_proc = subprocess.run([sys.executable, "-m", "amkit", "remind", "-f", "json", "--check"], env=bare,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert json_proc.returncode == 10 and "\x1b" not in json_proc.stdout


def test_wecom_posts_one_markdown_digest_per_owner(cli, tmp_path):
    seed(cli, tmp_path)
    with Hook() as hook:
        r = cli("remind", "--notify", hook.url, "--via", "wecom")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("== 张伟 (3) ==")  # the digest is still printed
    assert "posted 2 digest(s)" in r.stderr
    bodies = [req["json"] for req in hook.requests]
    assert [b["msgtype"] for b in bodies] == ["markdown", "markdown"]
    zhang, li = (b["markdown"]["content"].splitlines() for b in bodies)
    assert zhang[0] == "### amkit reminders 2026-11-23 · 张伟"
    assert zhang[1:] == ['- <font color="warning">overdue 39d</font> 2026-10-15 cadence 招商证券: tier B cadence 14d, '
                         '53d since creation',
                         '- <font color="warning">overdue 3d</font> 2026-11-20 cadence 中国银行: tier A cadence 7d, '
                         '10d since last follow-up',
                         '- <font color="comment">in 2d</font> 2026-11-25 birthday 中国银行: birthday of 李明']
    assert li[0] == "### amkit reminders 2026-11-23 · 李娜" and len(li) == 3


def test_generic_and_feishu_bodies(cli, tmp_path):
    seed(cli, tmp_path)
    with Hook(default=(200, "ok")) as hook:
        assert cli("remind", "--notify", hook.url, "--owner", "李娜").exit_code == 0  # --via defaults to generic
    assert [req["json"] for req in hook.requests] == [
        {"owner": "李娜", "title": "amkit reminders 2026-11-23 · 李娜", "count": 2, "reminders": LI}]
    with Hook(default=(200, '{"code": 0}')) as hook:
        assert cli("remind", "--notify", hook.url, "--via", "feishu", "--owner", "李娜").exit_code == 0
    card = hook.requests[0]["json"]
    assert card["msg_type"] == "interactive"
    assert card["card"]["header"]["title"]["content"] == "amkit reminders 2026-11-23 · 李娜"
    assert card["card"]["elements"][0]["text"]["content"].splitlines() == [
        "- **overdue 24d** 2026-10-30 dormant Acme Ltd: no activity for 114d, last on 2026-08-01 (dormant after 90d)",
        "- **in 3d** 2026-11-26 next_action Globex: next action: send the contract"]


def test_failing_webhook_exits_5_with_one_line_and_the_digest_printed(cli, tmp_path):
    seed(cli, tmp_path)
    with Hook(default=(400, '{"error": "bad token"}')) as hook:
        r = cli("remind", "--notify", hook.url, "--via", "slack", "--check")
    assert r.exit_code == 5
    assert r.stdout.startswith("== 张伟 (3) ==") and "== 李娜 (2) ==" in r.stdout
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("amkit: 2 of 2 webhook digests failed: webhook 127.0.0.1:")
    assert "HTTP 400" in lines[-1] and "SECRET" not in r.stderr
    assert len(hook.requests) == 2  # one try each: a 4xx is not retried
    # nobody listening: retried (notify.retries), then exit 5
    cli("config", "set", "notify.backoff", "0.01")
    cli("config", "set", "notify.retries", "1")
    down = cli("remind", "--notify", "http://127.0.0.1:9/hook", "--via", "dingtalk")
    assert down.exit_code == 5 and "failed after 2 tries" in down.stderr
    assert down.stdout.startswith("== 张伟 (3) ==")


def test_snooze_mutes_cadence_but_not_next_actions_or_birthdays(cli, tmp_path, sql):
    seed(cli, tmp_path)
    cli("followup", "log", "中国银行", "--channel", "call", "--summary", "x", "--at", "2026-11-13",
        "--next", "送合同", "--next-date", "2026-11-24")
    r = cli("remind", "--snooze", "zgyh", "--until", "2026-12-01")
    assert r.exit_code == 0
    assert r.stdout == "snoozed 中国银行 until 2026-12-01: no cadence or dormant reminders until then\n"
    assert sql("SELECT snoozed_until FROM customers WHERE name = '中国银行'") == [("2026-12-01",)]
    audited = sql("SELECT before, after FROM audit_log WHERE table_name = 'customers' AND action = 'update'")
    assert [(json.loads(b), json.loads(a)) for b, a in audited] == [({"snoozed_until": None},
                                                                     {"snoozed_until": "2026-12-01"})]
    kinds = [(x["kind"], x["customer"]) for x in rows(cli, "--owner", "张伟")]
    assert kinds == [("cadence", "招商证券"), ("next_action", "中国银行"), ("birthday", "中国银行")]
    # after the snooze ends the cadence reminder is back
    assert ("cadence", "中国银行") in [(x["kind"], x["customer"]) for x in rows(cli, "--as-of", "2026-12-02")]


def test_bad_inputs_exit_2_or_3_and_write_nothing(cli, tmp_path, sql):
    seed(cli, tmp_path)

    def state():  # noqa: ANN202
        return sql("SELECT count(*) FROM audit_log")[0][0], sql("SELECT count(*) FROM lifecycle_history")[0][0]

    before = state()
    cases = [
        (["--within", "soon"], 2, "--within"), (["--within", "400d"], 2, "--within"),
        (["--as-of", "2026-02-30"], 2, "--as-of"), (["--owner", "王五"], 3, "王五"),
        (["-f", "yaml"], 2, "yaml"), (["--notify", "ftp://example.com/x"], 2, "--notify"),
        (["--via", "wecom"], 2, "--via"), (["--notify", "http://127.0.0.1:9/x", "--via", "qq"], 2, "qq"),
        (["--snooze", "中国银行"], 2, "--until"), (["--snooze", "中国银行", "--until", "2026-11-01"], 2, "--until"),
        (["--snooze", "中国银行", "--until", "someday"], 2, "someday"),
        (["--snooze", "不存在", "--until", "2026-12-01"], 3, "不存在"),
    ]
    for args, code, word in cases:
        r = cli("remind", *args)
        assert r.exit_code == code, (args, r.exit_code, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("amkit: ") and word in lines[0], (args, r.stderr)
        assert r.stdout == ""
    assert state() == before
    r = cli("config", "set", "notify.retries", "many")  # refused when set (issue 25), not when used
    assert r.exit_code == 2 and "notify.retries" in r.stderr and state() == before


def test_demo_shows_every_kind(cli, tmp_path):
    demo = tmp_path / "demo.db"
    assert cli("--db", str(demo), "demo").exit_code == 0
    r = cli("--db", str(demo), "remind", "-f", "json")
    assert r.exit_code == 0 and "moved to" not in r.stderr
    kinds = {x["kind"] for x in r.json()}
    assert kinds == {"next_action", "cadence", "dormant", "birthday", "renewal", "receivable", "stalled"}
    overdue = [x for x in r.json() if x["kind"] == "next_action" and x["days_overdue"] > 0]
    upcoming = [x for x in r.json() if x["kind"] == "next_action" and x["days_overdue"] < 0]
    assert overdue and upcoming
    earlier = cli("--db", str(demo), "remind", "--as-of", "2026-09-28", "-f", "json").json()
    assert "holiday" in {x["kind"] for x in earlier}
    assert cli("--db", str(demo), "followup", "search", "续约", "-f", "json").json()


def test_birthdays_solar_feb_29_and_lunar_through_the_sql_prefilter(cli):
    assert cli("manager", "add", "张伟").exit_code == 0
    assert cli("customer", "add", "中国银行", "--owner", "张伟").exit_code == 0
    for name, birthday, lunar in (("闰年生", "2000-02-29", []), ("农历生", "10-17", ["--lunar"]),
                                  ("农历远", "03-01", ["--lunar"]), ("阳历远", "06-01", [])):
        assert cli("contact", "add", "中国银行", name, "--birthday", birthday, *lunar).exit_code == 0

    def birthdays(*args):  # noqa: ANN001, ANN202
        return [(r["due"], r["reason"]) for r in rows(cli, *args) if r["kind"] == "birthday"]

    # lunar 10-15 of 2026 is 2026-11-23 (lunardate), so lunar 10-17 falls on 2026-11-25
    assert birthdays() == [("2026-11-25", "birthday of 农历生 (lunar 10-17)")]
    # 2027 is not a leap year: a Feb 29 birthday is kept on Feb 28
    assert birthdays("--as-of", "2027-02-25") == [("2027-02-28", "birthday of 闰年生")]
    assert birthdays("--as-of", "2028-02-25") == [("2028-02-29", "birthday of 闰年生")]
    assert birthdays("--as-of", "2027-05-01", "--within", "30d") == []  # 1m = 30 days: to 05-31
    assert ("2027-06-01", "birthday of 阳历远") in birthdays("--as-of", "2027-05-01", "--within", "31d")
