"""The only path to the customers table: read, create, update, delete, import.

Every write runs in `_transaction()`: one database transaction, queued behind this
database's other writers. It locks the row, writes only what changed and hands one
`customers.changes.Change` to the journals (`journal()`: the history, the webhook outbox)
on the same connection; if an entry cannot be written, neither is the change.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, Connection, bindparam, insert, select
from sqlalchemy.exc import DataError, IntegrityError

from customers import history
from customers.changes import Change, Origin, differences
from customers.errors import ApiError
from customers.etag import ANY
from customers.extensions import db
from customers.idempotency import Claim
from customers.ids import MAX_VERSION, parse_id
from customers.models import utcnow
from customers.record import COLUMNS, RECORD_COLUMNS, TABLE, CustomerRecord, record_of
from customers.schemas import WRITABLE
from customers.sqlite.writer_lock import one_writer_at_a_time
from customers.statements import Shape, statement_for
from customers.webhooks import outbox

if TYPE_CHECKING:
    from customers.imports import Plan

Expected = set[int] | str | None  # what If-Match allows: None (no check), ANY, or versions


class Guard(Protocol):
    """Whatever proves the writer may still write (a live token), checked inside the write."""

    condition: ColumnElement[bool]  # holds while the proof does; goes into the WHERE

    @property
    def params(self) -> Mapping[str, Any]:
        """The condition's bound parameters."""

    def refusal(self) -> Exception:
        """What to raise when the condition no longer holds."""


_BY_ID = select(*RECORD_COLUMNS).where(TABLE.c.id == bindparam("pk"))
# The row a write is about to change, locked until its transaction ends (on SQLite the
# writer lock already lets one writer in at a time).
_LOCK = _BY_ID.with_for_update(of=TABLE)


def get(customer_id: str) -> CustomerRecord:
    """The record with this id, or 404."""
    row = db.session.execute(_BY_ID, {"pk": primary_key(customer_id)}).first()
    if row is None:
        raise _not_found(customer_id)
    return record_of(row)


def timeline(customer_id: str, limit: int, start: int) -> tuple[list[dict[str, Any]], int]:
    """A page of a record's history, newest first, and how many entries it has; 404 for an
    id that never had a record (a deleted one still has its history)."""
    pk = primary_key(customer_id)
    total = history.count(pk)
    if total == 0:
        raise _not_found(customer_id)
    return history.page(pk, limit, start), total


def create(fields: dict[str, Any], origin: Origin, claim: Claim | None = None) -> CustomerRecord:
    """Insert a record published now, owned by `origin.by`, with its journal entries; an
    Idempotency-Key's claim learns the answer in the same transaction."""
    now = utcnow()
    with _transaction() as connection:
        record = _insert(connection, fields, origin.by, now)
        journal(connection, _created("create", record, fields, origin, now))
        if claim is not None:
            claim.complete(connection, record)
    return record


def _insert(connection: Connection, fields: dict[str, Any], actor: str, now: Any) -> CustomerRecord:
    """INSERT one record published `now`, owned by `actor`."""
    values = {**{COLUMNS[name]: value for name, value in fields.items()},
              TABLE.c.published_at: now, TABLE.c.updated_at: now, TABLE.c.created_by: actor,
              TABLE.c.updated_by: actor, TABLE.c.version: 1}
    return record_of(connection.execute(insert(TABLE).values(values).returning(*RECORD_COLUMNS)).one())


def _created(action: str, record: CustomerRecord, fields: dict[str, Any], origin: Origin,
             now: Any) -> Change:
    """The change of a new record: every field given a value, from nothing."""
    changed = {name: (None, value) for name, value in fields.items() if value is not None}
    return Change(action, record, None, changed, origin.by, origin.via, origin.request_id, now)


def apply_import(changes: Plan, origin: Origin, claim: Claim | None = None) -> None:
    """Write an import's creates and merges in one transaction, each row journaled as an
    `import`: all of it or nothing (a record deleted since the rows were checked fails the
    whole import)."""
    now = utcnow()
    with _transaction() as connection:
        for fields in changes.creates:
            record = _insert(connection, fields, origin.by, now)
            journal(connection, _created("import", record, fields, origin, now))
        for pk, fields in changes.updates.items():
            current = connection.execute(_LOCK, {"pk": pk}).first()
            if current is None:
                raise ApiError(409, f"Customer {pk} was deleted while the import was checked; "
                                    "nothing was imported.")
            _change_fields(connection, record_of(current), fields, origin, "import", now)
        if claim is not None:
            claim.complete(connection, changes.counts())


