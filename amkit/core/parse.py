"""Parsing and validation of scalar input, shared by CLI options and imports.

Every failure is a BadInput naming the field and the value (SPEC §1).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from amkit.errors import bad_value

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def parse_date(field: str, value: str | dt.date | None) -> dt.date | None:
    """ISO dates (also 2026/11/23, 2026年11月23日, Excel datetimes); '' → None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    # an ISO datetime is accepted where a date is wanted (Excel often adds 00:00:00)
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise bad_value(field, value, "expected a date YYYY-MM-DD") from None


def parse_datetime(field: str, value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        parsed = None
    if parsed is None:
        day = parse_date(field, text)  # raises with the field name
        return dt.datetime.combine(day, dt.time())
    return parsed.replace(microsecond=0, tzinfo=None)


# The money range (README Conventions). Each stored amount (deal, payment) is at most
# MAX_AMOUNT = 10^9 yuan = 10^11 cents. Every report sums at most 10^7 rows (a workload ten
# times the 1M-row benchmark), so any SUM of amounts is <= 10^11 * 10^7 = 10^18 cents, inside
# int64 (2^63 - 1 ~ 9.22 * 10^18): SQLite's integer SUM and PostgreSQL's BIGINT never overflow,
# and even a product of a sum with a ratio <= 9 stays in range. Goal targets are not summed over
# rows (one per owner/team, period and metric) and may reach MAX_TARGET = 10^12, which fits
# their NUMERIC(18, 2) column.
MAX_AMOUNT = Decimal(10) ** 9
MAX_TARGET = Decimal(10) ** 12

_MONEY_CLEAN = re.compile(r"[,\s¥￥$]|元$|RMB", re.IGNORECASE)


def parse_amount(field: str, value: str | int | float | Decimal | None) -> Decimal | None:
    """A non-negative money amount with at most 2 decimals ('1,234.50', '¥800', '3万')."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise bad_value(field, value, "expected an amount")
    if isinstance(value, (int, Decimal)):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        text = _MONEY_CLEAN.sub("", str(value).strip())
        if not text:
            return None
        scale = Decimal(1)
        if text.endswith("万"):
            text, scale = text[:-1], Decimal(10000)
        try:
            amount = Decimal(text) * scale
        except InvalidOperation:
            raise bad_value(field, value, "expected an amount like 12000.50") from None
    if not amount.is_finite():
        raise bad_value(field, value, "expected an amount like 12000.50")
    if amount < 0:
        raise bad_value(field, value, "must not be negative")
    if amount > MAX_AMOUNT:
        raise bad_value(field, value, "over the limit of 1,000,000,000.00 (10亿)")
    if amount != amount.quantize(Decimal("0.01")):
        raise bad_value(field, value, "at most 2 decimals")
    return amount.quantize(Decimal("0.01"))


def to_cents(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount * 100)


def from_cents(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


def parse_int(field: str, value: str | int | None, *, minimum: int | None = None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise bad_value(field, value, "expected a whole number") from None
    if minimum is not None and number < minimum:
        raise bad_value(field, value, f"must be at least {minimum}")
    return number


_TRUE = {"1", "true", "yes", "y", "是", "对", "t", "x", "✓"}
_FALSE = {"0", "false", "no", "n", "否", "f", ""}


def parse_bool(field: str, value: str | bool | int | None) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise bad_value(field, value, "expected yes/no")


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9\- ()]{4,24}$")


def parse_email(field: str, value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if not _EMAIL.match(text):
        raise bad_value(field, value, "expected an e-mail address")
    return text


def parse_phone(field: str, value: str | None) -> str | None:
    text = (str(value) if value is not None else "").strip()
    if not text:
        return None
    if not _PHONE.match(text):
        raise bad_value(field, value, "expected a phone number")
    return text


def parse_birthday(field: str, value: str | None) -> str | None:
    """YYYY-MM-DD or MM-DD, stored as given (normalised)."""
    text = (value or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})", text)
    if not match:
        raise bad_value(field, value, "expected YYYY-MM-DD or MM-DD")
    year, month, day = match.groups()
    try:
        dt.date(int(year or 2000), int(month), int(day))  # 2000 is a leap year: 02-29 ok
    except ValueError:
        raise bad_value(field, value, "no such date") from None
    return (f"{year}-" if year else "") + f"{int(month):02d}-{int(day):02d}"


def parse_tags(value: str | list[str] | None) -> str:
    """Tags as a normalised comma list ('a,b'); accepts ',', '，', ';', '、' and spaces."""
    if value is None:
        return ""
    items = value if isinstance(value, list) else re.split(r"[,，;；、|]", str(value))
    seen: list[str] = []
    for item in items:
        tag = check_text("tag", str(item).strip())
        if tag and tag not in seen:
            seen.append(tag)
    return ",".join(seen)


# Control characters (C0, DEL, C1) and bidi overrides: never part of a name, a title or a tag.
# Multi-line text (notes, summaries, bodies) may hold newlines and tabs, nothing else.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_text(field: str, value: str, *, multiline: bool = False) -> str:
    """`value` unchanged, or BadInput naming the field when it holds a control character."""
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        raise bad_value(field, value, "control characters are not allowed")
    return value


def require_text(field: str, value: str | None, *, multiline: bool = False) -> str:
    text = (value or "").strip()
    if not text:
        raise bad_value(field, value or "", "must not be empty")
    return check_text(field, text, multiline=multiline)
