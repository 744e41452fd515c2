"""The OpenAPI document's history part: a record's timeline."""
from __future__ import annotations

from typing import Any

from customers.negotiation import OFFERED

CHANGE = {"type": "object", "required": ["from", "to"], "properties": {
    "from": {"nullable": True}, "to": {"nullable": True}}}
ENTRY = {"type": "object", "required": ["version", "action", "at", "by", "via", "requestId", "changes"],
         "properties": {
             "version": {"type": "integer", "minimum": 1},
             "action": {"type": "string", "enum": ["create", "update", "delete", "restore",
                                                   "revert", "import", "erase"]},
             "at": {"type": "string", "format": "date-time"}, "by": {"type": "string"},
             "via": {"type": "string", "enum": ["api", "page", "import", "cli"]},
             "requestId": {"type": "string"},
             "changes": {"type": "object", "description": "field -> its value before and after",
                         "additionalProperties": {"$ref": "#/components/schemas/HistoryChange"}}}}
PAGING = [
    {"name": "_limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": -1},
     "description": "How many entries (default CUSTOMERS_DEFAULT_LIMIT; -1 or more than "
                    "CUSTOMERS_MAX_LIMIT: that cap)."},
    {"name": "_start", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
     "description": "How many of the newest entries to skip."},
]
ERRORS = {"400": "Malformed or unknown query parameter",
          "403": "Forbidden: this operation requires authentication",
          "404": "No record ever had this id", "406": "None of the Accept types is offered",
          "503": "Database unavailable", "default": "Unexpected error"}


def add_history(document: dict[str, Any], id_parameter: dict[str, Any]) -> None:
    """GET /customers/{id}/history and the schemas of its entries."""
    schemas = document["components"]["schemas"]
    schemas["HistoryChange"], schemas["HistoryEntry"] = CHANGE, ENTRY
    entries = {"type": "array", "items": {"$ref": "#/components/schemas/HistoryEntry"}}
    document["paths"]["/customers/{id}/history"] = {"get": {
        "operationId": "customerHistory", "parameters": [id_parameter, *PAGING],
        "summary": "A record's history (every change, newest first).",
        "responses": {
            "200": {"description": "Success", "content": {t: {"schema": entries} for t in OFFERED},
                    "headers": {"X-Total-Count": {"required": True, "schema": {"type": "integer"}}}},
            **{code: {"description": text, "content": {t: {"schema": {"$ref": "#/components/schemas/Error"}}
                                                       for t in OFFERED}}
               for code, text in ERRORS.items()}}}}
