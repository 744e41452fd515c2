"""Dates and times as the page's language writes them: `dd/mm/aaaa` in Portuguese, ISO
(`yyyy-mm-dd`, the browser's own date input) in English; times in TIMEZONE.

Turning what a person typed into ISO is parsing only: a text that is no day/month/year goes
to the schema as typed, and the schema, the one rule book, says what is wrong with it.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from flask_babel import format_datetime, gettext
from markupsafe import Markup
from wtforms.widgets import DateInput, html_params

from customers import i18n

PORTUGUESE_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def typed_dates() -> bool:
    """Whether this request's language types dates as text (dd/mm/aaaa), not in a date input."""
    return i18n.current() == "pt_BR"


def iso_date(typed: str) -> str:
    """`06/05/1980` -> `1980-05-06` in Portuguese; anything else as it was typed."""
    found = PORTUGUESE_DATE.fullmatch(typed) if typed_dates() else None
    if found is None:
        return typed
    day, month, year = found.groups()
    return f"{year}-{int(month):02}-{int(day):02}"


def local_date(value: Any) -> str:
    """A date (or its ISO text) as the page's language writes it; other text as it is."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    found = ISO_DATE.fullmatch(text)
    if found is None or not typed_dates():
        return text
    year, month, day = found.groups()
    return f"{day}/{month}/{year}"


def local_time(value: datetime) -> str:
    """A stored time (UTC, naive or not) in TIMEZONE, as the page's language writes it,
    with its offset: `01/12/2026 09:51 (UTC-03:00)`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    pattern = "dd/MM/yyyy HH:mm" if typed_dates() else "yyyy-MM-dd HH:mm"
    return f"{format_datetime(value, pattern)} (UTC{format_datetime(value, 'xxx')})"


def typed_date_attributes(value: str) -> dict[str, str]:
    """What makes a date input a text input for dd/mm/aaaa holding `value` (ISO), in
    Portuguese (a date input follows the browser's language, not the page's)."""
    return {"type": "text", "value": local_date(value), "placeholder": gettext("dd/mm/yyyy"),
            "inputmode": "numeric", "pattern": r"\d{1,2}/\d{1,2}/\d{4}"}


def date_input(id_: str, name: str, value: str) -> Markup:
    """A date input outside a form class (the list's filters), as LocalDateInput renders it."""
    attributes = {"id": id_, "name": name, "type": "date", "value": value}
    if typed_dates():
        attributes.update(typed_date_attributes(value))
    return Markup("<input %s>") % Markup(html_params(**attributes))


class LocalDateInput(DateInput):
    """The date of birth's input: the browser's date input in English; in Portuguese a text
    input for dd/mm/aaaa (typed_date_attributes)."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        if typed_dates():
            typed = typed_date_attributes(field._value())  # its type and value over the caller's
            kwargs = {**typed, "autocomplete": "bday", **kwargs,
                      "type": typed["type"], "value": typed["value"]}
        return super().__call__(field, **kwargs)
