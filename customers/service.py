"""The only path to the customers table: read, create, update, delete.

Every write runs in `_transaction()`: one database transaction, queued behind this
database's other writers. Whatever must happen with a write (a history entry, a webhook's
outbox message) happens inside it, after the statement, with the record it returned; if that
fails, the write is not made.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, Connection, bindparam, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import DataError, IntegrityError

from customers.errors import ApiError
from customers.etag import ANY
from customers.extensions import db
from customers.idempotency import Claim
from customers.ids import MAX_VERSION, parse_id
from customers.models import utcnow
from customers.record import COLUMNS, RECORD_COLUMNS, TABLE, CustomerRecord, record_of
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
_EXISTS = select(TABLE.c.id).where(TABLE.c.id == bindparam("pk"))


def get(customer_id: str) -> CustomerRecord:
    """The record with this id, or 404."""
    row = db.session.execute(_BY_ID, {"pk": primary_key(customer_id)}).first()
    if row is None:
        raise _not_found(customer_id)
    return record_of(row)


def create(fields: dict[str, Any], actor: str, claim: Claim | None = None) -> CustomerRecord:
    """Insert a record published now, owned by `actor`; an Idempotency-Key's claim learns
    the answer in the same transaction."""
    now = utcnow()
    with _transaction() as connection:
        record = _insert(connection, fields, actor, now)
        # Still inside the write's transaction: what records the change goes here. Until the
        # history journal brings customers/changes.py (issue 12), that is the webhook outbox.
        outbox.write(connection, outbox.CREATE, record, now)
        if claim is not None:
            claim.complete(connection, record)
    return record


def _insert(connection: Connection, fields: dict[str, Any], actor: str, now: Any) -> CustomerRecord:
    """INSERT one record published `now`, owned by `actor`."""
    values = {**{COLUMNS[name]: value for name, value in fields.items()},
              TABLE.c.published_at: now, TABLE.c.updated_at: now, TABLE.c.created_by: actor,
              TABLE.c.updated_by: actor, TABLE.c.version: 1}
    return record_of(connection.execute(insert(TABLE).values(values).returning(*RECORD_COLUMNS)).one())


def apply_import(changes: Plan, actor: str, claim: Claim | None = None) -> None:
    """Write an import's creates and merges in one transaction: all of it or nothing (a
    record deleted since the rows were checked fails the whole import)."""
    now = utcnow()
    with _transaction() as connection:
        for fields in changes.creates:
            record = _insert(connection, fields, actor, now)
            # Still inside the write's transaction: what records the change goes here.
            outbox.write(connection, outbox.CREATE, record, now)
        for pk, fields in changes.updates.items():
            values = {COLUMNS[name]: value for name, value in fields.items()}
            row = connection.execute(sql_update(TABLE).where(TABLE.c.id == pk).values(
                values).values(updated_by=actor, updated_at=now, version=TABLE.c.version + 1)
                .returning(*RECORD_COLUMNS)).first()
            if row is None:
                raise ApiError(409, f"Customer {pk} was deleted while the import was checked; "
                                    "nothing was imported.")
            # Still inside the write's transaction: what records the change goes here.
            outbox.write(connection, outbox.UPDATE, record_of(row), now)
        if claim is not None:
            claim.complete(connection, changes.counts())


def update(customer_id: str, changes: dict[str, Any], actor: str, expected: Expected = None,
           guard: Guard | None = None) -> CustomerRecord:
    """Set the given fields (the rest stay) in one atomic, version-checked UPDATE; with a
    `guard`, only while it holds (checked in the same statement)."""
    values = {f"new_{name}": value for name, value in changes.items()}
    shape = _shape("update", frozenset(changes), expected, guard)
    return _write(shape, customer_id, expected, guard, actor=actor, now=utcnow(), **values)


def delete(customer_id: str, expected: Expected = None,
           guard: Guard | None = None) -> CustomerRecord:
    """Remove a record in one version-checked DELETE; return what it held."""
    return _write(_shape("delete", frozenset(), expected, guard), customer_id, expected, guard)


def _write(shape: Shape, customer_id: str, expected: Expected, guard: Guard | None,
           **values: Any) -> CustomerRecord:
    """Run the UPDATE or DELETE ... RETURNING of this shape on one record."""
    params = {"pk": primary_key(customer_id), **values, **(guard.params if guard else {})}
    if shape.versions:
        params.update((f"allowed_{n}", version) for n, version in enumerate(_allowed(expected)))
    with _transaction() as connection:
        row = None
        if shape.versions != 0:  # If-Match naming no version of this record matches nothing
            row = connection.execute(statement_for(shape), params).first()
        if row is None:
            raise _nothing_written(connection, params, guard)
        record = record_of(row)
        # Still inside the write's transaction: what records the change goes here.
        outbox.write(connection, outbox.UPDATE if shape.kind == "update" else outbox.DELETE,
                     record, values.get("now") or utcnow())
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


def _shape(kind: str, fields: frozenset[str], expected: Expected, guard: Guard | None) -> Shape:
    """The shape of a write: how many versions If-Match allows (None: no header, or `*`)."""
    versions = None if expected is None or expected == ANY else len(_allowed(expected))
    return Shape(kind, fields, versions, guard.condition if guard else None)


def _allowed(expected: Any) -> list[int]:
    """The versions If-Match names that a record can have."""
    return sorted(version for version in expected if version <= MAX_VERSION)


def _nothing_written(connection: Connection, params: dict[str, Any],
                     guard: Guard | None) -> Exception:
    """Why nothing was written: the guard no longer holds (a revoked token), the record is
    gone (404), or it has moved on past the versions in If-Match (412)."""
    if guard is not None and not connection.execute(select(guard.condition), params).scalar():
        return guard.refusal()
    if connection.execute(_EXISTS, params).first() is None:
        return _not_found(str(params["pk"]))
    return ApiError(412, "The record has changed since the version named in If-Match; "
                         "fetch it again and retry.")


def primary_key(customer_id: str) -> int:
    """The integer key behind an API id; anything else names no record."""
    key = parse_id(customer_id)
    if key is None:
        raise _not_found(customer_id)
    return key


def _not_found(customer_id: str) -> ApiError:
    """404 naming the id asked for."""
    return ApiError(404, f"No customer with id {customer_id[:64]!r}.")
