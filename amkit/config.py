"""Paths, environment and the TOML config (SPEC §1).

Nothing here runs at import time: every value is resolved when a function is called, so
tests (and cron) can point amkit elsewhere with environment variables.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Iterator

from amkit.errors import BadInput, bad_value

APP = "amkit"

# Defaults for every config key amkit reads. `config list` shows these merged with the file.
DEFAULTS: dict[str, Any] = {
    "language": "",  # "" = follow AMKIT_LANG / LANG
    "currency": "¥",
    "calendar": "CN",
    "cadence": {"A": 7, "B": 14, "C": 30, "industry": {}},
    "lifecycle": {"dormant_days": 90, "churn_days": 180},
    "notify": {"timeout": 10, "retries": 3, "backoff": 0.5},  # remind --notify webhooks (seconds)
    "score": {
        "weights": {
            "revenue": 40,
            "collection": 15,
            "new_customers": 15,
            "visits": 10,
            "satisfaction": 10,
            "completeness": 10,
            # every other metric of amkit.metrics.figures, unweighted until configured, except
            # collection_rate: the goals migration m090 turned old rate-like `collection` goals into,
            # which keep the weight they had (weights are relative: the score rescales to 100)
            "collection_rate": 15,
            "deals_won": 0,
            "deals_lost": 0,
            "win_rate": 0,
            "followups": 0,
            "repurchases": 0,
            "repurchase_rate": 0,
            "complaint_response_hours": 0,
            "renewal_rate": 0,
            "overdue_rate": 0,
            "churn_rate": 0,
        },
        "grades": {"S": 110, "A": 95, "B": 80, "C": 60},
    },
    "pipeline": {
        "probability": {
            "contact": 0.1,
            "needs": 0.25,
            "quote": 0.5,
            "negotiation": 0.75,
            "won": 1.0,
            "lost": 0.0,
        },
        "reason_codes": ["price", "competitor", "no_budget", "timing", "other"],
    },
    # amkit review: cadence breaches overdue by more than ignored_days count as ignored reminders;
    # top_followups visits/meetings with an outcome are quoted
    "review": {"ignored_days": 7, "top_followups": 5},
    # issue 22: a renewal reminder is due renewal_lead_days before a contract ends; an open deal
    # is stalled after stall_days.<stage> days in its stage
    "contracts": {"renewal_lead_days": 60},
    "deals": {"stall_days": {"contact": 30, "needs": 30, "quote": 30, "negotiation": 30}},
}


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP, appauthor=False))


def config_path() -> Path:
    env = os.environ.get("AMKIT_CONFIG")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP, appauthor=False)) / "config.toml"


def database_url(cli_db: str | None = None) -> str:
    """`--db PATH` > AMKIT_DB > AMKIT_DATABASE_URL > platformdirs default (SPEC §1)."""
    if cli_db:
        return _sqlite_url(cli_db)
    env_db = os.environ.get("AMKIT_DB")
    if env_db:
        return _sqlite_url(env_db)
    url = os.environ.get("AMKIT_DATABASE_URL")
    if url:
        return url
    return _sqlite_url(str(data_dir() / "amkit.db"))


def _sqlite_url(path: str) -> str:
    if "://" in path:  # a full URL given to --db is accepted as is
        return path
    return "sqlite:///" + str(Path(path).expanduser().absolute())


def today() -> dt.date:
    """Today's date; `AMKIT_TODAY=YYYY-MM-DD` overrides it everywhere."""
    from amkit.core.parse import env_today

    return env_today()


def now() -> dt.datetime:
    """Current local time (naive, seconds); on the AMKIT_TODAY day when that is set."""
    current = dt.datetime.now().replace(microsecond=0)
    if os.environ.get("AMKIT_TODAY"):
        return dt.datetime.combine(today(), current.time())
    return current


def current_user() -> str:
    import getpass

    return os.environ.get("AMKIT_USER") or getpass.getuser()


_LANGUAGE: ContextVar[str | None] = ContextVar("amkit_language", default=None)


@contextmanager
def language_override(lang: str | None) -> Iterator[None]:
    """Within the block, language() is ``lang`` (``remind --lang``); None changes nothing."""
    token = _LANGUAGE.set(lang) if lang else None
    try:
        yield
    finally:
        if token is not None:
            _LANGUAGE.reset(token)


def language() -> str:
    """'zh' or 'en' from a per-run override (``--lang``), AMKIT_LANG, the config file (so
    ``config set language zh`` holds under cron, where LANG is C or unset), then LC_ALL/LANG."""
    for raw in (_LANGUAGE.get(), os.environ.get("AMKIT_LANG"), _file_value("language"),
                os.environ.get("LC_ALL"), os.environ.get("LANG")):
        if raw:
            return "zh" if raw.lower().startswith("zh") else "en"
    return "en"


# --- the TOML file ---------------------------------------------------------------------

def load_file() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {}
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"invalid config file {path}: {exc}") from None


def _file_value(key: str) -> Any:
    try:
        return _lookup(load_file(), key)
    except KeyError:
        return None


def merged() -> dict[str, Any]:
    """Defaults deep-merged with the user's file."""
    result = copy.deepcopy(DEFAULTS)
    _deep_merge(result, load_file())
    return result


