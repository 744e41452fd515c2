"""The customers list page: the API's own filters and order, the page's search, the total,
page numbers and a page size; the list a person last saw is kept for the record pages' way
back (list_context.py)."""
from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from flask import current_app, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from customers.blueprint import pages_bp
from customers.extensions import db
from customers.pages.dates import iso_date
from customers.pages.forms import LABELS, choice_label
from customers.pages.list_context import chips, page_numbers, remember
from customers.pages.page_search import enum_labels, page_search
from customers.query import ListQuery, parse
from customers.schemas import GENDERS, MARITAL_STATUSES

COLUMNS = ("referenceId", "dateOfBirth", "addressCity", "addressState", "addressCountry",
           "gender", "maritalStatus")
PAGE_SIZES = (10, 25, 50, 100)
# The filters the page offers, each an API query parameter (the form's inputs are named so).
CHOICES = {"gender": GENDERS, "maritalStatus": MARITAL_STATUSES}
FILTERS = ("gender", "maritalStatus", "addressState", "addressCity_contains",
           "dateOfBirth_gte", "dateOfBirth_lte")


@pages_bp.get("/customers/browse")
@login_required
def list_customers_page() -> str:
    """A page of the records that match, of how many, with the links to the others."""
    args = list_args(request.args)
    config = current_app.config
    query = page_query(args, config["CUSTOMERS_PAGE_SIZE"], config["CUSTOMERS_MAX_LIMIT"])
    size = query.limit = max(query.limit, 1)
    total = query.count()
    remember(args)
    return render_template(
        "customers/list.html", customers=query.records(), args=args, columns=columns(),
        start=query.start, size=size, total=total, filtered=query.filtered,
        everyone=ListQuery().count() if query.filtered else total,
        pages=page_numbers(query.start, size, total), page_sizes=sorted({*PAGE_SIZES, size}), choices=CHOICES,
        filters=FILTERS, chips=chips(args), clear_all=_link(MultiDict(
            [(k, v) for k, v in args.items(multi=True) if k in ("_sort", "_limit")])), sort=_current_sort(args), link=partial(_link, args),
        choice_label=choice_label)


def columns() -> dict[str, str]:
    """The list's columns and their headings, in the page's language."""
    return {"id": gettext("ID"), **{name: LABELS[name] for name in COLUMNS}}


def page_query(args: MultiDict[str, str], default_limit: int, max_limit: int) -> ListQuery:
    """The API's query of these parameters, but `_q` searched as people type (page_search)."""
    query = parse([(k, v) for k, v in args.items(multi=True) if k != "_q"], default_limit,
                  max_limit)
    plain, labelled = page_search(args.get("_q", ""), db.engine.dialect.name,
                                  enum_labels(choice_label))
    if plain:
        query.search("folded", plain)
    query.conditions += labelled
    return query


def list_args(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """The query string less its empty values: an empty box or an unset filter is none; a
    date typed as the page's language writes it (`06/05/1980`) in ISO, as the API reads it."""
    return MultiDict([(k, iso_date(v) if k.startswith("dateOfBirth") else v)
                      for k, v in args.items(multi=True) if v.strip()])


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
