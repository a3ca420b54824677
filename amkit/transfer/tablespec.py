"""The shape of an importable table (TableSpec) and of its fields; amkit.transfer.specs and
amkit.transfer.deal_specs describe the tables with them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

if TYPE_CHECKING:
    from sqlmodel import Session


def text(name: str) -> Callable[[Any], Any]:
    def parse(value: Any) -> str | None:
        text = "" if value is None else str(value).strip()
        return text or None
    return parse


@dataclass(frozen=True)
class Field:
    name: str
    parse: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    ref: str | None = None  # "manager" | "customer": a name resolved to the id in `column`
    column: str | None = None  # database column (default: name)

    @property
    def db_column(self) -> str:
        return self.column or self.name


@dataclass
class TableSpec:
    name: str
    model: Any
    fields: list[Field]
    key: tuple[str, ...]
    extra: bool = False
    defaults: Callable[[], dict[str, Any]] = dict
    prepare: Callable[[dict[str, Any]], None] | None = None  # derive columns before writing
    export_rows: Callable[[Session], Iterator[dict[str, Any]]] | None = None
    keep: tuple[str, ...] = field(default_factory=tuple)  # columns an upsert never overwrites
    # A row without an owner belongs to its customer's owner at import time (follow-ups: the
    # manager who made it, SPEC §6), as `followup log` sets it.
    owner_from_customer: bool = False
    # Cross-field check of one row after references are resolved (database columns); may
    # complete the row; raise bad_value(FIELD, value, reason) to reject it.
    check: Callable[[Session, dict[str, Any]], None] | None = None
    # Runs after each batch is written: (store, inserted rows with their "id", updates as
    # (existing row, changes)). For side rows such as a deal's first stage-history entry.
    after_write: Callable[[Any, list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]]], None] | None = None

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)
