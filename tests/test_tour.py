"""`amkit demo --tour`: one command per feature run under headings, in the user's language."""

from __future__ import annotations

import re

from amkit.admin.tour_cli import STEPS, localized

ZH_HEADINGS = ["客户档案：A 级客户", "拼音查找：用首字母打开客户简报", "跟进记录：张伟最近的跟进",
               "提醒：未来 3 天内到期的事项", "目标分解：本季度签约额目标按月分解（含调休）",
               "目标进度：对照达标/优秀/冲刺三条线", "客户分级：张伟的 A 级客户（帕累托）",
               "绩效考核：本季度 KPI 与排名", "记分卡：本月目标取自季度目标（来源 plan）",
               "团队记分卡：各团队数据汇总（团队 PK）", "销售漏斗：今年商机的各阶段转化", "合同：未来 60 天内到期待续约",
               "应收：张伟的逾期回款", "工作日历：十月的放假与调休上班", "撤销：可以撤回的命令，最近的在前"]
# a label each step's output shows in zh (so the command ran and rendered in Chinese)
ZH_LABELS = ["客户经理", "最近跟进", "下一步", "张伟", "累计达标", "达标完成率", "近12个月签约额", "评级", "目标来源",
             "客户经理数", "转化率", "剩余天数", "逾期天数", "国庆节", "amkit demo"]


def sections(out: str) -> dict[str, str]:
    parts = re.split(r"^== \d+/\d+ (.+) ==$", out, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_tour_in_zh_then_again_in_en_on_the_same_data(cli, sql):
    r = cli("demo", "--tour", extra_env={"AMKIT_LANG": "zh"})
    assert r.exit_code == 0, r.stderr
    assert "amkit 演示数据库已就绪" in r.stdout and "# 客户档案，按条件筛选" in r.stdout
    found = sections(r.stdout)
    assert list(found) == ZH_HEADINGS
    for (heading, body), (_, command), label in zip(found.items(), STEPS, ZH_LABELS):
        assert body.lstrip("\n").startswith(f"$ amkit {command.format(year=2026, month='2026-11')}\n"), heading
        assert label in body, (heading, body)
    assert "中国银行上海分行" in found["拼音查找：用首字母打开客户简报"]
    assert re.search(r"导览用时 \d+\.\d 秒", r.stderr) and "amkit:" not in r.stderr
    customers = sql("SELECT count(*) FROM customers")
    again = cli("demo", "--tour")  # the demo data is there: the tour reuses it
    assert again.exit_code == 0, again.stderr
    assert list(sections(again.stdout)) == [heading for heading, _ in STEPS]
    assert "200 customers" not in again.stderr and re.search(r"the tour took \d+\.\d s", again.stderr)
    assert sql("SELECT count(*) FROM customers") == customers


def comment_columns(text: str) -> set[int]:
    from amkit.ui.render import display_width

    return {display_width(line[:line.index("  # ")]) for line in text.splitlines() if "  # " in line}


def test_printed_tour_is_translated_and_comments_align(env, monkeypatch):
    from amkit.admin.demo import tour

    monkeypatch.setenv("AMKIT_LANG", "zh")
    zh = localized(tour())
    assert len(comment_columns(zh)) == 1
    assert "  amkit customer show zgyh" in zh and "# 客户简报；支持拼音首字母" in zh
    monkeypatch.setenv("AMKIT_LANG", "en")
    en = localized(tour())
    assert len(comment_columns(en)) == 1
    assert "# a briefing; pinyin initials work" in en and "客户简报" not in en


def test_the_demo_says_what_it_built_as_the_database_counts_it(cli, sql):  # noqa: ANN001, ANN201
    r = cli("demo")
    assert r.exit_code == 0, r.stderr
    said = dict((noun, int(n)) for n, noun in (part.split(" ", 1) for part in r.stderr.splitlines()[0].split(", ")))
    tables = {"managers": "managers", "customers": "customers", "contacts": "contacts", "follow-ups": "followups",
              "deals": "deals", "payments": "payments", "installments": "installments", "contracts": "contracts",
              "goals": "goals", "surveys": "surveys", "complaints": "complaints", "knowledge-base entries": "kb_entries"}
    for noun, table in tables.items():
        assert said[noun] == sql(f"SELECT count(*) FROM {table}")[0][0], noun
    assert said["A-tier customers"] == sql("SELECT count(*) FROM customers WHERE tier = 'A'")[0][0]


def test_the_printed_tour_never_wraps_on_an_80_column_terminal(env):  # noqa: ANN001, ANN201
    import os

    from ptyrun import run_on_pty

    from amkit.ui.render import display_width

    for lang in ("zh", "en"):
        args = ["demo"] if lang == "zh" else ["demo", "--reset"]  # the second builds it again
        code, out = run_on_pty(args, 80, {**os.environ, **env, "AMKIT_LANG": lang})
        assert code == 0
        lines = [line for line in out.splitlines() if line.strip()]
        tour = [line for line in lines if line.lstrip().startswith(("amkit ", "# "))]
        assert max(display_width(line) for line in tour) <= 80, lang
        commands = [line for line in tour if line.lstrip().startswith("amkit ")]
        assert len(commands) > 25
        for before, line in zip(tour, tour[1:]):  # a comment on its own line sits under its command
            if line.lstrip().startswith("# "):
                assert before.lstrip().startswith("amkit ") and "  # " not in before, (lang, before, line)
