"""The HTML forms. They render fields and carry CSRF; they never validate (the schema does)."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from marshmallow import fields
from wtforms import Field, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.widgets import DateInput

from customers.ids import parse_version
from customers.record import CustomerRecord
from customers.schemas import WRITABLE, choices, customer_schema, label, max_length

LABELS = {name: label(name) for name in WRITABLE}


def choice_label(value: str | None) -> str:
    """`stable_union` -> `Stable union`."""
    return value.replace("_", " ").capitalize() if value else ""


def _field(name: str) -> Field:
    """The input for one API field, named as the API names it, chosen by the schema's rule."""
    if isinstance(customer_schema.fields[name], fields.Date):
        return StringField(LABELS[name], widget=DateInput())
    options = choices(name)
    if options is not None:
        listed = [SelectChoice("", "(not given)"),
                  *(SelectChoice(v, choice_label(v)) for v in options)]
        # validate_choice=False: the schema, not the form, says which values are allowed.
        return SelectField(LABELS[name], choices=listed, validate_choice=False)
    return StringField(LABELS[name], render_kw={"maxlength": max_length(name)})


class CustomerForm(FlaskForm):
    """Every writable field, plus the version the form was opened at."""

    version = HiddenField()


for _name in WRITABLE:
    setattr(CustomerForm, _name, _field(_name))


class LoginForm(FlaskForm):
    """Name and password."""

    name = StringField("Name", render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("Password", render_kw={"autocomplete": "current-password"})


class PasswordForm(FlaskForm):
    """A person's own password change: the current one, the new one twice."""

    current = PasswordField("Current password", render_kw={"autocomplete": "current-password"})
    new = PasswordField("New password", render_kw={"autocomplete": "new-password"})
    repeat = PasswordField("New password again", render_kw={"autocomplete": "new-password"})


class ConfirmForm(FlaskForm):
    """A confirmation (delete, sign out): CSRF and, for a record, its version."""

    version = HiddenField()


def form_for(customer: CustomerRecord) -> CustomerForm:
    """The edit form filled with the record as stored, at its current version."""
    values = customer_schema.dump(customer)
    data = {name: values[name] or "" for name in WRITABLE}
    return CustomerForm(data={**data, "version": str(customer.version)})


def raw_fields(form: CustomerForm) -> dict[str, Any]:
    """What the person typed, untouched, for the fields they sent."""
    return {field.name: field.raw_data[0] for field in form
            if field.name in WRITABLE and field.raw_data}


def version_of(form: FlaskForm) -> set[int]:
    """The version the form was opened at (nothing matches a missing or mangled one)."""
    version = parse_version(form.version.data or "")
    return set() if version is None else {version}


def copy_errors(form: FlaskForm, messages: dict[str, Any]) -> None:
    """Put the schema's messages beside their fields; any others above the form."""
    for name, field_messages in messages.items():
        listed = [str(m) for m in field_messages] if isinstance(field_messages, list) else [
            str(field_messages)]
        if name in WRITABLE and name in form:
            form[name].errors = listed
        else:
            form.form_errors.extend(listed)
