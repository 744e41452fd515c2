"""List and count: Strapi v3's query language, read and turned into SQL.

The query string goes through three steps, each where Strapi has it: customers/qs.py parses
it as `qs.parse` does; customers/rest_params.py reads that as convertRestQueryParams does;
this module checks fields and casts values as build-query.js does, and customers/filters.py
writes the SQL of each clause as the SQL connector does. The list and the count share it all.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true

from customers import qs
from customers.errors import ApiError
from customers.extensions import db
from customers import search_index
from customers.filters import TEXT_OPERATORS, condition
from customers.models import Counter, Customer
from customers.query_values import FIELDS, parse_integer, parse_text
from customers.record import RECORD_COLUMNS, TABLE, CustomerRecord, record_of
from customers.rest_params import OPERATORS, Clause, Node, convert
from customers.sqlite import hints  # noqa: F401  (SQLite renders INDEXED BY hints)

RESERVED = ("_limit", "_start", "_sort", "_q")
PUBLICATION_STATES = ("live", "preview")
MAX_START = 2**53
# Bounds the SQL one request builds: SQLite's expression depth stops at 1000 and
# PostgreSQL takes at most 65535 bind parameters; gunicorn's request line allows ~500 anyway.
MAX_VALUES = 500
CUSTOMERS_TOTAL = select(Counter.value).where(Counter.name == "customers")


def base_conditions(trash: bool = False) -> list[ColumnElement[bool]]:
    """What every list and count holds to before the client's filters: the one place to say
    which rows are live records (or, for the trash, deleted ones). Spelt as the partial
    indexes of migration 0006 are, so that both databases page through them."""
    return [Customer.deleted_at.is_not(None) if trash else Customer.deleted_at.is_(None)]


@dataclass
class ListQuery:
    """A list or count request: its filters, order and page."""

    conditions: list[ColumnElement[bool]] = field(default_factory=list)
    order: list[Any] = field(default_factory=list)
    limit: int | None = 100  # None: every match (an export)
    start: int = 0
    trash: bool = False  # the trash's records instead of the live ones
    # A text index whose matches the records are joined to (search_index.Lookup), on SQLite:
    # its matches come in id order, so a first page stops as soon as it is full.
    lookup: search_index.Lookup | None = None

    @property
    def filtered(self) -> bool:
        """Whether anything beyond the base conditions narrows the records."""
        return bool(self.conditions) or self.lookup is not None

    def search(self, which: str, terms: list[str]) -> None:
        """Narrow to the records whose index text (`exact` or `folded`) holds every term:
        the first search that the index can look up drives the query (SQLite), any other is
        a condition."""
        dialect = db.engine.dialect.name
        if self.lookup is None:
            self.lookup, rest = search_index.lookup(dialect, which, terms)
            self.conditions += rest
        else:
            self.conditions.append(search_index.containing(dialect, which, terms))

    def select(self) -> Select[Any]:
        """The page of records, in order. Unfiltered in the default order, it walks the
        partial index of the live records (or of the trash), on SQLite too (whose planner
        would walk the table and step over every deleted row: customers/sqlite/hints.py);
        searched, in the default order, the text index's matches in id order."""
        last = Customer.id if self.lookup is None or self.order else self.lookup.key
        statement = (self._source(select(*RECORD_COLUMNS))
                     .where(*base_conditions(self.trash), *self.conditions)
                     .order_by(*self.order, last).limit(self.limit).offset(self.start))
        if not self.filtered and not self.order:
            index = "ix_customers_trash" if self.trash else "ix_customers_live"
            statement = statement.with_hint(TABLE, f"INDEXED BY {index}", "sqlite")
        return statement

    def count(self) -> int:
        """How many records match, ignoring the page. Unfiltered, the total that triggers
        keep exact (a COUNT(*) would read every row); filtered, counted through the index."""
        if not self.filtered and not self.trash:
            return db.session.execute(CUSTOMERS_TOTAL).scalar_one()
        return db.session.execute(self.count_statement()).scalar_one()

    def count_statement(self) -> Select[Any]:
        """COUNT(*) of the records that match, ignoring the page."""
        source = select(func.count()).select_from(Customer) if self.lookup is None else (
            self._source(select(func.count())))
        return source.where(*base_conditions(self.trash), *self.conditions)

    def _source(self, statement: Select[Any]) -> Select[Any]:
        """The statement's rows: the customers, or the index's matches joined to them."""
        if self.lookup is None:
            return statement
        return (statement.select_from(self.lookup.table)
                .join(Customer, Customer.id == self.lookup.key).where(self.lookup.condition))

    def records(self) -> list[CustomerRecord]:
        """The page of records (rows made records, not ORM objects: a page is only read)."""
        return [record_of(row) for row in db.session.execute(self.select())]

    def stream(self, batch: int) -> Iterator[CustomerRecord]:
        """Every record of the query, fetched `batch` at a time (on PostgreSQL through a
        server-side cursor), so that memory stays flat however many match."""
        for row in db.session.execute(self.select().execution_options(yield_per=batch)):
            yield record_of(row)


