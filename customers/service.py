"""The only path to the customers table: read, create, update, delete."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, select
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.exc import DataError, IntegrityError
from marshmallow import ValidationError

from customers.auth import LIVE, Caller, refuse
from customers.errors import ApiError
from customers.etag import ANY
from customers.extensions import db
from customers.ids import MAX_VERSION, parse_id
from customers.models import Customer, utcnow
from customers.prepared import COLUMNS, CustomerRecord, Prepared
from customers.sqlite.writer_lock import one_writer_at_a_time

Expected = set[int] | str | None
Record = CustomerRecord  # what update and delete return: reads like a Customer

TABLE = Customer.__table__
RECORD = tuple(column.label(name) for name, column in COLUMNS.items())


def get(customer_id: str) -> Customer:
    """The record with this id, or 404."""
    customer = db.session.get(Customer, primary_key(customer_id))
    if customer is None:
        raise _not_found(customer_id)
    return customer


def create(fields: dict[str, Any], actor: str) -> Customer:
    """Insert a record published now, owned by `actor` (queued behind other writers, as
    updates and deletes are)."""
    now = utcnow()
    customer = Customer(**fields, published_at=now, updated_at=now, created_by=actor,
                        updated_by=actor, version=1)
    with _refusals_as_validation_errors(), one_writer_at_a_time(db.engine):
        db.session.add(customer)
        db.session.commit()
    return customer


def update(customer_id: str, changes: dict[str, Any], actor: str, expected: Expected = None,
           caller: Caller | None = None) -> Record:
    """Set the given fields (the rest stay) in one atomic, version-checked UPDATE; with a
    `caller`, only while its token is live (checked in the same statement)."""
    shape = Shape("update", frozenset(changes), _versions(expected), caller is not None)
    values = {f"new_{name}": value for name, value in changes.items()}
    return _write(shape, customer_id, expected, caller, actor=actor, now=utcnow(), **values)


def delete(customer_id: str, expected: Expected = None, caller: Caller | None = None) -> Record:
    """Remove a record in one version-checked DELETE; return what it held."""
    shape = Shape("delete", frozenset(), _versions(expected), caller is not None)
    return _write(shape, customer_id, expected, caller)


def _write(shape: Shape, customer_id: str, expected: Expected, caller: Caller | None,
           **values: Any) -> Record:
    """Run the UPDATE or DELETE ... RETURNING of this shape on one record, in its own
    transaction on a Core connection (no ORM session bookkeeping)."""
    params = {"pk": primary_key(customer_id), **values, **(caller.proof() if caller else {})}
    if shape.versions:
        params.update((f"allowed_{n}", version) for n, version in enumerate(_allowed(expected)))
    engine = db.engine
    with _refusals_as_validation_errors(), engine.connect() as connection:
        with one_writer_at_a_time(engine), connection.begin():
            record = None
            if shape.versions != 0:  # If-Match naming no version of this record matches nothing
                record = _prepared(shape, connection.dialect).first(connection, params)
            if record is None:
                _explain_nothing_written(connection, params, caller)
    return record


def _versions(expected: Expected) -> int | None:
    """How many versions If-Match allows (None: no header, or `*`: any version will do)."""
    return None if expected is None or expected == ANY else len(_allowed(expected))


def _allowed(expected: Any) -> list[int]:
    """The versions If-Match names that a record can have (a column holds 32 bits)."""
    return sorted(version for version in expected if version <= MAX_VERSION)


# Statements are built and compiled once per shape and dialect, then run on the driver:
# building, hashing and executing a fresh UPDATE through SQLAlchemy cost more than running it.
_PREPARED: dict[tuple[Any, ...], Prepared] = {}


class Shape(NamedTuple):
    """What decides a write's SQL (its values are bound parameters)."""

    kind: str  # "update" or "delete"
    fields: frozenset[str]  # the fields an update sets
    versions: int | None  # how many versions If-Match allows; None: no check
    guarded: bool  # only while the caller's token is live


def _prepared(shape: Shape, dialect: Any) -> Prepared:
    """The compiled statement of this shape for this kind of database."""
    key = (*shape, dialect.name, dialect.driver)
    prepared = _PREPARED.get(key)
    if prepared is None:
        if len(_PREPARED) >= 512:
            _PREPARED.clear()  # bounded: If-Match lists and field sets vary only so much
        statement = _update(shape.fields) if shape.kind == "update" else sql_delete(TABLE)
        statement = statement.where(*_where(shape.versions, shape.guarded)).returning(*RECORD)
        prepared = _PREPARED[key] = Prepared(statement, dialect)
    return prepared


def _update(fields: frozenset[str]) -> Any:
    """UPDATE of these fields, plus who, when and the version."""
    assignments = {COLUMNS[name]: bindparam(f"new_{name}", type_=COLUMNS[name].type)
                   for name in fields}
    return sql_update(TABLE).values({
        **assignments, TABLE.c.updated_by: bindparam("actor", type_=TABLE.c.updated_by.type),
        TABLE.c.updated_at: bindparam("now", type_=TABLE.c.updated_at.type),
        TABLE.c.version: TABLE.c.version + 1})


def _where(versions: int | None, guarded: bool) -> list[Any]:
    """This id; under If-Match, one of the versions allowed; for a caller, a live token."""
    conditions = [TABLE.c.id == bindparam("pk")]
    if versions:
        conditions.append(TABLE.c.version.in_([bindparam(f"allowed_{n}") for n in range(versions)]))
    if guarded:
        conditions.append(LIVE)
    return conditions


_EXISTS = select(TABLE.c.id).where(TABLE.c.id == bindparam("pk"))
_TOKEN_LIVE = select(LIVE)


def _explain_nothing_written(connection: Connection, params: dict[str, Any],
                             caller: Caller | None) -> None:
    """Nothing was written: the token was revoked (403), the record is gone (404), or it
    has moved on past the versions in If-Match (412)."""
    if caller is not None and not connection.execute(_TOKEN_LIVE, params).scalar():
        raise refuse(caller)
    if connection.execute(_EXISTS, params).first() is None:
        raise _not_found(str(params["pk"]))
    raise ApiError(412, "The record has changed since the version named in If-Match; "
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


@contextmanager
def _refusals_as_validation_errors() -> Iterator[None]:
    """A value the database refuses is a validation error (422), not a 500."""
    try:
        yield
    except (DataError, IntegrityError) as error:
        db.session.rollback()
        raise ValidationError({"_schema": ["The database refused a value of this record."]}) from error
