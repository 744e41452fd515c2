"""The one record type the service returns: an immutable snapshot of a customers row."""
from __future__ import annotations

from dataclasses import make_dataclass
from typing import Any

from customers.models import Customer

TABLE = Customer.__table__
# The model's attribute names (the API's field names) and their columns, in table order.
COLUMNS = {attribute.key: attribute.columns[0] for attribute in Customer.__mapper__.column_attrs}
# What a statement selects or returns to make a record: every column, under its field name.
RECORD_COLUMNS = tuple(column.label(name) for name, column in COLUMNS.items())

# Read-only, and plain attributes (no __getitem__), which is what the schema's dump reads
# fastest; a new column of the model is a new attribute here by itself.
CustomerRecord = make_dataclass("CustomerRecord", list(COLUMNS), frozen=True, slots=True)
CustomerRecord.__doc__ = "A customer as stored (a snapshot; attribute names as on Customer)."


def record_of(row: Any) -> Any:
    """The record of a row selected or returned with RECORD_COLUMNS."""
    return CustomerRecord(*row)
