"""How the pages show a record: its identity (reference and city) and its values by label."""
from __future__ import annotations

from typing import Any

from customers.blueprint import pages_bp
from customers.pages.forms import choice_label
from customers.schemas import choices, customer_schema, label


@pages_bp.app_template_global()
def identity(customer: Any) -> str:
    """`REF-0042, Recife`: what a person knows a record by; `#8` stands in for a missing
    reference. Pages title a record by it, with the id beside it."""
    reference = customer.referenceId or f"#{customer.id}"
    return ", ".join(part for part in (reference, customer.addressCity) if part)


@pages_bp.app_template_global()
def shown(name: str, value: Any) -> str:
    """A field's value as a person reads it: an enum's label (`Stable union`, never
    `stable_union`), anything else as text; '' for no value."""
    if value is None or value == "":
        return ""
    if choices(name) is not None:
        return choice_label(str(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@pages_bp.app_template_global()
def field_label(name: str) -> str:
    """How the pages name field `name` (`City` for addressCity); other names as they are."""
    return label(name) if name in customer_schema.fields else name
