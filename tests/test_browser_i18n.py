"""In Chromium: the pages in Portuguese for a browser that asks for it and in English for one
that does not; the switch on the page; dd/mm/aaaa typed and saved; axe-core on every page
state in Portuguese too (a page whose `lang` does not match its words fails WCAG 3.1.1)."""
from __future__ import annotations

import pytest

from tests.axe import axe_source, sideways_overflow, violations  # noqa: F401  (fixture)
from tests.page_states import browser_page, each_state, screenshot, sign_in
from tests.test_browser import SQLITE_ONLY, api, create, launch_chromium
from tests.test_browser_a11y import people  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.server, SQLITE_ONLY]

chromium = pytest.fixture(launch_chromium, scope="module", name="chromium")


@pytest.mark.parametrize("width", [1280, 320])
def test_every_page_state_in_portuguese_is_portuguese_and_passes_axe(chromium, live_server,
                                                                      people, axe_source, width):
    found = {}
    for state, page in each_state(lambda: browser_page(chromium, width, "pt-BR"), live_server,
                                  *people):
        problems = violations(page, axe_source)
        if page.evaluate("() => document.documentElement.lang") != "pt-BR":
            problems.append("lang is not pt-BR")
        if sideways_overflow(page) > 0 and width == 320:
            problems.append("scrolls sideways")
        if problems:
            found[state] = problems
        if state in ("list", "form with errors", "view") :
            screenshot(page, f"pt-BR-{state.replace(' ', '-')}-{width}")
    assert found == {}


@pytest.mark.parametrize(("locale", "lang", "heading", "button"), [
    ("en-US", "en", "Customers", "New customer"), ("pt-BR", "pt-BR", "Clientes", "Novo cliente")])
def test_the_browser_s_language_is_the_page_s(chromium, live_server, people, locale, lang,
                                               heading, button):
    from playwright.sync_api import expect

    create(live_server, addressCity="Recife")
    page = browser_page(chromium, 1280, locale, bypass_csp=False)
    sign_in(page, live_server, people[0])
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("link", name=button, exact=True).first).to_be_visible()


def test_the_switch_then_a_date_typed_dd_mm_aaaa(chromium, live_server, people):
    from playwright.sync_api import expect

    customer = create(live_server, addressCity="Recife", dateOfBirth="1980-05-06")
    page = browser_page(chromium, 1280, "en-US", bypass_csp=False)
    sign_in(page, live_server, people[0], f"/customers/{customer['id']}/edit")
    expect(page.get_by_label("Date of birth")).to_have_value("1980-05-06")
    page.get_by_role("link", name="Português (Brasil)").click()
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    expect(page).to_have_url(f"{live_server.url}/customers/{customer['id']}/edit")
    date = page.get_by_label("Data de nascimento")
    expect(date).to_have_value("06/05/1980")
    expect(date).to_have_attribute("placeholder", "dd/mm/aaaa")
    date.fill("07/08/1990")
    page.get_by_role("button", name="Salvar alterações").click()
    expect(page.locator(".flash")).to_have_text(f"Cliente {customer['id']} salvo.")
    values = dict(zip(page.locator("dl.record dt").all_inner_texts(),
                      page.locator("dl.record dd").all_inner_texts()))
    assert values["Data de nascimento"] == "07/08/1990"
    assert api(live_server, "GET", f"/customers/{customer['id']}")[1]["dateOfBirth"] == "1990-08-07"
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_be_visible()
