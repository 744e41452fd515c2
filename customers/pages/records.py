"""Record pages: view, create, edit (a stale save is merged: customers/pages/conflicts.py) and
delete behind a confirmation."""
from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from customers import request_id, service
from customers.blueprint import pages_bp
from customers.changes import Origin
from customers.errors import ApiError
from customers.pages.conflicts import fill_unsent, save_merged
from customers.pages.list_context import list_url
from customers.pages.forms import (
    LABELS,
    ConfirmForm,
    CustomerForm,
    choice_label,
    copy_errors,
    form_for,
    raw_fields,
    version_of,
)
from customers.pages.permissions import requires
from customers.record import CustomerRecord
from customers.schemas import WRITABLE, customer_schema

Page = str | tuple[str, int]


@pages_bp.get("/customers/<customer_id>/view")
@login_required
def view_customer(customer_id: str) -> Page:
    """One record, with who changed it last and when; one in the trash says so."""
    try:
        return _render("customers/view.html", service.get(customer_id))
    except ApiError as error:
        if error.code != 404:
            raise
        return _render("customers/view.html", _in_trash(customer_id, error), in_trash=True)


def _in_trash(customer_id: str, error: ApiError) -> CustomerRecord:
    """The record if it is in the trash; else the live lookup's own 404."""
    try:
        return service.get(customer_id, trashed=True)
    except ApiError:
        raise error from None


@pages_bp.route("/customers/new", methods=["GET", "POST"])
@requires("editor")
def new_customer() -> Page | Response:
    """The create form; a valid one becomes a record owned by the person signed in."""
    form = CustomerForm()
    if not form.is_submitted():
        return _render("customers/form.html", None, form=form)
    try:
        customer = service.create(customer_schema.load(raw_fields(form)), page_origin())
    except ValidationError as error:
        copy_errors(form, error.messages)
        return _render("customers/form.html", None, 422, form=form)
    flash(_("Customer %(id)s created.", id=customer.id), "success")
    return _after_save(customer.id)


@pages_bp.route("/customers/<customer_id>/edit", methods=["GET", "POST"])
@requires("editor")
def edit_customer(customer_id: str) -> Page | Response:
    """The edit form; a save over a newer version is merged with it, never overwrites it."""
    form = CustomerForm()
    try:
        if not form.is_submitted():
            customer = service.get(customer_id)
            return _render("customers/form.html", customer, form=form_for(customer))
        changes = customer_schema.load(raw_fields(form), partial=True)
        service.update(customer_id, changes, page_origin(), expected=version_of(form))
    except ValidationError as error:
        copy_errors(form, error.messages)
        try:
            customer = service.get(customer_id)
        except ApiError as missing:
            return to_trashed_record(customer_id, missing, True)
        fill_unsent(form, customer)
        return _render("customers/form.html", customer, 422, form=form)
    except ApiError as error:
        if error.code == 404:
            return to_trashed_record(customer_id, error, form.is_submitted())
        _unless_stale(error)
        try:
            return save_merged(customer_id, form, changes, page_origin(), _after_save)
        except ApiError as gone:  # moved to the trash while the edit was being merged
            if gone.code != 404:
                raise
            return to_trashed_record(customer_id, gone, True)
    flash(_("Customer %(id)s saved.", id=customer_id), "success")
    return _after_save(customer_id)


@pages_bp.route("/customers/<customer_id>/delete", methods=["GET", "POST"])
@requires("admin")
def delete_customer_page(customer_id: str) -> Page | Response:
    """A confirmation page; its POST deletes the version that was confirmed."""
    form = ConfirmForm()
    try:
        if not form.is_submitted():
            customer = service.get(customer_id)
            form = ConfirmForm(version=str(customer.version))
            return _render("customers/delete.html", customer, form=form)
        service.delete(customer_id, page_origin(), expected=version_of(form))
    except ApiError as error:
        if error.code == 404:
            return to_trashed_record(customer_id, error, form.is_submitted())
        _unless_stale(error)
        customer = service.get(customer_id)
        form.version.data = str(customer.version)
        return _render("customers/delete.html", customer, 409, form=form, changed_meanwhile=True)
    flash(_("Customer %(id)s deleted. It can be restored from Deleted customers.", id=customer_id),
          "success")
    return redirect(list_url())


def _after_save(customer_id: str) -> Response:
    """To the record's page, or back to its form after "Save and continue editing"."""
    endpoint = ".edit_customer" if request.form.get("then") == "edit" else ".view_customer"
    return redirect(url_for(endpoint, customer_id=customer_id))


def to_trashed_record(customer_id: str, error: ApiError, sent: bool) -> Response:
    """A record in the trash (moved there before its page was opened, or while it was open)
    is shown on its own page, which says who deleted it and offers admins its restore; the
    person is told that nothing was saved. Any other 404 stays the error page's."""
    _in_trash(customer_id, error)
    message = (_("Customer %(id)s was moved to the trash meanwhile; your changes were not saved. "
                 "An admin can restore it from Deleted customers.", id=customer_id) if sent else
               _("Customer %(id)s is in the trash; it can be changed again once an admin "
                 "restores it.", id=customer_id))
    flash(message, "error")
    return redirect(url_for(".view_customer", customer_id=customer_id), 303)


def _unless_stale(error: ApiError) -> None:
    """Only a stale version (412) is answered on the page; the rest go to the error page."""
    if error.code != 412:
        raise error


def _shown(value: Any) -> str:
    """A value as a page shows it."""
    return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)


def _render(template: str, customer: CustomerRecord | None, status: int = 200,
            **context: Any) -> Page:
    """A record page with what every one of them needs."""
    values = customer_schema.dump(customer) if customer is not None else {}
    shown = {name: _shown(values.get(name)) for name in WRITABLE}
    return render_template(template, customer=customer, values=shown, labels=LABELS,
                           choice_label=choice_label, **context), status


def page_origin() -> Origin:
    """Who writes through the pages in this request: the person signed in."""
    return Origin(current_user.name, "page", request_id.current())
