"""Bulk views: CSV export of the list (a page, or every match streamed) and CSV import."""
from __future__ import annotations

from collections.abc import Iterator
from functools import wraps
from typing import Any

from flask import Response, current_app, request, stream_with_context

from customers import request_id, service
from customers.api import list_query, write_access
from customers.auth import requires
from customers.auth import current_actor
from customers.bodies import media_type, read_body
from customers.blueprint import api_bp
from customers.changes import Origin
from customers.csv_codec import CSV, HEADER, read_rows, write_rows
from customers.responses import respond
from customers.errors import ApiError
from customers.idempotency import Answer, Claim
from customers.idempotent import idempotent
from customers.imports import plan
from customers.schemas import customer_schema

BATCH = 1000  # rows fetched from the database at a time while streaming

@api_bp.get("/customers/export")
@requires("read", offered=(CSV,))
def export_customers() -> Response:
    """Every customer matching the list's filters, as CSV, streamed in constant memory."""
    return csv_stream(list_query(paged=False))


def csv_stream(query: Any) -> Response:
    """Every record of a list query as a streamed CSV attachment."""
    rows = write_rows(HEADER, _dumped(query.stream(BATCH)))
    headers = {"Content-Disposition": 'attachment; filename="customers.csv"'}
    return Response(stream_with_context(_encoded(rows)), mimetype=CSV, headers=headers)


def _dumped(records: Iterator[Any]) -> Iterator[dict[str, Any]]:
    """Each record as the API shows it."""
    for record in records:
        yield customer_schema.dump(record)


def _encoded(chunks: Iterator[str]) -> Iterator[bytes]:
    """UTF-8, a few rows per chunk (one write per row would be many tiny writes)."""
    pending: list[str] = []
    for chunk in chunks:
        pending.append(chunk)
        if len(pending) >= 64:
            yield "".join(pending).encode()
            pending.clear()
    yield "".join(pending).encode()


def _imported(counts: dict[str, int]) -> Answer:
    """The answer to an import: 200 and what it did."""
    return Answer(200, counts, {})


def import_limit(view: Any) -> Any:
    """Imports have their own body limit (IMPORT_MAX_BYTES), set before anything reads it."""
    @wraps(view)
    def limited(*args: Any, **kwargs: Any) -> Any:
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
        return view(*args, **kwargs)
    return limited


@api_bp.post("/customers/import")
@write_access
@import_limit
@idempotent
def import_customers(claim: Claim | None) -> Response:
    """Create and merge records from a CSV body, all or nothing; `?dryRun=true` only checks."""
    dry_run = _dry_run(request.args.get("dryRun"))
    if media_type()[0] != CSV:
        raise ApiError(415, f"Send the rows as {CSV} (a header row of field names first).")
    changes = plan(*read_rows(read_body()))
    if not dry_run:
        service.apply_import(changes, Origin(current_actor(), "import", request_id.current()),
                             claim and claim.answering(_imported))
    return respond(changes.counts())


def _dry_run(value: str | None) -> bool:
    """`dryRun=true|false` (absent: false)."""
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise ApiError(400, "Invalid query parameters", {"dryRun": ["must be true or false"]})
