"""Statements compiled once per dialect and run straight on the driver.

A write is one UPDATE or DELETE ... RETURNING by primary key. SQLAlchemy still builds it
(the SQL, the parameter order, the type conversions), but once per shape and dialect:
its per-execution bookkeeping cost more than the database work. Only public SQLAlchemy
API is used: Compiled.string / positiontup / construct_params and TypeEngine processors.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import make_dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import Dialect

from customers.models import Customer

COLUMNS = {attribute.key: attribute.columns[0] for attribute in Customer.__mapper__.column_attrs}
# A stored customer as the service returns it: the model's attribute names, read-only, and
# plain attributes (no __getitem__), which is what the schema's dump reads fastest.
CustomerRecord = make_dataclass("CustomerRecord", list(COLUMNS), frozen=True, slots=True)
CustomerRecord.__doc__ = "A customer as stored (a snapshot; attribute names as on Customer)."


class Prepared:
    """One statement, compiled for one dialect, returning CustomerRecord rows."""

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.order = compiled.positiontup if compiled.positional else None
        # Literal values inside the statement (such as the 1 of `version + 1`).
        self.defaults = {name: bind.value for name, bind in compiled.binds.items()
                         if bind.value is not None}
        self.binds: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.binds[name] = processor
        self.results = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                        for column in COLUMNS.values()]

    def first(self, connection: Connection, params: dict[str, Any]) -> Any:
        """Run it with `params`; the first row as a CustomerRecord, or None."""
        values = {**self.defaults, **params}
        for name, processor in self.binds.items():
            if name in values:
                values[name] = processor(values[name])
        arguments = tuple(values[name] for name in self.order) if self.order else values
        row = self._fetch_one(connection, arguments)
        if row is None:
            return None
        return CustomerRecord(*[p(v) if p else v for p, v in zip(self.results, row)])

    def _fetch_one(self, connection: Connection, arguments: Any) -> Any:
        """Execute on the DBAPI cursor, inside the connection's transaction; driver errors
        become SQLAlchemy's, as the app's error handlers expect (a lost connection is
        invalidated, so the pool reconnects)."""
        dbapi = connection.dialect.loaded_dbapi
        cursor = connection.connection.cursor()
        # SQLAlchemy's cursor events still fire, for whatever logs or traces statements.
        connection.dispatch.before_cursor_execute(connection, cursor, self.sql, arguments, None, False)
        try:
            cursor.execute(self.sql, arguments)
            row = cursor.fetchone()
            connection.dispatch.after_cursor_execute(connection, cursor, self.sql, arguments, None, False)
            return row
        except dbapi.Error as error:
            lost = connection.dialect.is_disconnect(error, connection.connection, cursor)
            if lost:
                connection.invalidate(error)
            raise DBAPIError.instance(self.sql, arguments, error, dbapi.Error, dialect=connection.dialect,
                                      connection_invalidated=lost) from error
        finally:
            cursor.close()
