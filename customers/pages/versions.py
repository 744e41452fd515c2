"""Restoring an earlier version of a record from its timeline: a confirmation page that shows
what would change, then the revert (an edit: editors may), over the version confirmed."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from customers import service
from customers.blueprint import pages_bp
from customers.errors import ApiError
from customers.ids import parse_version
from customers.pages.display import shown
from customers.pages.forms import LABELS, ConfirmForm, version_of
from customers.pages.permissions import requires
from customers.pages.records import page_origin, to_trashed_record
from customers.record import CustomerRecord
from customers.schemas import WRITABLE


@pages_bp.route("/customers/<customer_id>/timeline/<version>/restore", methods=["GET", "POST"])
@requires("editor")
def revert_page(customer_id: str, version: str) -> tuple[str, int] | Response:
    """The fields that would change; its POST gives the record that version's values."""
    number = parse_version(version)
    if number is None:
        abort(404, description=f"Customer {customer_id[:64]!r} has no version {version[:32]!r}.")
    form = ConfirmForm()
    try:
        if not form.is_submitted():
            current = service.get(customer_id)
            return _confirmation(current, number, ConfirmForm(version=str(current.version)))
        record = service.revert(customer_id, number, page_origin(), expected=version_of(form))
    except ApiError as error:
        if error.code == 404:  # in the trash; any other 404 is raised again
            return to_trashed_record(customer_id, error, form.is_submitted())
        if error.code != 412:
            raise
        current = service.get(customer_id)
        form.version.data = str(current.version)
        return _confirmation(current, number, form, 409, changed_meanwhile=True)
    flash(_("Customer %(id)s is as it was at version %(number)s again (now version %(now)s).",
            id=customer_id, number=number, now=record.version), "success")
    return redirect(url_for(".view_customer", customer_id=customer_id))


def _confirmation(current: CustomerRecord, number: int, form: ConfirmForm, status: int = 200,
                  changed_meanwhile: bool = False) -> tuple[str, int]:
    """The page asking to restore version `number`: each field it would change, now and then."""
    then = service.at_version(str(current.id), number)
    rows = [(LABELS[name], shown(name, getattr(current, name)), shown(name, getattr(then, name)))
            for name in WRITABLE if getattr(current, name) != getattr(then, name)]
    return render_template("customers/revert.html", customer=current, then=then, rows=rows,
                           form=form, changed_meanwhile=changed_meanwhile), status
