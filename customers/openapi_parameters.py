"""The list's and the count's query parameters, as the OpenAPI document describes them."""
from __future__ import annotations

from typing import Any

from customers.ids import MAX_ID
from customers.query import MAX_START, SUFFIXES, TEXT_ONLY
from customers.query_values import FIELDS, TEXT_FIELDS, parse_date, parse_datetime, parse_id_value
from customers.models import TEXT_LENGTH
from customers.schemas import STORABLE_PATTERN

TEXT = {"type": "string", "maxLength": TEXT_LENGTH, "pattern": STORABLE_PATTERN}
# The JSON Schema of each kind of value a filter reads (query_values.FIELDS has its parser).
_VALUES = {parse_id_value: {"type": "integer", "minimum": -MAX_ID, "maximum": MAX_ID},
           parse_date: {"type": "string", "format": "date"},
           parse_datetime: {"type": "string", "format": "date-time"}}
SORT_KEY = f"({'|'.join(FIELDS)})(:([Aa][Ss][Cc]|[Dd][Ee][Ss][Cc])?)?"


def list_parameters() -> list[dict[str, Any]]:
    """Paging, sorting and search, then every filter with the values it takes."""
    parameters = [
        _query("_limit", {"type": "integer", "minimum": -1, "maximum": 10**18 - 1}),
        _query("_start", {"type": "integer", "minimum": 0, "maximum": MAX_START}),
        _query("_sort", {"type": "string", "pattern": f"^{SORT_KEY}(,{SORT_KEY})*$"}),
        _query("_q", TEXT),
    ]
    for field in FIELDS:
        value = _VALUES.get(FIELDS[field], TEXT)
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
