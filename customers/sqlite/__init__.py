"""Everything that is SQLite's alone: the pragmas and SQL functions of each connection
(`connections.py`), the writer lock (`writer_lock.py`) and the background WAL checkpoints
(`checkpoints.py`). Other databases never reach this package's code."""
from __future__ import annotations

from flask import Flask

from customers.sqlite import connections


def register_sqlite(app: Flask) -> None:
    """Set up every SQLite connection of this app's engines as the service needs it."""
    with app.app_context():
        from customers.extensions import db

        for engine in db.engines.values():
            connections.prepare(engine)
