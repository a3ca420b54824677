"""SQLModel tables, one module per aggregate. Importing this package imports sqlmodel:
only db.py and command bodies do it, never amkit.cli at start-up."""

from amkit.models.activity import Followup, LifecycleChange
from amkit.models.audit import AuditEntry
from amkit.models.customer import Contact, Customer
from amkit.models.deal import Deal, DealStageChange, Payment
from amkit.models.goal import Goal, TierChange
from amkit.models.handover import Handover
from amkit.models.kb import KbEntry
from amkit.models.manager import Manager
from amkit.models.meta import Meta
from amkit.models.service import Complaint, Survey
from amkit.models.user import PolicyVersion, User

__all__ = ["AuditEntry", "Complaint", "Contact", "Customer", "Deal", "DealStageChange", "Followup", "Goal", "Handover",
           "KbEntry", "LifecycleChange", "Manager", "Meta", "Payment", "PolicyVersion", "Survey", "TierChange",
           "User"]
