"""The only path to the customers table: read, create, update, delete."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import DataError, IntegrityError
from marshmallow import ValidationError

from customers.errors import ApiError
from customers.etag import ANY
from customers.extensions import db
from customers.models import Customer, utcnow

Expected = set[int] | str | None


def get(customer_id: str) -> Customer:
    """The record with this id, or 404."""
    customer = db.session.get(Customer, primary_key(customer_id))
    if customer is None:
        raise _not_found(customer_id)
    return customer


def create(fields: dict[str, Any], actor: str) -> Customer:
    """Insert a record published now, owned by `actor`."""
    now = utcnow()
    customer = Customer(**fields, published_at=now, updated_at=now, created_by=actor,
                        updated_by=actor, version=1)
    with _refusals_as_validation_errors():
        db.session.add(customer)
        db.session.commit()
    return customer


def update(customer_id: str, changes: dict[str, Any], actor: str, expected: Expected = None) -> Customer:
    """Set the given fields (the rest stay) in one atomic, version-checked UPDATE."""
    statement = (
        sql_update(Customer)
        .where(*_conditions(customer_id, expected))
        .values(**changes, updated_by=actor, updated_at=utcnow(), version=Customer.version + 1)
        .returning(Customer)
        .execution_options(synchronize_session=False)
    )
    with _refusals_as_validation_errors():
        customer = db.session.execute(statement).scalar_one_or_none()
        if customer is None:
            _raise_missing_or_stale(customer_id)
        db.session.commit()
    return customer


def delete(customer_id: str, expected: Expected = None) -> Customer:
    """Remove a record in one version-checked DELETE; return what it held."""
    statement = (
        sql_delete(Customer)
        .where(*_conditions(customer_id, expected))
        .returning(Customer)
        .execution_options(synchronize_session=False)
    )
    with _refusals_as_validation_errors():
        customer = db.session.execute(statement).scalar_one_or_none()
        if customer is None:
            _raise_missing_or_stale(customer_id)
        db.session.commit()
    return customer


def _conditions(customer_id: str, expected: Expected) -> list[Any]:
    """WHERE clauses: this id and, under If-Match, one of the versions allowed."""
    conditions = [Customer.id == primary_key(customer_id)]
    if expected is not None and expected != ANY:
        conditions.append(Customer.version.in_(expected))
    return conditions


def _raise_missing_or_stale(customer_id: str) -> None:
    """Nothing was written: say whether the record is gone or has moved on."""
    db.session.rollback()
    exists = db.session.execute(select(Customer.id).where(Customer.id == primary_key(customer_id)))
    if exists.first() is None:
        raise _not_found(customer_id)
    raise ApiError(412, "The record has changed since the version named in If-Match; "
                        "fetch it again and retry.")


def primary_key(customer_id: str) -> int:
    """The integer key behind an API id; anything else names no record."""
    canonical = customer_id.isascii() and customer_id.isdigit() and len(customer_id) <= 18
    if not canonical or customer_id != str(int(customer_id)):
        raise _not_found(customer_id)
    return int(customer_id)


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
