"""SQLite's `INDEXED BY`, through SQLAlchemy's `Select.with_hint(table, text, "sqlite")`.

SQLAlchemy renders table hints for the dialects that have them and drops them for SQLite,
whose compiler has no `get_from_hint_text`. This gives it one: the hint's text follows the
table's name, as SQLite's syntax wants (`FROM customers INDEXED BY ix_customers_live`).

Why the list needs it: with most records live, SQLite's planner prefers a walk of the table
in id order to the partial index of live records, and that walk steps over every deleted
row before the first live one (100,000 of them when the oldest tenth of a million is in the
trash). The index is the plan that costs the same however the trash is spread.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.sqlite.base import SQLiteCompiler


def _from_hint_text(self: Any, table: Any, text: str | None) -> str | None:
    """The hint, as it is: `INDEXED BY name`."""
    return text


SQLiteCompiler.get_from_hint_text = _from_hint_text  # type: ignore[method-assign]
