"""The lifecycle derived from all activity, dated when it became true (SPEC §2).

Pure rule (amkit.core.lifecycle) on hand-worked dates, then the issue's scenarios through
the CLI on both backends: a customer who signed 5 days ago is not dormant anywhere, a
customer silent since 2026-08-20 shows in the 2026W47 review dated 2026-11-18 with remind
never run, and manual stage changes stay stored events.
"""

from __future__ import annotations

from datetime import date

import pytest

from amkit.core.lifecycle import Event, days_of, moves_in, stage_on
from amkit.errors import BadInput

D = date


# ---------------------------------------------------------------- the pure rule

def test_dormant_on_the_day_dormant_days_after_the_last_activity():
    anchor = D(2026, 8, 20)
    assert stage_on(D(2026, 11, 17), "active", anchor, None, 90, 180)[:2] == ("active", None)
    assert stage_on(D(2026, 11, 18), "active", anchor, None, 90, 180)[:2] == ("dormant", D(2026, 11, 18))
    assert stage_on(D(2027, 2, 15), "lead", anchor, None, 90, 180)[:2] == ("dormant", D(2026, 11, 18))
    # 2026-08-20 + 180 days = 2027-02-16
    assert stage_on(D(2027, 2, 16), "active", anchor, None, 90, 180)[:2] == ("churned", D(2027, 2, 16))


def test_stored_stage_is_the_base_and_manual_changes_hold_until_the_next_activity():
    anchor = D(2026, 11, 1)
    assert stage_on(D(2026, 11, 23), "prospect", anchor, None, 90, 180)[0] == "prospect"
    manual = Event(D(2026, 11, 10), "churned", "公司倒闭")
    assert stage_on(D(2026, 11, 23), "churned", anchor, manual, 90, 180) == ("churned", D(2026, 11, 10), "公司倒闭")
    # activity after the manual change: it no longer holds
    assert stage_on(D(2026, 11, 23), "churned", D(2026, 11, 15), manual, 90, 180)[0] == "active"
    # a reactivation written by a follow-up is an event too
    back = Event(D(2026, 11, 15), "active", "follow-up")
    assert stage_on(D(2026, 11, 23), "active", D(2026, 11, 15), back, 90, 180)[0] == "active"


def test_moves_in_a_window_from_gaps_of_silence():
    days = [D(2026, 5, 1), D(2026, 8, 20), D(2026, 11, 20)]
    # 05-01 + 90 = 07-30 is before the window; 08-20 + 90 = 11-18 is in it, but 11-20 ends the gap
    # after it (11-20 > 11-18), so the dormancy happened, on 11-18
    got = moves_in(D(2026, 11, 16), D(2026, 11, 22), days, [], 90, 180)
    assert got == [(D(2026, 11, 18), "active", "dormant", "no activity for 90 days since 2026-08-20")]
    # activity on 11-18 itself: never dormant
    assert moves_in(D(2026, 11, 16), D(2026, 11, 22), [D(2026, 8, 20), D(2026, 11, 18)], [], 90, 180) == []
    # churn 180 days after the last activity, from dormant
    assert moves_in(D(2027, 2, 15), D(2027, 2, 21), [D(2026, 8, 20)], [], 90, 180) == [
        (D(2027, 2, 16), "dormant", "churned", "no activity for 180 days since 2026-08-20")]
    # a manual churn since the last activity: no derived dormancy after it
    held = [Event(D(2026, 10, 1), "churned", "倒闭")]
    assert moves_in(D(2026, 11, 16), D(2026, 11, 22), [D(2026, 8, 20)], held, 90, 180) == []


def test_lifecycle_days_validated():
    assert days_of({}) == (90, 180)
    assert days_of({"lifecycle": {"dormant_days": "30", "churn_days": 60}}) == (30, 60)
    with pytest.raises(BadInput, match="lifecycle.churn_days"):
        days_of({"lifecycle": {"dormant_days": 90, "churn_days": 90}})


# ---------------------------------------------------------------- through the CLI

TODAY = D(2026, 11, 23)  # conftest's AMKIT_TODAY


def _seed(cli, tmp_path, rows):  # noqa: ANN001, ANN202
    path = tmp_path / "c.csv"
    path.write_text("name,owner,tier,created_at\n" + "".join(f"{n},张伟,B,{c}\n" for n, c in rows), encoding="utf-8")
    r = cli("import", "customers", str(path), "--create-missing")
    assert r.exit_code == 0, r.stderr


