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


def plural(noun: str) -> str:
    """The English plural of a record noun: payment → payments, history → histories, and a
    noun already plural (handovers) stays."""
    if noun.endswith("s"):
        return noun
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    return noun + "s"


def counted(n: int, noun: str, lang: str | None = None) -> str:
    """A count of records in words: "1 payment", "3 payments"; in zh with the catalog's measure
    word ("{n} payments" = "{n} 笔回款"), else "{n} 条" and the noun's label."""
    lang = lang or config.language()
    if lang == "en":
        return f"{n} {noun if n == 1 else plural(noun)}"
    catalog = _catalog(lang)
    many = plural(noun)
    template = catalog.get("{n} " + many)
    if template is not None:
        return template.format(n=n)
    return catalog.get("{n} {what}", "{n} {what}").format(n=n, what=catalog.get(noun, catalog.get(many, noun)))


def record_named(label: str, record_id: object, name: str = "") -> str:
    """"follow-up 12 (上门拜访)" in the user's language (LABEL is the English noun)."""
    if not name:
        return t("{kind} {id}", kind=t(label), id=record_id)
    return t("{kind} {id} ({name})", kind=t(label), id=record_id, name=name)


def enum_label(value: str | None, names: dict[str, str]) -> str:
    """An enum value as shown in a table: English value, or its Chinese name in zh."""
    if value is None:
        return ""
    if config.language() == "zh":
        return names.get(value, value)
    return value
