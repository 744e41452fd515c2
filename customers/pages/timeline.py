"""A record's history as a page: who changed what, when, through which door; newest first."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from customers import service
from customers.blueprint import pages_bp
from customers.errors import ApiError
from customers.ids import parse_version
from customers.pages.display import shown
from customers.pages.forms import LABELS
from customers.record import CustomerRecord
from customers.schemas import N_

# How each door is named on the page (history's `via`).
DOORS = {"api": N_("API"), "page": N_("the pages"), "import": N_("CSV import"),
         "cli": N_("command line")}
ACTIONS = {"create": N_("Created"), "update": N_("Changed"), "delete": N_("Moved to the trash"),
           "restore": N_("Restored from the trash"), "revert": N_("Restored an earlier version"),
           "import": N_("Imported"), "erase": N_("Erased")}


@pages_bp.get("/customers/<customer_id>/timeline")
@login_required
def customer_timeline(customer_id: str) -> str:
    """The record's entries, a page at a time (`_start`), each change as old -> new."""
    size = current_app.config["CUSTOMERS_PAGE_SIZE"]
    start = _start(request.args.get("_start", "0"))
    entries, total = service.timeline(customer_id, size, start)
    customer, in_trash = _current(customer_id)
    return render_template(
        "customers/timeline.html", customer_id=customer_id, customer=customer, in_trash=in_trash,
        entries=[entry_shown(entry) for entry in entries], total=total, start=start, size=size,
        link=lambda at: url_for(".customer_timeline", customer_id=customer_id, _start=at or None))


def entry_shown(entry: dict[str, Any]) -> dict[str, Any]:
    """One history entry as the page shows it: words for the action and the door, the
    form's labels and the choices' labels for the changes."""
    changes = [_change(name, change) for name, change in entry["changes"].items()]
    return {**entry, "action_shown": gettext(ACTIONS.get(entry["action"], entry["action"])),
            "via_shown": gettext(DOORS.get(entry["via"], entry["via"])), "changes": changes,
            "at": datetime.fromisoformat(entry["at"].removesuffix("Z"))}


def _change(name: str, change: dict[str, Any]) -> tuple[str, Any, Any, bool]:
    """A field's change: its label, its old and its new value as the form shows them, and
    whether erasure or purge blanked them (a change from null to null is no change)."""
    erased = change["from"] is None and change["to"] is None
    if name not in LABELS:  # a field the form no longer has: as history holds it
        return name, change["from"], change["to"], erased
    return LABELS[name], shown(name, change["from"]), shown(name, change["to"]), erased


def _start(text: str) -> int:
    """Where the page starts: a whole number, or a 400 that says so."""
    start = parse_version(text)
    if start is None:
        abort(400, description="_start must be a whole number from 0.")
    return start


def _current(customer_id: str) -> tuple[CustomerRecord | None, bool]:
    """The record as it is now, and whether it is in the trash; None when it is gone for
    good (purged or erased: only its history is left)."""
    for trashed in (False, True):
        try:
            return service.get(customer_id, trashed=trashed), trashed
        except ApiError as error:
            if error.code != 404:
                raise
    return None, False
