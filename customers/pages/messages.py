"""The schema's and the service's English messages in the page's language, at render time.

The API answers in English; the pages show the same messages translated. Each message is
matched against the templates it was made from (customers/schemas.py MESSAGES, and the
service's messages that reach a page), translated, and filled in again with its values: a
date as the page writes dates, a list of choices by their labels.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask_babel import gettext

from customers import i18n
from customers.schemas import MESSAGES, N_

# Messages of the service and the pages' views that an error page may show.
PAGE_MESSAGES = (
    N_("No customer with id {id}."),
    N_("Customer {id} has no version {version}."),
    N_("Customer {id} is in the trash (deleted {at} by {by}); it can be restored: POST "
       "{path}, or Restore on the Deleted customers page."),
    N_("Customer {id} is not in the trash."),
    N_("Customer {id} was deleted while the import was checked; nothing was imported."),
    N_("The record kept changing while your edit was merged; nothing was saved. Open it again "
       "and redo your edit."),
    N_("The confirmation lost its file; upload it again."),
    N_("_start must be a whole number from 0."),
    N_("The data value transmitted exceeds the capacity limit."),
    # customers/imports.py and csv_codec.py: what the import page says of a file and its rows
    N_("Given in more than one column."),
    N_("Given in row {row} already."),
    N_("Customer {id} is in the trash; restore it before importing changes to it."),
    N_("Malformed request body: invalid utf-8 at byte {at}"),
    N_("Malformed request body: the CSV has no header row"),
    N_("Malformed request body: invalid CSV after line {line}: {error}"),
    N_("Malformed request body: row {row} has {cells} cells, the header {header}"),
    N_("Validation failed"),
    N_("Invalid query parameters"),
    N_("Internal server error"),
    N_("The database did not answer in time; try again shortly."),
    N_("The database is unavailable; try again shortly."),
    N_("The requested URL was not found on the server. If you entered the URL manually please "
       "check your spelling and try again."),
    N_("The method is not allowed for the requested URL."),
    N_("The CSRF token is missing."),
    N_("The CSRF token is invalid."),
    N_("The CSRF session token is missing."),
    # customers/credentials.py
    N_("Enter a name."),
    N_("A name has at most {max} characters."),
    N_("A name can hold only printable characters (no control characters, no lone surrogates)."),
    N_("A password has at least {min} characters."),
    N_("A password has at most {max} characters."),
    N_("A password cannot hold control characters or lone surrogates."),
)


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each template as a regular expression whose groups are its placeholders."""
    found = []
    for template in (*MESSAGES, *PAGE_MESSAGES):
        parts = re.split(r"\{(\w+)\}", template)
        pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                          for i, part in enumerate(parts))
        found.append((re.compile(pattern), template))
    return found


def translated(message: Any) -> str:
    """`message` in the page's language (as it is when no template made it)."""
    text = str(message)
    if i18n.current() == i18n.DEFAULT:
        return text
    for pattern, template in _patterns():
        found = pattern.fullmatch(text)
        if found:
            values = {name: _value(name, value) for name, value in found.groupdict().items()}
            return gettext(template).format(**values)
    return text


def _value(name: str, value: str) -> str:
    """A message's value as the page shows it."""
    from customers.pages.dates import local_date
    from customers.pages.forms import choice_label

    if name == "choices":
        return ", ".join(choice_label(choice) for choice in value.split(", "))
    return local_date(value) if name == "date" else value