def _change_fields(connection: Connection, current: CustomerRecord, fields: dict[str, Any],
                   origin: Origin, action: str, now: Any) -> CustomerRecord:
    """UPDATE the fields that differ from the locked record, with its journal entries; a
    change of nothing writes nothing."""
    before = writable(current)
    changed = differences(before, fields)
    if not changed:
        return current
    values = {f"new_{name}": new for name, (_, new) in changed.items()}
    statement = statement_for(Shape("update", frozenset(changed), None, None))
    record = record_of(connection.execute(statement, {
        "pk": current.id, "actor": origin.by, "now": now, **values}).one())
    journal(connection, Change(action, record, before, changed, origin.by, origin.via,
                               origin.request_id, now))
    return record


def update(customer_id: str, changes: dict[str, Any], origin: Origin, expected: Expected = None,
           guard: Guard | None = None) -> CustomerRecord:
    """Set the given fields (the rest stay), version-checked, and only while a `guard`
    holds; fields already so are not written, and a change of nothing writes nothing."""
    with _transaction() as connection:
        current = _lock(connection, customer_id, expected, guard)
        return _change_fields(connection, current, changes, origin, "update", utcnow())


def delete(customer_id: str, origin: Origin, expected: Expected = None,
           guard: Guard | None = None) -> CustomerRecord:
    """Remove a record, version-checked, with its journal entries; return what it held."""
    with _transaction() as connection:
        current = _lock(connection, customer_id, expected, guard)
        statement = statement_for(Shape("delete", frozenset(), None, None))
        record = record_of(connection.execute(statement, {"pk": current.id}).one())
        now = utcnow()
        # The delete is a version of its own in history (the record's last one).
        gone = replace(record, version=record.version + 1, updated_by=origin.by, updated_at=now)
        journal(connection, Change("delete", gone, writable(record), {}, origin.by, origin.via,
                                   origin.request_id, now))
    return record


def journal(connection: Connection, change: Change) -> None:
    """Hand the change to every journal, in its transaction: history, and the webhook
    outbox (which sends each change exactly once)."""
    history.append(connection, change)
    outbox.enqueue(connection, change)


def writable(record: CustomerRecord) -> dict[str, Any]:
    """The writable field values of a record."""
    return {name: getattr(record, name) for name in WRITABLE}


def _lock(connection: Connection, customer_id: str, expected: Expected,
          guard: Guard | None) -> CustomerRecord:
    """The record, locked for this transaction: the guard's refusal (a revoked token), 404
    for no record, 412 when If-Match names none of its versions."""
    params = {"pk": primary_key(customer_id), **(guard.params if guard else {})}
    # The guard is checked in the statement that locks the row, as it was in the UPDATE.
    lock = _LOCK if guard is None else _LOCK.where(guard.condition)
    row = connection.execute(lock, params).first()
    if row is None:
        if guard is not None and not connection.execute(select(guard.condition), params).scalar():
            raise guard.refusal()
        raise _not_found(customer_id)
    record = record_of(row)
    if expected is not None and expected != ANY and record.version not in _allowed(expected):
        raise ApiError(412, "The record has changed since the version named in If-Match; "
                            "fetch it again and retry.")
    return record


@contextmanager
def _transaction() -> Iterator[Connection]:
    """One transaction on a Core connection (no ORM session bookkeeping), queued behind this
    database's other writers; a value the database refuses is a validation error (422)."""
    engine = db.engine
    try:
        with engine.connect() as connection, one_writer_at_a_time(engine), connection.begin():
            yield connection
    except (DataError, IntegrityError) as error:
        raise ValidationError({"_schema": ["The database refused a value of this record."]}) from error


def _allowed(expected: Any) -> list[int]:
    """The versions If-Match names that a record can have."""
    return sorted(version for version in expected if version <= MAX_VERSION)


def primary_key(customer_id: str) -> int:
    """The integer key behind an API id; anything else names no record."""
    key = parse_id(customer_id)
    if key is None:
        raise _not_found(customer_id)
    return key


def _not_found(customer_id: str) -> ApiError:
    """404 naming the id asked for."""
    return ApiError(404, f"No customer with id {customer_id[:64]!r}.")
