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


class integer_text(FunctionElement):
    """An integer as its decimal digits."""

    type = String()
    inherit_cache = True


class date_text(FunctionElement):
    """A date as the API writes it: YYYY-MM-DD (whatever the server's DateStyle)."""

    type = String()
    inherit_cache = True


class moment_text(FunctionElement):
    """A stored UTC time as the API writes it: YYYY-MM-DDTHH:MM:SSZ."""

    type = String()
    inherit_cache = True


@compiles(integer_text)
def _integer_text(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


@compiles(date_text)
def _date_text(element: Any, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


@compiles(moment_text)
def _moment_text(element: Any, compiler: Any, **kw: Any) -> str:
    return f"""to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
