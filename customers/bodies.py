"""The raw request body: read it within the limit, check its charset, turn it into text."""
from __future__ import annotations

import codecs

from flask import request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from customers.errors import ApiError

# Python codecs that are no charset a client declares; punycode also decodes in quadratic time.
NOT_CHARSETS = {"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "charmap"}


def body_error(message: str) -> ApiError:
    """A 400 saying what is wrong with the body and where."""
    return ApiError(400, f"Malformed request body: {message}")


def read_body() -> bytes:
    """The request body; 413 when a body without Content-Length reaches the limit
    (werkzeug would hand over its first MAX_CONTENT_LENGTH bytes), 400 when the
    client's chunked framing is broken (gunicorn raises its own parse errors)."""
    try:
        body = request.get_data()
    except HTTPException:
        raise
    except Exception:  # only the server's input stream is read here: the client's framing is bad
        raise body_error("it could not be read (broken chunked encoding)") from None
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(body) >= limit:
        raise RequestEntityTooLarge()
    return body


def check_charset(charset: str | None) -> None:
    """415 for a charset that is unknown, not a text encoding, or Python-only."""
    if charset is None:
        return
    try:
        codec = codecs.lookup(charset)
        b"x".decode(codec.name)  # LookupError for byte-to-byte codecs such as rot13 or base64
    except LookupError:
        codec = None
    except UnicodeError:  # a lone "x" is no text in every charset (UTF-16): still a charset
        pass
    if codec is None or codec.name in NOT_CHARSETS:
        raise ApiError(415, f"Unsupported charset {charset[:40]!r}")


def decode_text(body: bytes, charset: str | None) -> str:
    """Bytes to text in the declared charset (UTF-8 unless told otherwise)."""
    try:
        return body.decode(charset or "utf-8")
    except UnicodeDecodeError as error:
        raise body_error(f"invalid {error.encoding} at byte {error.start}") from None
    except UnicodeError:
        raise body_error(f"not valid {charset}") from None
