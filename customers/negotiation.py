"""Content negotiation: which of the offered media types answers this request."""
from __future__ import annotations

from werkzeug.exceptions import NotAcceptable

from customers.unproxied import unproxied_request

JSON = "application/json"
# The order breaks ties: JSON unless the client prefers XML.
OFFERED = (JSON, "application/xml", "text/xml")
# Accept values that mean JSON, answered without parsing the header (most clients send one).
JSON_ACCEPTS = frozenset({"", "*/*", JSON, f"{JSON}, */*"})


def negotiate() -> str:
    """The media type to answer in; 406 when the client takes none we offer."""
    this = unproxied_request()
    if this.environ.get("HTTP_ACCEPT", "").strip().lower() in JSON_ACCEPTS:
        return JSON
    if not this.accept_mimetypes:
        return JSON
    best = this.accept_mimetypes.best_match(OFFERED)
    if best is None:
        raise NotAcceptable(f"Acceptable response types: {', '.join(OFFERED)}.")
    return best
