"""Encode: a record, a list, a count or an error to a JSON or XML body."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lxml import etree

from customers.negotiation import JSON


def encode(payload: Any, mimetype: str, xml: Callable[[Any], Any] | None = None) -> bytes:
    """Serialise a record, a list of records, a count or an error (or, with `xml`, another
    document whose XML that function builds)."""
    if _is_error(payload):
        payload = _printable_error(payload)
    if mimetype == JSON:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return etree.tostring((xml or to_xml)(payload), xml_declaration=True, encoding="utf-8")


def to_xml(payload: Any) -> etree._Element:
    """`<item>` for a record, `<items>` for a list, `<count>`, or `<error>`."""
    if isinstance(payload, list):
        root = etree.Element("items")
        root.extend(_record(item) for item in payload)
        return root
    if isinstance(payload, int):
        root = etree.Element("count")
        root.text = str(payload)
        return root
    if _is_error(payload):
        return _error(payload)
    return _record(payload)


def _record(record: dict[str, Any]) -> etree._Element:
    """One `<item>` with a child per field; null is an empty element."""
    item = etree.Element("item")
    for name, value in record.items():
        etree.SubElement(item, name).text = None if value is None else str(value)
    return item


def _error(error: dict[str, Any]) -> etree._Element:
    """`<error>` with code, message and a `<field name=...>` per field error (an import's
    errors nest: a `<field>` per row holding a `<field>` per field)."""
    root = etree.Element("error")
    etree.SubElement(root, "code").text = str(error["code"])
    etree.SubElement(root, "message").text = error["message"]
    if "errors" in error:
        _fields(etree.SubElement(root, "errors"), error["errors"])
    return root


def _fields(parent: etree._Element, errors: dict[str, Any]) -> None:
    """A `<field name=...>` per key, holding its messages or, nested, its own fields."""
    for name, messages in errors.items():
        field = etree.SubElement(parent, "field", name=name)
        if isinstance(messages, dict):
            _fields(field, messages)
        else:
            for message in messages:
                etree.SubElement(field, "message").text = message


def _is_error(payload: Any) -> bool:
    """Whether a payload is the error shape."""
    return isinstance(payload, dict) and "code" in payload and "message" in payload


def _printable_error(error: dict[str, Any]) -> dict[str, Any]:
    """The error with every text printable: errors echo what a client sent (a field
    name with a NUL or a lone surrogate), and neither UTF-8 nor XML can carry all of it."""
    printable = {**error, "message": _printable(error["message"])}
    if "errors" in error:
        printable["errors"] = _printable_messages(error["errors"])
    return printable


def _printable_messages(messages: Any) -> Any:
    """Messages by field, printable; nested by row for an import."""
    if isinstance(messages, dict):
        return {_printable(name): _printable_messages(value) for name, value in messages.items()}
    return [_printable(m) for m in (messages if isinstance(messages, list) else [messages])]


def _printable(text: Any) -> str:
    """Text an XML document and UTF-8 can hold."""
    return "".join(c if c.isprintable() or c in "\t\n" else "\ufffd" for c in str(text))
