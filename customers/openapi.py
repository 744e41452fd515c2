"""The OpenAPI document, generated from the Marshmallow schemas, and the docs page."""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, jsonify, render_template

from customers.blueprint import api_bp
from customers.decoders import DECODERS
from customers.docs_page import list_guide
from customers.negotiation import OFFERED
from customers.openapi_history import add_history
from customers.openapi_bulk import add_bulk
from customers.openapi_parameters import LIST_NOTE, filters_schema, list_parameters
from customers.openapi_refinements import refine
from customers.schemas import CustomerSchema, ErrorSchema

ERRORS = {
    "400": "Malformed body or query parameter",
    "403": "Forbidden: this operation requires authentication",
    "404": "Not found: the resource was not found", "406": "None of the Accept types is offered",
    "412": "If-Match does not name the current version", "413": "Body too large",
    "415": "Unsupported Content-Type", "422": "Validation failed",
    "503": "Database unavailable", "default": "Unexpected error",
}
# Which errors an operation can give beyond 400, 403, 406, 503 and the default.
READ_ERRORS, ONE_ERRORS, BODY_ERRORS = (), ("404",), ("404", "412", "413", "415", "422")
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
      "description": "Customer Id"}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "Write only if the record still has one of these ETags."}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False,
                 "schema": {"type": "string"},
                 "description": "304 when the record still has one of these ETags."}

# path -> method -> (operation id, summary, success status, body?, success schema, errors)
OPERATIONS: dict[str, dict[str, tuple[str, str, str, bool, Any, tuple[str, ...]]]] = {
    "/customers": {
        "get": ("listCustomers", "List customers.", "200", False,
                {"type": "array", "items": "Customer"}, READ_ERRORS),
        "post": ("createCustomer", "Create a customer.", "201", True, "Customer", BODY_ERRORS[2:]),
    },
    "/customers/count": {
        "get": ("countCustomers", "Count customers.", "200", False, {"type": "integer"},
                READ_ERRORS),
    },
    "/customers/{id}": {
        "get": ("getCustomer", "Retrieve a single customers record.", "200", False, "Customer",
                ONE_ERRORS),
        "put": ("updateCustomer", "Update a single customers record.", "200", True, "Customer",
                BODY_ERRORS),
        "patch": ("patchCustomer", "Update some fields of a customers record.", "200", True,
                  "Customer", BODY_ERRORS),
        "delete": ("deleteCustomer", "Delete a single customers record (it goes to the trash: "
                   "GET /customers/deleted, POST /customers/{id}/restore).", "200", False, "Customer",
                   ("404", "412")),
    },
}
ETAG = {"ETag": {"required": True, "schema": {"type": "string"}}}
# The headers of each success; a record's ETag unless said otherwise.
HEADERS: dict[str, dict[str, Any]] = {
    "listCustomers": {"X-Total-Count": {"required": True, "schema": {"type": "integer"}}},
    "countCustomers": {},
    "createCustomer": {**ETAG, "Location": {"required": True, "schema": {"type": "string"}}},
}


def build_spec() -> dict[str, Any]:
    """The whole document, as of today (the latest date of birth it allows)."""
    return _build_spec(datetime.now(timezone.utc).date())


@lru_cache(maxsize=1)
def _build_spec(today: date) -> dict[str, Any]:
    """The whole document; built once a day per process."""
    spec = APISpec("Customers", "1.0.0", "3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.schema("Customer", schema=CustomerSchema)
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for path, methods in OPERATIONS.items():
        spec.path(path=path, operations={m: _operation(path, m, *op) for m, op in methods.items()})
    document = spec.to_dict()
    document["security"] = [{"bearerAuth": []}]
    refine(document["components"]["schemas"], today)
    add_bulk(document)
    add_history(document, ID)
    document["components"]["schemas"]["Filters"] = filters_schema()
    return document


def _operation(path: str, method: str, op_id: str, summary: str, status: str, body: bool,
               schema: Any, errors: tuple[str, ...]) -> dict[str, Any]:
    """One operation with its parameters, body and every response it can give."""
    operation: dict[str, Any] = {"operationId": op_id, "summary": summary, "parameters": []}
    if "{id}" in path:
        operation["parameters"] += [ID, IF_NONE_MATCH if method == "get" else IF_MATCH]
    elif method == "get":
        operation["parameters"] += list_parameters()
        operation["description"] = LIST_NOTE
    if body:  # XML and form carry text only
        content = {t: {"schema": "CustomerInput" if "json" in t else
                       "CustomerInputXml" if "xml" in t else "CustomerInputText"} for t in DECODERS}
        operation["requestBody"] = {"required": True, "content": content}
    operation["responses"] = {status: _success(op_id, schema)}
    if op_id == "getCustomer":
        operation["responses"]["304"] = {"description": "Not modified"}
    for code in ("400", "403", *errors, "406", "503", "default"):
        content = {t: {"schema": "Error"} for t in OFFERED}
        operation["responses"][code] = {"description": ERRORS[code], "content": content}
    return operation


def _success(op_id: str, schema: Any) -> dict[str, Any]:
    """The success response: its body and the headers that come with it."""
    body = {"schema": schema} if isinstance(schema, str) else {"schema": _ref(schema)}
    return {"description": "Success", "content": {t: body for t in OFFERED},
            "headers": HEADERS.get(op_id, ETAG)}


def _ref(schema: dict[str, Any]) -> dict[str, Any]:
    """Point `items: Customer` at the component."""
    if schema.get("items") == "Customer":
        return {**schema, "items": {"$ref": "#/components/schemas/Customer"}}
    return schema


@api_bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3 document."""
    return jsonify(build_spec())


@api_bp.get("/docs")
def docs() -> str:
    """A readable page of the same document, with a guide to the list's query language."""
    spec = build_spec()
    return render_template("docs.html", spec=spec, guide=list_guide(spec))
