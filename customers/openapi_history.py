"""The OpenAPI document's part for the record's memory: the timeline, a version, revert,
the trash and restore."""
from __future__ import annotations

from typing import Any

from customers.decoders import DECODERS
from customers.negotiation import OFFERED
from customers.openapi_parameters import list_parameters

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
# The errors of the other operations, beyond those above.
MORE_ERRORS = {"404": "No such record or version, or the record is in the trash",
               "409": "The record is not in the trash",
               "412": "If-Match does not name the current version", "413": "Body too large",
               "415": "Unsupported Content-Type", "422": "Validation failed"}
REVERT = {"type": "object", "required": ["version"], "additionalProperties": False,
          "properties": {"version": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1,
                                     "description": "The version whose field values to take"}}}
REVERT_TEXT = {"type": "object", "required": ["version"], "additionalProperties": False,
               "properties": {"version": {"type": "string", "pattern": "^0*[1-9][0-9]{0,8}$"}}}
VERSION = {"name": "version", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": "^[0-9]+$"}, "description": "A version"}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "Act only if the record still has one of these ETags."}
ETAG = {"ETag": {"required": True, "schema": {"type": "string"}}}
TOTAL = {"X-Total-Count": {"required": True, "schema": {"type": "integer"}}}
CUSTOMER = {"$ref": "#/components/schemas/Customer"}


def add_history(document: dict[str, Any], id_parameter: dict[str, Any]) -> None:
    """The memory's paths and the schemas of their bodies."""
    schemas = document["components"]["schemas"]
    schemas["HistoryChange"], schemas["HistoryEntry"] = CHANGE, ENTRY
    schemas["Revert"], schemas["RevertText"] = REVERT, REVERT_TEXT
    schemas["TrashedCustomer"] = {"allOf": [CUSTOMER, {"type": "object", "properties": {
        "deleted_at": {"type": "string", "format": "date-time"}, "deleted_by": {"type": "string"}}}],
        "xml": {"name": "item"}}
    entries = {"type": "array", "items": {"$ref": "#/components/schemas/HistoryEntry"}}
    trashed = {"type": "array", "items": {"$ref": "#/components/schemas/TrashedCustomer"}}
    paths = document["paths"]
    paths["/customers/{id}/history"] = {"get": _operation(
        "customerHistory", "A record's history (every change, newest first).",
        [id_parameter, *PAGING], entries, TOTAL, ())}
    paths["/customers/{id}/history/{version}"] = {"get": _operation(
        "customerAtVersion", "The whole record as it was at one version.",
        [id_parameter, VERSION], CUSTOMER, {}, ("404",))}
    body = {t: {"schema": {"$ref": "#/components/schemas/" + ("Revert" if "json" in t else "RevertText")}}
            for t in DECODERS}
    paths["/customers/{id}/revert"] = {"post": {**_operation(
        "revertCustomer", "Give the record the field values of an earlier version, as a new one.",
        [id_parameter, IF_MATCH], CUSTOMER, ETAG, ("404", "412", "413", "415", "422")),
        "requestBody": {"required": True, "content": body}}}
    paths["/customers/deleted"] = {"get": {**_operation(
        "listDeletedCustomers", "The trash: deleted records, with the list's parameters.",
        list_parameters(), trashed, TOTAL, ()),
        "description": "Records deleted and not yet purged (TRASH_RETENTION_DAYS)."}}
    paths["/customers/{id}/restore"] = {"post": _operation(
        "restoreCustomer", "Bring a record back from the trash, with its id, as a new version.",
        [id_parameter, IF_MATCH], CUSTOMER, ETAG, ("404", "409", "412"))}


def _operation(op_id: str, summary: str, parameters: list[dict[str, Any]], schema: Any,
               headers: dict[str, Any], errors: tuple[str, ...]) -> dict[str, Any]:
    """One operation: its parameters, its success and every error it can give."""
    described = {**ERRORS, **{code: MORE_ERRORS[code] for code in errors}}
    error = {t: {"schema": {"$ref": "#/components/schemas/Error"}} for t in OFFERED}
    return {"operationId": op_id, "summary": summary, "parameters": parameters, "responses": {
        "200": {"description": "Success", "content": {t: {"schema": schema} for t in OFFERED},
                "headers": headers},
        **{code: {"description": text, "content": error} for code, text in described.items()}}}
