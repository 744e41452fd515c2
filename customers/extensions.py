"""Flask extensions, created unbound here and bound in the factory."""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from customers import checkpoints


class Base(DeclarativeBase):
    """Declarative base of every model."""


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(directory=str(Path(__file__).parent / "migrations"))
csrf = CSRFProtect()
login_manager = LoginManager()


def register_extensions(app: Flask) -> None:
    """Bind every extension to the app."""
    db.init_app(app)
    migrate.init_app(app, db)
    csrf.init_app(app)
    login_manager.init_app(app)


# The commit that fills the WAL to this many pages finishes the checkpoint (most pages are
# copied already: customers/checkpoints.py) and lets the next writer start the WAL over.
WAL_CHECKPOINT_PAGES = 1000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and relaxed fsync let several workers read while one writes."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
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


_writer_locks: dict[tuple[str, int], tuple[threading.Lock, int] | None] = {}


@contextmanager
def one_writer_at_a_time(engine: Engine) -> Iterator[None]:
    """On a SQLite file, queue this process's writers behind an flock beside the database.
    SQLite takes one writer at a time anyway, but a writer that finds the lock taken sleeps
    in its busy handler (1, 2, 5, 10 ms...) while the other is done within 0.1 ms: those
    sleeps were the slowest writes. The kernel wakes a waiter on flock at once. Other
    databases, and writers that skip this (the CLI), are unaffected; so is correctness."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    lock = _writer_lock(path) if path and path != ":memory:" else None
    if lock is None:
        yield
        return
    mutex, descriptor = lock
    with mutex:  # threads of one process share the descriptor, so flock alone won't do
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    checkpoints.wrote(path)


def _writer_lock(path: str) -> tuple[threading.Lock, int] | None:
    """This process's lock for a database file, opened after any fork (key: path, pid);
    None where no lock file can be made (SQLite's busy timeout still orders writers)."""
    key = (path, os.getpid())
    if key not in _writer_locks:
        if len(_writer_locks) >= 16:  # a process serving many databases (a test run)
            for lock in filter(None, _writer_locks.values()):
                os.close(lock[1])
            _writer_locks.clear()
        try:
            descriptor = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            _writer_locks[key] = None
        else:
            _writer_locks[key] = (threading.Lock(), descriptor)
    return _writer_locks[key]
