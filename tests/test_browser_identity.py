"""In Chromium: a click anywhere on a list row opens the record, "Save and continue editing"
stays on the form, and on a phone the record's controls leave the "last changed" line alone."""
from __future__ import annotations

import re

import pytest

from tests.test_browser import SQLITE_ONLY, chromium, create, new_page, person, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.server, SQLITE_ONLY]


def test_a_click_on_any_cell_of_a_row_opens_its_record(new_page, live_server, person):
    from playwright.sync_api import expect

    create(live_server, referenceId="REF-1", addressCity="Recife")
    second = create(live_server, referenceId="REF-2", addressCity="Olinda", addressState="PE")
    for width in (1200, 390):
        page = new_page(width=width)
        sign_in(page, live_server, person, "/customers/browse")
        # A real click at the cell's middle (Playwright's own click would refuse: the row's
        # link lies over the cell, which is the point).
        cell = page.locator("table.records tbody tr").nth(1).get_by_text("PE", exact=True)
        cell.scroll_into_view_if_needed()  # the list's filters may push the rows below the fold
        box = cell.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(page).to_have_url(f"{live_server.url}/customers/{second['id']}/view")
        expect(page.get_by_role("heading", level=1)).to_contain_text("REF-2, Olinda")
        expect(page).to_have_title(re.compile(r"REF-2, Olinda"))


def test_the_row_s_edit_link_still_opens_the_form(new_page, live_server, person):
    from playwright.sync_api import expect

    customer = create(live_server, referenceId="REF-9", addressCity="Natal")
    page = new_page()
    sign_in(page, live_server, person, "/customers/browse")
    page.get_by_role("link", name=f"Edit customer {customer['id']}").click()
    expect(page).to_have_url(f"{live_server.url}/customers/{customer['id']}/edit")


def test_save_and_continue_editing(new_page, live_server, person):
    from playwright.sync_api import expect

    customer = create(live_server, addressCity="Recife")
    page = new_page()
    sign_in(page, live_server, person, f"/customers/{customer['id']}/edit")
    page.get_by_label("City").fill("Olinda")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page).to_have_url(f"{live_server.url}/customers/{customer['id']}/edit")
    expect(page.locator(".flash")).to_have_text(f"Customer {customer['id']} saved.")
    expect(page.get_by_label("City")).to_have_value("Olinda")


@pytest.mark.parametrize("width", [320, 390])
def test_on_a_phone_the_controls_do_not_cover_the_last_changed_line(new_page, live_server,
                                                                       person, width):
    customer = create(live_server, referenceId="A-LONG-REFERENCE-0001", addressCity="São José dos Campos")
    page = new_page(width=width, height=800)
    sign_in(page, live_server, person, f"/customers/{customer['id']}/view")
    meta = page.locator(".meta").bounding_box()
    for control in page.locator(".heading .button, .danger-zone .button").all():
        box = control.bounding_box()
        apart = (box["y"] + box["height"] <= meta["y"] or box["y"] >= meta["y"] + meta["height"])
        assert apart, (control.inner_text(), box, meta)
