"""The values of list filters: how each field's values are read, derived from its column."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String

from customers.ids import MAX_ID
from customers.record import COLUMNS
from customers.models import TEXT_LENGTH
from customers.schemas import UNSTORABLE, customer_schema

_INTEGER = re.compile(r"-?[0-9]{1,18}")
_YEAR_OR_MONTH = re.compile(r"[0-9]{4}(-[0-9]{2})?")


def parse_integer(text: str) -> int:
    """A whole number of at most 18 digits."""
    if not _INTEGER.fullmatch(text):
        raise ValueError("expected an integer")
    return int(text)


def parse_id_value(text: str) -> int:
    """An id to compare with: any integer a 32-bit id column could hold, signed."""
    value = parse_integer(text)
    if abs(value) > MAX_ID:
        raise ValueError(f"ids range from -{MAX_ID} to {MAX_ID}")
    return value


def parse_date(text: str) -> date:
    """A date as YYYY-MM-DD; 1977 and 1977-05 are their first day, as date-fns' parseISO
    (Strapi's cast) reads them."""
    if _YEAR_OR_MONTH.fullmatch(text):
        text += "-01-01" if len(text) == 4 else "-01"
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("expected a date as YYYY-MM-DD") from None


def parse_datetime(text: str) -> datetime:
    """A date-time in ISO 8601, as naive UTC (as stored)."""
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):  # a zone offset can push year 1 or 9999 out of range
        raise ValueError("expected a date-time in ISO 8601, such as 2019-08-24T14:15:22Z") from None
    return moment


def parse_text(text: str) -> str:
    """Text a record could hold (longer text matches nothing: refused as a mistake)."""
    if UNSTORABLE.search(text):
        raise ValueError("contains characters no record can hold")
    if len(text) > TEXT_LENGTH:  # also keeps LIKE patterns below SQLite's limit
        raise ValueError(f"longer than any stored value ({TEXT_LENGTH} characters)")
    return text


# Every field of a record (the schema's) may be filtered and sorted on; its column's type
# says how its values are read.
_PARSERS: dict[type, Callable[[str], Any]] = {Integer: parse_id_value, Date: parse_date,
                                              DateTime: parse_datetime, String: parse_text}
FIELDS: dict[str, Callable[[str], Any]] = {
    name: next(parse for kind, parse in _PARSERS.items() if isinstance(COLUMNS[name].type, kind))
    for name in customer_schema.fields}
TEXT_FIELDS = tuple(name for name, parse in FIELDS.items() if parse is parse_text)
