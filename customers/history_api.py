"""The API of a record's memory: its history, newest first, paged."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from lxml import etree

from customers import service
from customers.api import read_access
from customers.blueprint import api_bp
from customers.errors import ApiError
from customers.responses import respond

PAGING = ("_limit", "_start")


@api_bp.get("/customers/<record_id:customer_id>/history")
@read_access
def customer_history(customer_id: str) -> Response:
    """The record's entries, newest first; the total in X-Total-Count."""
    limit, start = _paging(request.args)
    entries, total = service.timeline(customer_id, limit, start)
    return respond(entries, headers={"X-Total-Count": str(total)}, xml=history_xml)


def _paging(args: Any) -> tuple[int, int]:
    """`_limit` (-1: the cap) and `_start`, with the list's default and cap; anything else
    is a 400 naming the parameter."""
    errors: dict[str, list[str]] = {
        name: [f"unknown parameter; a history pages with {', '.join(PAGING)}"]
        for name in args if name not in PAGING}
    config = current_app.config
    limit = _whole(args.get("_limit", str(config["CUSTOMERS_DEFAULT_LIMIT"])), "_limit", errors,
                   allow_all=True)
    start = _whole(args.get("_start", "0"), "_start", errors)
    if errors:
        raise ApiError(400, "Invalid query parameters", errors)
    cap = config["CUSTOMERS_MAX_LIMIT"]
    return (cap if limit == -1 else min(limit, cap)), start


def _whole(text: str, name: str, errors: dict[str, list[str]], allow_all: bool = False) -> int:
    """A non-negative decimal integer (or -1 where `allow_all`); a message in `errors` if not."""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    if allow_all and text == "-1":
        return -1
    errors[name] = ["must be a whole number from 0" + (" (or -1 for the most)" if allow_all else "")]
    return 0


def history_xml(entries: list[dict[str, Any]]) -> etree._Element:
    """`<items>` of `<entry>`, one child per key; changes as `<change field=...>`."""
    root = etree.Element("items")
    for entry in entries:
        element = etree.SubElement(root, "entry")
        for key, value in entry.items():
            if key != "changes":
                etree.SubElement(element, key).text = str(value)
        changes = etree.SubElement(element, "changes")
        for name, change in entry["changes"].items():
            field = etree.SubElement(changes, "change", field=name)
            for end in ("from", "to"):
                value = change[end]
                etree.SubElement(field, end).text = None if value is None else str(value)
    return root
