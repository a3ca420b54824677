"""Issue 23: `remind --notify` and `review --notify` through the real CLI to a real local HTTP
server, in the form each chat app renders: size limits, no tables, splitting with nothing
dropped, @-mentions; and the language under cron (LANG=C, `config set language zh`)."""

from __future__ import annotations

import pytest

from test_notify import Hook

OLD = {"AMKIT_TODAY": "2026-10-01"}  # 53 days before today: past the C cadence (30), not dormant (90)
N = 90
MOBILE = "13800138000"


@pytest.fixture
def due(cli, tmp_path):  # noqa: ANN001, ANN201
    """张伟 (WeCom userid zhangwei, mobile) owns N customers created long ago, never followed up:
    all N are past their tier C cadence today (2026-11-23)."""
    r = cli("manager", "add", "张伟", "--mobile", MOBILE, "--wecom-userid", "zhangwei", extra_env=OLD)
    assert r.exit_code == 0, r.stderr
    assert cli("manager", "add", "李娜", extra_env=OLD).exit_code == 0
    src = tmp_path / "customers.csv"
    names = [f"华东区域重点客户{i:03d}有限责任公司" for i in range(N)]
    src.write_text("name,owner\n" + "".join(f"{n},张伟\n" for n in names) + "西南客户,李娜\n", encoding="utf-8")
    r = cli("import", "customers", src, extra_env=OLD)
    assert r.exit_code == 0, r.stderr
    return names


def _wecom_texts(hook: Hook) -> list[str]:
    return [r["json"]["markdown"]["content"] for r in hook.requests if r["json"]["msgtype"] == "markdown"]


def test_wecom_digest_split_within_4096_bytes_all_due_arrive_mention(cli, due):
    with Hook() as hook:
        r = cli("remind", "--notify", hook.url, "--via", "wecom")
    assert r.exit_code == 0, r.stderr
    texts = _wecom_texts(hook)
    mine = [t for t in texts if t.startswith("### amkit reminders 2026-11-23 · 张伟")]
    n = len(mine)
    assert n >= 2
    for i, text in enumerate(mine, start=1):
        assert len(text.encode("utf-8")) <= 4096
        assert not any(line.lstrip().startswith("|") for line in text.splitlines())  # no table lines
        assert text.splitlines()[0] == f"### amkit reminders 2026-11-23 · 张伟 ({i}/{n})"
    arrived = [name for text in mine for name in due if f" {name}:" in text]
    assert arrived == due  # every due customer, in order, exactly once
    assert mine[0].splitlines()[1] == "<@zhangwei>"  # the manager is @-mentioned in their own digest
    other = [t for t in texts if "李娜" in t.splitlines()[0]]
    assert len(other) == 1 and "<@" not in other[0] and "西南客户" in other[0]


def test_dingtalk_sets_at_mobiles_and_mentions_in_the_text(cli, due):
    with Hook() as hook:
        r = cli("remind", "--owner", "张伟", "--notify", hook.url, "--via", "dingtalk")
    assert r.exit_code == 0, r.stderr
    bodies = [req["json"] for req in hook.requests]
    assert bodies[0]["at"] == {"atMobiles": [MOBILE], "atUserIds": [], "isAtAll": False}
    assert f"@{MOBILE}" in bodies[0]["markdown"]["text"]
    text = "\n".join(b["markdown"]["text"] for b in bodies)
    assert all(f" {name}:" in text for name in due)


def test_wecom_mobile_only_is_mentioned_by_a_text_message(cli, tmp_path):
    assert cli("manager", "add", "王芳", "--mobile", MOBILE, extra_env=OLD).exit_code == 0
    assert cli("customer", "add", "深圳华南", "--owner", "王芳", extra_env=OLD).exit_code == 0
    with Hook() as hook:
        assert cli("remind", "--notify", hook.url, "--via", "wecom").exit_code == 0
    first, digest = (req["json"] for req in hook.requests)
    assert first["msgtype"] == "text" and first["text"]["mentioned_mobile_list"] == [MOBILE]
    assert digest["msgtype"] == "markdown" and "深圳华南" in digest["markdown"]["content"]


def test_feishu_cards_and_slack_mrkdwn_carry_every_customer(cli, due):
    with Hook(default=(200, '{"code": 0}')) as hook:
        assert cli("remind", "--owner", "张伟", "--notify", hook.url, "--via", "feishu").exit_code == 0
    cards = [req["json"] for req in hook.requests]
    assert {c["msg_type"] for c in cards} == {"interactive"}
    text = "\n".join(c["card"]["elements"][0]["text"]["content"] for c in cards)
    assert all(f" {name}:" in text for name in due)
    with Hook(default=(200, "ok")) as hook:
        assert cli("remind", "--owner", "张伟", "--notify", hook.url, "--via", "slack").exit_code == 0
    sections = [req["json"]["blocks"][1]["text"] for req in hook.requests]
    assert all(s["type"] == "mrkdwn" and len(s["text"]) <= 3000 for s in sections)
    assert all(any(f" {name}:" in s["text"] for s in sections) for name in due)
    assert "*overdue" in sections[0]["text"] and "**" not in sections[0]["text"]


def test_language_under_cron_follows_the_config_and_lang_overrides(sh, due):
    cron = {"AMKIT_LANG": "", "LANG": "C", "LC_ALL": ""}
    assert sh("config", "set", "language", "zh").exit_code == 0
    zh = sh("remind", "--owner", "李娜", extra_env=cron)
    assert zh.exit_code == 0, zh.stderr
    assert "西南客户" in zh.stdout and "逾期" in zh.stdout and "overdue" not in zh.stdout
    with Hook() as hook:
        r = sh("remind", "--owner", "李娜", "--notify", hook.url, "--via", "wecom", extra_env=cron)
    assert r.exit_code == 0, r.stderr
    assert hook.requests[0]["json"]["markdown"]["content"].startswith("### 客户提醒 2026-11-23 · 李娜")
    en = sh("remind", "--owner", "李娜", "--lang", "en", extra_env=cron)
    assert en.exit_code == 0 and "overdue" in en.stdout and "逾期" not in en.stdout
    unset = {"AMKIT_LANG": "", "LANG": "", "LC_ALL": ""}
    assert "逾期" in sh("remind", "--owner", "李娜", extra_env=unset).stdout
    bad = sh("remind", "--lang", "fr", extra_env=cron)
    assert bad.exit_code == 2 and "--lang" in bad.stderr
