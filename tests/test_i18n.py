"""Chinese-first output: the same table in zh and en, aligned; Chinese input aliases;
help texts and error lines in zh (issue 12)."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest

from amkit.cli import app, full_tree

ZH = {"AMKIT_LANG": "zh"}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def width(text: str) -> int:
    """Terminal columns: East Asian wide/full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cut(line: str, start: int, end: int) -> str:
    """The text between display columns start and end of a line."""
    out, col = [], 0
    for ch in line:
        if start <= col < end:
            out.append(ch)
        col += width(ch)
    return "".join(out).strip()


def columns(table: str) -> list[list[str]]:
    """Split a plain table by the column spans of its `----  ----` line; a cell that is not
    aligned under its dashes comes out cut or spilled into a neighbour."""
    lines = table.rstrip("\n").splitlines()
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[1])]
    return [[cut(line, a, b) for a, b in spans] for line in [lines[0]] + lines[2:]]


@pytest.fixture
def archive(cli):
    assert cli("manager", "add", "张伟").exit_code == 0
    assert cli("manager", "add", "Emily Chen").exit_code == 0
    assert cli("customer", "add", "中国银行上海分行", "--industry", "金融", "--region", "华东", "--owner", "张伟",
               "--tier", "A", "--tag", "国企").exit_code == 0
    assert cli("customer", "add", "Acme Ltd", "--industry", "Manufacturing", "--owner", "Emily Chen",
               "--stage", "prospect", "--tag", "vip").exit_code == 0
    assert cli("customer", "add", "重庆银行", "--region", "西南", "--stage", "lead").exit_code == 0
    return cli


EN_HEAD = ["id", "Name", "Industry", "Region", "Owner", "Tier", "Stage", "Tags", "Created"]
ZH_HEAD = ["编号", "名称", "行业", "地区", "客户经理", "等级", "阶段", "标签", "创建时间"]


def test_customer_list_in_zh_and_en_same_rows_translated_labels_aligned(archive):
    en = archive("customer", "list")
    zh = archive("customer", "list", extra_env=ZH)
    assert en.exit_code == zh.exit_code == 0
    en_cells, zh_cells = columns(en.stdout), columns(zh.stdout)
    assert en_cells[0] == EN_HEAD and zh_cells[0] == ZH_HEAD
    # rows by name (the order is the same); stage is an enum: English value vs its Chinese name
    en_rows = {r[1]: r for r in en_cells[1:]}
    zh_rows = {r[1]: r for r in zh_cells[1:]}
    assert set(en_rows) == set(zh_rows) == {"中国银行上海分行", "Acme Ltd", "重庆银行"}
    assert en_rows["中国银行上海分行"][2:8] == ["金融", "华东", "张伟", "A", "active", "国企"]
    assert zh_rows["中国银行上海分行"][2:8] == ["金融", "华东", "张伟", "A", "活跃", "国企"]
    assert en_rows["Acme Ltd"][6] == "prospect" and zh_rows["Acme Ltd"][6] == "潜在"
    assert en_rows["重庆银行"][6] == "lead" and zh_rows["重庆银行"][6] == "线索"
    assert en_rows["重庆银行"][5] == zh_rows["重庆银行"][5] == "C"  # a new customer's tier
    for out in (en.stdout, zh.stdout):
        lines = out.splitlines()
        rule = width(lines[1])
        # the last column (created, same width on every row) ends every data row at the rule
        assert all(width(line) == rule for line in lines[2:]), out
        assert "\x1b" not in out


def test_json_keys_and_enum_values_stay_english_in_zh(archive):
    rows = archive("customer", "list", "-f", "json", extra_env=ZH).json()
    assert {r["name"]: r["lifecycle"] for r in rows} == {"中国银行上海分行": "active", "Acme Ltd": "prospect",
                                                          "重庆银行": "lead"}
    assert set(rows[0]) >= {"id", "name", "industry", "owner", "tier", "lifecycle", "tags"}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("lang,head", [("en", EN_HEAD), ("zh", ZH_HEAD)])
