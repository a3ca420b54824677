"""Text normalisation for matching: company names and phone numbers (pure, stdlib only)."""

from __future__ import annotations

import re
import unicodedata

_SUFFIXES = [
    "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司", "分公司",
    "co ltd", "co., ltd", "company limited", "limited", "ltd", "inc", "corporation", "corp", "company", "llc",
    "gmbh", "plc", "co",
]
_PUNCT = re.compile(r"[\s\.,，。()（）\-_&'\"·]+")


def normalise_name(name: str) -> str:
    """Full-width → half-width (NFKC), case, punctuation and company-form suffixes folded."""
    text = unicodedata.normalize("NFKC", name).lower().strip()
    changed = True
    while changed:
        changed = False
        flat = _PUNCT.sub(" ", text).strip()
        for suffix in _SUFFIXES:
            if flat.endswith(" " + suffix) or (flat.endswith(suffix) and not suffix.isascii()):
                text = flat[: -len(suffix)].strip()
                changed = bool(text)
                break
    return _PUNCT.sub("", text) or _PUNCT.sub("", unicodedata.normalize("NFKC", name).lower())


def normalise_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if len(digits) >= 6 else None


_URL_PASSWORD = re.compile(r"(\b[A-Za-z][\w+.-]*://[^\s:/@]*:)[^\s/]*(@)")
_KEYWORD_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """The text with passwords masked: in URLs (`postgresql://user:***@host/db`) and in
    connection strings (`password=***`). Every message amkit prints goes through it."""
    if "://" not in text and "password" not in text.lower():
        return text
    return _KEYWORD_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***\2", text))
