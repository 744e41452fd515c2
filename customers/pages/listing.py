"""The customers list page: the API's own query parameters, a page at a time."""
from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from flask import current_app, render_template, request, url_for
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from customers.blueprint import pages_bp
from customers.pages.forms import LABELS, choice_label
from customers.query import RESERVED, parse

COLUMNS = {"id": "ID", **{name: LABELS[name] for name in (
    "referenceId", "dateOfBirth", "addressCity", "addressState", "addressCountry", "gender",
    "maritalStatus")}}


@pages_bp.get("/customers/browse")
@login_required
def list_customers_page() -> str:
    """Search (`_q`), sort (`_sort`) and page (`_start`, `_limit`) as the API does."""
    args = list_args(request.args)
    config = current_app.config
    query = parse(args.items(multi=True), config["CUSTOMERS_PAGE_SIZE"], config["CUSTOMERS_MAX_LIMIT"])
    size = query.limit = max(query.limit, 1)
    query.limit += 1  # one row past the page says whether a next page exists, without a count
    records = query.records()
    return render_template(
        "customers/list.html", customers=records[:size], args=args, columns=COLUMNS,
        start=query.start, size=size, has_next=len(records) > size, sort=_current_sort(args),
        link=partial(_link, args), choice_label=choice_label)


def list_args(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """The query string less empty paging or search parameters (an empty box is no search)."""
    return MultiDict([(k, v) for k, v in args.items(multi=True) if k not in RESERVED or v.strip()])


def _current_sort(args: MultiDict[str, str]) -> tuple[str, str]:
    """The first sort key and its direction; the default order is by id."""
    name, _, direction = args.get("_sort", "id").split(",")[0].partition(":")
    return name.strip(), direction.strip().upper() or "ASC"


def _link(args: MultiDict[str, str], **changes: Any) -> str:
    """This list's URL with some parameters replaced (None removes one)."""
    params = args.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = str(value)
    query = urlencode(list(params.items(multi=True)))
    return url_for(".list_customers_page") + (f"?{query}" if query else "")