def test_a_customer_who_signed_five_days_ago_is_not_dormant_anywhere(cli, tmp_path):
    # last follow-up 2026-05-01 (206 days ago: churned by follow-ups alone), a ¥500,000 deal
    # created and won 2026-11-18 (5 days ago)
    _seed(cli, tmp_path, [("大客户", "2026-01-05")])
    assert cli("followup", "log", "大客户", "--channel", "visit", "--summary", "拜访", "--at", "2026-05-01").exit_code == 0
    r = cli("deal", "add", "大客户", "--amount", "500000", "--stage", "won", "--created", "2026-11-18")
    assert r.exit_code == 0, r.stderr
    remind = cli("remind", "-f", "json", "--within", "30d").json()
    assert [x for x in remind if x["customer"] == "大客户" and x["kind"] in ("dormant",)] == []
    # cadence still counts from the last follow-up (contact), B = 14 days: due 05-15
    cadence = [x for x in remind if x["customer"] == "大客户" and x["kind"] == "cadence"]
    assert [(x["due"], x["days_overdue"]) for x in cadence] == [("2026-05-15", (TODAY - D(2026, 5, 15)).days)]
    show = cli("customer", "show", "大客户", "-f", "json").json()
    assert show["lifecycle"] == "active"
    listed = cli("customer", "list", "-f", "json").json()
    assert [c["lifecycle"] for c in listed if c["name"] == "大客户"] == ["active"]
    review = cli("review", "--period", "2026-11", "-f", "json").json()
    assert [m for m in review["lifecycle"] if m["customer"] == "大客户"] == []


def test_silent_since_august_20_shows_in_the_w47_review_dated_november_18(cli, tmp_path, sql):
    _seed(cli, tmp_path, [("沉默客户", "2026-03-01"), ("活跃客户", "2026-03-01")])
    assert cli("followup", "log", "沉默客户", "--channel", "call", "--summary", "回访", "--at", "2026-08-20").exit_code == 0
    assert cli("followup", "log", "活跃客户", "--channel", "call", "--summary", "回访", "--at", "2026-11-01").exit_code == 0
    r = cli("review", "--period", "2026W47", "-f", "json")
    assert r.exit_code == 0, r.stderr
    moves = [(m["customer"], str(m["on"]), m["new"]) for m in r.json()["lifecycle"]]
    assert moves == [("沉默客户", "2026-11-18", "dormant")]  # 2026-08-20 + 90 days
    assert sql("SELECT count(*) FROM lifecycle_history") == [(0,)]  # nothing was written, remind never ran
    # the week before: not yet
    assert cli("review", "--period", "2026W46", "-f", "json").json()["lifecycle"] == []


def test_any_activity_counts_payment_survey_complaint(cli, tmp_path):
    _seed(cli, tmp_path, [("付款客户", "2026-01-01"), ("调研客户", "2026-01-01"), ("投诉客户", "2026-01-01"),
                          ("安静客户", "2026-01-01")])
    r = cli("deal", "add", "付款客户", "--amount", "1000", "--stage", "won", "--created", "2026-01-10", "-f", "json")
    assert r.exit_code == 0, r.stderr
    deal = r.json()["id"]
    assert cli("payment", "add", str(deal), "500", "--date", "2026-10-01").exit_code == 0
    assert cli("survey", "add", "调研客户", "--score", "4", "--date", "2026-10-01").exit_code == 0
    r = cli("complaint", "add", "投诉客户", "发票错误", "--opened", "2026-10-01")
    assert r.exit_code == 0, r.stderr
    stages = {c["name"]: c["lifecycle"] for c in cli("customer", "list", "-f", "json").json()}
    # 付款客户's deal was created 2026-01-10, 317 days ago, but it paid on 10-01 (53 days ago)
    assert stages == {"付款客户": "active", "调研客户": "active", "投诉客户": "active", "安静客户": "churned"}
    dormant = {x["customer"] for x in cli("remind", "-f", "json").json() if x["kind"] == "dormant"}
    assert dormant == set()  # 安静客户 is past churn_days: churned, no reminder


def test_manual_stage_change_stays_a_stored_event(cli, tmp_path):
    _seed(cli, tmp_path, [("倒闭客户", "2026-01-01")])
    assert cli("followup", "log", "倒闭客户", "--channel", "call", "--summary", "回访", "--at", "2026-11-10").exit_code == 0
    r = cli("customer", "edit", "倒闭客户", "--stage", "churned", "--reason", "公司注销")
    assert r.exit_code == 0, r.stderr
    assert cli("customer", "show", "倒闭客户", "-f", "json").json()["lifecycle"] == "churned"
    review = cli("review", "--period", "2026-11", "-f", "json").json()
    assert [(m["customer"], str(m["on"]), m["new"], m["reason"]) for m in review["lifecycle"]] == [
        ("倒闭客户", TODAY.isoformat(), "churned", "公司注销")]


def test_tier_rules_see_the_derived_stage(cli, tmp_path):
    _seed(cli, tmp_path, [("沉默客户", "2026-03-01"), ("活跃客户", "2026-03-01")])
    assert cli("followup", "log", "沉默客户", "--channel", "call", "--summary", "回访", "--at", "2026-08-20").exit_code == 0
    assert cli("followup", "log", "活跃客户", "--channel", "call", "--summary", "回访", "--at", "2026-11-20").exit_code == 0
    rules = tmp_path / "rules.toml"
    rules.write_text('default = "B"\n[[rule]]\ntier = "C"\nlifecycle = ["dormant", "churned"]\n', encoding="utf-8")
    r = cli("tier", "run", "--method", "rules", "--rules", str(rules), "--dry-run", "-f", "json")
    assert r.exit_code == 0, r.stderr
    assert {row["customer"]: row["tier"] for row in r.json()} == {"沉默客户": "C", "活跃客户": "B"}