def test_rich_table_on_a_terminal_aligns_cjk(env, monkeypatch, lang, head):
    from amkit.customers.cli import columns as customer_columns
    from amkit.ui.render import write_table

    monkeypatch.setenv("AMKIT_LANG", lang)
    monkeypatch.setenv("COLUMNS", "160")
    rows = [{"id": 1, "name": "中国银行上海分行", "industry": "金融", "region": "华东", "owner": "张伟", "tier": "A",
             "lifecycle": "active", "tags": "国企", "created_at": "2026-11-02"},
            {"id": 22, "name": "Acme Ltd", "industry": "Manufacturing", "region": None, "owner": "Emily Chen",
             "tier": "C", "lifecycle": "prospect", "tags": "vip", "created_at": None}]
    out = Terminal()
    write_table(rows, customer_columns(), out)
    lines = [ANSI.sub("", line) for line in out.getvalue().splitlines() if line.strip()]
    assert len({width(line) for line in lines}) == 1, "\n".join(lines)  # box borders line up
    header = next(line for line in lines if head[1] in line)
    assert [cell.strip() for cell in header.strip("┃│ ").split("┃")] == head
    assert any("中国银行上海分行" in line and ("活跃" if lang == "zh" else "active") in line for line in lines)


def test_chinese_channel_and_stage_aliases_are_stored_in_english(archive, sql):
    r = archive("followup", "log", "中国银行上海分行", "--channel", "拜访", "--summary", "上门拜访王总")
    assert r.exit_code == 0, r.stderr
    assert archive("followup", "log", "重庆银行", "--channel", "微信", "--summary", "发资料").exit_code == 0
    assert archive("deal", "add", "中国银行上海分行", "--amount", "12万", "--stage", "签约").exit_code == 0
    assert archive("deal", "add", "重庆银行", "--stage", "报价").exit_code == 0
    assert sql("SELECT c.name, f.channel FROM followups f JOIN customers c ON c.id = f.customer_id "
               "ORDER BY f.id") == [("中国银行上海分行", "visit"), ("重庆银行", "wechat")]
    assert sql("SELECT stage, amount_cents FROM deals ORDER BY id") == [("won", 12_000_000), ("quote", None)]
    zh = columns(archive("followup", "list", extra_env=ZH).stdout)
    assert "渠道" in zh[0]
    assert sorted(row[zh[0].index("渠道")] for row in zh[1:]) == ["微信", "拜访"]
    assert {r["channel"] for r in archive("followup", "list", "-f", "json", extra_env=ZH).json()} == {"visit", "wechat"}


def test_unknown_chinese_alias_is_exit_2_and_nothing_written(archive, sql):
    r = archive("followup", "log", "重庆银行", "--channel", "飞鸽传书", "--summary", "x")
    assert r.exit_code == 2
    assert r.stderr.startswith("amkit: invalid channel '飞鸽传书': expected one of visit, call")
    zh = archive("followup", "log", "重庆银行", "--channel", "飞鸽传书", "--summary", "x", extra_env=ZH)
    assert zh.stderr.startswith("amkit: 渠道 的值 '飞鸽传书' 无效：应为以下之一：拜访（visit）、电话（call）、")
    assert sql("SELECT count(*) FROM followups") == [(0,)]


# --- help -------------------------------------------------------------------------------

@pytest.mark.parametrize("path,chinese", [
    ((), "一个命令行全搞定"),
    (("customer", "add"), "新增客户。未指定等级时新客户为 C 级。"),
    (("followup", "log"), "记录一次跟进"),
    (("goal", "plan"), "按工作日分解到各周或各月"),
    (("remind",), "按客户经理分组"),
    (("contact", "add"), "生日是农历日期"),
])
def test_help_in_zh(cli, path, chinese):
    zh = cli(*path, "--help", extra_env=ZH)
    assert zh.exit_code == 0
    flat = re.sub(r"[\s│]+", "", zh.stdout)
    assert re.sub(r"\s+", "", chinese) in flat
    assert "示例" in zh.stdout and "选项" in zh.stdout and "显示此帮助并退出" in flat
    en = cli(*path, "--help")  # the same process, back in English
    assert "Options" in en.stdout and "Example" in en.stdout
    assert not re.search(r"示例|选项|显示此帮助", en.stdout)


