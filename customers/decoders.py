"""Decode: request bodies (JSON, XML, form) to a plain dict. No field rules here."""
from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from lxml import etree

from customers.errors import ApiError

XML_ROOT = "item"


def body_error(message: str) -> ApiError:
    """A 400 saying what is wrong with the body and where."""
    return ApiError(400, f"Malformed request body: {message}")


def decode_text(body: bytes, charset: str | None) -> str:
    """Bytes to text in the declared charset (UTF-8 unless told otherwise)."""
    try:
        return body.decode(charset or "utf-8")
    except UnicodeDecodeError as error:
        raise body_error(f"invalid {error.encoding} at byte {error.start}") from None


def decode_json(body: bytes, charset: str | None) -> dict[str, Any]:
    """A JSON object; duplicate keys, a BOM and NaN are refused."""
    text = decode_text(body, charset)
    if text.startswith("\ufeff"):
        raise body_error("JSON must not start with a byte order mark")
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise body_error(f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise body_error("JSON nested too deeply") from None
    except ValueError as error:  # duplicate key, constant, or an integer too long to convert
        raise body_error(f"invalid JSON: {error}") from None
    if not isinstance(data, dict):
        raise body_error(f"expected a JSON object, got {type(data).__name__}")
    return data


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build an object, refusing a key given twice (it would be ambiguous)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"duplicate key {key!r}")
        data[key] = value
    return data


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not valid JSON")


def decode_form(body: bytes, charset: str | None) -> dict[str, Any]:
    """URL-encoded fields; a JSON object sent under the form type (as the
    reference page's snippets do) is read as JSON."""
    if body.lstrip()[:1] == b"{":
        return decode_json(body, charset)
    text = decode_text(body, charset)
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text),
                          encoding=charset or "utf-8", errors="strict", max_num_fields=1000)
    except UnicodeDecodeError as error:
        raise body_error(f"invalid {error.encoding} in a percent-encoded value") from None
    except ValueError as error:
        raise body_error(f"invalid form data: {error}") from None
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise body_error(f"field {key!r} given more than once")
        data[key] = value
    return data


def decode_xml(body: bytes, charset: str | None) -> dict[str, Any]:
    """`<item>` with one text-only child per field; no DTD, no entities."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True,
                             encoding=charset)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise body_error(f"invalid XML at line {error.lineno}: {error.msg}") from None
    except LookupError:
        raise ApiError(415, f"Unsupported charset {charset!r}") from None
    if root.getroottree().docinfo.doctype:
        raise body_error("XML with a DOCTYPE is not accepted")
    if etree.QName(root).localname != XML_ROOT:
        raise body_error(f"the XML root element must be <{XML_ROOT}>")
    return _xml_fields(root)


def _xml_fields(root: etree._Element) -> dict[str, Any]:
    """The children of `<item>` as a dict of their texts."""
    data: dict[str, Any] = {}
    for child in root:
        name = etree.QName(child).localname
        if len(child):
            raise body_error(f"element <{name}> must hold text only")
        if name in data:
            raise body_error(f"element <{name}> given more than once")
        data[name] = child.text or ""
    return data


Decoder = Callable[[bytes, str | None], dict[str, Any]]

DECODERS: dict[str, Decoder] = {
    "application/json": decode_json,
    "application/merge-patch+json": decode_json,
    "application/xml": decode_xml,
    "text/xml": decode_xml,
    "application/x-www-form-urlencoded": decode_form,
}


def decode(mimetype: str, charset: str | None, body: bytes) -> dict[str, Any]:
    """Turn a request body into a dict, by its content type; 415 for others."""
    decoder = DECODERS.get(mimetype)
    if decoder is None:
        accepted = ", ".join(DECODERS)
        raise ApiError(415, f"Unsupported Content-Type {mimetype or '(none)'!r}; send one of: {accepted}.")
    if charset is not None:
        try:
            codecs.lookup(charset)
        except LookupError:
            raise ApiError(415, f"Unsupported charset {charset!r}") from None
    return decoder(body, charset)
