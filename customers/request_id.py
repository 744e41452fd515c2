"""X-Request-ID: taken from the client when sane, made otherwise; on every response and log line."""
from __future__ import annotations

import logging
import re
import uuid

from flask import Response, has_request_context

from customers.unproxied import unproxied_request

HEADER = "X-Request-ID"
WSGI_HEADER = "HTTP_" + HEADER.upper().replace("-", "_")  # the header's key in the WSGI environ
ENVIRON_KEY = "customers.request_id"
# Ids end up in log lines: no spaces, quotes or control characters, and not too long.
_SANE = re.compile(r"[A-Za-z0-9._:@+/=-]{1,128}")


def current() -> str:
    """This request's id, fixed on first use; '-' outside a request."""
    if not has_request_context():
        return "-"
    environ = unproxied_request().environ
    if ENVIRON_KEY not in environ:
        environ[ENVIRON_KEY] = accept_or_make(environ.get(WSGI_HEADER))
    return environ[ENVIRON_KEY]


def accept_or_make(candidate: str | None) -> str:
    """The client's id if it is sane, else a new uuid4 hex."""
    if candidate is not None and _SANE.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


def tag_response(response: Response) -> Response:
    """The id goes back to the client, and to gunicorn's access log via %({x-request-id}o)s."""
    response.headers[HEADER] = current()
    return response


class RequestIdFilter(logging.Filter):
    """Give every log record a `request_id` attribute for the formatter (see gunicorn.conf.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current()
        return True
