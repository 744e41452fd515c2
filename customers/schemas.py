"""The rule book: every field rule of a customer record, for the API and the forms."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load
from marshmallow.validate import Length, OneOf, Range, Validator

from customers.ids import MAX_VERSION
from customers.models import TEXT_LENGTH
from customers.schema_dump import OnePassDumpSchema

GENDERS = ("male", "female", "other")
MARITAL_STATUSES = ("single", "married", "divorced", "widowed", "separated", "stable_union")
EARLIEST_BIRTH = date(1900, 1, 1)
READ_ONLY = ("id", "published_at", "created_by", "updated_by")

# Control characters (tab, newline and CR aside), surrogates, and the two
# non-characters XML forbids: no database or XML document can carry them all.
UNSTORABLE_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0xD800, 0xDFFF), (0xFFFE, 0xFFFF))
SURROGATES = (0xD800, 0xDFFF)


def character_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """`\\uXXXX-\\uXXXX...`: a character class body both Python and JSON Schema read."""
    return "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges)


UNSTORABLE = re.compile(f"[{character_class(UNSTORABLE_RANGES)}]")
# The same rule for JSON Schema (OpenAPI), less the surrogates, which no JSON string can
# carry alone.
STORABLE_PATTERN = "^[^" + character_class(
    tuple(r for r in UNSTORABLE_RANGES if r != SURROGATES)) + "]*$"


def N_(message: str) -> str:
    """Mark text for translation: the API keeps it English, the pages translate it when they
    show it (customers/pages/messages.py, pybabel extracts it from here)."""
    return message


# Every message the schema's own validators and marshmallow's fields give, as templates:
# the pages translate each and fill in its values again (customers/pages/messages.py).
MESSAGES = (
    N_("Contains characters that cannot be stored (control characters or lone surrogates)."),
    N_("Must be on or after {date}."),
    N_("Must not be in the future."),
    N_("Longer than maximum length {max}."),
    N_("Must be one of: {choices}."),
    N_("Not a valid date."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Invalid value."),
    N_("The database refused a value of this record."),
)


class Storable(Validator):
    """Refuse text that a database or an XML response cannot hold."""

    error = "Contains characters that cannot be stored (control characters or lone surrogates)."

    def __call__(self, value: str) -> str:
        if UNSTORABLE.search(value):
            raise ValidationError(self.error)
        return value


class BirthDate(Validator):
    """A date of birth: not in the future, not before 1900-01-01."""

    def __call__(self, value: date) -> date:
        if value < EARLIEST_BIRTH:
            raise ValidationError(f"Must be on or after {EARLIEST_BIRTH.isoformat()}.")
        if value > datetime.now(timezone.utc).date():
            raise ValidationError("Must not be in the future.")
        return value


class UtcTimestamp(fields.DateTime):
    """A stored time written in UTC as `2024-05-06T07:08:09Z` (naive means UTC, as stored).
    It is only ever dumped; isoformat() gives what strftime("%Y-%m-%dT%H:%M:%SZ") would,
    without the `import time` that every datetime.strftime() call runs."""

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat("T", "seconds") + "Z"


def text(label: str) -> fields.String:
    """A trimmed, nullable text field of at most TEXT_LENGTH characters."""
    return fields.String(allow_none=True, validate=[Length(max=TEXT_LENGTH), Storable()],
                         metadata={"label": label})


def choice(label: str, options: tuple[str, ...]) -> fields.String:
    """A nullable field that takes one of `options`."""
    return fields.String(allow_none=True, validate=OneOf(options), metadata={"label": label})


class CustomerSchema(OnePassDumpSchema):
    """A customer as the API and the forms read and write it (dumped in one pass:
    customers/schema_dump.py)."""

    class Meta:
        unknown = RAISE

    id = fields.String(dump_only=True)
    uuid = text(N_("UUID"))
    referenceId = text(N_("Reference ID"))
    dateOfBirth = fields.Date(allow_none=True, validate=BirthDate(),
                              metadata={"label": N_("Date of birth")})
    addressStreet = text(N_("Street"))
    addressNeighborhood = text(N_("Neighborhood"))
    addressCity = text(N_("City"))
    addressState = text(N_("State"))
    addressCountry = text(N_("Country"))
    gender = choice(N_("Gender"), GENDERS)
    maritalStatus = choice(N_("Marital status"), MARITAL_STATUSES)
    published_at = UtcTimestamp(dump_only=True)
    created_by = fields.String(dump_only=True)
    updated_by = fields.String(dump_only=True)

    @pre_load
    def normalise(self, data: Any, **_kwargs: Any) -> Any:
        """Drop read-only fields; trim text; a blank value clears the field."""
        if not isinstance(data, Mapping):
            return data
        return {key: _blank_to_none(value) for key, value in data.items() if key not in READ_ONLY}


def _blank_to_none(value: Any) -> Any:
    """Strip text; empty text (from a form or an empty XML element) is None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class TrashedSchema(CustomerSchema):
    """A record in the trash, as the trash lists it: the record, and who deleted it when."""

    deleted_at = UtcTimestamp(dump_only=True)
    deleted_by = fields.String(dump_only=True)


class WholeNumber(fields.Integer):
    """An integer as JSON, XML or a form carries it: a JSON integer or a text of digits,
    never a fraction rounded down (3.5 is not version 3) nor a boolean."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str):
            value = value.strip()
            if not (value.isascii() and value.isdigit() and len(value) <= 18):
                raise self.make_error("invalid")
        elif isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class RevertSchema(Schema):
    """A revert's body: the version whose field values the record takes again."""

    class Meta:
        unknown = RAISE

    version = WholeNumber(required=True, validate=Range(min=1, max=MAX_VERSION))


class ErrorSchema(Schema):
    """The one error shape: `code` is the HTTP status."""

    code = fields.Integer(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


customer_schema = CustomerSchema()
customers_schema = CustomerSchema(many=True)
trashed_schema = TrashedSchema(many=True)
revert_schema = RevertSchema()
WRITABLE = tuple(name for name, field in customer_schema.fields.items() if not field.dump_only)


def max_length(name: str) -> int | None:
    """The longest text the schema takes for field `name` (for form inputs)."""
    for validator in customer_schema.fields[name].validators:
        if isinstance(validator, Length):
            return validator.max
    return None


def choices(name: str) -> tuple[str, ...] | None:
    """The values field `name` takes, when it takes one of a list (for selects)."""
    for validator in customer_schema.fields[name].validators:
        if isinstance(validator, OneOf):
            return tuple(validator.choices)
    return None


def label(name: str) -> str:
    """How a form or a page names field `name`."""
    return customer_schema.fields[name].metadata.get("label", name)
