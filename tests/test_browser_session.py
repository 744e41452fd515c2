"""In Chromium: creating and deleting, signing out, keyboard use, and CSRF refusal."""
from __future__ import annotations

import re

import pytest

from tests.test_browser import (
    SQLITE_ONLY,
    api,
    create,
    launch_chromium,
    make_person,
    page_opener,
    shot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]

chromium = pytest.fixture(launch_chromium, scope="module", name="chromium")
person = pytest.fixture(make_person, name="person")
new_page = pytest.fixture(page_opener, name="new_page")


@SQLITE_ONLY
def test_keyboard_alone_reaches_every_field_with_visible_focus(new_page, live_server, person):
    page = new_page(390, 844)
    sign_in(page, live_server, person, "/customers/new")
    focused = []
    for _ in range(30):
        page.keyboard.press("Tab")
        name, outline = page.evaluate(
            "() => [document.activeElement.name || document.activeElement.textContent.trim(),"
            " getComputedStyle(document.activeElement).outlineStyle]")
        focused.append(name)
        assert outline != "none", name
        if name == "Create customer":
            break
    assert {"referenceId", "dateOfBirth", "gender", "maritalStatus", "addressCountry"} <= set(focused)
    shot(page, "new-form-phone")


@SQLITE_ONLY
def test_create_then_delete_through_the_confirmation(new_page, live_server, person):
    from playwright.sync_api import expect

    page = new_page()
    sign_in(page, live_server, person)
    page.get_by_role("link", name="New customer").first.click()
    page.get_by_label("Reference ID").fill("NEW-1")
    page.get_by_label("Gender").select_option("other")
    page.get_by_label("Date of birth").fill("1975-12-31")
    page.get_by_role("button", name="Create customer").click()
    expect(page.locator(".flash")).to_have_text(re.compile(r"Customer \d+ created\."))
    customer_id = page.url.split("/")[-2]
    assert api(live_server, "GET", f"/customers/{customer_id}")[1]["created_by"] == person
    shot(page, "record")
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete NEW-1 #{customer_id}?")
    shot(page, "delete-confirmation")
    assert api(live_server, "GET", f"/customers/{customer_id}")[0] == 200
    page.get_by_role("button", name="Delete this customer").click()
    expect(page.locator(".flash")).to_have_text(re.compile(
        rf"^Customer {customer_id} deleted\. It can be restored from Deleted customers"))
    assert api(live_server, "GET", f"/customers/{customer_id}")[0] == 404


@SQLITE_ONLY
def test_after_signing_out_every_page_asks_to_sign_in(new_page, live_server, person):
    from playwright.sync_api import expect

    customer = create(live_server)
    page = new_page()
    sign_in(page, live_server, person)
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".flash")).to_have_text("Signed out.")
    for path in ("/", "/customers/browse", "/customers/new", f"/customers/{customer['id']}/view",
                 f"/customers/{customer['id']}/edit", f"/customers/{customer['id']}/delete"):
        page.goto(live_server.url + path)
        expect(page).to_have_url(re.compile(r"/login\?next="))
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@SQLITE_ONLY
def test_a_form_post_without_its_csrf_token_is_refused(new_page, live_server, person):
    from playwright.sync_api import expect

    page = new_page()
    sign_in(page, live_server, person, "/customers/new")
    page.locator("main form input[name=csrf_token]").evaluate("input => input.remove()")
    page.get_by_label("City").fill("Nowhere")
    page.get_by_role("button", name="Create customer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Error 400")
    expect(page.locator("main")).to_contain_text("CSRF token is missing")
    assert api(live_server, "GET", "/customers/count") == (200, 0)
