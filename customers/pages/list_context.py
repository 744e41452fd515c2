"""What the list page shows around its records, and the list a person last saw.

The list's query string is kept in the pages' signed session (`remember`), so the record
pages lead back to it (`list_url`): after opening a record, editing and saving it, the way
back is the same search, filters, order and page. Only the query string is kept, and only
the list's own path is put before it, so it can lead nowhere else.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import session, url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from customers.blueprint import pages_bp
from customers.pages.dates import local_date
from customers.pages.forms import LABELS, choice_label
from customers.rest_params import OPERATORS
from customers.schemas import N_

KEPT = "list"
MAX_KEPT = 1024  # characters: a longer query string is not kept (the cookie has ~4 KB)
RESERVED = ("_start", "_limit", "_sort")
WINDOW = 2  # page numbers shown on each side of the current page
# How a chip says an operator (`Date of birth from 1980-01-01`); `eq` says nothing.
SAYS = {"eq": N_("%(field)s: %(value)s"), "ne": N_("%(field)s is not %(value)s"),
        "lt": N_("%(field)s before %(value)s"), "lte": N_("%(field)s until %(value)s"),
        "gt": N_("%(field)s after %(value)s"), "gte": N_("%(field)s from %(value)s"),
        "in": N_("%(field)s is one of %(value)s"), "nin": N_("%(field)s is none of %(value)s"),
        "contains": N_("%(field)s contains %(value)s"),
        "ncontains": N_("%(field)s does not contain %(value)s"),
        "containss": N_("%(field)s contains %(value)s"),
        "ncontainss": N_("%(field)s does not contain %(value)s"),
        "null": N_("%(field)s is empty: %(value)s")}


def remember(args: MultiDict[str, str]) -> None:
    """Keep this list's query string for the record pages' way back."""
    kept = urlencode(list(args.items(multi=True)))
    if len(kept) > MAX_KEPT:
        kept = ""
    if session.get(KEPT, "") != kept:
        session[KEPT] = kept


@pages_bp.app_template_global()
def list_url() -> str:
    """The list as the person last saw it (the first page of everyone before)."""
    kept = urlencode(parse_qsl(session.get(KEPT, "") or ""))
    return url_for("customers.pages.list_customers_page") + (f"?{kept}" if kept else "")


def chips(args: MultiDict[str, str]) -> list[dict[str, str]]:
    """Each search and filter in force, said in words, with the list's URL without it."""
    found = []
    for key, value in args.items(multi=True):
        if key in RESERVED:
            continue
        rest = [(k, v) for k, v in args.items(multi=True)
                if (k, v) != (key, value) and k != "_start"]
        query = urlencode(rest)
        found.append({"text": _said(key, value), "without": url_for(
            "customers.pages.list_customers_page") + (f"?{query}" if query else "")})
    return found


def _said(key: str, value: str) -> str:
    """`gender=female` as `Gender: Female`; `_q=x` as `Search: “x”`."""
    if key == "_q":
        return gettext("Search: “%(search)s”", search=value)
    field, _, operator = key.rpartition("_")
    if not field or operator not in OPERATORS:
        field, operator = key, "eq"
    shown = choice_label(value) if field in ("gender", "maritalStatus") else (
        local_date(value) if field == "dateOfBirth" else value)
    if operator not in SAYS:
        return f"{LABELS.get(field, field)} {operator} {shown}"
    return gettext(SAYS[operator], field=LABELS.get(field, field), value=shown)


def page_numbers(start: int, size: int, total: int) -> list[dict[str, Any]]:
    """The pages to link to: the first, the last and a few around this one, with a gap (None)
    where pages are left out."""
    count = max(1, -(-total // size))
    current = start // size + 1
    shown = sorted({1, count, *range(max(1, current - WINDOW), min(count, current + WINDOW) + 1)})
    pages: list[dict[str, Any]] = []
    for number in shown:
        if pages and number - pages[-1]["number"] > 1:
            pages.append({"number": None})
        pages.append({"number": number, "start": (number - 1) * size, "current": number == current})
    return pages
