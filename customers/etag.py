"""ETags of customer records, and the If-Match / If-None-Match checks against them."""
from __future__ import annotations

import re


from customers.unproxied import unproxied_request
from customers.ids import parse_version
from customers.record import CustomerRecord

ANY = "*"
_TAG = re.compile(r'(?<!W/)"c(\d+)v(\d+)"')


def etag_of(customer: CustomerRecord) -> str:
    """The strong tag of a record version, quotes included."""
    return f'"c{customer.id}v{customer.version}"'


def expected_versions(customer_id: str) -> set[int] | str | None:
    """What `If-Match` allows: None (no header), ANY, or the matching versions."""
    header = unproxied_request().headers.get("If-Match")
    if header is None:
        return None
    if header.strip() == ANY:
        return ANY
    named = (parse_version(version) for tag_id, version in _TAG.findall(header)
             if tag_id == customer_id)
    return {version for version in named if version is not None}


def not_modified(customer: CustomerRecord) -> bool:
    """Whether the client's `If-None-Match` already names this version."""
    return etag_of(customer).strip('"') in unproxied_request().if_none_match
