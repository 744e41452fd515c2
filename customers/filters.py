"""The SQL of one filter and of `_q`, as Strapi v3's SQL connector builds them, alike on
SQLite and PostgreSQL (strapi-connector-bookshelf, buildQuery.js's buildWhereClause, and
queries.js's buildSearchQuery); `_q` is looked up in the search index (ListQuery.search)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, not_, or_

from customers.models import Customer
from customers.sql import contains_exactly, date_text, integer_text, lower_unicode, moment_text

# The text a `_contains`-like filter compares for a field that is not text: what the API
# writes (Strapi's PostgreSQL connector casts to VARCHAR the same way). Every other field is text.
AS_TEXT: dict[str, Callable[[Any], ColumnElement[str]]] = {
    "id": integer_text, "dateOfBirth": date_text, "published_at": moment_text,
}
TEXT_OPERATORS = ("contains", "ncontains", "containss", "ncontainss")


def _contains(expression: Any, value: str) -> ColumnElement[bool]:
    """Case-insensitive substring, every letter folded; `%` and `_` are plain characters
    (Strapi hands them to LIKE as wildcards, which no client filtering on text means)."""
    return lower_unicode(expression).contains(value.lower(), autoescape=True)


# Each compares one value; a comparison with NULL is unknown, so a record whose field is NULL
# matches none of them, negations included (as in Strapi's SQL: `!=`, NOT IN, NOT LIKE).
OPERATORS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "ne": lambda c, v: c != v,
    "lt": lambda c, v: c < v, "lte": lambda c, v: c <= v,
    "gt": lambda c, v: c > v, "gte": lambda c, v: c >= v,
    "contains": _contains,
    "ncontains": lambda c, v: not_(_contains(c, v)),
    "containss": contains_exactly,
    "ncontainss": lambda c, v: not_(contains_exactly(c, v)),
    "null": lambda c, v: c.is_(None) if v else c.is_not(None),
}


def condition(field: str, operator: str, values: list[Any]) -> ColumnElement[bool]:
    """`_in` and `_nin` take the values as one list; any other operator matches what any one
    of its values matches (`id_gt=12&id_gt=56`), as buildWhereClause ORs an array."""
    column = getattr(Customer, field)
    if operator in TEXT_OPERATORS:
        column = AS_TEXT.get(field, lambda c: c)(column)
    if operator in ("eq", "in"):  # `=` OR-ed is IN: one index lookup per value
        return column.in_(values)
    if operator == "nin":
        return column.not_in(values)
    return or_(*(OPERATORS[operator](column, value) for value in values))
