"""Each SQLite connection: WAL and its pragmas, and the SQL functions the queries use."""
from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles

from customers.sql import contains_exactly, date_text, lower_unicode, moment_text

# The commit that fills the WAL to this many pages finishes the checkpoint (most pages are
# copied already: checkpoints.py) and lets the next writer start the WAL over.
WAL_CHECKPOINT_PAGES = 1000


def prepare(engine: Engine) -> None:
    """Run `_on_connect` for every new connection of a SQLite engine (once per engine)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _on_connect):
        event.listen(engine, "connect", _on_connect)


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """WAL and relaxed fsync let several workers read while one writes."""
    dbapi_connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _unicode_lower(value: str | None) -> str | None:
    """Unicode lower(): SQLite's own only knows ASCII."""
    return value.lower() if isinstance(value, str) else value


@compiles(lower_unicode, "sqlite")
def _lower_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"unicode_lower({compiler.process(element.clauses, **kw)})"


@compiles(contains_exactly, "sqlite")
def _contains_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"(instr({compiler.process(element.clauses, **kw)}) > 0)"


@compiles(date_text, "sqlite")
def _date_text_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m-%d', {compiler.process(element.clauses, **kw)})"


@compiles(moment_text, "sqlite")
def _moment_text_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {compiler.process(element.clauses, **kw)})"
