"""The HTML forms. They render fields and carry CSRF; they never validate (the schema does)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from marshmallow import fields
from wtforms import Field, HiddenField, PasswordField, SelectChoice, SelectField, StringField

from customers.ids import parse_version
from customers.pages.dates import LocalDateInput, iso_date
from customers.pages.messages import translated
from customers.record import CustomerRecord
from customers.schemas import N_, WRITABLE, choices, customer_schema, label, max_length

# Each choice's label (in English; the pages show it in the page's language).
CHOICE_LABELS = {
    "male": N_("Male"), "female": N_("Female"), "other": N_("Other"),
    "single": N_("Single"), "married": N_("Married"), "divorced": N_("Divorced"),
    "widowed": N_("Widowed"), "separated": N_("Separated"), "stable_union": N_("Stable union"),
}


class Labels(Mapping[str, str]):
    """Field name -> its label in the language of the request (read at each use)."""

    def __getitem__(self, name: str) -> str:
        if name not in WRITABLE:
            raise KeyError(name)
        return gettext(label(name))

    def __iter__(self) -> Iterator[str]:
        return iter(WRITABLE)

    def __len__(self) -> int:
        return len(WRITABLE)


LABELS = Labels()


def choice_label(value: str | None) -> str:
    """`stable_union` -> `Stable union` (`União estável` in Portuguese)."""
    if not value:
        return ""
    return gettext(CHOICE_LABELS.get(value) or value.replace("_", " ").capitalize())


def _field(name: str) -> Field:
    """The input for one API field, named as the API names it, chosen by the schema's rule."""
    text = lazy_gettext(label(name))
    if isinstance(customer_schema.fields[name], fields.Date):
        return StringField(text, widget=LocalDateInput())
    options = choices(name)
    if options is not None:
        listed = [SelectChoice("", lazy_gettext("(not given)")),
                  *(SelectChoice(v, lazy_gettext(CHOICE_LABELS[v])) for v in options)]
        # validate_choice=False: the schema, not the form, says which values are allowed.
        return SelectField(text, choices=listed, validate_choice=False)
    return StringField(text, render_kw={"maxlength": max_length(name)})


class CustomerForm(FlaskForm):
    """Every writable field, plus the version the form was opened at."""

    version = HiddenField()


for _name in WRITABLE:
    setattr(CustomerForm, _name, _field(_name))


class LoginForm(FlaskForm):
    """Name and password."""

    name = StringField(lazy_gettext("Name"),
                       render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(lazy_gettext("Password"),
                             render_kw={"autocomplete": "current-password"})


class PasswordForm(FlaskForm):
    """A person's own password change: the current one, the new one twice."""

    current = PasswordField(lazy_gettext("Current password"),
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(lazy_gettext("New password"), render_kw={"autocomplete": "new-password"})
    repeat = PasswordField(lazy_gettext("New password again"),
                           render_kw={"autocomplete": "new-password"})


class ConfirmForm(FlaskForm):
    """A confirmation (delete, sign out): CSRF and, for a record, its version."""

    version = HiddenField()


def form_for(customer: CustomerRecord) -> CustomerForm:
    """The edit form filled with the record as stored, at its current version."""
    values = customer_schema.dump(customer)
    data = {name: values[name] or "" for name in WRITABLE}
    return CustomerForm(data={**data, "version": str(customer.version)})


def raw_fields(form: CustomerForm) -> dict[str, Any]:
    """What the person typed, for the fields they sent; a date typed as the page's language
    writes it (`06/05/1980` in Portuguese) in ISO, as the schema reads it."""
    typed = {field.name: field.raw_data[0] for field in form
             if field.name in WRITABLE and field.raw_data}
    for name, value in typed.items():
        if isinstance(customer_schema.fields[name], fields.Date):
            typed[name] = iso_date(value)
    return typed


def version_of(form: FlaskForm) -> set[int]:
    """The version the form was opened at (nothing matches a missing or mangled one)."""
    version = parse_version(form.version.data or "")
    return set() if version is None else {version}


def copy_errors(form: FlaskForm, messages: dict[str, Any]) -> None:
    """Put the schema's messages beside their fields; any others above the form."""
    for name, field_messages in messages.items():
        listed = [translated(m) for m in field_messages] if isinstance(
            field_messages, list) else [translated(field_messages)]
        if name in WRITABLE and name in form:
            form[name].errors = listed
        else:
            form.form_errors.extend(listed)
