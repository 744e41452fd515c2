"""CSV in and out: records to spreadsheet-safe rows, and an uploaded file to row dicts.

No field rules here: the import hands each row to the one schema, as the other decoders do.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response

from customers.bodies import body_error
from customers.negotiation import CSV, OFFERED, negotiate
from customers.schemas import customer_schema

LIST_OFFERS = (*OFFERED, CSV)  # the list answers in CSV too
HEADER = tuple(customer_schema.fields)  # the record's fields, in the API's order

# A cell a spreadsheet would run as a formula starts with one of these (OWASP's CSV
# injection guidance); the export puts a `'` before it, and the import takes it off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_RISKY = frozenset((*FORMULA_START, QUOTE))


def _escaped(text: str) -> bool:
    """Whether `text` is a value that the export escaped: quotes, then a formula start."""
    rest = text.lstrip(QUOTE)
    return text.startswith(QUOTE) and rest[:1] != "" and rest.startswith(FORMULA_START)


def escape_cell(value: Any) -> str:
    """A value as a cell: empty for null, and a formula-like text behind a `'` (so is a text
    that would itself look escaped, so that the import gives back exactly what was stored)."""
    if value is None:
        return ""
    text = str(value)
    if text[:1] not in _RISKY:  # most cells: no formula start, no quote
        return text
    if text.startswith(FORMULA_START) or _escaped(text):
        return QUOTE + text
    return text


def unescape_cell(text: str) -> str:
    """A cell's value: the `'` that the export put before a formula-like value removed."""
    return text[1:] if _escaped(text) else text


def write_rows(header: Iterable[str], records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV text, the header row first, one chunk per row (for streaming)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = list(header)
    writer.writerow(columns)
    yield _drain(buffer)
    for record in records:
        writer.writerow([escape_cell(record.get(name)) for name in columns])
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    """What the writer put in the buffer since the last call."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def read_rows(body: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header row and every data row with its number as a spreadsheet shows it (the
    header is row 1), as header -> cell text with the formula escapes removed.
    UTF-8 with or without a BOM; CRLF or LF; quoted commas and newlines. 400 when the bytes
    are not UTF-8 or not CSV."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise body_error(f"invalid utf-8 at byte {error.start}") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise body_error("the CSV has no header row")
        header = [name.strip() for name in header]
        # A blank line (a spreadsheet's empty row) is no record, but keeps its number.
        rows = [(number, _row(header, cells, number))
                for number, cells in enumerate(reader, start=2) if cells]
    except csv.Error as error:
        raise body_error(f"invalid CSV after line {reader.line_num}: {error}") from None
    return header, rows


def _row(header: list[str], cells: list[str], number: int) -> dict[str, str]:
    """One data row as a dict; a row with more or fewer cells than the header is malformed."""
    if len(cells) != len(header):
        raise body_error(f"row {number} has {len(cells)} cells, the header {len(header)}")
    return {name: unescape_cell(cell) for name, cell in zip(header, cells)}


def prefers_csv() -> bool:
    """Whether the client's Accept prefers CSV to every other format of the list."""
    return negotiate(LIST_OFFERS) == CSV


def csv_page(records: Any, total: int) -> Response:
    """A page of the list as CSV (GET /customers with Accept: text/csv)."""
    body = "".join(write_rows(HEADER, customer_schema.dump(records, many=True)))
    return Response(body, mimetype=CSV, headers={"X-Total-Count": str(total), "Vary": "Accept"})
