"""The list's and the count's query parameters, as the OpenAPI document describes them:
Strapi v3's query language."""
from __future__ import annotations

from typing import Any

from customers.filters import TEXT_OPERATORS
from customers.ids import MAX_ID
from customers.models import TEXT_LENGTH
from customers.qs import ARRAY_LIMIT, DEPTH
from customers.query import MAX_START, MAX_VALUES, PUBLICATION_STATES
from customers.query_values import FIELDS, parse_date, parse_datetime, parse_id_value
from customers.rest_params import OPERATORS
from customers.schemas import STORABLE_PATTERN

TEXT = {"type": "string", "maxLength": TEXT_LENGTH, "pattern": STORABLE_PATTERN}
# The JSON Schema of each kind of value a filter reads (query_values.FIELDS has its parser).
_VALUES = {parse_id_value: {"type": "integer", "minimum": -MAX_ID, "maximum": MAX_ID},
           parse_date: {"type": "string", "format": "date"},
           parse_datetime: {"type": "string", "format": "date-time"}}
SORT_KEY = f"({'|'.join(FIELDS)})(:([Aa][Ss][Cc]|[Dd][Ee][Ss][Cc])?)?"
INDEX = f"^(0|[1-9][0-9]?|{ARRAY_LIMIT})$"  # what qs reads as an array index
FILTERS = {"$ref": "#/components/schemas/Filters"}
GROUPS = {"type": "object", "patternProperties": {INDEX: FILTERS}, "additionalProperties": False,
          "minProperties": 1}
LIST_NOTE = f"""\
Strapi v3's query language, read as Strapi reads it: the query string is parsed like the `qs`
library's `qs.parse` (at most {DEPTH} levels of brackets, array indices up to {ARRAY_LIMIT}),
so whatever `qs.stringify(params)` writes works. The count takes the same filters.

Filters are `field=value` or `field_op=value`, op one of {", ".join("_" + o for o in OPERATORS)}.
`_contains`/`_ncontains` ignore case, `_containss`/`_ncontainss` do not; on the id and the
dates they compare the text the API writes (`dateOfBirth_contains=1977`). `_null` takes
true/false (or t/f/1/0). A comparison with a field that is NULL matches nothing, negations
included (`gender_ne=male` does not return records without a gender).

Several values: `a=1&a=2`, `a[]=1&a[]=2` and `a[0]=1&a[1]=2` are the same list. `_in` and
`_nin` take it as one list; every other operator matches what any one value matches
(`id_gt=12&id_gt=56`).

Every filter holds together with the others (AND). `_where` holds filters too, as an object
(`_where[addressCity]=Recife`) or a list of objects (`_where[0][gender]=female&_where[1][id_lte]=82`).
`_or` and `_and`, at the top, inside `_where` or inside one another, hold groups of filters:
`_where[_or][0][id]=42&_where[_or][1][id]=82` is id 42 or 82;
`_or[0][gender]=female&_or[1][_or][0][addressCity]=Recife&_or[1][_or][1][addressCity]=Olinda`
nests them. A key starting with `_` that is no option loses it (`_referenceId=A` is
`referenceId=A`), as in Strapi.

`_q` finds records whose text fields or id contain it, ignoring case (never `created_by` or
`updated_by`). `_publicationState` (live or preview) changes nothing: every record is published.

An unknown parameter, field or operator, a malformed `_sort` or `_where`, too deep a nesting,
too high an index or a value of the wrong type is a 400 that names the parameter. At most
{MAX_VALUES} values in all."""


def filters_schema() -> dict[str, Any]:
    """Every `field_op` with the values it takes, one or a list: the `Filters` component."""
    properties = {name: {"anyOf": [value, {"type": "array", "items": value, "minItems": 1}]}
                  for name, value in _filters()}
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "minProperties": 1}


def list_parameters() -> list[dict[str, Any]]:
    """Paging, sorting, search, then every filter, then `_where`, `_or` and `_and`."""
    where = {"type": "object", "properties": {**filters_schema()["properties"],
                                              "_or": GROUPS, "_and": GROUPS},
             "additionalProperties": False}
    parameters = [
        _query("_limit", {"type": "integer", "minimum": -1, "maximum": 10**18 - 1},
               "How many records (default 100; -1: as many as the cap allows).", "20"),
        _query("_start", {"type": "integer", "minimum": 0, "maximum": MAX_START},
               "How many matching records to skip.", "40"),
        _query("_sort", {"type": "string", "pattern": f"^{SORT_KEY}(,{SORT_KEY})*$"},
               "Fields to sort on, each ASC (the default) or DESC.", "addressCity:ASC,id:DESC"),
        _query("_q", TEXT, "Text that some text field or the id contains, ignoring case.",
               "recife"),
        _query("_publicationState", {"type": "string", "enum": list(PUBLICATION_STATES)},
               "Accepted as Strapi does; every record is published, so both are the same.",
               "live"),
    ]
    parameters += [_query(name, {"type": "array", "items": value}) for name, value in _filters()]
    parameters += [
        _deep("_where", {"oneOf": [where, GROUPS]},
              "Filters as an object, or a list of objects, all to hold.", {"addressCity": "Recife"}),
        _deep("_or", GROUPS, "Groups of filters; a record matches if one group holds.",
              {"0": {"id": 42}, "1": {"id": 82}}),
        _deep("_and", GROUPS, "Groups of filters; a record matches if every group holds.",
              {"0": {"gender": "female"}, "1": {"id_lte": 82}}),
    ]
    return parameters


def _filters() -> list[tuple[str, dict[str, Any]]]:
    """(`field_op`, what one value of it looks like), for every field and operator."""
    found = []
    for field in FIELDS:
        value = _VALUES.get(FIELDS[field], TEXT)
        for operator in ("", *OPERATORS):
            one = {"type": "boolean"} if operator == "null" else (
                TEXT if operator in TEXT_OPERATORS else value)
            found.append((f"{field}_{operator}" if operator else field, one))
    return found


def _query(name: str, schema: dict[str, Any], description: str = "",
           example: str | None = None) -> dict[str, Any]:
    """An optional query parameter; an array is the parameter repeated (or qs's brackets)."""
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if schema["type"] == "array":
        parameter.update(style="form", explode=True)
    if description:
        parameter["description"] = description
    if example is not None:
        parameter["example"] = example
    return parameter


def _deep(name: str, schema: dict[str, Any], description: str, example: Any) -> dict[str, Any]:
    """An object in qs's brackets: `name[key]=value`, `name[0][key]=value`."""
    return {"name": name, "in": "query", "required": False, "style": "deepObject",
            "explode": True, "schema": schema, "description": description, "example": example}
