"""The OpenAPI document, generated from the Marshmallow schemas, and the docs page."""
from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, jsonify, render_template

from customers.blueprint import bp
from customers.decoders import DECODERS
from customers.encoders import OFFERED
from customers.query import FIELDS, RESERVED, SUFFIXES
from customers.schemas import CustomerSchema, ErrorSchema

ERRORS = {
    "400": "Malformed body or query parameter", "403": "Forbidden: this operation requires authentication",
    "404": "Not found: the resource was not found", "406": "None of the Accept types is offered",
    "412": "If-Match does not name the current version", "413": "Body too large",
    "415": "Unsupported Content-Type", "422": "Validation failed",
    "503": "Database unavailable", "default": "Unexpected error",
}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "Customer Id"}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"}}

# path -> method -> (operation id, summary, success status, body?, success schema)
OPERATIONS: dict[str, dict[str, tuple[str, str, str, bool, Any]]] = {
    "/customers": {
        "get": ("listCustomers", "List customers.", "200", False, {"type": "array", "items": "Customer"}),
        "post": ("createCustomer", "Create a customer.", "201", True, "Customer"),
    },
    "/customers/count": {"get": ("countCustomers", "Count customers.", "200", False, {"type": "integer"})},
    "/customers/{id}": {
        "get": ("getCustomer", "Retrieve a single customers record.", "200", False, "Customer"),
        "put": ("updateCustomer", "Update a single customers record.", "200", True, "Customer"),
        "patch": ("patchCustomer", "Update some fields of a customers record.", "200", True, "Customer"),
        "delete": ("deleteCustomer", "Delete a single customers record.", "200", False, "Customer"),
    },
}


@cache
def build_spec() -> dict[str, Any]:
    """The whole document; built once per process."""
    spec = APISpec("Customers", "1.0.0", "3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.schema("Customer", schema=CustomerSchema)
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for path, methods in OPERATIONS.items():
        spec.path(path=path, operations={m: _operation(path, *op) for m, op in methods.items()})
    document = spec.to_dict()
    document["security"] = [{"bearerAuth": []}]
    return document


def _operation(path: str, op_id: str, summary: str, status: str, body: bool, schema: Any) -> dict[str, Any]:
    """One operation with its parameters, body and every response it can give."""
    operation: dict[str, Any] = {"operationId": op_id, "summary": summary, "parameters": []}
    if "{id}" in path:
        operation["parameters"] += [ID, IF_MATCH]
    elif path == "/customers" and not body or path == "/customers/count":
        operation["parameters"] += _list_parameters()
    if body:
        operation["requestBody"] = {"content": {t: {"schema": "Customer"} for t in DECODERS}}
    success = {"schema": schema} if isinstance(schema, str) else {"schema": _ref(schema)}
    operation["responses"] = {status: {"description": "Success", "content": {t: success for t in OFFERED}}}
    for code, text in ERRORS.items():
        operation["responses"][code] = {"description": text, "content": {t: {"schema": "Error"} for t in OFFERED}}
    return operation


def _ref(schema: dict[str, Any]) -> dict[str, Any]:
    """Point `items: Customer` at the component."""
    if schema.get("items") == "Customer":
        return {**schema, "items": {"$ref": "#/components/schemas/Customer"}}
    return schema


def _list_parameters() -> list[dict[str, Any]]:
    """The paging, sorting, search and filter parameters."""
    names = [*RESERVED, *FIELDS, *(f"{f}_{s}" for f in FIELDS for s in SUFFIXES)]
    return [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in names]


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3 document."""
    return jsonify(build_spec())


@bp.get("/docs")
def docs() -> str:
    """A readable page of the same document."""
    return render_template("docs.html", spec=build_spec())
