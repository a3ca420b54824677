"""Exceptions that carry their exit code (SPEC §1).

Domain code raises these; ``amkit.cli`` catches ``AmkitError`` in one place, prints
``amkit: <message>`` on one line to stderr and exits with ``exit_code``.
"""

from __future__ import annotations


class AmkitError(Exception):
    """Base class: an expected failure with a one-line message."""

    exit_code = 1

    def __init__(self, message: str, *, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        # Extra lines printed after the message (e.g. ambiguity candidates, bad rows).
        self.details = details or []


class BadInput(AmkitError):
    """Bad usage or invalid input: malformed date/amount, unknown enum, bad file."""

    exit_code = 2


class NotFound(AmkitError):
    """A referenced record (customer, manager, deal, file...) does not exist."""

    exit_code = 3


class Conflict(AmkitError):
    """Duplicate, ambiguous reference, locked, out of scope, broken audit chain."""

    exit_code = 4


class OutOfScope(Conflict):
    """Team mode: the acting database login may not see or change this (exit 4, audited)."""

    def __init__(self, message: str, *, table: str = "*", row_id: int | None = None):
        super().__init__(message)
        self.table, self.row_id = table, row_id


class ServiceError(AmkitError):
    """An outside service failed (webhook endpoint, database server)."""

    exit_code = 5


class Due(AmkitError):
    """`remind --check` found something due (not an error, but a distinct exit)."""

    exit_code = 10


def bad_value(field: str, value: object, reason: str) -> BadInput:
    """The standard one-line message for an invalid value of a named field.

    The parts stay on the exception (field, value, reason) so an import can report them
    per row and column.
    """
    exc = BadInput(f"invalid {field} {value!r}: {reason}")
    exc.field, exc.value, exc.reason = field, value, reason
    return exc
