"""Parsing and validation of scalar input, shared by CLI options and imports.

Every failure is a BadInput naming the field and the value (SPEC §1).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from amkit.errors import bad_value

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
DATE_FORMS = "2026-11-03, 2026/11/3, 2026年11月3日, 11月3日, 11-03, 今天, 昨天, 前天, 上周五, 本周一, " \
             "3天前, 3 days ago, yesterday, last friday"
TIME_FORMS = "15:30, 下午3点, 下午3点半, 3pm"


_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system (its 1900-02-29 bug included)


def excel_serial(value: object) -> dt.datetime | None:
    """An Excel date serial (a cell not formatted as a date: 46329 = 2026-11-03, 46329.5 its noon)
    as a datetime, or None. Only numbers (or their 5-digit text) of days 1950–2099 (18264 to
    73050): a small number such as 5 is a mistake, not 1900-01-04; 8-digit text such as 20261103
    is a date written as YYYYMMDD, not a serial."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"\d{5}(?:\.\d+)?", text):
            return None
        value = float(text)
    if not isinstance(value, (int, float, Decimal)) or not 18264 <= value < 73051:
        return None
    moment = _EXCEL_EPOCH + dt.timedelta(days=float(value))
    return moment.replace(microsecond=0)


def env_today() -> dt.date:
    """Today's date; `AMKIT_TODAY=YYYY-MM-DD` overrides it everywhere (the one reading of it)."""
    import os

    env = os.environ.get("AMKIT_TODAY")
    if env:
        try:
            return dt.date.fromisoformat(env)
        except ValueError:
            raise bad_value("AMKIT_TODAY", env, "expected YYYY-MM-DD") from None
    return dt.date.today()


def parse_date(field: str, value: str | dt.date | None, today: dt.date | None = None) -> dt.date | None:
    """A date as people write it ('' → None): ISO and 2026/11/23, 2026年11月23日, Excel
    datetimes, and the relative and short forms of `natural_date` (today: AMKIT_TODAY)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    serial = excel_serial(value)
    if serial is not None:
        return serial.date()
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
        pass
    day = natural_date(text, today or env_today())
    if day is None:
        raise bad_value(field, value, "expected a date such as " + DATE_FORMS)
    return day


def parse_datetime(field: str, value: str | dt.datetime | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """A date and time as people write it: ISO, '2026-11-20 15:30', '昨天下午3点', '上周五 15:30',
    or a time alone (today); a date alone is its midnight."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    serial = excel_serial(value)
    if serial is not None:
        return serial
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("/", "-"))
        return parsed.replace(microsecond=0, tzinfo=None)
    except ValueError:
        pass
    day_text, clock = split_time(text)
    if clock is None:
        day = parse_date(field, text, now.date() if now else None)  # raises with the field name
        return dt.datetime.combine(day, dt.time())
    day = (parse_date(field, day_text, now.date() if now else None) if day_text
           else (now.date() if now else env_today()))
    return dt.datetime.combine(day, clock)


# --- the small zh (and English) layer over dateutil ----------------------------------------

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "1": 0, "2": 1, "3": 2,
             "4": 3, "5": 4, "6": 5, "7": 6}
_EN_WEEKDAYS = {name: i for i, names in enumerate((("monday", "mon"), ("tuesday", "tue", "tues"),
                ("wednesday", "wed"), ("thursday", "thu", "thur", "thurs"), ("friday", "fri"),
                ("saturday", "sat"), ("sunday", "sun"))) for name in names}
_DAY_WORDS = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2, "大前天": -3, "明天": 1, "明日": 1,
              "后天": 2, "大后天": 3, "today": 0, "yesterday": -1, "tomorrow": 1}
