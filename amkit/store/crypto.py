"""Sensitive contact fields encrypted at rest (issue 13): phone, email, wechat, birthday.

With a key (`AMKIT_KEY`, or the OS keyring entry service "amkit", name "key" when the optional
`keyring` package is installed) contact rows are sealed on their way into the database, in the
one write path (amkit.store), and opened where they are read:

- each value becomes ``enc1:`` + base64(nonce ‖ AES-256-GCM ciphertext), the column name being
  the associated data (a value moved to another column does not open);
- ``phone_hash`` / ``email_hash`` hold HMAC-SHA256 of the normalised phone (digits, no +86) /
  lower-cased e-mail, so exact lookup (`contact list --phone`) and dedupe work without decrypting;
- both keys come from AMKIT_KEY through HKDF-SHA256, so use a long random key
  (`openssl rand -base64 32`), not a short password.

Without a key nothing changes: values are stored and shown as given. A value sealed earlier is
shown as "[encrypted]" when no key is set. Rows written before the key was set stay plaintext
until rewritten (reads accept both).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Iterator

from amkit.errors import Conflict

FIELDS = ("phone", "email", "wechat", "birthday")
PREFIX = "enc1:"
LOCKED = "[encrypted]"
CHECK_KEY = "crypto_key_check"


def key_text() -> str | None:
    env = os.environ.get("AMKIT_KEY")
    if env:
        return env
    try:
        import keyring  # optional
    except ImportError:
        return None
    try:
        return keyring.get_password("amkit", "key") or None
    except Exception:  # noqa: BLE001 - no usable keyring backend is the same as no key
        return None


def active() -> bool:
    return key_text() is not None


@lru_cache(maxsize=4)
def _keys(text: str) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    material = HKDF(algorithm=hashes.SHA256(), length=64, salt=b"amkit contact fields",
                    info=b"amkit enc+mac v1").derive(text.encode())
    return material[:32], material[32:]


def _current() -> tuple[bytes, bytes] | None:
    text = key_text()
    return _keys(text) if text else None


def fingerprint() -> str | None:
    keys = _current()
    return hmac.new(keys[1], b"amkit key check", hashlib.sha256).hexdigest()[:16] if keys else None


# --- values ---------------------------------------------------------------------------------

def seal(field: str, value: str | None) -> str | None:
    keys = _current()
    if keys is None or value is None or str(value).startswith(PREFIX):
        return value
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    data = AESGCM(keys[0]).encrypt(nonce, str(value).encode(), field.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + data).decode()


def open_(field: str, value: str | None) -> str | None:
    if not isinstance(value, str) or not value.startswith(PREFIX):
        return value
    keys = _current()
    if keys is None:
        return LOCKED
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.urlsafe_b64decode(value[len(PREFIX):].encode())
    try:
        return AESGCM(keys[0]).decrypt(raw[:12], raw[12:], field.encode()).decode()
    except (InvalidTag, ValueError):
        raise Conflict(f"cannot decrypt contact {field}: AMKIT_KEY is not the key this database was "
                       "encrypted with") from None


def normal_phone(phone: str) -> str:
    from amkit.core.text import normalise_phone

    return normalise_phone(phone) or phone.strip()


def lookup_hash(field: str, value: str | None) -> str | None:
    """The keyed hash kept in ``<field>_hash`` (None without a key or value)."""
    keys = _current()
    if keys is None or not value:
        return None
    text = normal_phone(value) if field == "phone" else value.strip().lower()
    return hmac.new(keys[1], f"{field}:{text}".encode(), hashlib.sha256).hexdigest()


# --- contact rows ---------------------------------------------------------------------------

def seal_row(row: dict[str, Any]) -> dict[str, Any]:
    """Seal the sensitive values present in a contacts row (a dict of columns), in place."""
    if _current() is None:
        return row
    for field in ("phone", "email"):
        if field in row and not str(row[field] or "").startswith(PREFIX):
            row[f"{field}_hash"] = lookup_hash(field, row[field])
    for field in FIELDS:
        if field in row:
            row[field] = seal(field, row[field])
    return row


def seal_obj(obj: Any) -> None:
    values = seal_row({f: getattr(obj, f) for f in FIELDS})
    for key, value in values.items():
        setattr(obj, key, value)


def open_row(row: dict[str, Any]) -> dict[str, Any]:
    """A copy with the sensitive values decrypted."""
    return {k: open_(k, v) if k in FIELDS else v for k, v in row.items()}


# --- display --------------------------------------------------------------------------------

def mask(field: str, value: str | None) -> str | None:
    """138****8000, l***@example.com, wx****, ****: enough to recognise, not to use."""
    if value is None or value == LOCKED:
        return value
    if field == "phone":
        digits = re.sub(r"\D", "", normal_phone(value))
        return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"
    if field == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"
    if field == "wechat":
        return f"{value[:2]}****" if len(value) > 4 else "****"
    return "****"


def shown(row: dict[str, Any], reveal: bool) -> dict[str, Any]:
    """Decrypt a row's sensitive values; mask them unless `reveal` when a key is set."""
    opened = open_row(row)
    if reveal or not active():
        return opened
    return {k: mask(k, v) if k in FIELDS else v for k, v in opened.items()}


_REVEAL: ContextVar[bool] = ContextVar("amkit_reveal", default=False)


def revealing() -> bool:
    return _REVEAL.get()


@contextmanager
def revealed(on: bool = True) -> Iterator[None]:
    """Exports inside show sensitive values in full (the caller audits the reveal)."""
    token = _REVEAL.set(on)
    try:
        yield
    finally:
        _REVEAL.reset(token)
