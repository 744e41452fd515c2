"""A record's identity in URLs, ETags and forms: its id and its version, parsed one way."""
from __future__ import annotations

from werkzeug.routing import BaseConverter

MAX_ID = 2**31 - 1  # the id column is a 32-bit INTEGER on every database
MAX_VERSION = 2**31 - 1  # and so is the version column
# Nine digits always fit the version column; a longer number names no version.
VERSION_DIGITS = 9


def parse_id(text: str) -> int | None:
    """The integer key an API id names: canonical digits within the column; else None."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or text != str(int(text)):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def parse_version(text: str) -> int | None:
    """A version as an ETag or a form carries it (digits only); None names no version."""
    if text.isascii() and text.isdigit() and len(text) <= VERSION_DIGITS:
        return int(text)
    return None


class RecordIdConverter(BaseConverter):
    """A record's id in a path: any segment but those that name a resource of the collection
    (so `PUT /customers/count` is a 405 that allows GET, not a record lookup)."""

    regex = r"(?!(?:count|deleted|export|import)$)[^/]+"
