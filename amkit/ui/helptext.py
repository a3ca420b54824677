"""Help texts and one-line error messages in the user's language.

Command modules write English help (docstrings, `help=`, `example(...)` epilogs); those
strings are the message ids. When the language is zh, `translate_tree` walks the click
command tree once per run and swaps every help, epilog and parameter help for its catalog
entry (`amkit/locale/zh.toml`), paragraph by paragraph, so an untranslated paragraph simply
stays English. In English nothing is walked or loaded: `amkit --help` stays as fast as before.

`message()` does the same for the `amkit: ...` error line: the catalog holds templates
keyed by the English line (``"amkit: customer not found: {ref}"``); a message that matches
one is reworded, its parts translated when they are catalog entries themselves (field
names, reasons), values kept as typed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator

from amkit import config
from amkit.ui.i18n import _catalog, counted, plural, t

PREFIX = "amkit: "
_FIELD = re.compile(r"\{(\w+)\}")
# a value is shown by repr ('2026-13-45') or as a number: so a field name with a space in it
# ("invalid expected close '2026-13-45'") is not cut at its first word
_GROUPS = {"value": r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s'\"]\S*)"}


def translate_tree(root: Any) -> None:
    """Translate every command's help in place (only when the language is zh)."""
    lang = _language()
    if lang != "zh":
        _restore_panel_titles()
        return
    catalog = _catalog(lang)
    for cmd in walk(root):
        if getattr(cmd, "_amkit_zh", False):
            continue
        cmd._amkit_zh = True
        cmd.help = translate(cmd.help, catalog)
        cmd.short_help = translate(cmd.short_help, catalog)
        cmd.epilog = translate(cmd.epilog, catalog)
        for param in cmd.params:
            if getattr(param, "help", None):
                param.help = translate(param.help, catalog)
        cmd.format_help = _zh_format_help(cmd.format_help)


def walk(cmd: Any) -> Iterator[Any]:
    yield cmd
    for sub in getattr(cmd, "commands", {}).values():
        yield from walk(sub)


def _language() -> str:
    """The user's language; English when the config file cannot be read (that error is
    reported by whatever command reads the config, in English)."""
    from amkit.errors import AmkitError

    try:
        return config.language()
    except AmkitError:
        return "en"


def translate(text: str | None, catalog: dict[str, str]) -> str | None:
    """A help text in the user's language: whole, else paragraph by paragraph.

    Paragraph keys are whitespace-normalised (one line each) so the catalog stays readable;
    paragraphs of examples (`  $ amkit ...`) are kept as written.
    """
    if not text:
        return text
    if text in catalog:
        return catalog[text]
    out = []
    for para in text.split("\n\n"):
        key = " ".join(para.split())
        out.append(catalog.get(key, para) if not para.lstrip().startswith("$") else para)
    return "\n\n".join(out)


def _zh_format_help(original: Any) -> Any:
    def format_help(ctx: Any, formatter: Any) -> Any:
        _panel_titles()
        option = ctx.command.get_help_option(ctx)
        if option is not None and option.help:
            option.help = t(option.help)
        return original(ctx, formatter)

    return format_help


_PANEL_NAMES = ("ARGUMENTS_PANEL_TITLE", "OPTIONS_PANEL_TITLE", "COMMANDS_PANEL_TITLE", "REQUIRED_LONG_STRING",
                "DEFAULT_STRING")
_ENGLISH: dict[str, str] = {}


def _panel_titles() -> None:
    """Typer's panel headings (Arguments, Options, Commands) and markers; at help time only
    (rich_utils loads Rich)."""
    from typer import rich_utils

    for name in _PANEL_NAMES:
        english = _ENGLISH.setdefault(name, getattr(rich_utils, name))
        setattr(rich_utils, name, t(english))


def _restore_panel_titles() -> None:
    """Back to English after a zh run in the same process (tests run many)."""
    if _ENGLISH:
        import sys

        rich_utils = sys.modules["typer.rich_utils"]
        for name, english in _ENGLISH.items():
            setattr(rich_utils, name, english)


# --- error lines ------------------------------------------------------------------------

def message(text: str) -> str:
    """The message of an `amkit: ...` line in the user's language (English unchanged)."""
    lang = _language()
    if lang == "en":
        return text
    return _reword(text, _catalog(lang), _templates(lang), depth=2)


def _reword(text: str, catalog: dict[str, str], templates: list, depth: int) -> str:
    exact = catalog.get(PREFIX + text)
    if exact is not None:
        return exact[len(PREFIX):] if exact.startswith(PREFIX) else exact
    for pattern, template in templates:
        m = pattern.fullmatch(text)
        if m:
            parts = {k: _part(v, catalog, templates, depth) for k, v in m.groupdict().items()}
            out = template.format(**parts)
            return out[len(PREFIX):] if out.startswith(PREFIX) else out
    return text