def parse(pairs: Iterable[tuple[str, str]], default_limit: int, max_limit: int) -> ListQuery:
    """Read the query string's (key, value) pairs as Strapi v3 does (qs.parse, then
    convertRestQueryParams); every bad parameter is named in one 400."""
    pairs = list(pairs)
    if len(pairs) > MAX_VALUES:
        raise ApiError(400, f"Too many query parameter values: at most {MAX_VALUES}")
    errors: dict[str, list[str]] = {}
    params = convert(qs.parse(pairs, errors), errors)
    query = ListQuery(limit=default_limit)
    for name, value in params.options.items():
        try:
            _option(query, name, value, max_limit)
        except ValueError as error:
            errors[name] = [str(error)]
    query.conditions += [sql for sql in (_condition(node, errors) for node in params.where)
                         if sql is not None]
    if errors:
        raise ApiError(400, "Invalid query parameters", errors)
    return query


def _option(query: ListQuery, name: str, value: Any, max_limit: int) -> None:
    """Add one option's effect to the query; each is given once, as a plain value."""
    if not isinstance(value, str):
        raise ValueError("give this parameter once, as a plain value")
    if name == "_limit":
        limit = parse_integer(value)
        if limit < -1:
            raise ValueError("must be -1 (as many as allowed) or a number from 0")
        query.limit = max_limit if limit == -1 else min(limit, max_limit)
    elif name == "_start":
        start = parse_integer(value)
        if not 0 <= start <= MAX_START:
            raise ValueError("must be a number from 0")
        query.start = start
    elif name == "_sort":
        query.order = _order(value)
    elif name == "_q":
        if parse_text(value):  # an empty search matches every record: no condition at all
            # Some searched field (search_text.SEARCHED), or the id's digits, contains the
            # text, ignoring case as `_contains` does: the index's `exact` text holds each
            # of them lowered.
            query.search("exact", [value.lower()])
    elif value not in PUBLICATION_STATES:  # _publicationState: every record is published
        raise ValueError(f"must be one of {', '.join(PUBLICATION_STATES)}")


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


def _condition(node: Node, errors: dict[str, list[str]]) -> ColumnElement[bool] | None:
    """A clause's SQL, or a junction's over its groups; None (and an error) if it is bad."""
    if isinstance(node, Clause):
        try:
            return _clause(node)
        except ValueError as error:
            errors[node.name] = [str(error)]
            return None
    groups = [and_(true(), *(sql for sql in (_condition(n, errors) for n in group) if sql is not None))
              for group in node.groups]
    return or_(*groups) if node.operator == "or" else and_(*groups)


def _clause(clause: Clause) -> ColumnElement[bool]:
    """Strapi's build-query: the field must exist, and each value is cast to its type (text for
    the `_contains` family, whatever the field; a boolean for `_null`)."""
    if clause.field not in FIELDS:
        raise ValueError(f"unknown field or filter; fields: {', '.join(FIELDS)}; "
                         f"suffixes: {', '.join('_' + s for s in OPERATORS)}")
    read = {"null": _boolean}.get(clause.operator) or (
        parse_text if clause.operator in TEXT_OPERATORS else FIELDS[clause.field])
    return condition(clause.field, clause.operator, [read(value) for value in _values(clause.value)])


def _values(value: Any) -> list[str]:
    """One value or a list of them (nested lists, as qs can make, are flattened)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for part in value for item in _values(part)]
    raise ValueError("expected a value or a list of values, not an object")


def _boolean(text: str) -> bool:
    """Strapi's parseType for booleans: true, t, 1 or false, f, 0 (we also ignore case)."""
    if text.lower() in ("true", "t", "1"):
        return True
    if text.lower() in ("false", "f", "0"):
        return False
    raise ValueError("must be true or false (or t, f, 1, 0)")
