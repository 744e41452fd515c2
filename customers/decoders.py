"""Decode: request bodies (JSON, XML, form) to a plain dict. No field rules here."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from lxml import etree

from customers.bodies import body_error, check_charset, decode_text
from customers.errors import ApiError

XML_ROOT = "item"
MAX_DIGITS = 100
# libxml2 appends advice for the programmer ("use XML_PARSE_HUGE option") and the position.
_XML_NOISE = re.compile(
    r",? (?:use XML_PARSE_HUGE option|see xmlCtxtSetMaxAmplification)\.?|, line \d+, column \d+$"
)


def decode_json(body: bytes, charset: str | None) -> dict[str, Any]:
    """A JSON object; duplicate keys, a BOM, NaN and endless numbers are refused."""
    text = decode_text(body, charset)
    if text.startswith("\ufeff"):
        raise body_error("JSON must not start with a byte order mark")
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant,
                          parse_int=_integer)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise body_error(f"invalid JSON at {where}: {error.msg}") from None
    except RecursionError:
        raise body_error("JSON nested too deeply") from None
    except ValueError as error:  # duplicate key, constant, or an integer too long
        raise body_error(f"invalid JSON: {error}") from None
    if not isinstance(data, dict):
        raise body_error(f"expected a JSON object, got {_json_kind(data)}")
    return data


def unique(pairs: Iterable[tuple[str, Any]], twice: Callable[[str], Exception]) -> dict[str, Any]:
    """A dict of the pairs, raising `twice(key)` for a key given twice (it would be ambiguous)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise twice(key)
        data[key] = value
    return data


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice."""
    return unique(pairs, lambda key: ValueError(f"duplicate key {key[:40]!r}"))


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not valid JSON")


def _integer(text: str) -> int:
    """A JSON integer of sensible length (no field takes a number anyway)."""
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number with more than {MAX_DIGITS} digits")
    return int(text)


def _json_kind(data: Any) -> str:
    """The JSON name of a value's type, for messages."""
    kinds = {list: "an array", str: "a string", bool: "a boolean", int: "a number",
             float: "a number"}
    return kinds.get(type(data), "null")


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
        raise body_error(f"invalid form data: {str(error)[:80]}") from None
    return unique(pairs, lambda key: body_error(f"field {key[:40]!r} given more than once"))


def decode_xml(body: bytes, charset: str | None) -> dict[str, Any]:
    """`<item>` with one text-only child per field; no DTD, no entities, no network."""
    if charset is not None:  # the declared charset wins over the document's own declaration
        body = decode_text(body, charset).encode("utf-8", "surrogatepass")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True,
                             encoding="utf-8" if charset is not None else None)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        reason = _XML_NOISE.sub("", error.msg or "not well-formed")
        raise body_error(f"invalid XML at line {line}, column {column}: {reason}") from None
    if root.getroottree().docinfo.doctype:
        raise body_error("XML with a DOCTYPE is not accepted")
    if etree.QName(root).localname != XML_ROOT:
        raise body_error(f"the XML root element must be <{XML_ROOT}>")
    return _xml_fields(root)


def _xml_fields(root: etree._Element) -> dict[str, Any]:
    """The children of `<item>` as a dict of their texts."""
    if (root.text or "").strip() or any((child.tail or "").strip() for child in root):
        raise body_error(f"text directly inside <{XML_ROOT}>: put each value in its field element")
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
        named = mimetype[:80] or "(none)"
        raise ApiError(415, f"Unsupported Content-Type {named!r}; send one of: {accepted}.")
    check_charset(charset)
    return decoder(body, charset)
