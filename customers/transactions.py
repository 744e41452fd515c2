"""Transactions that hold through a pooler, and a request's session released before it answers.

PgBouncer in transaction mode lends a server connection for one transaction at a time, so a
setting made for the session (a startup `options`, a plain SET) would be refused or lost, or
leak to other clients. Each transaction carries its own: `SET LOCAL statement_timeout` goes in
the same round trip as its BEGIN. The driver runs in autocommit mode (customers/config.py), so
it sends no BEGIN of its own; COMMIT and ROLLBACK are still psycopg's, sent while a
transaction is open.
"""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from customers.extensions import db
from customers.outages import describe

log = logging.getLogger(__name__)

# Execution option that turns the statement timeout off (migrations may take longer).
NO_STATEMENT_TIMEOUT = "customers_no_statement_timeout"


def register(app: Flask) -> None:
    """Give every PostgreSQL transaction its settings; release the session of each request."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        milliseconds = int(app.config["DB_TIMEOUT_SECONDS"] * 1000)
        listen_for_begin(engine, milliseconds)
    app.teardown_appcontext(_discard_session)  # runs before Flask-SQLAlchemy's own


def listen_for_begin(engine: Engine, timeout_ms: int) -> None:
    """Open each transaction of `engine` with its statement timeout."""
    # By (timeout off, driver in autocommit): a connection someone switched out of autocommit
    # (an isolation level) has had its BEGIN sent by psycopg already.
    statements = {
        (off, autocommit): ("BEGIN; " if autocommit else "")
        + f"SET LOCAL statement_timeout = {0 if off else timeout_ms}"
        for off in (False, True) for autocommit in (False, True)
    }

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        off = bool(connection.get_execution_options().get(NO_STATEMENT_TIMEOUT))
        autocommit = connection.connection.dbapi_connection.autocommit
        _send(connection, statements[off, autocommit])


def _send(connection: Connection, sql: str) -> None:
    """Run `sql` as one simple query, never prepared (two statements cannot be, and a
    DB_PREPARE_THRESHOLD of 0 would try); driver errors become SQLAlchemy's, a lost
    connection invalidated, as for any statement."""
    dbapi = connection.dialect.loaded_dbapi
    cursor = connection.connection.dbapi_connection.cursor()
    # SQLAlchemy's cursor events still fire, for whatever logs or counts statements.
    connection.dispatch.before_cursor_execute(connection, cursor, sql, None, None, False)
    try:
        cursor.execute(sql, prepare=False)
        connection.dispatch.after_cursor_execute(connection, cursor, sql, None, None, False)
    except dbapi.Error as error:
        lost = connection.dialect.is_disconnect(error, connection.connection, cursor)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(sql, None, error, dbapi.Error, dialect=connection.dialect,
                                  connection_invalidated=lost) from error
    finally:
        cursor.close()


def release_session() -> None:
    """End this request's session (its transaction rolled back, its connection back in the
    pool). A connection found lost is invalidated, so the pool replaces it, and the error
    raised, so the request answers 503 through the error handlers."""
    if not db.session.registry.has():
        return  # no session this request (a PUT writes on a connection of its own)
    try:
        db.session.remove()
    except SQLAlchemyError:
        _invalidate_session()
        raise


def _invalidate_session() -> None:
    """Drop the session whose release failed, and the connections it held."""
    try:
        db.session().invalidate()
    except SQLAlchemyError:
        pass  # its connections are unusable anyway; the pool drops them when reclaimed
    db.session.registry.clear()


def _discard_session(_error: BaseException | None) -> None:
    """The last resort at teardown, where nothing can change the answer any more (a view
    that streams its body, an error handler that read the database): log, never raise."""
    try:
        release_session()
    except SQLAlchemyError as error:
        log.warning("database session lost after the answer: %s", describe(error))
