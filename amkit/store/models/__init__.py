"""SQLModel tables, one module per aggregate. Importing this package imports sqlmodel:
only db.py and command bodies do it, never amkit.cli at start-up."""

from amkit.store.models.activity import Followup, LifecycleChange
from amkit.store.models.audit import AuditEntry
from amkit.store.models.contract import Contract, Installment
from amkit.store.models.calendar import CalendarDay
from amkit.store.models.customer import Contact, Customer
from amkit.store.models.deal import Deal, DealStageChange, Payment
from amkit.store.models.goal import Goal, TierChange
from amkit.store.models.handover import Handover
from amkit.store.models.kb import KbEntry
from amkit.store.models.manager import Manager
from amkit.store.models.meta import Meta
from amkit.store.models.service import Complaint, Survey
from amkit.store.models.user import PolicyVersion, User

__all__ = ["AuditEntry", "CalendarDay", "Complaint", "Contact", "Contract", "Customer", "Deal", "DealStageChange",
           "Followup", "Goal", "Handover", "Installment", "KbEntry", "LifecycleChange", "Manager", "Meta", "Payment",
           "PolicyVersion", "Survey", "TierChange",
           "User"]