_WEEK_SHIFT = {"上上": -2, "上": -1, "本": 0, "这": 0, "这个": 0, "下": 1, "下下": 2, "": 0}
_ZH_NUM = {"零": 0, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_UNIT_DAYS = {"天": 1, "日": 1, "day": 1, "days": 1, "周": 7, "星期": 7, "礼拜": 7, "week": 7, "weeks": 7}


def _number(text: str) -> int | None:
    """'3', '十二', '两' as an int (Chinese numerals up to 99)."""
    if text.isdigit():
        return int(text)
    if text and all(ch in _ZH_NUM for ch in text):
        if "十" in text:
            tens, _, ones = text.partition("十")
            return (_ZH_NUM[tens] if tens else 1) * 10 + (_ZH_NUM[ones] if ones else 0)
        return _ZH_NUM[text] if len(text) == 1 else None
    return None


def natural_date(text: str, today: dt.date) -> dt.date | None:
    """The relative and short forms people type, or None: 今天/昨天/前天, 上周五/本周一/下周三,
    周五 (this week), 11月3日, 11-03, 11/3, 3天前, 2周后, "3 days ago", "in 2 weeks", "last friday",
    "this monday", then whatever dateutil reads with today as the default (Nov 3, 3 Nov 2026)."""
    raw = text.strip()
    low = re.sub(r"\s+", " ", raw.lower())
    if low in _DAY_WORDS:
        return today + dt.timedelta(days=_DAY_WORDS[low])
    m = re.fullmatch(r"(上上|上|本|这个|这|下下|下)?(?:周|星期|礼拜)([一二三四五六日天1-7])", raw)
    if m:
        monday = today - dt.timedelta(days=today.weekday())
        return monday + dt.timedelta(days=7 * _WEEK_SHIFT[m.group(1) or ""] + _WEEKDAYS[m.group(2)])
    m = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?", raw) or \
        re.fullmatch(r"(\d{4})?[-/.]?(\d{1,2})[-/](\d{1,2})", raw)
    if m:
        try:
            return dt.date(int(m.group(1) or today.year), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = re.fullmatch(r"([0-9零一两二三四五六七八九十]+)\s*(天|日|周|星期|礼拜|个星期|个礼拜)\s*(前|以前|之前|后|以后|之后)", raw)
    if m and _number(m.group(1)) is not None:
        days = _number(m.group(1)) * _UNIT_DAYS[m.group(2).removeprefix("个")]
        return today + dt.timedelta(days=-days if "前" in m.group(3) else days)
    m = re.fullmatch(r"(?:(in) )?(\d+) (days?|weeks?)(?: (ago))?", low)
    if m and bool(m.group(1)) != bool(m.group(4)):
        days = int(m.group(2)) * _UNIT_DAYS[m.group(3)]
        return today + dt.timedelta(days=-days if m.group(4) else days)
    m = re.fullmatch(r"(last|this|next) (\w+)", low)
    if m and m.group(2) in _EN_WEEKDAYS:
        target = _EN_WEEKDAYS[m.group(2)]
        if m.group(1) == "last":  # the most recent one before today
            return today - dt.timedelta(days=(today.weekday() - target - 1) % 7 + 1)
        monday = today - dt.timedelta(days=today.weekday())
        return monday + dt.timedelta(days=target + (7 if m.group(1) == "next" else 0))
    if low in _EN_WEEKDAYS:
        return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=_EN_WEEKDAYS[low])
    if re.search(r"[a-z]", low) and not re.search(r"[\u3400-\u9fff]", raw):
        return _dateutil(raw, today)
    return None


def _dateutil(text: str, today: dt.date) -> dt.date | None:
    from dateutil import parser

    try:
        return parser.parse(text, default=dt.datetime.combine(today, dt.time())).date()
    except (ValueError, OverflowError, parser.ParserError):
        return None


_ZH_TIME = re.compile(r"(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)?\s*([0-9零一两二三四五六七八九十]+)\s*[点點时時]"
                      r"\s*(?:(半)|([0-9零一两二三四五六七八九十]+)\s*分?)?$")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_AMPM = re.compile(r"(\d{1,2})\s*(am|pm)$", re.IGNORECASE)


def split_time(text: str) -> tuple[str, dt.time | None]:
    """(the date part, the time at its end) of '昨天下午3点', '上周五 15:30', '3pm'; time None if
    there is none."""
    for pattern in (_ZH_TIME, _CLOCK, _AMPM):
        m = pattern.search(text)
        if not m:
            continue
        try:
            clock = _clock(pattern, m)
        except ValueError:
            return text, None
        if clock is not None:
            return text[:m.start()].strip().rstrip("T").strip(), clock
    return text, None


def _clock(pattern: re.Pattern[str], m: re.Match[str]) -> dt.time | None:
    if pattern is _ZH_TIME:
        hour, minute = _number(m.group(2)), 30 if m.group(3) else (_number(m.group(4)) if m.group(4) else 0)
        if hour is None or minute is None:
            return None
        if m.group(1) in ("下午", "傍晚", "晚上") and hour < 12:
            hour += 12
        if m.group(1) == "中午" and hour < 6:
            hour += 12
        return dt.time(hour, minute)
    hour = int(m.group(1))
    minute = int(m.group(2)) if pattern is _CLOCK else 0
    second = int(m.group(3) or 0) if pattern is _CLOCK else 0
    suffix = ((m.group(4) if pattern is _CLOCK else m.group(2)) or "").lower()
    if suffix == "pm" and hour < 12:
        hour += 12
    if suffix == "am" and hour == 12:
        hour = 0
    return dt.time(hour, minute, second)


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


# Record ids are INTEGER primary keys: 32-bit on PostgreSQL. A longer run of digits cannot be
# an id on either backend, so it is read as a name (or "not found"), never sent to the database.
MAX_ID = 2**31 - 1


def record_id(text: object) -> int | None:
    """The id that TEXT spells ('42', ' 42 '), or None when it is not one (a name, 0, too long)."""
    value = str(text).strip() if text is not None else ""
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


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
