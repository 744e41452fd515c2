"""WCAG 2.2 AA in Chromium: axe-core finds nothing on any page state, at desktop and phone
widths; nothing scrolls sideways at 320 px; after a failed save the focus is on the error
summary (the CSP in force: no script does it) and the title starts with "Error"."""
from __future__ import annotations

import re

import pytest

from customers.accounts import create_user
from tests.axe import axe_source, sideways_overflow, violations  # noqa: F401  (fixture)
from tests.page_states import browser_page, each_state, screenshot, sign_in
from tests.test_browser import PASSWORD, SQLITE_ONLY, create, launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.server, SQLITE_ONLY]

chromium = pytest.fixture(launch_chromium, scope="module", name="chromium")
SHOWN = {"list", "view", "form with errors", "conflict", "history", "delete", "docs"}


@pytest.fixture
def people(app) -> tuple[str, str]:
    """An admin and a viewer."""
    with app.app_context():
        create_user("bea", PASSWORD, "admin")
        create_user("vic", PASSWORD, "viewer")
    return "bea", "vic"


@pytest.mark.parametrize("width", [1280, 320])
def test_no_page_state_has_an_axe_violation_nor_scrolls_sideways(chromium, live_server, people,
                                                                   axe_source, width):
    found, seen = {}, []
    for state, page in each_state(lambda: browser_page(chromium, width), live_server, *people):
        seen.append(state)
        problems = violations(page, axe_source)
        overflow = sideways_overflow(page)
        if overflow > 0 and width == 320:
            problems.append(f"scrolls sideways by {overflow} px")
        if problems:
            found[state] = problems
        if state in SHOWN:
            screenshot(page, f"{state.replace(' ', '-').replace(',', '')}-{width}")
    assert len(seen) == 21, seen
    assert found == {}


def test_after_a_failed_save_the_focus_is_on_the_error_summary(chromium, live_server, people):
    customer = create(live_server, addressCity="Recife")
    page = browser_page(chromium, 1280, bypass_csp=False)  # the CSP as a real browser gets it
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, live_server, people[0], f"/customers/{customer['id']}/edit")
    page.locator("[name=dateOfBirth]").fill("2999-01-01")
    page.locator("button.primary").click()
    page.locator(".error-summary").wait_for()
    assert page.evaluate("() => document.activeElement.className") == "error-summary"
    assert re.match(r"Error: ", page.title()), page.title()
    page.keyboard.press("Tab")  # on to the summary's link to the field
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#dateOfBirth"
    assert refused == []


def test_a_wrong_password_puts_the_focus_on_the_message(chromium, live_server, people):
    page = browser_page(chromium, 1280, bypass_csp=False)
    page.goto(f"{live_server.url}/login")
    page.locator("input[name=name]").fill(people[0])
    page.locator("input[name=password]").fill("not the password at all")
    page.locator("input[name=password]").press("Enter")
    page.locator(".error-summary").wait_for()
    assert page.evaluate("() => document.activeElement.className") == "error-summary"
    assert page.title().startswith("Error: ")
