"""Glue between the import/export commands and the engine: options, files, transaction."""

from __future__ import annotations

import sys
import tomllib
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

from amkit.errors import BadInput, NotFound, bad_value
from amkit.transfer.importer import Importer, Options, write_rejected

MAPPING_KEYS = {"table", "map", "value_map", "encoding", "mode", "key", "create_missing", "skip_invalid"}


def parse_map(items: list[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in items:
        src, sep, target = item.partition("=")
        if not sep or not src.strip():
            raise bad_value("--map", item, "expected SRC=FIELD")
        result[src.strip()] = target.strip()
    return result


def parse_value_map(items: list[str]) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for item in items:
        field, colon, rest = item.partition(":")
        src, sep, dst = rest.partition("=")
        if not colon or not sep or not field.strip():
            raise bad_value("--value-map", item, "expected FIELD:SRC=DST")
        result.setdefault(field.strip(), {})[src.strip()] = dst.strip()
    return result


def load_mapping(path: str) -> dict[str, Any]:
    p = Path(path)
    if not p.exists():
        raise NotFound(f"file not found: {path!r}")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise bad_value("--mapping", path, f"not valid TOML ({exc})") from None
    for key in data:
        if key not in MAPPING_KEYS:
            raise bad_value("--mapping", key, f"unknown key in {p.name} (known: {', '.join(sorted(MAPPING_KEYS))})")
    for key in ("map",):
        if key in data and not all(isinstance(v, str) for v in data[key].values()):
            raise bad_value("--mapping", key, "expected [map] SOURCE = \"field\" pairs")
    return data


def build_options(table: str, maps: list[str], value_maps: list[str], mapping: str | None,
                  mode: str | None, key: str | None, create_missing: bool, skip_invalid: bool) -> tuple[Options, dict]:
    data = load_mapping(mapping) if mapping else {}
    if data.get("table") and data["table"] != table:
        raise bad_value("--mapping", mapping, f"is for table {data['table']!r}, not {table!r}")
    col_map = {**data.get("map", {}), **parse_map(maps)}
    vmap: dict[str, dict[str, str]] = {f: {str(k): str(v) for k, v in m.items()}
                                       for f, m in data.get("value_map", {}).items()}
    for f, m in parse_value_map(value_maps).items():
        vmap.setdefault(f, {}).update(m)
    key_value = key or data.get("key")
    keys = tuple(k.strip() for k in key_value.split(",")) if isinstance(key_value, str) else key_value
    opts = Options(mapping=col_map, value_map=vmap, mode=mode or data.get("mode", "create"),
                   key=tuple(keys) if keys else None,
                   create_missing=create_missing or bool(data.get("create_missing")),
                   skip_invalid=skip_invalid or bool(data.get("skip_invalid")))
    return opts, data


def import_file(table: str, file: str, maps: list[str], value_maps: list[str], mapping: str | None,
                encoding: str, mode: str | None, key: str | None, create_missing: bool, skip_invalid: bool,
                dry_run: bool, sheet: str | None = None, header_row: int | None = None) -> str:
    from amkit import store
    from amkit.transfer.readers import open_source
    from amkit.transfer.specs import specs

    spec = specs().get(table)
    if spec is None:
        raise bad_value("table", table, "cannot be imported yet")
    opts, data = build_options(table, maps, value_maps, mapping, mode, key, create_missing, skip_invalid)
    encoding = data.get("encoding", encoding) if encoding == "auto" else encoding
    source = open_source(file, encoding, sheet=sheet, header_row=header_row)
    if spec.extra:
        from amkit.transfer.importer import extra_kinds

        opts.extra_kinds = extra_kinds(spec, open_source(file, encoding, sheet=sheet, header_row=header_row),
                                       opts.mapping)
    with _no_gc(), store.write() as st, _progress(file) as progress, _page_cache(st.session):
        importer = Importer(st, spec, source, opts, progress)
        with _indexes_built_after(st.session, spec.model.__table__.name, importer.key_columns,
                                  importer.started_empty):
            result = importer.run()
        if result.errors and not opts.skip_invalid:
            raise BadInput(f"{len(result.rejected)} invalid row(s) in {Path(file).name}; nothing imported",
                           details=[e.text() for e in result.errors])
        if dry_run:
            st.discard()
        # before the commit: a rejected file that cannot be written (disk full) undoes the import
        out = write_rejected(Path(file), source.columns, result.rejected) if result.rejected and not dry_run else None
    from amkit.ui.i18n import t

    parts = [t("{n} read", n=result.read), t("{n} inserted", n=result.inserted), t("{n} updated", n=result.updated),
             t("{n} unchanged", n=result.unchanged)]
    if result.created_refs:
        parts.append(t("{n} referenced records created", n=result.created_refs))
    summary = t("{table}: {counts}", table=t(table), counts=t(", ").join(parts))
    if dry_run:
        summary += t(" (dry run: nothing written)")
    kept = [c for c, kind in opts.extra_kinds.items()]
    if kept:  # a typo in a header would otherwise vanish into extra unnoticed
        summary += "\n  " + t("kept in extra (no field of that name): {columns}", columns=t(", ").join(kept))
    if result.rejected:
        summary += t("; {n} rejected", n=len(result.rejected)) + (f" -> {out}" if out else "")
        for err in result.errors[:20]:
            summary += "\n  " + err.text()  # worded in the user's language as it is printed (amkit.ui.opts.note)
        if len(result.errors) > 20:
            summary += "\n  " + t("… {n} more in the rejected file", n=len(result.errors) - 20)
    return summary


@contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection while importing: the rows make no reference cycles, and each
    collection would walk every live object, pypinyin's large dictionaries included. Afterwards
    the objects still alive (those dictionaries, the modules) join the permanent generation, so
    later collections, the one at interpreter exit included (~0.3 s), do not walk them again."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


@contextmanager
def _indexes_built_after(session: Any, table: str, key_columns: list[str], empty: bool) -> Iterator[None]:
    """Into a table that was `empty` under SQLite's write lock (Importer.started_empty), rows go in
    without the table's plain secondary indexes, which are then built once from the sorted data
    (half the cost of updating six B-trees row by row). Unique indexes stay (they check the
    data), and so does any index led by a key column (the importer looks keys up). All of it is
    inside the import's transaction: an error rolls the indexes back with the rows."""
    import sqlalchemy as sa

    if not empty:
        yield
        return
    found = session.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
                                     "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"), {"t": table}).all()
    deferred = [(name, ddl) for name, ddl in found if _leading_column(session, name) not in key_columns]
    for name, _ in deferred:
        session.execute(sa.text(f'DROP INDEX "{name}"'))
    yield
    for _, ddl in deferred:
        session.execute(sa.text(ddl))


