"""Content negotiation: which of the offered media types answers this request."""
from __future__ import annotations

from werkzeug.exceptions import NotAcceptable

from customers.unproxied import unproxied_request

JSON = "application/json"
# The order breaks ties: JSON unless the client prefers XML.
OFFERED = (JSON, "application/xml", "text/xml")
CSV = "text/csv"  # offered by the list and the export only
# Accept values that mean JSON, answered without parsing the header (most clients send one).
JSON_ACCEPTS = frozenset({"", "*/*", JSON, f"{JSON}, */*"})


def negotiate(offered: tuple[str, ...] = OFFERED) -> str:
    """The media type to answer in, of those `offered`; 406 when the client takes none."""
    this = unproxied_request()
    if offered[0] == JSON and this.environ.get("HTTP_ACCEPT", "").strip().lower() in JSON_ACCEPTS:
        return JSON
    if not this.accept_mimetypes:
        return offered[0]
    best = this.accept_mimetypes.best_match(offered)
    if best is None:
        raise NotAcceptable(f"Acceptable response types: {', '.join(offered)}.")
    return best
