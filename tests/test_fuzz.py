"""Random command lines never end in a traceback or an internal error (exit 1)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amkit.cli import app, full_tree

SKIP = {("demo",)}  # slow and tested on its own


def _leaves(cmd, path=()):  # noqa: ANN001, ANN202
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _leaves(sub, path + (name,))
    else:
        opts = [o for p in cmd.params for o in p.opts if o.startswith("-")]
        yield path, opts


LEAVES = [(p, o) for p, o in _leaves(full_tree()) if p not in SKIP]
TOKENS = st.one_of(
    st.sampled_from(["", "0", "-1", "1e9", "2026-02-30", "2026-11-23", "2026Q5", "2026Q4", "abc", "中国银行",
                     "zgyh", "A", "Z", "won", "签约", "visit", "拜访", "nan", "inf", "--", "-", "9" * 30,
                     "x=y", "a:b=c", "7d", "x.csv", "1", "张伟", "3000000000"]),
    st.text(min_size=0, max_size=8),
)


@st.composite
def command_lines(draw):  # noqa: ANN001, ANN201
    path, opts = draw(st.sampled_from(LEAVES))
    args = list(path)
    for _ in range(draw(st.integers(0, 5))):
        if opts and draw(st.booleans()):
            args.append(draw(st.sampled_from(opts)))
        args.append(draw(TOKENS))
    return args


@pytest.fixture
def seeded(cli):  # noqa: ANN001, ANN201
    cli("manager", "add", "张伟", "--team", "华东")
    cli("customer", "add", "中国银行", "--owner", "张伟", "--tier", "A")
    cli("customer", "add", "中国平安", "--owner", "张伟")
    cli("contact", "add", "中国银行", "李明", "--phone", "13800138000")
    return cli


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=command_lines())
def test_no_traceback_no_exit_1(seeded, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = seeded(*args, input="")
    assert result.exit_code != 1, (args, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, args


# --- import: random files and options ------------------------------------------------------

TABLES = ["customers", "contacts", "managers", "followups", "deals", "payments"]
HEADERS = ["name", "customer", "owner", "industry", "tier", "tier_locked", "lifecycle", "tags", "created_at", "extra",
           "phone", "email", "birthday", "at", "channel", "summary", "team", "lead", "active", "amount", "stage",
           "deal", "external_id", "客户名称", "等级", "x"]
CELLS = st.one_of(
    st.sampled_from(["", "中国银行", "张伟", "A", "Z", "true", "maybe", "2026-11-23", "2026-02-30", "visit", "won",
                     "1e309", "-5", "9" * 25, "NaN", '"', '""', 'a"b', "a,b", "a\nb", "a\x00b", "=1+1", "'=1",
                     '{"k": 1}', '{"k": {"d": 1}}', "[" * 50, "13800138000", "x@y.cn", "\t", "\ud800"]),
    st.text(max_size=6),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True), CELLS),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["k", "d"]), inner,
                                                                         max_size=2)),
    max_leaves=6)
OPTIONS = st.lists(st.sampled_from([
    ["--skip-invalid"], ["--dry-run"], ["--create-missing"], ["--mode", "upsert"], ["--mode", "merge"],
    ["--key", "name"], ["--key", "nope"], ["--map", "x=-"], ["--map", "x=name"], ["--map", "nope=name"],
    ["--value-map", "tier:Z=A"], ["--encoding", "gbk"], ["--encoding", "utf-8"], ["--encoding", "latin-9"],
]), max_size=4)


@st.composite
def import_files(draw):  # noqa: ANN001, ANN201
    fmt = draw(st.sampled_from(["csv", "tsv", "json", "jsonl"]))
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5, unique=True))
    n = draw(st.integers(0, 5))
    if fmt in ("csv", "tsv"):
        sep = "," if fmt == "csv" else "\t"
        # cells joined as they are, not through a CSV writer: quotes, separators and line breaks
        # inside them make the ragged and broken files a real one can be
        rows = [sep.join(header)] + [sep.join(draw(st.lists(CELLS, min_size=0, max_size=len(header) + 1)))
                                     for _ in range(n)]
        text = "\n".join(rows) + "\n"
    else:
        objs = [draw(st.dictionaries(st.sampled_from(header), JSON_VALUES, max_size=len(header))) for _ in range(n)]
        dump = lambda o: json.dumps(o, ensure_ascii=False)  # noqa: E731
        text = "\n".join(map(dump, objs)) if fmt == "jsonl" else dump(objs)
    data = text.encode(draw(st.sampled_from(["utf-8", "gb18030", "utf-8-sig"])), "replace")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    return fmt, data


def _dump(sql):  # noqa: ANN001, ANN202
    return {t: sql(f"SELECT * FROM {t} ORDER BY id") for t in [*TABLES, "audit_log"]}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(TABLES), file=import_files(), options=OPTIONS)
def test_import_fuzz_exit_codes_and_nothing_written_on_failure(seeded, sql, tmp_path, table, file, options):
    fmt, data = file
    src = tmp_path / f"in.{fmt}"
    src.write_bytes(data)
    before = _dump(sql)
    args = ["import", table, str(src), *[a for opt in options for a in opt]]
    result = seeded(*args)
    assert result.exit_code in (0, 2, 3, 4, 5), (args, data, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, (args, data)
    if result.exit_code != 0 or ["--dry-run"] in options:
        assert _dump(sql) == before, (args, data, result.stderr)
