"""In Chromium: the throttle lets the owner's browser in, colleagues' typos refuse nobody, a
viewer's pages, and a person changing their own password."""
from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from customers.accounts import create_user
from tests.test_browser import PASSWORD, SQLITE_ONLY, create, launch_chromium, page_opener, shot
from tests.test_throttle_race import Browser

pytestmark = [pytest.mark.browser, pytest.mark.server]

chromium = pytest.fixture(launch_chromium, scope="module", name="chromium")
new_page = pytest.fixture(page_opener, name="new_page")
BOTH = pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


@pytest.fixture
def people(app) -> None:
    """An admin, `bea`, and a viewer, `vic`."""
    with app.app_context():
        create_user("bea", PASSWORD, "admin")
        create_user("vic", PASSWORD, "viewer")


def sign_in(page, server, name: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form and send it."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def mistype(server, name: str, times: int) -> None:
    """Wrong passwords for `name` from browsers that never signed in (the same address)."""
    for _ in range(times):
        Browser(server.url).sign_in(name, "not the password")


@BOTH
def test_the_owners_browser_gets_in_while_the_name_is_held_back_for_others(
        new_page, live_server, people):
    from playwright.sync_api import expect

    owner = new_page()
    sign_in(owner, live_server, "bea")
    expect(owner.locator(".flash")).to_have_text("Signed in as bea.")
    owner.get_by_role("button", name="Sign out").click()
    expect(owner.locator(".flash")).to_have_text("Signed out.")
    mistype(live_server, " BEA", 5)  # someone guessing, spelling the name their own way
    stranger = new_page()
    sign_in(stranger, live_server, "bea")
    expect(stranger.get_by_role("alert")).to_contain_text("Too many attempts. Wait")
    shot(stranger, "sign-in-held-back")
    sign_in(owner, live_server, "bea")
    expect(owner.locator(".flash")).to_have_text("Signed in as bea.")


@SQLITE_ONLY
def test_colleagues_typos_at_the_office_address_refuse_nobody(new_page, live_server, people):
    from playwright.sync_api import expect

    for colleague in ("ana", "caio", "duda", "enzo", "fabi", "gil", "vic"):
        mistype(live_server, colleague, 1)  # all from the one address, as behind an office NAT
    page = new_page()  # a browser that never signed in here
    sign_in(page, live_server, "bea")
    expect(page.locator(".flash")).to_have_text("Signed in as bea.")


@SQLITE_ONLY
def test_a_viewer_sees_no_edit_controls_and_a_403_page_on_an_edit_url(new_page, live_server, people):
    from playwright.sync_api import expect

    customer = create(live_server, addressCity="Recife", referenceId="V-1")
    page = new_page()
    sign_in(page, live_server, "vic")
    expect(page.locator("table.records")).to_contain_text("Recife")
    for name in ("New customer", "Edit"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    shot(page, "list-viewer")
    page.goto(f"{live_server.url}/customers/{customer['id']}/view")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"V-1, Recife #{customer['id']}")
    for name in ("Edit", "Delete"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    answer = page.goto(f"{live_server.url}/customers/{customer['id']}/edit")
    assert answer.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Error 403")
    expect(page.locator("main")).to_contain_text("needs the role editor or admin")
    shot(page, "viewer-refused")


@SQLITE_ONLY
def test_changing_ones_password_ends_the_other_sessions(new_page, live_server, people):
    from playwright.sync_api import expect

    here, elsewhere = new_page(), new_page()
    sign_in(here, live_server, "vic"), sign_in(elsewhere, live_server, "vic")
    here.get_by_role("link", name="vic").click()
    expect(here.get_by_role("heading", level=1)).to_have_text("Change your password")
    here.get_by_label("Current password").fill(PASSWORD)
    here.get_by_label("New password", exact=True).fill("too short")
    here.get_by_label("New password again").fill("too short")
    here.get_by_role("button", name="Change password").click()
    expect(here.locator("#new-error")).to_have_text("A password has at least 12 characters.")
    expect(here).to_have_title(re.compile("^Error: "))
    shot(here, "password-refused")
    here.get_by_label("Current password").fill(PASSWORD)
    here.get_by_label("New password", exact=True).fill("a new and longer passphrase")
    here.get_by_label("New password again").fill("a new and longer passphrase")
    here.get_by_role("button", name="Change password").click()
    expect(here.locator(".flash")).to_have_text("Password changed. Every other session of yours has ended.")
    elsewhere.reload()
    expect(elsewhere).to_have_url(re.compile(r"/login\?next="))
    sign_in(elsewhere, live_server, "vic", "a new and longer passphrase")
    expect(elsewhere.locator(".flash")).to_have_text("Signed in as vic.")
