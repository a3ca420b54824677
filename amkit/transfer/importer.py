"""The import engine (SPEC §3.5): map columns, translate values, validate every row through
the table spec, resolve references in batches, insert/upsert in batches, all in the
command's one transaction. All-or-nothing unless `skip_invalid`."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from amkit.errors import AmkitError, BadInput, bad_value
from amkit.store.writer import Store
from amkit.transfer import extra_types
from amkit.transfer.readers import BadRow, Source
from amkit.transfer.tablespec import TableSpec
from amkit.ui.render import FORMULA_PREFIXES, csv_cell

BATCH = 1000


@dataclass
class Options:
    mapping: dict[str, str] = field(default_factory=dict)  # source column → field | extra.KEY | -
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {source value: value}
    mode: str = "create"
    key: tuple[str, ...] | None = None
    create_missing: bool = False
    skip_invalid: bool = False
    # source column → the one type of its values in `extra` (amkit.transfer.extra_types)
    extra_kinds: dict[str, str] = field(default_factory=dict)


@dataclass
class RowError:
    line: int
    column: str
    value: Any
    reason: str

    def text(self) -> str:
        if not self.column:  # the row as a whole (ragged, unknown keys)
            return f"line {self.line}: {self.reason}"
        return f"line {self.line}, column {self.column!r}, value {str(self.value)!r}: {self.reason}"


@dataclass
class Result:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    created_refs: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected: list[tuple[dict[str, Any], str]] = field(default_factory=list)


def unneutralise(value: Any) -> Any:
    """Undo export's formula guard: "'=SUM(1)" → "=SUM(1)"."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


_IMMUTABLE = (str, int, float, bool, type(None), dt.date, Decimal)  # dt.datetime is a dt.date


def _memo(parse: Callable[[Any], Any], limit: int = 2000) -> Callable[[Any], Any]:
    """`parse` remembering its results for the first `limit` distinct values: columns such as
    tier, region, owner or industry repeat a few values over a whole file. Field parsers are pure;
    only immutable results are kept, and a value that fails is parsed (and fails) every time."""
    cache: dict[Any, Any] = {}

    def parsed(value: Any) -> Any:
        key = (value.__class__, value)  # 1, 1.0 and True are equal keys, not equal cells
        try:
            return cache[key]
        except KeyError:
            pass
        except TypeError:  # unhashable
            return parse(value)
        result = parse(value)
        if len(cache) < limit and isinstance(result, _IMMUTABLE):
            cache[key] = result
        return result
    return parsed


def _parsed(parse: Callable[[Any], Any], value: Any) -> Any:
    """A field's parser on a cell; a number or true/false where the parser reads text (a JSON or
    .xlsx cell) is read as its text."""
    try:
        return parse(value)
    except (AttributeError, TypeError):
        if isinstance(value, (int, float, bool, Decimal, dt.date, dt.time)):
            return parse(str(value))
        raise


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def extra_kinds(spec: TableSpec, source: Source, mapping: dict[str, str]) -> dict[str, str]:
    """The type of each unmapped column kept in `extra`, read over all of SOURCE's rows (a first
    pass over a second opening of the file, made only when there are such columns)."""
    cols = [c for c, t in resolve_columns(spec, source.columns, mapping).items()
            if t and t.startswith("extra:") and t != "extra:*"]
    if not cols:
        return {}
    rows = source.rows
    try:
        cells = ({c: unneutralise(raw.get(c)) for c in cols} for _, raw in rows if not isinstance(raw, BadRow))
        return extra_types.column_kinds(cells, cols)
    finally:
        close = getattr(rows, "close", None)
        if close:
            close()


