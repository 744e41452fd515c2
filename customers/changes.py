"""One change of one customer, as the journals (history, the webhook outbox) record it.

Every customer write in the service builds one Change after the row is written and hands it
to each journal writer on the same connection, inside the same transaction: a change whose
entry cannot be written is not made.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from customers.record import CustomerRecord

ACTIONS = ("create", "update", "delete", "restore", "revert", "import", "erase")
DOORS = ("api", "page", "import", "cli")


@dataclass(frozen=True)
class Origin:
    """Who makes a change, through which door, in which request (the views know; the
    service never reads `request`)."""

    by: str
    via: str
    request_id: str = "-"


@dataclass(frozen=True)
class Change:
    """One change of one customer, as history and webhooks record it."""

    action: str  # create, update, delete, restore, revert, import, erase
    record: "CustomerRecord"  # the record after the change (for delete: as it was deleted)
    before: dict[str, Any] | None  # writable field values before (None for a create)
    changed: dict[str, tuple[Any, Any]]  # field -> (from, to), writable fields that changed
    by: str  # token owner or person
    via: str  # api, page, import, cli
    request_id: str  # X-Request-ID of the request ("-" outside one)
    at: datetime  # UTC, naive, as stored

    @property
    def version(self) -> int:
        """The record's version after the change."""
        return self.record.version


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """field -> (old, new) for each field of `after` whose value differs from `before`."""
    return {name: (before.get(name), value) for name, value in after.items()
            if before.get(name) != value}


def as_json(value: Any) -> Any:
    """A field value as JSON carries it (dates as YYYY-MM-DD, like the API)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