def _leading_column(session: Any, index: str) -> str | None:
    import sqlalchemy as sa

    first = session.execute(sa.text(f'PRAGMA index_info("{index}")')).first()
    return first[2] if first else None


@contextmanager
def _page_cache(session: Any, kib: int = 16384) -> Iterator[None]:
    """A bigger SQLite page cache while importing: rows go into several indexes (name, pinyin,
    owner, …) whose pages a big import touches all over; SQLite's default 2 MiB cache makes it
    read them again and again. Back to the default afterwards."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    import sqlalchemy as sa

    before = session.execute(sa.text("PRAGMA cache_size")).scalar()
    session.execute(sa.text(f"PRAGMA cache_size = -{int(kib)}"))
    yield  # not restored after an error: the session may be unusable then, and the cache harmless
    session.execute(sa.text(f"PRAGMA cache_size = {int(before)}"))


class _progress:
    """A row counter on stderr, only when stderr is a terminal."""

    def __init__(self, file: str):
        self.file = file
        self.bar = None

    def __enter__(self):  # noqa: ANN204
        if not sys.stderr.isatty():
            return None
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("importing {task.fields[file]}: {task.completed} rows"),
                            transient=True)
        self.bar.start()
        task = self.bar.add_task("import", total=None, file=Path(self.file).name)
        return lambda n: self.bar.update(task, completed=n)

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()


def export_table(table: str, fmt: str, output: str | None, bom: bool, encoding: str, stdout: IO[str],
                 private: bool = False, lang: str = "en") -> int:
    """Export to stdout, or to `output` written atomically (private: 0600, for revealed contacts);
    csv and xlsx headers in `lang` (JSON keys stay English, for scripts)."""
    from contextlib import nullcontext

    from amkit import store
    from amkit.ui.render import open_output
    from amkit.transfer import exporter
    from amkit.transfer.specs import specs

    spec = specs().get(table)
    if spec is None:
        raise bad_value("table", table, "cannot be exported yet")
    try:
        "".encode(encoding)
    except LookupError:
        raise bad_value("--encoding", encoding, "unknown encoding") from None
    if lang != "en" and fmt == "json":
        raise bad_value("--lang", lang, "JSON keys stay English for scripts; --lang heads csv and xlsx")
    if fmt == "xlsx" and not output:
        raise bad_value("--output", "", "xlsx needs -o FILE")
    with store.session(write=False) as sess:
        if fmt == "xlsx":
            return exporter.write_xlsx(output, sess, spec, private=private, lang=lang)
        with (open_output(output, encoding, private=private) if output else nullcontext(stdout)) as stream:
            if fmt == "csv":
                return exporter.write_csv(stream, sess, spec, bom=bom, lang=lang)
            return exporter.write_json(stream, sess, spec)
