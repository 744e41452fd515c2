"""CSV import: rows checked by the one schema, all at once, before anything is written.

A row with an `id` merges into that record (as PUT does); a row without one creates a record.
The read-only columns the export writes are ignored, so an export imports back unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from customers.errors import ApiError
from customers.extensions import db
from customers.models import Customer
from customers.schemas import READ_ONLY, WRITABLE, customer_schema
from customers.service import primary_key

HEADER_ROW = "1"
COLUMNS = ("id", *WRITABLE, *READ_ONLY)
BATCH = 500  # ids looked up per query (well below every database's parameter limit)


@dataclass
class Plan:
    """What an import would do: the records to create and the changes to existing ones."""

    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> fields that change
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        """The answer of an import (and of its dry run)."""
        return {"created": len(self.creates), "updated": len(self.updates),
                "unchanged": self.unchanged}


def plan(header: list[str], rows: list[tuple[int, dict[str, str]]]) -> Plan:
    """Validate every row; one ValidationError names every bad row (as numbered in a
    spreadsheet) and field, with the schema's messages."""
    _check_header(header)
    errors: dict[str, Any] = {}
    creates: list[dict[str, Any]] = []
    merges: dict[int, tuple[int, dict[str, Any]]] = {}
    for number, row in rows:
        try:
            target, fields = _row(row)
        except ValidationError as error:
            errors[str(number)] = error.messages
            continue
        if target is None:
            creates.append(fields)
        elif target in merges:
            errors[str(number)] = {"id": [f"Given in row {merges[target][0]} already."]}
        else:
            merges[target] = (number, fields)
    result = Plan(creates=creates)
    _compare(merges, result, errors)
    if errors:
        raise ValidationError(dict(sorted(errors.items(), key=lambda item: int(item[0]))))
    return result


def _check_header(header: list[str]) -> None:
    """Unknown and repeated columns are named under row 1."""
    problems: dict[str, list[str]] = {}
    for position, name in enumerate(header):
        if name not in COLUMNS:
            problems[name or f"(column {position + 1})"] = ["Unknown field."]
        elif header.index(name) != position:
            problems[name] = ["Given in more than one column."]
    if problems:
        raise ValidationError({HEADER_ROW: problems})


def _row(row: dict[str, str]) -> tuple[int | None, dict[str, Any]]:
    """The record a row targets (None: a new one) and its fields, validated by the schema."""
    writable = {name: value for name, value in row.items() if name in WRITABLE}
    target = (row.get("id") or "").strip()
    fields = customer_schema.load(writable, partial=bool(target))
    if not target:
        return None, fields
    try:
        return primary_key(target), fields
    except ApiError as error:
        raise ValidationError({"id": [error.description]}) from None


def _compare(merges: dict[int, tuple[int, dict[str, Any]]], result: Plan,
             errors: dict[str, Any]) -> None:
    """Against the stored records: ids that name none are errors; rows that change nothing
    are counted as unchanged."""
    ids = list(merges)
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        stored = {c.id: c for c in db.session.execute(
            select(Customer).where(Customer.id.in_(batch))).scalars()}
        for target in batch:
            number, fields = merges[target]
            if target not in stored:
                errors[str(number)] = {"id": [f"No customer with id {str(target)!r}."]}
                continue
            if stored[target].deleted_at is not None:
                errors[str(number)] = {"id": [f"Customer {target} is in the trash; restore it "
                                              "before importing changes to it."]}
                continue
            changes = {k: v for k, v in fields.items() if getattr(stored[target], k) != v}
            if changes:
                result.updates[target] = changes
            else:
                result.unchanged += 1
