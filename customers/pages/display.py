"""How the pages show a record: its identity (reference and city), its values by label, its
dates and times as the page's language writes them."""
from __future__ import annotations

from typing import Any

from flask_babel import format_number, gettext
from markupsafe import Markup, escape
from marshmallow import fields

from customers.blueprint import pages_bp
from customers.pages.dates import date_input, local_date, local_time, typed_dates
from customers.pages.forms import choice_label
from customers.pages.messages import translated
from customers.schemas import choices, customer_schema, label


@pages_bp.app_template_global()
def identity(customer: Any) -> str:
    """`REF-0042, Recife`: what a person knows a record by (`Customer #8, Recife` without a
    reference)."""
    reference = customer.referenceId or gettext("Customer #%(id)s", id=customer.id)
    return ", ".join(part for part in (reference, customer.addressCity) if part)


@pages_bp.app_template_global()
def title_of(customer: Any) -> str:
    """A record page's title: its identity, and its id when the identity does not say it."""
    return identity(customer) + (f" (#{customer.id})" if customer.referenceId else "")


@pages_bp.app_template_global()
def heading_of(customer: Any) -> Markup:
    """A record page's heading: its identity, and its id beside it when the identity does
    not say it."""
    heading = escape(identity(customer))
    if customer.referenceId:
        heading += Markup(' <span class="record-id">#%s</span>') % customer.id
    return heading


@pages_bp.app_template_global()
def shown(name: str, value: Any) -> str:
    """A field's value as a person reads it: an enum's label (`Stable union`, never
    `stable_union`), anything else as text; '' for no value."""
    if value is None or value == "":
        return ""
    if choices(name) is not None:
        return choice_label(str(value))
    if isinstance(customer_schema.fields.get(name), fields.Date):
        return local_date(value)
    return str(value)


@pages_bp.app_template_global()
def field_label(name: str) -> str:
    """How the pages name field `name` (`City` for addressCity); other names as they are."""
    return gettext(label(name)) if name in customer_schema.fields else name


pages_bp.add_app_template_global(local_time, "local_time")
pages_bp.add_app_template_global(date_input, "date_input")
pages_bp.add_app_template_global(typed_dates, "typed_dates")
pages_bp.add_app_template_global(format_number, "number")  # 1,234 in English, 1.234 in Portuguese
pages_bp.add_app_template_global(translated, "translated")