def get(key: str) -> Any:
    try:
        return _lookup(merged(), key)
    except KeyError:
        raise BadInput(f"unknown config key {key!r}") from None


def set_value(key: str, raw: str) -> Any:
    """Set a dotted key in the file; the value is parsed as TOML (number, bool, string)."""
    if not key or any(not part for part in key.split(".")):
        raise bad_value("key", key, "expected a dotted name like cadence.A")
    value = check_setting(key, parse_value(raw), raw)
    data = load_file()
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise bad_value("key", key, f"{part!r} holds a value, not a table")
        node = child
    node[parts[-1]] = value
    _validate(merged_with(data))
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    import tomli_w

    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    tmp.replace(path)
    return value


# --- what `config set` accepts ----------------------------------------------------------
# (kind, low, high) per key; a "*" part is an open table (cadence.industry.金融). Kinds: int,
# number (int or float, finite), str, lang, list (of strings). Bounds are inclusive.
SETTINGS: dict[str, tuple[str, float | None, float | None]] = {
    "language": ("lang", None, None),
    "currency": ("str", 0, 8),
    "calendar": ("str", 1, 20),
    "cadence.A": ("int", 1, 3650), "cadence.B": ("int", 1, 3650), "cadence.C": ("int", 1, 3650),
    "cadence.industry.*": ("int", 1, 3650),
    "lifecycle.dormant_days": ("int", 1, 3650), "lifecycle.churn_days": ("int", 1, 3650),
    "notify.timeout": ("number", 0.1, 600), "notify.retries": ("int", 0, 20), "notify.backoff": ("number", 0, 60),
    **{f"score.weights.{k}": ("number", 0, 1000) for k in DEFAULTS["score"]["weights"]},
    **{f"score.grades.{k}": ("number", 0, 1000) for k in DEFAULTS["score"]["grades"]},
    **{f"pipeline.probability.{k}": ("number", 0, 1) for k in DEFAULTS["pipeline"]["probability"]},
    "pipeline.reason_codes": ("list", 1, 50),
    "review.ignored_days": ("int", 0, 3650), "review.top_followups": ("int", 0, 1000),
    "contracts.renewal_lead_days": ("int", 0, 3650),
    **{f"deals.stall_days.{k}": ("int", 1, 3650) for k in DEFAULTS["deals"]["stall_days"]},
}


def _setting(key: str) -> tuple[str, float | None, float | None] | None:
    if key in SETTINGS:
        return SETTINGS[key]
    head, _, _ = key.rpartition(".")
    return SETTINGS.get(head + ".*") if head and "." not in key[len(head) + 1:] else None


def check_setting(key: str, value: Any, raw: str) -> Any:
    """The value `config set KEY RAW` may store, or BadInput naming the key (and value)."""
    import difflib
    import math

    spec = _setting(key)
    if spec is None:
        close = difflib.get_close_matches(key, [k.replace("*", "NAME") for k in SETTINGS], n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else "; see amkit config list"
        raise BadInput(f"unknown config key {key!r}{hint}")
    kind, low, high = spec
    if kind == "lang":
        if value not in ("", "zh", "en"):
            raise bad_value(key, raw, "expected zh or en (or \"\" to follow LANG)")
        return value
    if kind in ("str", "list"):
        items = value if kind == "list" and isinstance(value, list) else [value]
        if kind == "list" and not isinstance(value, list):
            items = [v.strip() for v in str(value).split(",")]
        if not all(isinstance(v, str) for v in items) or not low <= (len(items) if kind == "list" else len(items[0])) <= high:
            what = f"a list of 1 to {high:g} names" if kind == "list" else f"text of {low:g} to {high:g} characters"
            raise bad_value(key, raw, f"expected {what}")
        from amkit.core.parse import check_text

        for item in items:
            check_text(key, item)
        if kind == "list" and not all(items):
            raise bad_value(key, raw, "empty name in the list")
        return items if kind == "list" else value
    number = value
    if isinstance(number, bool) or not isinstance(number, (int, float)) or \
            (isinstance(number, float) and not math.isfinite(number)):
        raise bad_value(key, raw, "expected a whole number" if kind == "int" else "expected a finite number")
    if kind == "int" and not isinstance(number, int):
        raise bad_value(key, raw, "expected a whole number")
    if not low <= number <= high:
        raise bad_value(key, raw, f"expected a value from {low:g} to {high:g}")
    return number


def merged_with(data: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(DEFAULTS)
    _deep_merge(result, data)
    return result


def parse_value(raw: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw  # a bare word is a string


def flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            rows.extend(flatten(value, name + "."))
        elif not isinstance(value, dict):
            rows.append((name, value))
    return rows


def _validate(data: dict[str, Any]) -> None:
    for tier in ("A", "B", "C"):
        value = data["cadence"].get(tier)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise bad_value(f"cadence.{tier}", value, "expected a positive number of days")
    cal = data.get("calendar")
    if not isinstance(cal, str) or not cal:
        raise bad_value("calendar", cal, "expected CN, none or an ISO country code")


def _lookup(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(key)
        node = node[part]
    return node


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value
