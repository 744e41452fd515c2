"""Deleted customers: the trash as a page, newest deletion first, each with a restore button
(admins delete, so admins restore)."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from customers import service
from customers.blueprint import pages_bp
from customers.ids import parse_version
from customers.models import Customer
from customers.pages.forms import ConfirmForm, version_of
from customers.pages.permissions import requires
from customers.pages.records import page_origin
from customers.query import ListQuery


@pages_bp.get("/customers/browse/trash")
@requires("admin")
def trash_page() -> str:
    """A page (`_start`) of the records in the trash, the latest deleted first."""
    size = current_app.config["CUSTOMERS_PAGE_SIZE"]
    start = parse_version(request.args.get("_start", "0"))
    if start is None:
        abort(400, description="_start must be a whole number from 0.")
    records = trash_by_deletion(start, size + 1).records()  # one past: is there a next page?
    return render_template("customers/trash.html", customers=records[:size], start=start,
                           size=size, has_next=len(records) > size)


def trash_by_deletion(start: int, limit: int) -> ListQuery:
    """The trash, newest deletion first (the same second's by id, newest first): the trash's
    index on both read backwards (migration 0010), so no page sorts the whole trash (a later
    page still steps over the rows before it)."""
    return ListQuery(order=[Customer.deleted_at.desc(), Customer.id.desc()], limit=limit,
                     start=start, trash=True)


@pages_bp.post("/customers/browse/trash/<customer_id>/restore")
@requires("admin")
def restore_page(customer_id: str) -> Response:
    """Bring the record back from the trash, with its id, and show it (CSRFProtect has
    checked the form's token before the view runs)."""
    service.restore(customer_id, page_origin(), expected=version_of(ConfirmForm()))
    flash(_("Customer %(id)s restored from the trash.", id=customer_id), "success")
    return redirect(url_for(".view_customer", customer_id=customer_id))
