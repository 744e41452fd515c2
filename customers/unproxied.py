"""The request object itself, for the code that runs on every API request.

Each attribute read through Flask's `request` proxy first fails on the proxy (a caught
AttributeError) and is then forwarded: about 10,000 instructions, a few per cent of a PUT
when a handful of helpers each read one or two. Negotiation, body reading, ETags, the request
id, the cookie session and error rendering read the real object instead.
"""
from __future__ import annotations

from flask import Request, request


def unproxied_request() -> Request:
    """The request being handled, not the proxy to it (inside a request context)."""
    return request._get_current_object()  # type: ignore[attr-defined]
