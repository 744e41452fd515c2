"""CSV from the pages: export the list as it is filtered, and import behind a dry run."""
from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from marshmallow import ValidationError
from wtforms import HiddenField

from customers import request_id, service
from customers.blueprint import pages_bp
from customers.changes import Origin
from customers.bulk import csv_stream
from customers.csv_codec import read_rows
from customers.errors import ApiError
from customers.extensions import csrf
from customers.imports import Plan, plan
from customers.pages.listing import list_args, page_query
from customers.pages.permissions import requires


class ImportForm(FlaskForm):
    """The file to check, or (after the check) its text to import for real."""

    file = FileField(lazy_gettext("CSV file"), render_kw={"accept": ".csv,text/csv"})
    text = HiddenField()


@pages_bp.get("/customers/browse/export")
@login_required
def export_page() -> Response:
    """The list as the person filtered and sorted it, every match, as CSV."""
    args = list_args(request.args)
    args.pop("_start", None)
    args.pop("_limit", None)
    query = page_query(args, 1, 1)
    query.limit = None
    return csv_stream(query)


@pages_bp.route("/customers/browse/import", methods=["GET", "POST"])
@requires("admin")
@csrf.exempt  # checked in the view, once the upload's own size limit is set
def import_page() -> Any:
    """Upload a CSV: first a dry run that shows every bad row, then a confirmation."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    request.max_content_length = request.max_form_memory_size = limit
    if request.method == "POST":
        csrf.protect()
    form = ImportForm()
    if not form.is_submitted():
        return render_template("customers/import.html", form=form)
    text, body = _uploaded(form)
    try:
        changes = plan(*read_rows(body))
    except ValidationError as error:
        return render_template("customers/import.html", form=ImportForm(), errors=error.messages), 422
    except ApiError as error:
        return render_template("customers/import.html", form=ImportForm(),
                               problem=error.description), error.code
    if not form.text.data:  # the dry run: the report and a button to import for real
        return render_template("customers/import.html", form=ImportForm(text=text),
                               counts=changes.counts())
    return _imported(changes)


def _uploaded(form: ImportForm) -> tuple[str, bytes]:
    """The CSV the person sent (the file of the first step, or the confirmation's copy of
    it), and that copy: base64, since a browser would turn its line breaks into CRLF, and a
    line break inside a quoted cell is data."""
    if form.text.data:
        try:
            body = base64.b64decode(form.text.data, validate=True)
        except binascii.Error:
            raise ApiError(400, "The confirmation lost its file; upload it again.") from None
    else:
        body = form.file.data.read() if form.file.data else b""
    return base64.b64encode(body).decode("ascii"), body


def _imported(changes: Plan) -> Response:
    """Write the import, then back to the list with what it did."""
    service.apply_import(changes, Origin(current_user.name, "import", request_id.current()))
    counts = changes.counts()
    flash(_("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            **counts), "success")
    return redirect(url_for(".list_customers_page"))