def resolve_columns(spec: TableSpec, columns: list[str], mapping: dict[str, str]) -> dict[str, str | None]:
    """Each source column → a field name, 'extra:KEY', or None (ignored)."""
    lookup: dict[str, str] = {}
    for f in spec.fields:
        for name in (f.name, *f.aliases):
            lookup.setdefault(_norm(name), f.name)
    for src in mapping:
        if src not in columns:
            raise bad_value("--map", src, f"no such column in the file (columns: {', '.join(columns)})")
    result: dict[str, str | None] = {}
    for col in columns:
        target = mapping.get(col)
        if target is not None:
            result[col] = _explicit_target(spec, col, target)
        elif _norm(col) in lookup:
            result[col] = lookup[_norm(col)]
        elif spec.extra and _norm(col) == "extra":
            result[col] = "extra:*"  # a whole JSON object of extra fields (JSON export)
        elif spec.extra:
            result[col] = f"extra:{col}"
        else:
            known = ", ".join(f.name for f in spec.fields)
            raise bad_value("column", col, f"not a field of {spec.name} (fields: {known}); "
                                           f"use --map {col}=FIELD or --map {col}=-")
    targets = [t for t in result.values() if t and not t.startswith("extra:")]
    for name in set(targets):
        if targets.count(name) > 1:
            cols = [c for c, t in result.items() if t == name]
            raise bad_value("column", cols[1], f"maps to field {name!r} like column {cols[0]!r}")
    for f in spec.fields:
        if f.required and f.name not in targets:
            raise bad_value("column", f.name, f"missing: {spec.name} needs a column for {f.name!r} "
                                              f"(map one with --map SOURCE={f.name})")
    return result


def _explicit_target(spec: TableSpec, col: str, target: str) -> str | None:
    if target in ("-", ""):
        return None
    if target.startswith("extra."):
        if not spec.extra:
            raise bad_value("--map", f"{col}={target}", f"{spec.name} has no extra fields")
        return "extra:" + target[len("extra."):]
    if spec.field(target) is None:
        raise bad_value("--map", f"{col}={target}",
                        f"unknown field for {spec.name} (fields: {', '.join(f.name for f in spec.fields)})")
    return target


