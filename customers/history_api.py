"""The API of a record's memory: its history (newest first, paged), the record at a
version, revert, the trash and restore."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from lxml import etree

from customers import service
from customers.api import (
    api_origin,
    guarded_write_access,
    list_query,
    read_access,
    record_response,
    requested_url,
)
from customers.auth import current_caller
from customers.bodies import media_type, read_body
from customers.blueprint import api_bp
from customers.decoders import decode
from customers.errors import ApiError
from customers.etag import expected_versions
from customers.ids import parse_version
from customers.responses import respond
from customers.schemas import customer_schema, revert_schema, trashed_schema

PAGING = ("_limit", "_start")


@api_bp.get("/customers/<record_id:customer_id>/history")
@read_access
def customer_history(customer_id: str) -> Response:
    """The record's entries, newest first; the total in X-Total-Count."""
    limit, start = _paging(request.args)
    entries, total = service.timeline(customer_id, limit, start)
    return respond(entries, headers={"X-Total-Count": str(total)}, xml=history_xml)


@api_bp.get("/customers/<record_id:customer_id>/history/<version>")
@read_access
def customer_at_version(customer_id: str, version: str) -> Response:
    """The whole record as it was at one version (live or in the trash)."""
    number = parse_version(version)
    if number is None:
        raise ApiError(404, f"Customer {customer_id[:64]!r} has no version {version[:32]!r}.")
    return respond(customer_schema.dump(service.at_version(customer_id, number)))


@api_bp.post("/customers/<record_id:customer_id>/revert")
@guarded_write_access
def revert_customer(customer_id: str) -> Response:
    """Give the record the field values it had at the version sent, as a new version."""
    service.primary_key(customer_id)  # an id that names no record is 404 before any body error
    version = revert_schema.load(decode(*media_type(), read_body()))["version"]
    caller = current_caller()
    record = service.revert(customer_id, version, api_origin(caller.owner),
                            expected_versions(customer_id), guard=caller)
    return record_response(record, content_location=_record_url())


@api_bp.get("/customers/deleted")
@read_access
def deleted_customers() -> Response:
    """A page of the trash, with the list's parameters; the total in X-Total-Count."""
    query = list_query()
    query.trash = True
    return respond(trashed_schema.dump(query.records()),
                   headers={"X-Total-Count": str(query.count())})


@api_bp.post("/customers/<record_id:customer_id>/restore")
@guarded_write_access
def restore_customer(customer_id: str) -> Response:
    """Bring a record back from the trash, with its id, as a new version."""
    caller = current_caller()
    record = service.restore(customer_id, api_origin(caller.owner),
                             expected_versions(customer_id), guard=caller)
    return record_response(record, content_location=_record_url())


def _record_url() -> str:
    """The URL of the record an action (`.../{id}/revert`, `.../{id}/restore`) is about."""
    return requested_url().rsplit("/", 1)[0]


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
