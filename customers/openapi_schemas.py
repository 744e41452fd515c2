"""What the OpenAPI document says about values: text rules, dates, bodies, list parameters."""
from __future__ import annotations

from datetime import date
from typing import Any

from customers.models import TEXT_LENGTH
from customers.ids import MAX_ID
from customers.query import FIELDS, MAX_START, SUFFIXES, TEXT_FIELDS, TEXT_ONLY
from customers.schemas import EARLIEST_BIRTH

# What the database and an XML answer can hold: no control characters, no non-characters.
STORABLE = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]*$"
TEXT = {"type": "string", "maxLength": TEXT_LENGTH, "pattern": STORABLE}
VALUES = {"id": {"type": "integer", "minimum": -MAX_ID, "maximum": MAX_ID},
          "dateOfBirth": {"type": "string", "format": "date"},
          "published_at": {"type": "string", "format": "date-time"}}
SORT_KEY = f"({'|'.join(FIELDS)})(:([Aa][Ss][Cc]|[Dd][Ee][Ss][Cc])?)?"


def refine(schemas: dict[str, Any], today: date) -> None:
    """What apispec cannot say: text rules, dates, XML names, and what a body may hold."""
    customer = schemas["Customer"]["properties"]
    for prop in customer.values():
        if prop.get("maxLength") == TEXT_LENGTH:
            prop["pattern"] = STORABLE
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


def list_parameters() -> list[dict[str, Any]]:
    """Paging, sorting and search, then every filter with the values it takes."""
    parameters = [
        _query("_limit", {"type": "integer", "minimum": -1, "maximum": 10**18 - 1}),
        _query("_start", {"type": "integer", "minimum": 0, "maximum": MAX_START}),
        _query("_sort", {"type": "string", "pattern": f"^{SORT_KEY}(,{SORT_KEY})*$"}),
        _query("_q", TEXT),
    ]
    for field in FIELDS:
        value = VALUES.get(field, TEXT)
        parameters.append(_query(f"{field}_null", {"type": "boolean"}))
        for suffix in ("", *(f"_{s}" for s in SUFFIXES if s != "null")):
            if suffix[1:] not in TEXT_ONLY or field in TEXT_FIELDS:
                parameters.append(_query(f"{field}{suffix}", {"type": "array", "items": value}))
    return parameters


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An optional query parameter; arrays are the parameter repeated."""
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if schema["type"] == "array":
        parameter.update(style="form", explode=True)
    return parameter
