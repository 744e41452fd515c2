"""A stale save of the edit form, merged three ways (customers/merge.py) instead of refused.

The form carries the version it was opened at; the record at that version comes from
history. A merge without conflicts saves the person's own changes over the current version
(merging again if that went stale too); one with conflicts shows only those fields, side by
side, for the person to choose, and writes nothing until they do. The page they choose on is
an edit form over the version it showed: their choices, and their other changes as hidden
fields, so saving it merges again if the record moved once more.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, flash, render_template, request
from flask_babel import gettext as _

from customers import service
from customers.changes import Origin
from customers.errors import ApiError
from customers.ids import parse_version
from customers.merge import Merge, three_way
from customers.pages.display import shown
from customers.pages.forms import LABELS, CustomerForm
from customers.record import CustomerRecord
from customers.schemas import WRITABLE

# Merges tried against a record that keeps changing before the page gives up.
ATTEMPTS = 3


def save_merged(customer_id: str, form: CustomerForm, mine: dict[str, Any], origin: Origin,
                after_save: Callable[[str], Response]) -> tuple[str, int] | Response:
    """Merge the person's values `mine` with what changed since their form's version: save
    them (then `after_save`, as any save), or show the conflicts (409)."""
    base = base_at(customer_id, parse_version(form.version.data or ""))
    for _ in range(ATTEMPTS):
        current = service.get(customer_id)
        merge = three_way(base, mine, service.writable(current))
        if not merge.clean:
            return _conflict_page(current, form, merge), 409
        try:
            service.update(customer_id, merge.apply, origin, expected={current.version})
        except ApiError as error:
            if error.code != 412:
                raise
            continue  # changed again between the read and the save: merge with that
        flash(_saved_message(customer_id, merge), "success")
        return after_save(customer_id)
    raise ApiError(409, "The record kept changing while your edit was merged; nothing was "
                        "saved. Open it again and redo your edit.")


def base_at(customer_id: str, version: int | None) -> dict[str, Any] | None:
    """The writable fields of the record at `version`, from history; None if unknown."""
    if version is None:
        return None
    try:
        return service.writable(service.at_version(customer_id, version))
    except ApiError as error:
        if error.code != 404:
            raise
        return None  # a version history does not hold: every difference is asked


def _saved_message(customer_id: str, merge: Merge) -> str:
    """The flash of a merged save: which changes of others it kept."""
    kept = ", ".join(LABELS[name] for name in merge.kept)
    if not kept:
        return _("Customer %(id)s saved.", id=customer_id)
    return _("Customer %(id)s saved. It had been changed since you opened it; only your own "
             "changes were saved, and the other changes (%(kept)s) were kept.",
             id=customer_id, kept=kept)


def _conflict_page(current: CustomerRecord, form: CustomerForm, merge: Merge) -> str:
    """The fields both changed, each with a choice (the saved value first, chosen), over the
    version shown; the person's other changes ride along as hidden fields."""
    form.version.data = str(current.version)
    rows = [{"name": name, "label": LABELS[name],
             "mine": form_value(mine), "mine_shown": shown(name, mine),
             "theirs": form_value(theirs), "theirs_shown": shown(name, theirs)}
            for name, (mine, theirs) in merge.conflicts.items()]
    carried = {name: form_value(value) for name, value in merge.apply.items()}
    also = {LABELS[name]: shown(name, value) for name, value in merge.apply.items()}
    # "Save and continue editing" stays the person's choice through the conflict page.
    then = request.form.get("then")
    return render_template("customers/conflict.html", customer=current, form=form, rows=rows,
                           carried=carried, also=also, then=then)


def form_value(value: Any) -> str:
    """A value as a form sends it back."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def fill_unsent(form: CustomerForm, record: CustomerRecord) -> None:
    """Give the fields a post did not send (a conflict page sends only some) the record's
    values, so that an edit form shown again never offers to clear them."""
    for name in WRITABLE:
        if not form[name].raw_data:
            form[name].data = form_value(getattr(record, name))
