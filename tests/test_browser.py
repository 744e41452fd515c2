"""The HTML pages in a real Chromium (Playwright) against a live `gunicorn wsgi:app`."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from customers.accounts import create_user
from tests.conftest import unavailable
from tests.servers import ROOT, flask_command

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "a long and private passphrase"
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def launch_chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (the module-scoped `chromium` fixture)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        unavailable("browser", f"playwright is not installed ({error})")
    if not CHROMIUM.exists():
        unavailable("browser", f"{CHROMIUM} is missing")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        except Error as error:
            unavailable("browser", f"chromium did not start: {error.message.splitlines()[0]}")
        yield browser
        browser.close()


def make_person(app) -> str:
    """An admin who can sign in (the `person` fixture; one test uses the CLI instead)."""
    with app.app_context():
        create_user("bea", PASSWORD, "admin")
    return "bea"


def page_opener(chromium, live_server) -> Iterator[Any]:
    """A function opening a page in a fresh browser context (the `new_page` fixture)."""
    contexts = []

    def open_page(width: int = 1200, height: int = 900) -> Any:
        context = chromium.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


chromium = pytest.fixture(launch_chromium, scope="module", name="chromium")
person = pytest.fixture(make_person, name="person")
new_page = pytest.fixture(page_opener, name="new_page")


def api(server, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """Call the API with the write token; the status and the decoded answer."""
    request = urllib.request.Request(
        server.url + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {server.write_token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def create(server, **fields: Any) -> dict[str, Any]:
    """A record made through the API."""
    status, record = api(server, "POST", "/customers", fields)
    assert status == 201
    return record


def sign_in(page, server, name: str, path: str = "/") -> None:
    """Open `path`, get sent to sign in, sign in with the keyboard, land back on `path`."""
    from playwright.sync_api import expect

    page.goto(server.url + path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_text(f"Signed in as {name}.")).to_be_visible()


def shot(page, name: str) -> None:
    """A full-page screenshot into test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_sign_in_search_and_edit_then_the_api_shows_it(new_page, live_server, request):
    from playwright.sync_api import expect

    flask_command(live_server.env, "users", "create", "carla", "--role", "editor", "--password", PASSWORD)
    for number, (city, gender) in enumerate([("Recife", "female"), ("Olinda", "male"),
                                             ("Caruaru", "other"), ("São Paulo", None)]):
        create(live_server, addressCity=city, referenceId=f"REF-{number:04}", gender=gender,
               dateOfBirth=f"19{60 + number * 7}-0{number + 1}-1{number}", addressState="PE",
               addressCountry="Brazil", maritalStatus="single")
    page = new_page()
    sign_in(page, live_server, "carla")
    expect(page).to_have_url(f"{live_server.url}/customers/browse")
    kind = request.node.callspec.params["database_url"]
    shot(page, f"list-{kind}")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"list-phone-{kind}")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.get_by_label("Search").fill("olinda")
    page.get_by_label("Search").press("Enter")
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=re.compile(r"^#\d+$")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^REF-0001, Olinda #\d+$"))).to_be_visible()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("City").fill("Paulista")
    page.get_by_label("Marital status").select_option("married")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flash")).to_have_text(re.compile(r"Customer \d+ saved\."))
    expect(page.locator(".meta")).to_contain_text("Last changed by carla")
    customer_id = page.url.rstrip("/").split("/")[-2]
    record = api(live_server, "GET", f"/customers/{customer_id}")[1]
    assert (record["addressCity"], record["maritalStatus"], record["updated_by"]) == (
        "Paulista", "married", "carla")


@SQLITE_ONLY
def test_impossible_date_is_shown_beside_its_field(new_page, live_server, person):
    from playwright.sync_api import expect

    customer = create(live_server, addressCity="Recife", dateOfBirth="1990-03-04")
    page = new_page()
    sign_in(page, live_server, person, f"/customers/{customer['id']}/edit")
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_label("City").fill("Olinda")
    page.get_by_role("button", name="Save changes").click()
    message = page.locator("#dateOfBirth-error")
    expect(message).to_have_text("Must not be in the future.")
    expect(page.get_by_label("Date of birth")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("City")).to_have_value("Olinda")  # the person's input is kept
    shot(page, "edit-with-error")
    assert api(live_server, "GET", f"/customers/{customer['id']}")[1] == customer


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_two_browsers_editing_the_same_record_meet_a_conflict(new_page, live_server, person, app):
    from playwright.sync_api import expect

    with app.app_context():
        create_user("dan", PASSWORD, "editor")
    customer = create(live_server, addressCity="Recife")
    path = f"/customers/{customer['id']}/edit"
    first, second = new_page(), new_page()
    sign_in(first, live_server, person, path)
    sign_in(second, live_server, "dan", path)
    first.get_by_label("City").fill("Olinda")
    first.get_by_role("button", name="Save changes").click()
    expect(first.locator(".flash")).to_contain_text("saved")
    second.get_by_label("City").fill("Jaboatão")
    second.get_by_role("button", name="Save changes").click()
    expect(second.get_by_role("heading", level=1)).to_contain_text("Someone else changed")
    expect(second.get_by_role("radio", name="City, saved now: Olinda")).to_be_checked()
    shot(second, "conflict")
    assert api(live_server, "GET", f"/customers/{customer['id']}")[1]["addressCity"] == "Olinda"
    second.get_by_role("radio", name="City, your edit: Jaboatão").check()
    second.get_by_role("button", name="Save my choices").click()
    expect(second.locator(".flash")).to_contain_text("saved")
    record = api(live_server, "GET", f"/customers/{customer['id']}")[1]
    assert (record["addressCity"], record["updated_by"]) == ("Jaboatão", "dan")
