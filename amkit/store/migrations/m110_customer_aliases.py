"""m110: customers.aliases, the short names people use (简称: 中行, 浦发), a comma list like tags.

A column rather than a table: aliases belong to the customer row, so team mode's row-level
security on customers covers them without a policy of their own. Lookup finds a customer by
an exact alias right after its exact name (amkit.store.lookup); the writer keeps each alias
unique across names and aliases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations


def upgrade(op: Operations) -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("aliases", sa.String, nullable=False, server_default=""))
