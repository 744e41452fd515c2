"""The list page as a tool, in Chromium: filters chosen in the form become chips that remove
themselves, the search ignores accents and takes every word, and the list a person worked in
is where the record pages lead back, after opening a record and after saving it."""
from __future__ import annotations

import re

import pytest

from tests.test_browser import (
    PASSWORD,
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

PEOPLE = [("São Paulo", "SP", "female", "1980-05-01"), ("Recife", "PE", "female", "1975-07-07"),
          ("Recife", "PE", "male", "1990-01-15"), ("Olinda", "PE", "female", "2001-12-31"),
          ("Sao Paulo", "SP", "male", "1969-03-03"), ("Caruaru", "PE", "other", None)]


@pytest.fixture
def people(live_server) -> list[dict]:
    return [create(live_server, referenceId=f"REF-{n}", addressCity=city, addressState=state,
                   gender=gender, dateOfBirth=born)
            for n, (city, state, gender, born) in enumerate(PEOPLE)]


def references(page) -> list[str]:
    """The references of the rows shown, in order."""
    return [cell.strip() for cell in page.locator("table.records tbody tr td:nth-child(2)").all_inner_texts()]


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_filters_become_chips_that_remove_themselves(new_page, live_server, person, people, request):
    from playwright.sync_api import expect

    page = new_page()
    sign_in(page, live_server, person, "/customers/browse")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("State").fill("PE")
    page.get_by_label("Born from").fill("1970-01-01")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("p.total")).to_have_text("2 of 6 customers")
    assert references(page) == ["REF-1", "REF-3"]
    chips = page.locator("li.chip")
    expect(chips).to_have_count(3)
    expect(chips.nth(0)).to_contain_text("Gender: Female")
    shot(page, f"list-filters-{request.node.callspec.params['database_url']}")
    page.get_by_role("link", name="Remove Date of birth from 1970-01-01").click()
    expect(page.locator("li.chip")).to_have_count(2)
    expect(page.get_by_label("Born from")).to_have_value("")
    page.get_by_role("link", name="Remove Gender: Female").click()
    expect(page.locator("p.total")).to_have_text("4 of 6 customers")
    expect(page.get_by_label("Gender")).to_have_value("")
    page.get_by_role("searchbox", name="Search").fill("sao PAULO")
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect(page.locator("p.total")).to_have_text("0 of 6 customers")  # São Paulo is SP, not PE
    page.get_by_role("link", name="Remove State: PE").click()
    expect(page.locator("p.total")).to_have_text("2 of 6 customers")
    assert references(page) == ["REF-0", "REF-4"]  # with and without the accent


def save_street_then_go_back(page, street: str) -> None:
    """On a record's page: edit its street, save it, and follow the link back to the list."""
    from playwright.sync_api import expect

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Street").fill(street)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flash")).to_contain_text("saved")
    page.get_by_role("link", name="← All customers").click()


def test_the_list_is_kept_across_open_back_and_save(new_page, live_server, person, people):
    from playwright.sync_api import expect

    page = new_page()
    sign_in(page, live_server, person, "/customers/browse")
    page.get_by_role("searchbox", name="Search").fill("recife")
    page.get_by_label("Per page").select_option("10")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="City").click()  # sort by city, then by id
    page.get_by_role("link", name="City").click()  # descending
    listed = page.url
    assert "_q=recife" in listed and "_sort=addressCity%3ADESC" in listed and "_limit=10" in listed
    assert references(page) == ["REF-1", "REF-2"]
    page.locator("table.records tbody tr").nth(1).click()  # the whole row opens the record
    expect(page.get_by_role("heading", level=1)).to_contain_text("REF-2")
    page.get_by_role("link", name="← All customers").click()
    expect(page).to_have_url(listed)
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("recife")
    page.locator("table.records tbody tr").nth(0).get_by_role("link", name=re.compile(r"^#")).click()
    save_street_then_go_back(page, "Rua da Aurora")
    expect(page).to_have_url(listed)
    assert references(page) == ["REF-1", "REF-2"]


def test_each_tab_leads_back_to_its_own_list(new_page, live_server, person, people):
    from playwright.sync_api import expect

    first = new_page()
    sign_in(first, live_server, person, "/customers/browse?_q=recife")
    first_list = first.url
    second = first.context.new_page()  # another tab of the same browser: the same session
    second.goto(f"{live_server.url}/customers/browse?gender=male&_sort=addressCity%3AASC")
    assert references(second) == ["REF-2", "REF-4"]
    first.locator("table.records tbody tr").nth(0).click()  # opened after the other tab's list
    expect(first.get_by_role("heading", level=1)).to_contain_text("REF-1")
    first.get_by_role("link", name="← All customers").click()
    expect(first).to_have_url(first_list)
    first.locator("table.records tbody tr").nth(1).click()
    second.reload()  # the other tab shows its list again meanwhile
    save_street_then_go_back(first, "Rua do Sol")
    expect(first).to_have_url(first_list)
    assert references(first) == ["REF-1", "REF-2"]
    second.locator("table.records tbody tr").nth(0).click()
    expect(second.get_by_role("heading", level=1)).to_contain_text("REF-2")
    second.get_by_role("link", name="← All customers").click()
    expect(second).to_have_url(re.compile(r"/customers/browse\?gender=male"))
    assert references(second) == ["REF-2", "REF-4"]


def test_the_next_person_in_a_tab_does_not_get_the_last_one_s_list(new_page, live_server, person,
                                                                    people):
    from playwright.sync_api import expect

    page = new_page()
    sign_in(page, live_server, person, "/customers/browse?_q=recife")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{live_server.url}/customers/{people[0]['id']}/view")  # the next person signs in
    page.get_by_label("Name").fill(person)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("REF-0")
    assert page.get_by_role("link", name="← All customers").get_attribute("href") == "/customers/browse"
