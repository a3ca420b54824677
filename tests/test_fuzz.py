"""Random command lines never end in a traceback or an internal error (exit 1)."""

from __future__ import annotations

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
                     "x=y", "a:b=c", "7d", "x.csv", "1", "张伟"]),
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