_COUNT = re.compile(r"(\d+) ([a-z][a-z -]*)")


def _part(value: str, catalog: dict[str, str], templates: list, depth: int) -> str:
    """A captured part: a catalog word (field name, reason), counts of records ("3 payments,
    1 contract" → "3 笔回款、1 份合同"), or a nested message, else as is."""
    if value in catalog:
        return catalog[value]
    pieces = value.split(", ")
    counts = [_COUNT.fullmatch(p) for p in pieces]
    if all(counts) and all(m[2] in catalog or plural(m[2]) in catalog or "{n} " + plural(m[2]) in catalog
                           for m in counts):
        return catalog.get(", ", ", ").join(counted(int(m[1]), m[2], _language()) for m in counts)
    labels = _enum_labels(pieces)
    if labels and len(labels) == 1:  # a stage, a channel … named in a message: as shown ("处于 报价")
        return labels[0][1]
    if labels:  # the choices of an enum: each as shown (and accepted back), with its value
        return catalog.get(", ", ", ").join(f"{label}（{value}）" if label != value else value
                                            for value, label in labels)
    return _reword(value, catalog, templates, depth - 1) if depth > 0 else value


def _enum_labels(values: list[str]) -> list[tuple[str, str]] | None:
    """[(value, zh label)] when VALUES are all the values of one of amkit's enums (channels,
    stages, reason codes …), in order; else None."""
    from amkit.core.enums import ENUMS

    for names in ENUMS.values():
        if set(values) <= names.keys():
            return [(v, names[v]) for v in values]
    return None


@lru_cache(maxsize=4)
def _templates(lang: str) -> list[tuple[re.Pattern[str], str]]:
    """Catalog keys `amkit: ...{name}...` as regexes; longer literal text first (more specific)."""
    out = []
    for key, value in _catalog(lang).items():
        if key.startswith(PREFIX) and _FIELD.search(key):
            body = key[len(PREFIX):]
            regex = ""
            for i, piece in enumerate(_FIELD.split(body)):
                regex += re.escape(piece) if i % 2 == 0 else _GROUPS.get(piece, f"(?P<{piece}>.+?)")
            literal = len(_FIELD.sub("", body))
            out.append((literal, re.compile(regex, re.S), value))
    out.sort(key=lambda item: -item[0])
    return [(pattern, value) for _, pattern, value in out]


def plain_rich_help() -> None:
    """Typer renders help through Rich; three fixes for every command's help (issue 20 §7):
    help texts are plain text, not Rich markup (`[map]` in "TOML file with [map] and
    [value_map.FIELD]" was swallowed as a style tag); a line of Chinese, which has no spaces
    to wrap at, folds at the panel's width instead of being cut with "…"; and the type column
    shows TEXT/N or nothing for a flag, not "<bool>", "<list[str]>", "<int range>"."""
    from typer import rich_utils

    if getattr(rich_utils, "_amkit_plain", False):
        return
    import inspect

    from rich.text import Text

    def make_text(*, text: str, style: str = "", markup_mode: object = None) -> Text:
        body = inspect.cleandoc(text)
        rendered = Text.from_ansi(body, style=style) if "\x1b" in body else Text(body, style=style)
        rendered.overflow = "fold"
        return rich_utils.highlighter(rendered)

    rich_utils._make_rich_text = make_text
    from typer.core import TyperArgument, TyperOption

    for cls in (TyperOption, TyperArgument):
        typer_type = cls.display_type_rich

        def display_type_rich(self, ctx, typer_type=typer_type):  # noqa: ANN001, ANN202
            return plain_type(self, typer_type(self, ctx))

        cls.display_type_rich = display_type_rich
    rich_utils._amkit_plain = True


# A parameter's type as the help shows it: a flag shows none, the others a plain word, not
# Typer's "<bool>", "<list[str]>" or "<int range>".
_PLAIN_TYPES = {"str": "TEXT", "int": "N", "int range": "N", "float": "NUMBER", "float range": "NUMBER",
                "list[str]": "TEXT", "list[int]": "N", "path": "PATH", "file": "FILE", "datetime": "DATETIME"}


def plain_type(param, shown: str | None) -> str | None:  # noqa: ANN001
    """What the help's type column shows for `param` (Typer's own text: `shown`)."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    if getattr(param, "param_type_name", "") == "option" and param.metavar:
        return param.metavar
    if not shown:
        return shown
    inner = shown[1:-1] if shown.startswith("<") and shown.endswith(">") else shown
    if getattr(param, "param_type_name", "") == "argument" and inner in _PLAIN_TYPES:
        return None  # its name (CUSTOMER, FILE) says it already
    return _PLAIN_TYPES.get(inner, inner)
