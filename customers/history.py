"""The record's memory: one entry per change, written in the change's own transaction, and
read back as a timeline or as the record at any version."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Date, bindparam, func, insert, select, text

from customers.changes import Change, as_json
from customers.extensions import db
from customers.models import Customer, HistoryEntry

TABLE = HistoryEntry.__table__
# A page is a range of versions, not an OFFSET: versions are numbered without gaps, so the
# page `_start` entries below the newest is one index range, however deep it goes.
_ENTRIES = (select(TABLE).where(TABLE.c.customer_id == bindparam("customer_id"),
                                TABLE.c.version <= bindparam("highest"),
                                TABLE.c.version > bindparam("below"))
            .order_by(TABLE.c.version.desc()))


def _edge(aggregate: Any) -> Any:
    """min() or max() of a record's versions, each its own subquery so that SQLite, too,
    answers it with one step down the primary key instead of a scan."""
    return (select(aggregate(TABLE.c.version))
            .where(TABLE.c.customer_id == bindparam("customer_id")).scalar_subquery())


# Versions are numbered without gaps, so the count is the span of the first and last: two
# index lookups, whether a record has 10 versions or 10,000.
_SPAN = select(_edge(func.min), _edge(func.max))
_UP_TO = (select(TABLE.c.version, TABLE.c.changed_by, TABLE.c.changed_at, TABLE.c.changes)
          .where(TABLE.c.customer_id == bindparam("customer_id"),
                 TABLE.c.version <= bindparam("version"))
          .order_by(TABLE.c.version))
# Erasure and purge keep who, when and which fields; every value becomes null.
_BLANK = {
    "postgresql": text(
        "UPDATE customer_history SET changes = coalesce((SELECT jsonb_object_agg(name, "
        "jsonb_build_object('from', NULL, 'to', NULL)) FROM jsonb_object_keys(changes) AS name), "
        "'{}'::jsonb) WHERE customer_id = ANY(:ids)"),
    "sqlite": text(
        "UPDATE customer_history SET changes = (SELECT json_group_object(key, "
        "json_object('from', NULL, 'to', NULL)) FROM json_each(customer_history.changes)) "
        "WHERE customer_id IN (SELECT value FROM json_each(:ids))"),
}


# Built once: executions reuse its compiled form (customers/statements.py says why).
_INSERT = insert(TABLE).values({column: bindparam(column.key, type_=column.type)
                                for column in TABLE.columns})


def append(connection: Connection, change: Change) -> None:
    """Write the entry of `change` (in its transaction: if this fails, so does the change)."""
    connection.execute(_INSERT, entry_row(change))


def entry_row(change: Change) -> dict[str, Any]:
    """The history row of a change."""
    return {
        "customer_id": change.record.id, "version": change.record.version,
        "action": change.action, "changed_at": change.at, "changed_by": change.by,
        "via": change.via, "request_id": change.request_id,
        "changes": {name: {"from": as_json(old), "to": as_json(new)}
                    for name, (old, new) in change.changed.items()},
    }


def timeline(customer_id: int, limit: int, start: int) -> tuple[list[dict[str, Any]], int]:
    """A page of a record's entries, newest first, as the API shows them, and how many it
    has (0: none, it never existed). Two index lookups and one index range, whether a record
    has 10 versions or 10,000, and however deep the page."""
    first, last = db.session.execute(_SPAN, {"customer_id": customer_id}).one()
    if first is None:
        return [], 0
    highest = last - start
    rows = db.session.execute(_ENTRIES, {"customer_id": customer_id, "highest": highest,
                                         "below": max(highest - limit, first - 1)})
    return [shown(row) for row in rows], last - first + 1


def shown(row: Any) -> dict[str, Any]:
    """One entry as the API shows it."""
    return {"version": row.version, "action": row.action,
            "at": row.changed_at.isoformat("T", "seconds") + "Z", "by": row.changed_by,
            "via": row.via, "requestId": row.request_id, "changes": row.changes}


class Snapshot(NamedTuple):
    """A record's writable field values at one version (as JSON carries them; a field not
    named was null), and who made that version, when."""

    values: dict[str, Any]
    by: str
    at: datetime


def version_at(connection: Connection, customer_id: int, version: int) -> Snapshot | None:
    """The record at `version`, replayed from its entries; None when history has no such
    version (before history began, or a version that never was)."""
    values: dict[str, Any] = {}
    last = None
    for row in connection.execute(_UP_TO, {"customer_id": customer_id, "version": version}):
        for name, change in row.changes.items():
            values[name] = change["to"]
        last = row
    if last is None or last.version != version:
        return None
    return Snapshot(values, last.changed_by, last.changed_at)


def from_json(name: str, value: Any) -> Any:
    """A field value as history holds it, back as the record holds it (dates as dates)."""
    return date.fromisoformat(value) if value is not None and name in _DATES else value


_DATES = {attribute.key for attribute in Customer.__mapper__.column_attrs
          if isinstance(attribute.columns[0].type, Date)}


def blank(connection: Connection, customer_ids: list[int]) -> None:
    """Blank every value in the history of these records, keeping its who, when and fields."""
    dialect = connection.dialect.name
    ids: Any = customer_ids if dialect == "postgresql" else json.dumps(customer_ids)
    connection.execute(_BLANK[dialect], {"ids": ids})

