"""Message catalogs: English message ids, translations in amkit/ui/locale/<lang>.toml
and its fragments <lang>_<part>.toml.

`t("Customer")` returns the label in the user's language (AMKIT_LANG / config / LANG).
JSON/CSV keys and enum values never go through here: they stay English.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from amkit import config


@lru_cache(maxsize=4)
def _catalog(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    # <lang>.toml, then its fragments <lang>_<part>.toml (one per feature area), in name order
    files = sorted((f for f in resources.files("amkit.ui.locale").iterdir()
                    if f.name == f"{lang}.toml" or (f.name.startswith(f"{lang}_") and f.name.endswith(".toml"))),
                   key=lambda f: (f.name != f"{lang}.toml", f.name))
    messages: dict[str, str] = {}
    for f in files:
        messages.update(tomllib.loads(f.read_text(encoding="utf-8")).get("messages", {}))
    return messages


def t(message: str, **fields: object) -> str:
    text = _catalog(config.language()).get(message, message)
    return text.format(**fields) if fields else text


def enum_label(value: str | None, names: dict[str, str]) -> str:
    """An enum value as shown in a table: English value, or its Chinese name in zh."""
    if value is None:
        return ""
    if config.language() == "zh":
        return names.get(value, value)
    return value
