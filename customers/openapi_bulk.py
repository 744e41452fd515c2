"""The OpenAPI document's bulk part: CSV export and import, and Idempotency-Key."""
from __future__ import annotations

from typing import Any

from customers.csv_codec import CSV
from customers.negotiation import OFFERED
from customers.idempotency import HEADER, MAX_LENGTH
from customers.openapi_parameters import list_parameters

IDEMPOTENCY_KEY = {
    "name": HEADER, "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH + 2},
    "description": "Makes the request safe to retry (IETF httpapi draft): a structured-field "
                   "string (\"abc\") or the same characters bare, 1 to 255 printable ASCII "
                   "characters, kept per token for 24 hours. The same key with the same request "
                   "replays the first answer (with Idempotent-Replayed: true); with another "
                   "request it is 422; while the first is still running, 409; a malformed key, 400.",
}
DRY_RUN = {"name": "dryRun", "in": "query", "required": False, "schema": {"type": "boolean"},
           "description": "Check every row and answer the counts, writing nothing."}
CSV_TEXT = {CSV: {"schema": {"type": "string"}}}
COUNTS = {"type": "object", "required": ["created", "updated", "unchanged"], "properties": {
    name: {"type": "integer", "minimum": 0} for name in ("created", "updated", "unchanged")}}
ERRORS = {
    "400": "Malformed CSV, query parameter or Idempotency-Key",
    "403": "Forbidden: this operation requires authentication",
    "406": "None of the Accept types is offered",
    "409": "A request with this Idempotency-Key is still running",
    "413": "Body over IMPORT_MAX_BYTES", "415": "Not text/csv",
    "422": "Invalid rows, by row number (the header is row 1) and field; or an "
           "Idempotency-Key used with a different request",
    "503": "Database unavailable", "default": "Unexpected error",
}


IMPORT_ERROR = {"type": "object", "required": ["code", "message"], "properties": {
    "code": {"type": "integer"}, "message": {"type": "string"},
    "errors": {"type": "object", "description": "row number -> field -> messages",
               "additionalProperties": {"type": "object", "additionalProperties": {
                   "type": "array", "items": {"type": "string"}}}}},
    "xml": {"name": "error"}}


def add_bulk(document: dict[str, Any]) -> None:
    """Export, import, the list in CSV, and Idempotency-Key on creates."""
    document["components"]["schemas"]["ImportError"] = IMPORT_ERROR
    paths = document["paths"]
    paths["/customers"]["get"]["responses"]["200"]["content"].update(CSV_TEXT)
    create = paths["/customers"]["post"]
    create["parameters"].append(IDEMPOTENCY_KEY)
    create["responses"]["409"] = _error("409")
    paths["/customers/export"] = {"get": {
        "operationId": "exportCustomers", "parameters": list_parameters(),
        "summary": "Every customer matching the list's filters, as CSV (streamed).",
        "responses": {"200": {"description": "Success", "content": CSV_TEXT},
                      **{code: _error(code) for code in ("400", "403", "406", "503", "default")}}}}
    paths["/customers/import"] = {"post": {
        "operationId": "importCustomers", "parameters": [DRY_RUN, IDEMPOTENCY_KEY],
        "summary": "Create (rows without id) and merge (rows with id) customers from CSV, "
                   "all or nothing.",
        "requestBody": {"required": True, "content": CSV_TEXT},
        "responses": {"200": {"description": "What the import did (or would do)",
                              "content": {t: {"schema": COUNTS} for t in OFFERED}},
                      **{code: _error(code, "ImportError" if code == "422" else "Error")
                         for code in ERRORS}}}}


def _error(code: str, schema: str = "Error") -> dict[str, Any]:
    """An error response in the one shape (an import's 422 nests its errors by row)."""
    return {"description": ERRORS[code],
            "content": {t: {"schema": {"$ref": f"#/components/schemas/{schema}"}} for t in OFFERED}}
