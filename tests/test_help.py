"""Every command and sub-command has --help with an example; startup stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

from amkit.cli import app, full_tree

pytestmark = pytest.mark.backend_free  # runs once, in the SQLite run (tests/conftest.py)


def _walk(cmd, path: tuple[str, ...] = ()):  # noqa: ANN001, ANN202
    yield path, cmd
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _walk(sub, path + (name,))


COMMANDS = [p for p, _ in _walk(full_tree())]


def test_command_tree_is_complete():
    names = {" ".join(p) for p in COMMANDS}
    for expected in ("init", "demo", "customer add", "customer list", "customer show", "customer edit",
                     "contact add", "contact list", "manager add", "manager list", "import", "export",
                     "config get", "config set", "config list"):
        assert expected in names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "amkit")
def test_help_has_example(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.stderr
    assert "Usage:" in result.stdout
    leaf = not hasattr(_lookup(path), "commands")
    if leaf or not path:
        assert "Example" in result.stdout, f"{' '.join(path)} --help shows no example"


def _lookup(path):  # noqa: ANN001, ANN202
    cmd = full_tree()
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def test_import_cli_does_not_load_sqlalchemy():
    code = ("import sys, amkit.cli; heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'pypinyin', "
            "'openpyxl') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_usage_error_is_one_line_exit_2(cli):
    result = cli("customer", "list", "--no-such-option")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("amkit: ") and "--no-such-option" in lines[0]


def test_bad_enum_choice_is_exit_2(cli):
    result = cli("customer", "list", "-f", "yaml")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("amkit ")


def test_unusable_database_url_is_bad_input(cli):
    result = cli("customer", "list", extra_env={"AMKIT_DATABASE_URL": "bogus://x", "AMKIT_DB": ""})
    assert result.exit_code == 2
    assert result.stderr.startswith("amkit: ") and "bogus://x" in result.stderr


def _modules_loaded_by(*argv: str) -> list[str]:
    """The command modules (amkit.*.cli / *_cli) one real `amkit ARGV` process imports."""
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('loaded:' + ','.join(sorted(m for m in sys.modules "
            "if m.startswith('amkit.') and m.rsplit('.', 1)[-1].endswith('cli') and m != 'amkit.cli')), file=sys.stderr))\n"
            f"sys.argv = ['amkit', *{list(argv)!r}]\n"
            "from amkit.cli import main\nmain()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    loaded = out.stderr.strip().splitlines()[-1].removeprefix("loaded:")
    return [m for m in loaded.split(",") if m]


def test_root_help_imports_no_command_module():
    assert _modules_loaded_by("--help") == []


def test_a_command_imports_only_its_own_module():
    assert _modules_loaded_by("remind", "--help") == ["amkit.reminders.cli"]
    assert _modules_loaded_by("customer", "--help") == ["amkit.customers.cli"]


def test_listing_line_is_the_first_paragraph_of_each_command(cli):
    from amkit.cli import COMMANDS

    listing = " ".join(cli("--help", extra_env={"COLUMNS": "400"}).stdout.split())
    for name, (_, export, summary) in COMMANDS.items():
        command = full_tree().commands[name]
        first = " ".join((command.help or "").split("\n\n")[0].split())
        assert first == summary, name  # the docstring or sub-app help and the listing agree
        assert f"{name} {summary}" in listing, name
