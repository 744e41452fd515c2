"""Errors: the exceptions the service raises and the one handler that renders them all."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, render_template
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, NotAcceptable

from customers import metrics, outages
from customers.blueprint import on_pages
from customers.negotiation import JSON, negotiate
from customers.responses import respond
from customers.unproxied import unproxied_request

log = logging.getLogger(__name__)


class ApiError(HTTPException):
    """An HTTP error with a message and, optionally, per-field errors."""

    def __init__(self, code: int, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.code = code
        self.errors = errors


def register(app: Flask) -> None:
    """Install the handlers: HTTP errors, validation, database outages, the rest."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(ValidationError, handle_validation)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(PoolTimeout, handle_database_down)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)


def handle_http(error: HTTPException) -> Response:
    """Werkzeug's and our own HTTP errors, keeping headers such as `Allow`."""
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    message = error.description or error.name
    return render_error(error.code or 500, message, getattr(error, "errors", None), headers)


def handle_validation(error: ValidationError) -> Response:
    """422 with the schema's messages, field by field."""
    messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    return render_error(422, "Validation failed", messages)


OUTAGE_MESSAGES = {"timeout": "The database did not answer in time; try again shortly.",
                   "unavailable": "The database is unavailable; try again shortly."}


def handle_database_down(error: Exception) -> Response:
    """The database cannot be reached or did not answer in time: 503; the pool reconnects
    later. The log says why, in the driver's (or the pooler's) own words."""
    kind = outages.kind(error)
    kind = kind if kind in OUTAGE_MESSAGES else "unavailable"
    metrics.database_error(kind)
    log.warning("database %s: %s", "timed out" if kind == "timeout" else "unavailable",
                outages.describe(error))
    return render_error(503, OUTAGE_MESSAGES[kind], None, [("Retry-After", "5")])


def handle_database_error(error: DBAPIError) -> Response:
    """A lost connection is an outage; anything else is unexpected."""
    if error.connection_invalidated:
        return handle_database_down(error)
    metrics.database_error("error")
    return handle_unexpected(error)


def handle_unexpected(error: Exception) -> Response:
    """500 with no detail in the body; the log has the traceback."""
    log.exception("unexpected error", exc_info=error)
    return render_error(500, "Internal server error")


def render_error(
    code: int, message: str, errors: dict[str, Any] | None = None, headers: Any = None
) -> Response:
    """One shape, in JSON, XML or (for a browser on a page) HTML."""
    if _is_page_request():
        body = render_template("error.html", code=code, message=message, errors=errors or {})
        return Response(body, code, headers, mimetype="text/html")
    payload: dict[str, Any] = {"code": code, "message": message}
    if errors:
        payload["errors"] = errors
    try:
        mimetype = negotiate()
    except NotAcceptable:
        mimetype = JSON
    return respond(payload, code, headers, mimetype)


def _is_page_request() -> bool:
    """A page's view, or a request for no route from a client that prefers HTML."""
    this = unproxied_request()
    if this.url_rule is not None:
        return on_pages(this.blueprints)
    accept = this.accept_mimetypes
    return accept.best_match(["application/json", "text/html"]) == "text/html" and accept[
        "text/html"
    ] > accept["application/json"]
