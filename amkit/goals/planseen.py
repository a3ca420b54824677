"""`goal plan` after a calendar load: the remaining buckets' old and new targets, once (issue 19).

Each user's last printed version of a plan (its calendar fingerprint, and per bucket the end,
workdays and target) is kept in a small file in the user's data directory
(``<data dir>/plans-seen.json``), keyed by database, holder, period, metric, buckets and
calendar. When the plan is printed again and the calendar's working days of the period have
changed since (a ``calendar load`` by anyone on the database), the buckets not over yet whose
workdays or target moved are listed old -> new, and the file takes the new version: the next
print says nothing. The database is never written (``goal plan`` is a read); a file that
cannot be read or written only costs the comparison.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from amkit import config

FILE = "plans-seen.json"
KEEP = 500  # plans remembered per user


def _path() -> Path:
    return config.data_dir() / FILE


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def key(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:24]


def changes(plan_key: str, fingerprint: str, rows: list[dict[str, Any]],
            today: dt.date) -> list[tuple[str, int, int, Any, Any]]:
    """(bucket, old workdays, new workdays, old target, new target) of the buckets ending on or
    after ``today`` that changed since this plan was last printed on another calendar; then
    remember this version."""
    path = _path()
    seen = _load(path)
    before = seen.get(plan_key)
    out: list[tuple[str, int, int, Any, Any]] = []
    if isinstance(before, dict) and before.get("fingerprint") != fingerprint:
        old = {b: (w, t) for b, _end, w, t in before.get("rows", [])}
        for r in rows:
            if r["end"] < today or r["bucket"] not in old:
                continue
            w, t = old[r["bucket"]]
            if w != r["workdays"] or str(t) != str(r["target"]):
                out.append((r["bucket"], w, r["workdays"], t, r["target"]))
    now = {"fingerprint": fingerprint,
           "rows": [[r["bucket"], r["end"].isoformat(), r["workdays"], str(r["target"])] for r in rows]}
    if before != now:  # a new calendar, or new lines (goal set): remember what was printed
        seen.pop(plan_key, None)
        seen[plan_key] = now
        _save(path, dict(list(seen.items())[-KEEP:]))
    return out


def _save(path: Path, data: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: no comparison next time, nothing else lost
