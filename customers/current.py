"""This request itself, for code that runs on every request.

Each attribute read through Flask's `request` proxy first fails on the proxy (a caught
AttributeError) and is then forwarded: about 10,000 instructions, a few per cent of a PUT
when a handful of helpers each read one or two. They read the real object instead.
"""
from __future__ import annotations

from flask import Request, request


def this_request() -> Request:
    """The request being handled (inside a request context)."""
    return request._get_current_object()  # type: ignore[attr-defined]
