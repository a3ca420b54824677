"""SQLModel tables, one module per aggregate. Importing this package imports sqlmodel:
only db.py and command bodies do it, never amkit.cli at start-up."""

from amkit.models.audit import AuditEntry
from amkit.models.customer import Contact, Customer
from amkit.models.manager import Manager
from amkit.models.meta import Meta

__all__ = ["AuditEntry", "Contact", "Customer", "Manager", "Meta"]
