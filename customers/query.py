"""List and count: the reference system's query parameters, turned into SQL."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from werkzeug.datastructures import MultiDict

from customers.errors import ApiError
from customers.extensions import db
from customers.models import Counter, Customer
from customers.query_values import FIELDS, TEXT_FIELDS, parse_integer, parse_text
from customers.sql import contains_exactly, lower_unicode

RESERVED = ("_limit", "_start", "_sort", "_q")
MAX_START = 2**53
# Bounds the SQL one request builds: SQLite's expression depth stops at 1000 and
# PostgreSQL takes at most 65535 bind parameters; gunicorn's request line allows ~500 anyway.
MAX_VALUES = 500
def _contains(column: Any, value: str) -> ColumnElement[bool]:
    return lower_unicode(column).contains(value.lower(), autoescape=True)


OPERATORS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "lt": lambda c, v: c < v, "lte": lambda c, v: c <= v,
    "gt": lambda c, v: c > v, "gte": lambda c, v: c >= v,
    "contains": _contains,
    "ncontains": lambda c, v: or_(c.is_(None), not_(_contains(c, v))),
    "containss": contains_exactly,
}
TEXT_ONLY = ("contains", "ncontains", "containss")
SUFFIXES = ("eq", "ne", "in", "nin", "null", *OPERATORS)


CUSTOMERS_TOTAL = select(Counter.value).where(Counter.name == "customers")


@dataclass
class ListQuery:
    """A list or count request: its filters, order and page."""

    conditions: list[ColumnElement[bool]] = field(default_factory=list)
    order: list[Any] = field(default_factory=list)
    limit: int | None = 100  # None: every match (an export)
    start: int = 0

    def select(self) -> Select[Any]:
        """The page of records, in order."""
        return (select(Customer).where(*self.conditions).order_by(*self.order, Customer.id)
                .limit(self.limit).offset(self.start))

    def count(self) -> int:
        """How many records match, ignoring the page. Unfiltered, the total that triggers
        keep exact (a COUNT(*) would read every row); filtered, counted through the index."""
        if not self.conditions:
            return db.session.execute(CUSTOMERS_TOTAL).scalar_one()
        statement = select(func.count()).select_from(Customer).where(*self.conditions)
        return db.session.execute(statement).scalar_one()

    def records(self) -> Sequence[Customer]:
        """The page of records."""
        return db.session.execute(self.select()).scalars().all()

    def stream(self, batch: int) -> Iterator[Customer]:
        """Every record of the query, fetched `batch` at a time (on PostgreSQL through a
        server-side cursor), so that memory stays flat however many match."""
        yield from db.session.execute(self.select().execution_options(yield_per=batch)).scalars()


def parse(args: MultiDict[str, str], default_limit: int, max_limit: int) -> ListQuery:
    """Read the query string; every bad parameter is named in one 400."""
    query = ListQuery(limit=default_limit)
    if sum(len(args.getlist(name)) for name in args) > MAX_VALUES:
        raise ApiError(400, f"Too many query parameter values: at most {MAX_VALUES}")
    errors: dict[str, list[str]] = {}
    for name in args:
        try:
            _apply(query, name, args.getlist(name), max_limit)
        except ValueError as error:
            errors[name] = [str(error)]
    if errors:
        raise ApiError(400, "Invalid query parameters", errors)
    return query


def _apply(query: ListQuery, name: str, values: list[str], max_limit: int) -> None:
    """Add one parameter's effect to the query."""
    if name == "_limit":
        limit = parse_integer(_single(values))
        if limit < -1:
            raise ValueError("must be -1 (as many as allowed) or a number from 0")
        query.limit = max_limit if limit == -1 else min(limit, max_limit)
    elif name == "_start":
        start = parse_integer(_single(values))
        if not 0 <= start <= MAX_START:
            raise ValueError("must be a number from 0")
        query.start = start
    elif name == "_sort":
        query.order = _order(_single(values))
    elif name == "_q":
        query.conditions.append(_search(parse_text(_single(values))))
    else:
        query.conditions.append(_filter(name, values))


def _single(values: list[str]) -> str:
    if len(values) != 1:
        raise ValueError("give this parameter once")
    return values[0]


def _order(text: str) -> list[Any]:
    """`field[:ASC|DESC]`, comma-separated, NULLs after values ascending."""
    order = []
    for part in text.split(","):
        name, _, direction = part.strip().partition(":")
        if name not in FIELDS:
            raise ValueError(f"cannot sort on {name!r}; fields: {', '.join(FIELDS)}")
        direction = direction.strip().upper() or "ASC"
        if direction not in ("ASC", "DESC"):
            raise ValueError(f"direction must be ASC or DESC, not {direction!r}")
        column = getattr(Customer, name)
        order.append(column.asc().nulls_last() if direction == "ASC" else column.desc().nulls_first())
    return order


def _search(text: str) -> ColumnElement[bool]:
    """`_q`: the words appear in any text field, ignoring case."""
    return or_(*(_contains(getattr(Customer, name), text) for name in TEXT_FIELDS))


def _filter(name: str, values: list[str]) -> ColumnElement[bool]:
    """`field`, or `field_suffix`, with the parameter's values."""
    field_name, suffix = _split(name)
    column = getattr(Customer, field_name)
    if suffix == "null":
        wants_null = {"true": True, "false": False}.get(_single(values).lower())
        if wants_null is None:
            raise ValueError("must be true or false")
        return column.is_(None) if wants_null else column.is_not(None)
    if suffix in TEXT_ONLY and FIELDS[field_name] is not parse_text:
        raise ValueError(f"_{suffix} applies to text fields only")
    parsed = [FIELDS[field_name](value) for value in values]
    if suffix in ("eq", "in"):
        return column.in_(parsed)
    if suffix in ("ne", "nin"):
        return or_(column.is_(None), column.not_in(parsed))
    return and_(*(OPERATORS[suffix](column, value) for value in parsed))


def _split(name: str) -> tuple[str, str]:
    """`referenceId_in` -> (`referenceId`, `in`); a bare field means `eq`."""
    if name in FIELDS:
        return name, "eq"
    base, _, suffix = name.rpartition("_")
    if base in FIELDS and suffix in SUFFIXES:
        return base, suffix
    raise ValueError(f"unknown field or filter; fields: {', '.join(FIELDS)}; "
                     f"suffixes: {', '.join('_' + s for s in SUFFIXES)}")
