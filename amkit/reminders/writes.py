"""The one write of reminders: snoozing a customer (cadence and dormant reminders muted)."""

from __future__ import annotations

import datetime as dt

from amkit.core.parse import parse_date
from amkit.errors import bad_value
from amkit.store import lookup
from amkit.store.models import Customer
from amkit.store.writer import Store


def snooze(st: Store, ref: str, until: str, today: dt.date) -> tuple[Customer, dt.date]:
    """No cadence/dormant reminders for the customer until ``until`` (inclusive)."""
    day = parse_date("--until", until)
    if day is None:
        raise bad_value("--until", until, "expected a date YYYY-MM-DD")
    if day < today:
        raise bad_value("--until", until, f"is before today ({today.isoformat()})")
    customer = lookup.customer(st.session, ref)
    st.update(customer, {"snoozed_until": day})
    return customer, day
