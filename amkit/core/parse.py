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
        tag = item.strip()
        if tag and tag not in seen:
            seen.append(tag)
    return ",".join(seen)


def require_text(field: str, value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise bad_value(field, value or "", "must not be empty")
    return text
