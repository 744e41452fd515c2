"""In Chromium: the record's memory from the pages. Two people editing one record keep each
other's changes; a real conflict is chosen field by field; a deleted record comes back from
the trash; an earlier version is restored from the timeline."""
from __future__ import annotations

import re

import pytest

from customers.accounts import create_user
from tests.test_browser import (PASSWORD, SQLITE_ONLY, api, create, launch_chromium, make_person,
                                page_opener, shot, sign_in)

pytestmark = [pytest.mark.browser, pytest.mark.server]

chromium = pytest.fixture(launch_chromium, scope="module", name="chromium")
new_page = pytest.fixture(page_opener, name="new_page")
person = pytest.fixture(make_person, name="person")
BOTH = pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


@pytest.fixture
def editors(app) -> tuple[str, str]:
    """Two editors, `ana` and `bia`."""
    with app.app_context():
        create_user("ana", PASSWORD, "editor")
        create_user("bia", PASSWORD, "editor")
    return "ana", "bia"


def fits_a_phone(page, name: str) -> None:
    """At 320 px nothing scrolls sideways (a screenshot of it into test-artifacts/)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    shot(page, f"{name}-320")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size(size)


def two_forms(new_page, live_server, editors, customer) -> tuple:
    """A's and B's browsers, both on the record's edit form, opened at the same version."""
    path = f"/customers/{customer['id']}/edit"
    first, second = new_page(), new_page()
    sign_in(first, live_server, editors[0], path)
    sign_in(second, live_server, editors[1], path)
    return first, second


@BOTH
def test_a_changes_the_city_b_the_neighbourhood_and_both_are_kept(new_page, live_server, editors):
    from playwright.sync_api import expect

    customer = create(live_server, addressCity="Recife", addressNeighborhood="Boa Vista")
    first, second = two_forms(new_page, live_server, editors, customer)
    first.get_by_label("City").fill("Olinda")
    first.get_by_role("button", name="Save changes").click()
    expect(first.locator(".flash")).to_contain_text("saved")
    second.get_by_label("Neighborhood").fill("Derby")
    second.get_by_role("button", name="Save changes").click()
    expect(second.get_by_role("heading", level=1)).to_have_text(f"Customer #{customer['id']}, Olinda")
    expect(second.locator(".flash")).to_contain_text("the other changes (City) were kept")
    shot(second, "merged-save")
    record = api(live_server, "GET", f"/customers/{customer['id']}")[1]
    assert (record["addressCity"], record["addressNeighborhood"], record["updated_by"]) == (
        "Olinda", "Derby", "bia")


@SQLITE_ONLY
def test_a_real_conflict_shows_both_values_and_saves_the_chosen_one(new_page, live_server,
                                                                     editors):
    from playwright.sync_api import expect

    customer = create(live_server, addressCity="Recife", maritalStatus="single")
    first, second = two_forms(new_page, live_server, editors, customer)
    first.get_by_label("Marital status").select_option("widowed")
    first.get_by_role("button", name="Save changes").click()
    expect(first.locator(".flash")).to_contain_text("saved")
    second.get_by_label("Marital status").select_option("married")
    second.get_by_label("City").fill("Paulista")
    second.get_by_role("button", name="Save changes").click()
    expect(second.get_by_role("heading", level=1)).to_contain_text("Someone else changed")
    rows = second.locator("table.compare tbody tr")
    expect(rows).to_have_count(1)
    theirs = second.get_by_role("radio", name="Marital status, saved now: Widowed")
    mine = second.get_by_role("radio", name="Marital status, your edit: Married")
    expect(theirs).to_be_checked()
    expect(mine).not_to_be_checked()
    shot(second, "merge-conflict")
    fits_a_phone(second, "merge-conflict")
    assert api(live_server, "GET", f"/customers/{customer['id']}")[1]["maritalStatus"] == "widowed"
    mine.check()
    second.get_by_role("button", name="Save my choices").click()
    expect(second.locator(".flash")).to_contain_text("saved")
    record = api(live_server, "GET", f"/customers/{customer['id']}")[1]
    assert (record["maritalStatus"], record["addressCity"]) == ("married", "Paulista")


@BOTH
def test_a_deleted_customer_is_restored_from_the_trash(new_page, live_server, person):
    from playwright.sync_api import expect

    customer = create(live_server, referenceId="R-7", addressCity="Olinda")
    page = new_page()
    sign_in(page, live_server, person, f"/customers/{customer['id']}/view")
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete this customer").click()
    expect(page.locator(".flash")).to_contain_text("deleted")
    assert api(live_server, "GET", f"/customers/{customer['id']}")[0] == 404
    page.get_by_role("link", name="Deleted customers").click()
    row = page.locator("table.records tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("R-7")
    expect(row).to_contain_text(person)
    shot(page, "trash")
    fits_a_phone(page, "trash")
    row.get_by_role("button", name=f"Restore customer {customer['id']}").click()
    expect(page.locator(".flash")).to_contain_text("restored from the trash")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"R-7, Olinda #{customer['id']}")
    status, record = api(live_server, "GET", f"/customers/{customer['id']}")
    assert (status, record["addressCity"], record["updated_by"]) == (200, "Olinda", person)


@SQLITE_ONLY
def test_an_earlier_version_is_restored_from_the_timeline(new_page, live_server, editors):
    from playwright.sync_api import expect

    customer = create(live_server, addressCity="Recife", maritalStatus="single")
    api(live_server, "PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda",
                                                            "maritalStatus": "widowed"})
    page = new_page()
    sign_in(page, live_server, editors[0], f"/customers/{customer['id']}/view")
    page.get_by_role("link", name="History").click()
    entries = page.locator("ol.timeline > li")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("Marital status: Single → Widowed")
    expect(entries.first).to_contain_text("through API")
    shot(page, "timeline")
    fits_a_phone(page, "timeline")
    page.get_by_role("link", name="Restore version 1").click()
    expect(page.locator("table.compare tbody tr")).to_have_text(
        [re.compile(r"City\s+Olinda\s+Recife"), re.compile(r"Marital status\s+Widowed\s+Single")])
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.locator(".flash")).to_contain_text("as it was at version 1 again")
    record = api(live_server, "GET", f"/customers/{customer['id']}")[1]
    assert (record["addressCity"], record["maritalStatus"], record["updated_by"]) == (
        "Recife", "single", editors[0])
