"""SQL functions that behave the same on every database (SQLite's spelling: sqlite/connections.py)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class lower_unicode(FunctionElement):
    """lower() that folds every letter, not only ASCII ones."""

    type = String()
    inherit_cache = True


class contains_exactly(FunctionElement):
    """Whether the first text holds the second, case-sensitively (no LIKE patterns)."""

    type = Boolean()
    inherit_cache = True


@compiles(lower_unicode)
def _lower(element: Any, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(contains_exactly)
def _contains(element: Any, compiler: Any, **kw: Any) -> str:
    return f"(strpos({compiler.process(element.clauses, **kw)}) > 0)"
