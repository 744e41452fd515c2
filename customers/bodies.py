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


def media_type() -> tuple[str, str | None]:
    """The request's media type, lower case, and its charset parameter (None if absent).
    A bare lower-case type, as clients mostly send it, is taken without werkzeug's parser."""
    raw = request.environ.get("CONTENT_TYPE", "")
    if ";" not in raw and raw == raw.strip().lower() and '"' not in raw:
        return raw, None
    return request.mimetype, request.mimetype_params.get("charset")


def read_body() -> bytes:
    """The request body; 413 over the limit (a chunked body included: werkzeug would hand
    over its first MAX_CONTENT_LENGTH bytes), 400 when it ends before its Content-Length or
    its chunked framing is broken (gunicorn raises its own parse errors)."""
    length, limit = request.content_length, request.max_content_length
    if length is not None and limit is not None and length > limit:
        raise RequestEntityTooLarge()
    try:
        # With a Content-Length, exactly that many bytes straight from the server's input:
        # werkzeug's stream wrappers cost more than decoding the JSON of the body.
        body = request.get_data() if length is None else request.environ["wsgi.input"].read(length)
    except HTTPException:
        raise
    except Exception:  # only the server's input stream is read here: the client's framing is bad
        raise body_error("it could not be read (broken chunked encoding)") from None
    if length is None and limit is not None and len(body) >= limit:
        raise RequestEntityTooLarge()
    if length is not None and len(body) < length:
        raise body_error(f"it ended after {len(body)} of its {length} bytes")
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
