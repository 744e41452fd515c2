"""Database failures told apart and described: what the driver (or the pooler) said."""
from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATE of a statement cancelled by statement_timeout (or by an operator's cancel).
QUERY_CANCELED = "57014"


def kind(error: Exception) -> str:
    """`timeout` (a statement ran past the limit, the pool had no connection free in time),
    `unavailable` (the database or the pooler cannot be reached or refused us), or `error`."""
    if isinstance(error, PoolTimeout) or _sqlstate(error) == QUERY_CANCELED:
        return "timeout"
    if isinstance(error, OperationalError) or (
            isinstance(error, DBAPIError) and error.connection_invalidated):
        return "unavailable"
    return "error"


def describe(error: BaseException) -> str:
    """The error's class and its cause on one line, e.g. `OperationalError: connection failed:
    ... FATAL: unsupported startup parameter: options` (for the log, never for a client)."""
    cause = getattr(error, "orig", None) or error.__cause__
    if isinstance(error, DBAPIError) and cause is not None:
        text = f"{type(cause).__module__}.{type(cause).__name__}: {cause}"
    else:
        # SQLAlchemy's own messages end with a link to its docs, which says nothing here.
        text = str(error).split("\n(Background on this error")[0]
    return f"{type(error).__name__}: {' | '.join(filter(None, map(str.strip, text.splitlines())))}"


def _sqlstate(error: Exception) -> str | None:
    """The SQLSTATE code the driver reported, if any."""
    return getattr(getattr(error, "orig", None), "sqlstate", None)
