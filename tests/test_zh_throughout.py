"""Chinese throughout (issue 20 §4): every catalog entry is a translation of its key, every
enum value has a label and the label is accepted back as input, and the zh output of the daily
reports shows no internal English identifiers."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from amkit.cli import _english_value
from amkit.core.enums import ENUMS
from amkit.metrics.figures import METRICS

FIELD = re.compile(r"\{(\w*)[^}]*\}")


def _catalog_files():  # noqa: ANN202
    return [f for f in resources.files("amkit.ui.locale").iterdir() if f.name.startswith("zh") and
            f.name.endswith(".toml")]


def test_every_catalog_entry_translates_its_key():
    problems = []
    for f in _catalog_files():
        for key, value in tomllib.loads(f.read_text(encoding="utf-8"))["messages"].items():
            if not value.strip():
                problems.append(f"{f.name}: empty: {key}")
            if sorted(FIELD.findall(key)) != sorted(FIELD.findall(value)):
                problems.append(f"{f.name}: fields differ: {key!r} -> {value!r}")
            if re.search(r"[A-Za-z]{3,}", FIELD.sub("", key)) and not re.search(r"[\u4e00-\u9fff]", value) and value != key:
                problems.append(f"{f.name}: not Chinese: {key!r} -> {value!r}")
    assert not problems, "\n".join(problems)


ALL_ENUMS = {**ENUMS, "metric": {name: m.zh for name, m in METRICS.items()}}


@pytest.mark.parametrize("enum", sorted(ALL_ENUMS))
def test_every_enum_value_has_a_label_that_reads_back(enum):  # noqa: ANN001
    names = ALL_ENUMS[enum]
    labels = list(names.values())
    assert all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels), f"{enum}: two values share a label"
    for value, label in names.items():
        if not label.isascii():
            assert _english_value(enum, label) == value, (enum, label)
            assert re.search(r"[\u4e00-\u9fff]", label), (enum, label)


@pytest.fixture
def book(cli):  # noqa: ANN001, ANN201
    cli("manager", "add", "张伟")
    assert cli("customer", "add", "中国银行", "--owner", "张伟").exit_code == 0
    return cli


def test_channel_and_stage_labels_round_trip(book, sql):
    from amkit.core.enums import CHANNELS, DEAL_STAGES, LIFECYCLE

    for value, label in CHANNELS.items():
        assert book("followup", "log", "中国银行", "--channel", label, "--summary", value).exit_code == 0
    assert sql("SELECT summary, channel FROM followups ORDER BY id") == [(v, v) for v in CHANNELS]
    for value, label in DEAL_STAGES.items():
        r = book("deal", "list", "--stage", label, "-f", "json")
        assert r.exit_code == 0, (label, r.stderr)
    for value, label in LIFECYCLE.items():
        r = book("customer", "list", "--stage", label, "-f", "json")
        assert r.exit_code == 0, (label, r.stderr)
    assert book("customer", "edit", "中国银行", "--stage", "沉睡", "--reason", "x").exit_code == 0
    assert sql("SELECT lifecycle FROM customers") == [("dormant",)]


def test_reason_code_and_stage_labels_round_trip_on_deal_move(book, sql):
    from amkit.core.enums import REASON_CODES

    for n, (code, label) in enumerate(REASON_CODES.items(), 1):
        assert book("deal", "add", "中国银行", "--stage", "报价", "--amount", "1000").exit_code == 0
        r = book("deal", "move", str(n), "输单", "--reason-code", label)
        assert r.exit_code == 0, r.stderr
    assert sql("SELECT stage, reason_code FROM deals ORDER BY id") == [("lost", c) for c in REASON_CODES]


def test_every_metric_label_is_accepted(book, sql):
    for name, m in METRICS.items():
        r = book("goal", "progress", "--metric", m.zh, "-f", "json")
        assert r.exit_code == 0, (m.zh, r.stderr)
    r = book("goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "拜访", "--target", "40")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT metric, target FROM goals") in ([("visits", 40)], [("visits", "40")]) or \
        [(m, float(t)) for m, t in sql("SELECT metric, target FROM goals")] == [("visits", 40.0)]


# English identifiers a zh reader must never see (values, metric names, field names)
INTERNAL = sorted({v for names in ALL_ENUMS.values() for v in names if len(v) > 3}
                  | {"amount_cents", "closed_at", "next_action", "None"})


def test_zh_reports_show_no_internal_identifiers(cli):
    assert cli("demo").exit_code == 0
    zh = {"AMKIT_LANG": "zh"}
    for args in (["remind", "--within", "30d"], ["goal", "progress"], ["score", "card", "--detail"],
                 ["review", "-f", "md"], ["customer", "show", "中国银行上海分行"]):
        r = cli(*args, extra_env=zh)
        assert r.exit_code == 0, (args, r.stderr)
        found = [w for w in INTERNAL if re.search(rf"(?<![A-Za-z_]){w}(?![A-Za-z_])", r.stdout)]
        assert not found, (args, found)
    r = cli("remind", "-f", "json")  # JSON stays English for scripts
    assert {row["kind"] for row in r.json()} <= set(ENUMS["kind"])


def test_an_import_report_reads_in_chinese(cli, tmp_path):  # noqa: ANN001, ANN201
    """Each bad row, the counts and the hints in zh; the choices of an enum as shown (with the
    value), and a field label with a space in it kept whole."""
    assert cli("manager", "add", "李娜").exit_code == 0
    assert cli("customer", "add", "上海万邦汽车部件有限公司", "--owner", "李娜").exit_code == 0
    src = tmp_path / "fu.csv"
    src.write_text("2026年11月跟进记录导出\n客户名称,跟进方式,跟进时间,跟进内容\n"
                   "上海万邦汽车部件有限公司,拜访,2026-11-20,拜访高总\n上海万邦汽车部件有限公司,电话,2026-13-45,电话\n"
                   "不存在的客户有限公司,微信,2026-11-21,微信\n上海万邦汽车部件有限公司,飞鸽,11月22日,\n", encoding="utf-8")
    zh = {"AMKIT_LANG": "zh"}
    r = cli("import", "followups", src, extra_env=zh)
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert lines[0] == "amkit: fu.csv 中有 3 行无效；未导入任何数据"
    assert "  第 4 行，列 '跟进时间'，值 '2026-13-45'：应为日期，例如 2026-11-03" in r.stderr
    assert ("  第 6 行，列 '跟进方式'，值 '飞鸽'：应为以下之一：拜访（visit）、电话（call）、微信（wechat）、邮件（email）、"
            "视频（video）、会议（meeting）、其他（other）") in lines
    assert "  第 6 行，列 '跟进内容'，值 ''：不能为空" in lines
    assert "  第 5 行，列 '客户名称'，值 '不存在的客户有限公司'：未知的 客户 '不存在的客户有限公司'（请先添加，或使用 --create-missing）" in lines
    ok = cli("import", "followups", src, "--skip-invalid", "--dry-run", extra_env=zh)
    assert ok.exit_code == 0
    assert ok.stderr.splitlines()[0] == "跟进记录：读取 4 行、新增 1、更新 0、未变 0（试运行：未写入）；拒绝 3 行"
    edit = cli("deal", "add", "上海万邦汽车部件有限公司", "--stage", "contact", "--amount", "1")
    assert edit.exit_code == 0
    bad = cli("deal", "edit", "1", "--expected-close", "2026-13-45", extra_env=zh)
    assert bad.stderr.startswith("amkit: 预计成交日期 的值 '2026-13-45' 无效：应为日期")
    for english in ("line ", "column", "expected", "add it first", "read,", "inserted"):
        assert english not in r.stderr + ok.stderr + bad.stderr, english


@pytest.mark.parametrize(("args", "said"), [
    (("deal", "edit", "1"), "amkit: 请至少给出一个要修改的字段（见 --help）\n"),
    (("followup", "log", "中国银行", "--channel", "call", "--summary", "x", "--at", "2026-12-01"),
     "amkit: --at 的值 '2026-12-01' 无效：晚于今天（2026-11-23）；以后要做的事请用 --next 计划\n"),
    (("score", "card", "-p", "2026-13"), "amkit: 周期 的值 '2026-13' 无效：月份应为 01-12\n"),
    (("export", "deals", "-f", "xlsx"), "amkit: --output 的值 '' 无效：xlsx 需要 -o 文件\n"),
    (("customr", "list"), "amkit: 没有这个命令：'customr'。是不是要用 'customer', 'doctor'？（参见 'amkit --help'）\n"),
    (("customer", "list", "--bogus"),
     "amkit: 没有这个选项：--bogus（可能是：--bom, --columns）（参见 'amkit customer list --help'）\n"),
    (("payment", "add", "1", "100"), "amkit: 商机 的值 1 无效：处于 报价 阶段，尚未签约：回款只能记在已签约的商机上\n"),
])
def test_messages_in_chinese_name_values_as_shown(cli, args, said):  # noqa: ANN001, ANN201
    for step in (("manager", "add", "张伟"), ("customer", "add", "中国银行", "--owner", "张伟"),
                 ("deal", "add", "中国银行", "--amount", "1000", "--stage", "quote")):
        assert cli(*step).exit_code == 0
    r = cli(*args, extra_env={"AMKIT_LANG": "zh"})
    assert (r.exit_code, r.stderr) == (2, said)


def test_english_tables_show_values_in_words_and_read_them_back(book, sql):  # noqa: ANN001, ANN201
    """An English table shows next_action as "next action", no_budget as "no budget": typed back,
    each is the value again (the CLI's options and amkit.core.enums.parse_enum)."""
    from amkit.core.enums import parse_enum
    from amkit.metrics.figures import metric
    from amkit.ui.render import Col, Locale, cell_text

    en = Locale("en", "¥")
    for enum, names in ENUMS.items():
        for value in names:
            shown = cell_text(value, Col("v", "v", "enum", names), en)
            assert "_" not in shown and parse_enum(enum, shown, names) == value, (enum, value)
    assert metric("new customers").name == "new_customers"
    r = book("goal", "set", "--period", "2026Q4", "--owner", "张伟", "--metric", "new customers", "--target", "3")
    assert r.exit_code == 0, r.stderr
    assert book("deal", "add", "中国银行", "--amount", "1000", "--stage", "quote").exit_code == 0
    r = book("deal", "move", "1", "lost", "--reason-code", "no budget", "--reason", "预算取消")
    assert r.exit_code == 0, r.stderr
    assert sql("SELECT reason_code FROM deals") == [("no_budget",)]
    assert [m for (m,) in sql("SELECT metric FROM goals")] == ["new_customers"]
