"""What apispec cannot say about the record: text rules, dates, XML names, what bodies hold."""
from __future__ import annotations

from datetime import date
from typing import Any

from customers.models import TEXT_LENGTH
from customers.schemas import EARLIEST_BIRTH, STORABLE_PATTERN


def refine(schemas: dict[str, Any], today: date) -> None:
    """What apispec cannot say: text rules, dates, XML names, and what a body may hold."""
    customer = schemas["Customer"]["properties"]
    for prop in customer.values():
        if prop.get("maxLength") == TEXT_LENGTH:
            prop["pattern"] = STORABLE_PATTERN
    customer["published_at"] = {"type": "string", "format": "date-time", "readOnly": True}
    customer["dateOfBirth"]["pattern"] = _days(EARLIEST_BIRTH, today)
    schemas["Customer"]["xml"] = {"name": "item"}
    schemas["Error"]["xml"] = {"name": "error"}
    schemas["CustomerInput"] = {**schemas["Customer"], "properties": _input(customer)}
    # XML and form fields hold one text each, even the read-only ones that are ignored.
    scalar = {"not": {"anyOf": [{"type": "object"}, {"type": "array"}]}}
    text = {name: {**prop, **scalar} if "type" not in prop else prop
            for name, prop in schemas["CustomerInput"]["properties"].items()}
    schemas["CustomerInputText"] = {**schemas["CustomerInput"], "properties": text}
    # An XML text cannot hold control characters even where the value is ignored: the parser
    # refuses the document first.
    xml = {name: {**prop, "pattern": STORABLE_PATTERN} if "type" not in prop else prop
           for name, prop in text.items()}
    schemas["CustomerInputXml"] = {**schemas["CustomerInput"], "properties": xml}


def _input(customer: dict[str, Any]) -> dict[str, Any]:
    """A body's fields: blank clears a field like null; read-only fields are ignored."""
    properties = {}
    for name, prop in customer.items():
        if prop.get("readOnly"):
            properties[name] = {"description": "Read-only: accepted and ignored."}
        elif "enum" in prop:
            properties[name] = {**prop, "enum": [*prop["enum"], ""]}
        elif prop.get("format") == "date":
            rule = {key: prop[key] for key in ("format", "pattern")}
            properties[name] = {"type": "string", "nullable": True,
                                "anyOf": [rule, {"maxLength": 0}]}
        else:
            properties[name] = prop
    return properties


def _days(first: date, last: date) -> str:
    """A pattern for the days from `first` (a 1 January) to `last`, both included: JSON Schema
    has no date range, and the service refuses dates of birth in the future."""
    month, day = "(0[1-9]|1[0-2])", "(0[1-9]|[12][0-9]|3[01])"
    years = "|".join(str(year) for year in range(first.year, last.year))
    parts = [f"({years})-{month}-{day}"]
    if last.month > 1:
        months = "|".join(f"{m:02}" for m in range(1, last.month))
        parts.append(f"{last.year}-({months})-{day}")
    days = "|".join(f"{d:02}" for d in range(1, last.day + 1))
    parts.append(f"{last.year}-{last.month:02}-({days})")
    return f"^({'|'.join(parts)})$"
