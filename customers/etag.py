"""ETags of customer records, and the If-Match / If-None-Match checks against them."""
from __future__ import annotations

import re

from flask import request

from customers.unproxied import unproxied_request
from customers.models import Customer

ANY = "*"
# A version past 9 digits names no version a record can have (the column holds 32 bits).
_TAG = re.compile(r'(?<!W/)"c(\d+)v(\d{1,9})"')


def etag_of(customer: Customer) -> str:
    """The strong tag of a record version, quotes included."""
    return f'"c{customer.id}v{customer.version}"'


def expected_versions(customer_id: str) -> set[int] | str | None:
    """What `If-Match` allows: None (no header), ANY, or the matching versions."""
    # From the environ: request.headers.get raises and catches a KeyError when it is absent.
    header = unproxied_request().environ.get("HTTP_IF_MATCH")
    if header is None:
        return None
    if header.strip() == ANY:
        return ANY
    return {
        int(version)
        for tag_id, version in _TAG.findall(header)
        if tag_id == customer_id
    }


def not_modified(customer: Customer) -> bool:
    """Whether the client's `If-None-Match` already names this version."""
    return etag_of(customer).strip('"') in request.if_none_match
