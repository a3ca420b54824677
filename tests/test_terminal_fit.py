"""Tables fit the terminal they are printed on (issue 20 §1), checked on a real pseudo-terminal
of 80 and 120 columns (its window size, not $COLUMNS), in zh and en, on the demo data."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from ptyrun import run_on_pty
from amkit.core.enums import REMIND_KINDS
from amkit.ui.fit import cell_len

pytestmark = pytest.mark.backend_free  # runs once, in the SQLite run (tests/conftest.py)

# The listings: (arguments, how its rows are counted in the table output)
LISTINGS = [
    ["customer", "list"], ["contact", "list"], ["followup", "list"], ["deal", "list"], ["payment", "list"],
    ["goal", "progress"], ["goal", "plan", "--period", "2026Q4", "--owner", "张伟"], ["score", "card"],
    ["score", "card", "--detail"], ["tier", "list"], ["report", "funnel"], ["report", "pareto"], ["remind"],
    ["kb", "list"], ["customer", "show", "中国银行上海分行"],
    # listings added with #21/#22 after this test was written
    ["contract", "list"], ["receivable", "list"], ["manager", "list"],
]
MONEY = re.compile(r"[¥$]\d{1,3}(?:,\d{3})*\.\d{2}")


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):  # noqa: ANN001, ANN201
    home = tmp_path_factory.mktemp("fit")
    env = {k: v for k, v in os.environ.items() if k not in ("AMKIT_DATABASE_URL", "COLUMNS", "LINES")}
    env.update(AMKIT_DB=str(home / "demo.db"), AMKIT_CONFIG=str(home / "config.toml"), AMKIT_TODAY="2026-11-20",
               AMKIT_USER="tester", AMKIT_LANG="en", XDG_DATA_HOME=str(home / "data"),
               PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, "-m", "amkit", "demo"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (home / "config.toml").write_text('currency = "¥"\n', encoding="utf-8")
    return env


_JSON: dict[tuple, list[dict]] = {}


def _json_rows(args: list[str], env: dict[str, str]) -> list[dict]:
    """The listing's rows as JSON (the same in every language: computed once per listing)."""
    key = (tuple(args), env["AMKIT_DB"], tuple(a for a in args if "," in a))
    if key not in _JSON:
        _JSON[key] = _run_json(args, env)
    return _JSON[key]


def _run_json(args: list[str], env: dict[str, str]) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "amkit", *args, "-f", "json"], env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("args", LISTINGS, ids=lambda a: " ".join(a))
def test_listing_fits_the_terminal(demo_env, args, lang, columns):  # noqa: ANN001
    env = {**demo_env, "AMKIT_LANG": lang}
    code, out = run_on_pty(args, columns, env)
    assert code == 0, out
    lines = out.rstrip("\n").split("\n")
    too_wide = [line for line in lines if cell_len(line) > columns]
    assert not too_wide, "\n".join(too_wide)
    # an amount is whole wherever it shows: a currency sign is always followed by a complete amount
    assert out.count("¥") == len(MONEY.findall(out)), out
    if args[:2] == ["customer", "show"] or args == ["remind"]:
        assert "中国银行上海分行" in out or args == ["remind"]
        return
    rows = _json_rows(args, env)
    body = [line for line in lines if line.startswith("│") and not re.match(r"│ (合计|Total) ", line)]
    if args == ["score", "card", "--detail"]:
        assert len(body) == len(rows) + sum(len(r["subscores"]) for r in rows)
    else:
        assert len(body) == len(rows), out  # one line per row: nothing wrapped
    first = next((r for r in rows if r.get("name") or r.get("customer") or r.get("owner")), None)
    if first:  # the first row's name shows whole or cut with "…", never split over two lines
        name = first.get("name") or first.get("customer") or first.get("owner")
        line = body[rows.index(first)]
        hidden = re.search(r"column\(s\) hidden|隐藏了", out)
        assert hidden or name in line or any(p.endswith("…") and name.startswith(p[:-1]) for p in
                                   (c.strip() for c in line.split("│"))), (name, line)


def test_remind_on_a_terminal_is_cut_not_wrapped_and_pipes_keep_everything(demo_env):  # noqa: ANN001
    env = {**demo_env, "AMKIT_LANG": "zh"}
    code, out = run_on_pty(["remind"], 80, env)
    assert code == 0
    rows = _json_rows(["remind"], env)
    digest = [line for line in out.split("\n") if re.match(r"  \d{4}-\d\d-\d\d", line)]
    assert len(digest) == len(rows) and any(line.endswith("…") for line in digest)
    assert "cadence" not in out and "next_action" not in out and "跟进周期" in out
    piped = subprocess.run([sys.executable, "-m", "amkit", "remind"], env=env, capture_output=True, text=True)
    assert "…" not in piped.stdout and max(cell_len(x) for x in piped.stdout.split("\n")) > 80
    assert rows[0]["kind"] in REMIND_KINDS  # JSON stays English


