"""Every command's help renders cleanly at 80 columns in zh and en (issue 20 §7): nothing cut
with "…", no text swallowed as Rich markup ("TOML file with  and ."), no "<bool>",
"<list[str]>" or "<int range>" metavars, and in zh the command's own description in Chinese.
Generic over the COMMANDS registry: a command added later is checked too."""

from __future__ import annotations

import re

import pytest

from amkit.ui.fit import cell_len

pytestmark = pytest.mark.backend_free  # runs once, in the SQLite run (tests/conftest.py)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _paths() -> list[list[str]]:
    from amkit.cli import full_tree

    out: list[list[str]] = []

    def walk(command, path):  # noqa: ANN001, ANN202
        out.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(full_tree(), [])
    return out


PATHS = _paths()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_help_fits_80_columns_without_cuts(cli, lang):  # noqa: ANN001
    problems = []
    for path in PATHS:
        r = cli(*path, "--help", extra_env={"AMKIT_LANG": lang, "COLUMNS": "80", "TERMINAL_WIDTH": "80"})
        text = ANSI.sub("", r.stdout)
        where = "amkit " + " ".join(path)
        if r.exit_code != 0:
            problems.append(f"{where}: exit {r.exit_code} {r.stderr}")
            continue
        for line in text.splitlines():
            if cell_len(line) > 80:
                problems.append(f"{where}: wider than 80: {line}")
            if "…" in line and "…" not in _sources(path):
                problems.append(f"{where}: cut: {line}")
        for bad in ("<bool>", "<list[", "<int", "<str>", "<float", " with  and "):
            if bad in text:
                problems.append(f"{where}: shows {bad!r}")
        if lang == "zh" and path:
            described = text.split("╭")[0]  # usage and the command's own description
            if not re.search(r"[\u4e00-\u9fff]", described.split("Usage:")[-1].split("\n", 2)[-1]):
                problems.append(f"{where}: description not in Chinese")
    assert not problems, "\n".join(problems)


def _sources(path: list[str]) -> str:
    """The command's own help texts (an ellipsis written there on purpose is no cut)."""
    from amkit.cli import full_tree
    from amkit.ui.i18n import t

    command = full_tree()
    for name in path:
        command = command.commands[name]
    texts = [command.help or "", command.epilog or "", *(p.help or "" for p in command.params
                                                         if getattr(p, "help", None))]
    for sub in getattr(command, "commands", {}).values():
        texts.append(sub.short_help or sub.help or "")
    return "\n".join(texts + [t(x) for x in texts])


def test_import_help_shows_the_mapping_tables(cli):  # noqa: ANN001
    r = cli("import", "--help", extra_env={"COLUMNS": "120"})
    text = " ".join(ANSI.sub("", r.stdout).replace("│", " ").split())
    assert "TOML file with [map] and [value_map.FIELD]." in text