SPEC_COMMANDS = """init demo customer customer.add customer.list customer.show customer.edit customer.handover
customer.merge customer.erase contact contact.add contact.list followup followup.log followup.list followup.search
remind deal deal.add deal.move deal.list payment payment.add payment.list survey survey.add survey.list complaint
complaint.add complaint.resolve complaint.list goal goal.set goal.plan goal.progress goal.replan goal.suggest
goal.split tier tier.run tier.list tier.lock tier.history score score.card score.rank report report.funnel
report.pareto manager manager.add manager.list import export backup restore doctor audit audit.list audit.verify
config config.get config.set config.list""".split()


def test_every_spec_command_has_zh_help_for_itself_and_its_options(env):
    from amkit.ui.helptext import translate
    from amkit.ui.i18n import _catalog

    catalog, root = _catalog("zh"), full_tree()
    missing = []
    for path in SPEC_COMMANDS:
        cmd = root
        for name in path.split("."):
            cmd = cmd.commands[name]
        texts = [cmd.help] + [p.help for p in cmd.params if getattr(p, "help", None)]
        missing += [f"{path}: {text}" for text in texts if translate(text, catalog) == text]
    assert missing == []


# --- error lines ------------------------------------------------------------------------

def test_not_found_in_zh_and_en(archive):
    zh = archive("customer", "show", "不存在的客户", extra_env=ZH)
    assert (zh.exit_code, zh.stderr) == (3, "amkit: 找不到客户：'不存在的客户'\n")
    en = archive("customer", "show", "不存在的客户")
    assert (en.exit_code, en.stderr) == (3, "amkit: customer not found: '不存在的客户'\n")


def test_invalid_value_in_zh_names_field_and_value(archive, sql):
    r = archive("followup", "log", "重庆银行", "--channel", "电话", "--summary", "x", "--at", "2026-13-01",
                extra_env=ZH)
    assert (r.exit_code, r.stderr) == (2, "amkit: --at 的值 '2026-13-01' 无效：应为日期，例如 2026-11-03、2026/11/3、"
                                          "2026年11月3日、11月3日、11-03、今天、昨天、前天、上周五、本周一、3天前\n")
    r = archive("deal", "add", "重庆银行", "--amount", "-5", "--stage", "报价", extra_env=ZH)
    assert (r.exit_code, r.stderr) == (2, "amkit: 金额 的值 '-5' 无效：不能为负数\n")
    r = archive("customer", "list", "--tier", "D", extra_env=ZH)
    assert (r.exit_code, r.stderr) == (2, "amkit: 等级 的值 'D' 无效：应为 A、B、C 之一\n")
    assert sql("SELECT count(*) FROM followups") == [(0,)] and sql("SELECT count(*) FROM deals") == [(0,)]


def test_ambiguous_and_usage_errors_in_zh(archive):
    r = archive("customer", "show", "无此客户", extra_env=ZH)  # no name holds it: pinyin does not apply
    assert r.exit_code == 3
    r = archive("customer", "show", "银行", extra_env=ZH)  # part of two names: ambiguous (issue 20 §3)
    assert r.exit_code == 4 and r.stderr.startswith("amkit: 客户 '银行' 不唯一：有 2 个匹配")
    archive("customer", "add", "中国银行")
    r = archive("customer", "show", "中国", extra_env=ZH)
    assert r.exit_code == 4
    lines = r.stderr.splitlines()
    assert lines[0] == "amkit: 客户 '中国' 不唯一：有 2 个匹配"
    assert [line.split()[-1] for line in lines[1:]] == ["中国银行", "中国银行上海分行"]
    r = archive("customer", "list", "--no-such-option", extra_env=ZH)
    assert r.exit_code == 2 and len(r.stderr.splitlines()) == 1
    assert r.stderr.startswith("amkit: 没有这个选项：--no-such-option")
    assert "（参见 'amkit customer list --help'）" in r.stderr


def test_message_templates_match_whole_lines_only(env, monkeypatch):
    from amkit.ui.helptext import message

    monkeypatch.setenv("AMKIT_LANG", "zh")
    assert message("customer not found: 'x'") == "找不到客户：'x'"
    assert message("something new happened") == "something new happened"
    assert message("invalid --since '2026-13-01': after --until '2026-01-01'") == \
        "--since 的值 '2026-13-01' 无效：after --until '2026-01-01'"
    monkeypatch.setenv("AMKIT_LANG", "en")
    assert message("customer not found: 'x'") == "customer not found: 'x'"