def test_hidden_columns_note_wide_and_columns(demo_env):  # noqa: ANN001
    code, out = run_on_pty(["score", "card"], 80, demo_env)
    hidden = re.search(r"(\d+) column\(s\) hidden: --wide or --columns", out)
    assert code == 0 and hidden and int(hidden.group(1)) > 0
    code, wide = run_on_pty(["score", "card", "--wide"], 80, demo_env)
    assert code == 0 and "hidden" not in wide
    head = next(line for line in wide.split("\n") if "Owner" in line)
    for label in ("Revenue", "Win rate", "Collection rate", "Satisfaction", "Score", "Grade"):
        assert label in head
    code, zh = run_on_pty(["score", "card"], 80, {**demo_env, "AMKIT_LANG": "zh"})
    assert re.search(r"隐藏了 \d+ 列：用 --wide 或 --columns 查看", zh), zh
    # --columns picks by key or shown label, in that order, for every format
    picked = _json_rows(["deal", "list", "-c", "title,金额,customer"], {**demo_env, "AMKIT_LANG": "zh"})
    assert list(picked[0]) == ["title", "amount", "customer"]
    csv = subprocess.run([sys.executable, "-m", "amkit", "deal", "list", "--columns", "id,stage", "-f", "csv"],
                         env=demo_env, capture_output=True, text=True)
    assert csv.stdout.split("\n")[0] == "id,stage"
    code, table = run_on_pty(["deal", "list", "-c", "owner,amount"], 80, demo_env)
    assert code == 0 and "│ Owner" in table.replace("┃", "│") and "Stage" not in table


def test_unknown_column_is_bad_input(demo_env):  # noqa: ANN001
    done = subprocess.run([sys.executable, "-m", "amkit", "deal", "list", "-c", "colour"], env=demo_env,
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("amkit: invalid --columns 'colour'") or "--columns" in done.stderr.split("\n")[0]
    assert "amount" in done.stderr and len(done.stderr.strip().split("\n")) == 1


def test_every_listing_command_takes_wide_and_columns():
    """Generic over the registry: a listing another change adds gets the options too."""
    from amkit.cli import full_tree

    def leaves(command, path):  # noqa: ANN001, ANN202
        subs = getattr(command, "commands", None)
        if subs is None:
            yield path, command
            return
        for name, sub in subs.items():
            yield from leaves(sub, [*path, name])

    listings = 0
    for path, command in leaves(full_tree(), []):
        opts = {o for p in command.params for o in p.opts}
        if "--format" in opts:
            listings += 1
            assert "--wide" in opts and "--columns" in opts, " ".join(path)
    assert listings > 20


def test_fit_plan_keeps_numbers_whole_and_cuts_text():
    from amkit.ui import fit

    heads = ["Name", "Amount", "Note"]
    cells = [["北京京东世纪贸易有限公司", "¥1,212,200.00", "a long note " * 5]]
    kinds = ["text", "money", "text"]
    order = fit.priority_order(["name", "amount", "note"], kinds, [None, None, None])
    plan = fit.plan(heads, cells, kinds, order, 40)
    assert plan.shown == (0, 1) and plan.hidden == 1 and not plan.record_view
    assert plan.widths[1] == cell_len("¥1,212,200.00")
    assert 1 + sum(w + 3 for w in plan.widths.values()) <= 40
    assert fit.clip("北京京东世纪贸易有限公司", 9) == "北京京东…"
    assert fit.plan(heads, cells, kinds, order, 20, key_count=2).record_view


def test_a_column_empty_in_every_row_gives_its_room_to_the_names(cli, env):  # noqa: ANN001, ANN201
    long_name = "武汉汇智信息有限公司"
    for step in (("manager", "add", "张伟"), ("customer", "add", long_name, "--owner", "张伟"),
                 ("followup", "log", long_name, "--channel", "visit", "--summary", "季度回顾", "--at", "2026-11-20 10:00")):
        assert cli(*step).exit_code == 0
    code, out = run_on_pty(["followup", "list"], 80, {**os.environ, **env})
    assert code == 0
    head = next(line for line in out.splitlines() if "Customer" in line)
    assert "Contact" not in head and "Outcome" not in head  # no follow-up has them
    assert long_name in out and "column(s) hidden: --wide or --columns" in out
    code, wide = run_on_pty(["followup", "list", "--wide"], 80, {**os.environ, **env})
    assert "Contact" in wide  # --wide shows every column, empty or not