def _extra_object(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # syntax, nesting too deep, an integer too long
            value = None
    if not isinstance(value, dict):
        raise bad_value("extra", _shown(value), "expected a JSON object")
    for key, item in value.items():
        why = _not_scalar(item) or _bad_text(key)
        if why:
            raise bad_value("extra", _shown({key: item}), f"key {key!r}: {why}")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _bad_text(text: str) -> str | None:
    """Why no database can hold this text, or None: a NUL byte, or a lone surrogate (a JSON
    escape such as \\ud800, which is not a character)."""
    if "\x00" in text:
        return "holds a NUL byte"
    if not text.isascii() and _SURROGATE.search(text):
        return "holds a lone surrogate (\\ud800-\\udfff), not valid Unicode"
    return None


def _not_scalar(value: Any) -> str | None:
    """Why a cell's value cannot be one field's value, or None: a value must be one text,
    number, true/false or date, never a JSON object or list, NaN or infinity, or text with NUL."""
    if isinstance(value, str):
        return _bad_text(value)
    if isinstance(value, dict):
        return "expected a single value, not a JSON object"
    if isinstance(value, (list, tuple)):
        return "expected a single value, not a JSON list"
    if isinstance(value, float) and not math.isfinite(value):
        return "expected a finite number"
    return None


def _shown(value: Any, limit: int = 60) -> str:
    """A value as a report shows it: JSON for objects and lists, cut to `limit`."""
    if isinstance(value, (dict, list)):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (ValueError, RecursionError):
            text = "…"
    else:
        text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_value_map(spec: TableSpec, value_map: dict[str, dict[str, str]]) -> None:
    for name in value_map:
        if spec.field(name) is None:
            raise bad_value("--value-map", name, f"unknown field for {spec.name}")


class Importer:
    def __init__(self, store: Store, spec: TableSpec, source: Source, opts: Options,
                 progress: Callable[[int], None] | None = None):
        self.store, self.spec, self.source, self.opts = store, spec, source, opts
        self.progress = progress
        self.columns = resolve_columns(spec, source.columns, opts.mapping)
        check_value_map(spec, opts.value_map)
        self.key = opts.key or spec.key
        for name in self.key:
            if spec.field(name) is None:
                raise bad_value("--key", name, f"unknown field for {spec.name}")
        if opts.mode not in ("create", "upsert"):
            raise bad_value("--mode", opts.mode, "expected create or upsert")
        self.result = Result()
        # hash(key) → its first line. Only hashes, to keep memory flat on big files; a hash met
        # again is a duplicate when the key itself is in this batch, or already in the database
        # (where an earlier batch put it, or found it).
        self._seen: dict[int, int] = {}
        self._plan = self._column_plan()
        # JSON says true/false as a type: where text belongs it is a mistake (an .xlsx TRUE cell
        # in a text column keeps its text, "True", as before)
        self._json = source.path.suffix.lower() in (".json", ".jsonl", ".ndjson")
        self._required = [(f.name, self._col(f.name)) for f in spec.fields if f.required]
        self._key_cols = [spec.field(k).db_column for k in self.key]
        self._defaults: dict[str, Any] = {}
        self._renames = [(f.name, f.column) for f in spec.fields if not f.ref and f.column]
        from amkit.transfer.refs import References

        self.refs = References(store, create_missing=opts.create_missing)
        self.started_empty = self._empty_under_lock()
        # no reference of this table to itself (which --create-missing could fill): then the
        # table only ever holds rows this import wrote, whose keys' hashes are in `_seen`, and
        # other keys need no look-up
        self._fresh = self.started_empty and not any(f.ref and f"{f.ref}s" == spec.name for f in spec.fields)

    @property
    def key_columns(self) -> list[str]:
        """The database columns of the natural key rows are matched on."""
        return list(self._key_cols)

    def run(self) -> Result:
        batch: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for line, raw in self.source.rows:
            self.result.read += 1
            if isinstance(raw, BadRow):
                self._reject(raw, [RowError(line, "", "", raw.reason)])
                continue
            parsed = self._parse(line, raw)
            if parsed is not None:
                batch.append((line, raw, parsed))
            if len(batch) >= BATCH:
                self._write(batch)
                batch = []
            if self.progress and self.result.read % 500 == 0:
                self.progress(self.result.read)
        self._write(batch)
        return self.result

    # --- one row ---------------------------------------------------------------------
    def _column_plan(self) -> list[tuple[str, str, Any, dict[str, str]]]:
        """Per mapped column, worked out once: (column, target, field parser, value map)."""
        plan = []
        for col, target in self.columns.items():
            if target is None:
                continue
            if target.startswith("extra:"):
                plan.append((col, target, None, {}))
            else:
                plan.append((col, target, _memo(self.spec.field(target).parse), self.opts.value_map.get(target, {})))
        return plan

    def _parse(self, line: int, raw: dict[str, Any]) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        errors: list[RowError] = []
        for col, target, parse, mapped in self._plan:
            value = raw.get(col)
            if value and type(value) is str and value[0] == "'":
                value = unneutralise(value)
            if type(value) is str:  # most cells: only NUL or a lone surrogate is wrong whatever the field
                why = _bad_text(value)
            elif target == "extra:*" and isinstance(value, dict):
                why = None  # a JSON export's "extra" object: checked key by key
            else:
                why = _not_scalar(value)
            if why:
                errors.append(RowError(line, col, _shown(value), why))
                continue
            if parse is None:
                self._extra(line, col, target, value, extra, errors)
                continue
            if mapped and str(value).strip() in mapped:
                value = mapped[str(value).strip()]
            try:
                values[target] = _parsed(parse, value)
                if self._json and isinstance(value, bool) and isinstance(values[target], str):
                    raise bad_value(target, value, "expected text, not true/false")
            except BadInput as exc:
                errors.append(RowError(line, col, _shown(value), getattr(exc, "reason", exc.message)))
        for name, col in self._required:
            if values.get(name) in (None, "") and not any(e.column == col for e in errors):
                errors.append(RowError(line, col, "", "required"))
        if errors:
            self._reject(raw, errors)
            return None
        if self.spec.extra:
            values["extra"] = extra
        return values

    def _extra(self, line: int, col: str, target: str, value: Any, extra: dict[str, Any],
               errors: list[RowError]) -> None:
        if target == "extra:*":
            try:
                extra.update(_extra_object(value))
            except BadInput as exc:
                errors.append(RowError(line, col, value, exc.reason))
        elif extra_types.kind_of(value) is not None:
            extra[target[6:]] = extra_types.convert(value, self.opts.extra_kinds.get(col) or "text")

    def _col(self, field_name: str) -> str:
        return next((c for c, t in self.columns.items() if t == field_name), field_name)

    def _reject(self, raw: dict[str, Any], errors: list[RowError]) -> None:
        self.result.errors.extend(errors)
        if any(type(v) is str and not v.isascii() and _SURROGATE.search(v) for v in raw.values()):
            # the rejected file is UTF-8, which cannot hold a lone surrogate: written as JSON escapes it
            raw = {k: v.encode("utf-8", "backslashreplace").decode() if type(v) is str else v
                   for k, v in raw.items()}
        self.result.rejected.append((raw, "; ".join(f"{e.column}: {e.reason}" if e.column else e.reason
                                                    for e in errors)))

    # --- a batch ---------------------------------------------------------------------
    def _write(self, batch: list[tuple[int, dict[str, Any], dict[str, Any]]]) -> None:
        if not batch:
            return
        self._defaults = self.spec.defaults()  # e.g. created_at = now: once per batch, not per row
        self.refs.prepare(self.spec, [p for _, _, p in batch])
        ready: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for line, raw, values in batch:
            try:
                row = self._db_row(self.refs.apply(self.spec, values))
                if self.spec.check:
                    self.spec.check(self.store.session, row)
            except AmkitError as exc:
                ref_field = getattr(exc, "field", None) or "?"
                self._reject(raw, [RowError(line, self._col(ref_field), getattr(exc, "value", ""),
                                            getattr(exc, "reason", None) or exc.message)])
                continue
            ready.append((line, raw, row))
        self.result.created_refs = self.refs.created
        inserts, updates = self._sort_out(ready)
        ids = self.store.insert_many(self.spec.model, inserts)
        self.result.inserted += len(inserts)
        if self.spec.after_write and (inserts or updates):
            self.spec.after_write(self.store, [{**r, "id": i} for r, i in zip(inserts, ids)], updates)

    def _sort_out(self, ready: list[tuple[int, dict[str, Any], dict[str, Any]]]
                  ) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]]]:
        """Rows to insert, and (existing row, changes) updated; duplicates and (in create mode)
        rows that exist already are rejected."""
        existing = self._existing([row for _, _, row in ready])
        inserts: list[dict[str, Any]] = []
        updates: list[tuple[dict[str, Any], dict[str, Any]]] = []
        batch_keys: set[tuple] = set()
        for line, raw, row in ready:
            key = self._key_of(row)
            if key.count(None) == len(key):  # no natural key given: a new row (create mode)
                if self.opts.mode == "upsert":  # re-importing an export would add every such row again
                    names = ", ".join(self.key)
                    self._reject(raw, [RowError(line, self._col(self.key[0]), "",
                                                f"no {names} to match on: --mode upsert updates rows by it; "
                                                "give it, or add new rows with --mode create")])
                    continue
                inserts.append(self._complete(row))
                continue
            key_hash = hash(key)
            first = self._seen.get(key_hash)
            if first is not None and (key in batch_keys or key in existing):
                self._reject(raw, [RowError(line, self._col(self.key[0]), self._key_text(raw),
                                            f"duplicate of line {first}")])
                continue
            self._seen.setdefault(key_hash, line)
            batch_keys.add(key)
            found = existing.get(key)
            if found is None:
                inserts.append(self._complete(row))
            elif self.opts.mode == "create":
                self._reject(raw, [RowError(line, self._col(self.key[0]), self._key_text(raw),
                                            f"already exists in {self.spec.name} (use --mode upsert)")])
            else:
                changes = self._upsert(found, row)
                if changes:
                    updates.append((found, changes))
        return inserts, updates

    def _db_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """Field names → database columns (references were renamed by refs.apply)."""
        for name, column in self._renames:
            if name in row:
                row[column] = row.pop(name)
        return row

    def _key_text(self, raw: dict[str, Any]) -> str:
        """The row's key as the file wrote it: 'Acme' or 'Acme, 2026-11-01 09:00'."""
        return ", ".join(str(raw.get(self._col(k), "")) for k in self.key)

    def _key_of(self, row: dict[str, Any]) -> tuple:
        return tuple(map(row.get, self._key_cols))

    def _empty_under_lock(self) -> bool:
        """True when the table is empty and stays ours to fill: SQLite, whose write transaction
        holds the database's one write lock from its start."""
        session = self.store.session
        if session.get_bind().dialect.name != "sqlite":
            return False
        table = self.spec.model.__table__
        return session.execute(sa.select(table.c.id).limit(1)).first() is None

    def _existing(self, rows: list[dict[str, Any]]) -> dict[tuple, dict[str, Any]]:
        if self._fresh:  # only keys this import has met before can be in the table
            rows = [r for r in rows if hash(self._key_of(r)) in self._seen]
        cols = self._key_cols
        table = self.spec.model.__table__
        firsts = {r.get(cols[0]) for r in rows if r.get(cols[0]) is not None}
        if not firsts:
            return {}
        found: dict[tuple, dict[str, Any]] = {}
        query = sa.select(table).where(table.c[cols[0]].in_(firsts))
        for rec in self.store.session.execute(query).mappings():
            found[tuple(rec[c] for c in cols)] = dict(rec)
        return found

    def _complete(self, row: dict[str, Any]) -> dict[str, Any]:
        full = dict(self._defaults)
        full.update({k: v for k, v in row.items() if v is not None})
        if self.spec.extra:
            full["extra"] = row.get("extra") or None
        if self.spec.prepare:
            self.spec.prepare(full)
        return full

    def _upsert(self, existing: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
        current = existing
        if self.spec.name == "contacts":  # sealed values compare as what they hold
            from amkit.store.crypto import open_row

            current = open_row(existing)
        changes = {k: v for k, v in row.items() if v is not None and k != "extra" and current.get(k) != v}
        if self.spec.extra and row.get("extra"):
            merged = {**(existing.get("extra") or {}), **row["extra"]}
            if merged != (existing.get("extra") or {}):
                changes["extra"] = merged
        if self.spec.prepare and changes:
            self.spec.prepare(changes)
        if changes:
            self.store.update_row(self.spec.model, existing["id"], existing, changes)
            self.result.updated += 1
        else:
            self.result.unchanged += 1
        return changes


def write_rejected(path: Path, columns: list[str], rejected: list[tuple[dict[str, Any], str]]) -> Path:
    """The rejected rows, as they came, plus an `error` column: fix and re-import."""
    import csv

    from amkit.core.atomic import open_replacing

    out = path.with_name(path.stem + ".rejected.csv")
    with open_replacing(out, encoding="utf-8-sig") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([*columns, "error"])
        for raw, reason in rejected:
            writer.writerow([_encodable(csv_cell(v)) for v in (*(raw.get(c) for c in columns), reason)])
    return out


def _encodable(cell: Any) -> Any:
    """A lone surrogate (refused as data) is kept visible as \\udXXX rather than failing the file."""
    if isinstance(cell, str):
        return cell.encode("utf-8", "backslashreplace").decode("utf-8")
    return cell
