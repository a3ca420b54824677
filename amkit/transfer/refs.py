"""Resolving names in imported rows to ids, a batch at a time (no query per row)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from amkit import config
from amkit.core.parse import record_id
from amkit.errors import NotFound
from amkit.store.writer import Store
from amkit.transfer.tablespec import TableSpec


class References:
    def __init__(self, store: Store, create_missing: bool = False):
        self.store = store
        self.create_missing = create_missing
        self.created = 0
        self._ids: dict[str, dict[str, int]] = {"manager": {}, "customer": {}, "deal": {}}
        self._owner_of: dict[int, int | None] = {}  # customer id -> its owner id
        self._loaded_managers = False
        self._ref_fields: dict[str, list[Any]] = {}

    def prepare(self, spec: TableSpec, rows: list[dict[str, Any]]) -> None:
        """Load the ids of every name the batch refers to, in one query per kind."""
        for f in spec.fields:
            if not f.ref:
                continue
            names = {r[f.name] for r in rows if r.get(f.name)}
            if f.ref == "manager":
                self._load_managers()
            elif f.ref == "deal":
                self._load_deals({str(n) for n in names} - self._ids["deal"].keys())
            else:
                self._load_customers(names - self._ids["customer"].keys())

    def apply(self, spec: TableSpec, values: dict[str, Any]) -> dict[str, Any]:
        row = dict(values)
        ref_fields = self._ref_fields.get(spec.name)
        if ref_fields is None:
            ref_fields = self._ref_fields[spec.name] = [f for f in spec.fields if f.ref]
        for f in ref_fields:
            if f.name not in row:
                continue
            name = row.pop(f.name)
            row[f.db_column] = self._id(f.ref, name, f.name) if name else None
        if spec.owner_from_customer and row.get("owner_id") is None and row.get("customer_id") is not None:
            row["owner_id"] = self._owner_of.get(row["customer_id"])
        return row

    def _id(self, kind: str, name: str, field_name: str) -> int:
        found = self._ids[kind].get(name)
        if found is not None:
            return found
        if not self.create_missing or kind == "deal":
            hint = "by external_id or id" if kind == "deal" else "add it first, or use --create-missing"
            exc = NotFound(f"unknown {kind} {name!r} ({hint})")
            exc.field, exc.value = field_name, name
            raise exc
        new_id = self._create(kind, name)
        self._ids[kind][name] = new_id
        self.created += 1
        return new_id

    def _create(self, kind: str, name: str) -> int:
        from amkit.store.models import Customer, Manager

        if kind == "manager":
            return self.store.add(Manager(name=name, active=True, created_at=config.now())).id
        return self.store.add(Customer(name=name, created_at=config.now())).id

    def _load_managers(self) -> None:
        if self._loaded_managers:
            return
        from amkit.store.models import Manager

        rows = self.store.session.execute(sa.select(Manager.name, Manager.id))
        self._ids["manager"].update({name: id_ for name, id_ in rows})
        self._loaded_managers = True

    def _load_customers(self, names: set[str]) -> None:
        if not names:
            return
        from amkit.store.models import Customer

        rows = self.store.session.execute(sa.select(Customer.name, Customer.id, Customer.owner_id)
                                          .where(Customer.name.in_(names)))
        for name, id_, owner_id in rows:
            self._ids["customer"][name] = id_
            self._owner_of[id_] = owner_id

    def _load_deals(self, refs: set[str]) -> None:
        """A deal is referred to by its external_id, or else by its numeric id."""
        if not refs:
            return
        from amkit.store.models import Deal

        found = dict(self.store.session.execute(sa.select(Deal.external_id, Deal.id)
                                                .where(Deal.external_id.in_(refs))).all())
        numbers = {record_id(r) for r in refs - found.keys() if record_id(r)}
        if numbers:
            ids = self.store.session.execute(sa.select(Deal.id).where(Deal.id.in_(numbers))).scalars()
            found.update({str(i): i for i in ids})
        self._ids["deal"].update(found)
