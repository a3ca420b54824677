"""Shell completion of customer names: the callback itself, the `_AMKIT_COMPLETE=complete_bash`
protocol in a real process, and the installed bash script (issue 12)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from amkit.ui.opts import complete_customer

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["中国银行", "中国银行上海分行", "重庆银行", "长城汽车", "Acme Ltd", "zgc科技"]


@pytest.fixture
def names(cli):
    for name in NAMES:
        assert cli("customer", "add", name).exit_code == 0
    return cli


def test_callback_prefix_then_pinyin(names):
    assert complete_customer(None, "中国") == ["中国银行", "中国银行上海分行"]
    # a name prefix first, then pinyin initials / full pinyin, each by name
    assert complete_customer(None, "zg") == ["zgc科技", "中国银行", "中国银行上海分行"]
    assert complete_customer(None, "cq") == ["重庆银行"]            # 重 chóng
    assert complete_customer(None, "changch") == ["长城汽车"]       # 长 cháng
    assert complete_customer(None, "zhongguoyinhangs") == ["中国银行上海分行"]
    assert complete_customer(None, "nothing") == []
    assert sorted(complete_customer(None, "")) == sorted(NAMES)


def test_callback_at_most_20(cli):
    for i in range(25):
        assert cli("customer", "add", f"客户{i:02d}").exit_code == 0
    assert complete_customer(None, "") == [f"客户{i:02d}" for i in range(20)]
    assert complete_customer(None, "kh") == [f"客户{i:02d}" for i in range(20)]


def test_callback_never_fails_and_never_creates_a_database(env, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "amkit.db"
    monkeypatch.setenv("AMKIT_DB", str(missing))
    assert complete_customer(None, "zg") == []
    assert not missing.exists() and not missing.parent.exists()
    monkeypatch.delenv("AMKIT_DB")
    monkeypatch.setenv("AMKIT_DATABASE_URL", "nosuchdialect://x/y")
    assert complete_customer(None, "zg") == []


def complete(sh, *words: str) -> list[str]:
    """Ask the program for completions the way the bash script does."""
    line = " ".join(("amkit",) + words)
    r = sh(extra_env={"_AMKIT_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words))})
    assert r.exit_code == 0 and r.stderr == "", r.stderr
    return [line for line in r.stdout.splitlines() if line]


def test_bash_protocol_completes_customer_arguments_and_options(names, sh):
    assert complete(sh, "customer", "show", "zg") == ["zgc科技", "中国银行", "中国银行上海分行"]
    assert complete(sh, "followup", "log", "cqy") == ["重庆银行"]
    assert complete(sh, "contact", "add", "中国银行上") == ["中国银行上海分行"]
    assert complete(sh, "deal", "list", "--customer", "ccqc") == ["长城汽车"]
    assert complete(sh, "tier", "lock", "Ac") == ["Acme\\ Ltd"]  # typed text for bash: the space escaped
    assert complete(sh, "customer", "sh") == ["show"]  # commands still complete as before


def test_bash_protocol_honours_global_db(names, sh, tmp_path):
    other = tmp_path / "other.db"
    assert names("--db", str(other), "customer", "add", "招商银行").exit_code == 0
    assert complete(sh, "--db", str(other), "survey", "add", "zs") == ["招商银行"]
    assert complete(sh, "survey", "add", "zs") == []


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_install_completion_for_bash_and_complete_in_bash(names, env, tmp_path):
    home, bindir = tmp_path / "home", tmp_path / "bin"
    home.mkdir()
    bindir.mkdir()
    wrapper = bindir / "amkit"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m amkit "$@"\n')
    wrapper.chmod(0o755)
    run_env = {**os.environ, **env, "HOME": str(home), "SHELL": "/bin/bash", "PYTHONPATH": str(ROOT),
               "PATH": f"{bindir}:{os.environ['PATH']}"}
    # Typer detects the shell from the parent processes: run it from bash (`; true` keeps bash
    # from exec-ing the command, so bash stays the parent)
    r = subprocess.run(["bash", "--norc", "-c", "amkit --install-completion; true"], env=run_env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "bash completion installed" in r.stdout, r.stdout + r.stderr
    script = home / ".bash_completions" / "amkit.sh"
    assert script.exists() and f"source '{script}'" in (home / ".bashrc").read_text()
    probe = (f"source '{script}'; COMP_WORDS=(amkit customer show zgyh); COMP_CWORD=3; "
             "_amkit_completion amkit; printf '%s\\n' \"${COMPREPLY[@]}\"")
    out = subprocess.run(["bash", "--norc", "-c", probe], env=run_env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["中国银行", "中国银行上海分行"]
