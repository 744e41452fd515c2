"""API responses: a payload encoded in the negotiated format, with its headers."""
from __future__ import annotations

from collections.abc import Callable

from typing import Any

from flask import Response

from customers.encoders import encode
from customers.negotiation import negotiate


class ApiResponse(Response):
    """An API response. Its `content_location`, when set, goes out as the Content-Location
    header as it is: the views build it as a URI already (url_for, or the request's own root
    URL and a canonical id), and werkzeug's IRI-to-URI pass over that header costs a URL
    parse and four quote() calls a response."""

    content_location: str | None = None

    def get_wsgi_headers(self, environ: Any) -> Any:
        headers = super().get_wsgi_headers(environ)
        if self.content_location is not None:
            headers["Content-Location"] = self.content_location
        return headers


def respond(payload: Any, status: int = 200, headers: Any = None,
            mimetype: str | None = None, content_location: str | None = None,
            xml: Callable[[Any], Any] | None = None) -> Response:
    """A response with `payload` encoded in the negotiated format (`xml` builds the XML of a
    document that is not a record, a list or an error)."""
    mimetype = mimetype or negotiate()
    response = ApiResponse(encode(payload, mimetype, xml), status, headers, mimetype=mimetype)
    response.content_location = content_location
    response.vary.add("Accept")
    return response
