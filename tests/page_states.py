"""Every state a page of the site can be in, visited in a real browser one after the other
(for the axe-core, 320 px and language tests). Controls are found by their names and
classes, not by their words, so the same walk runs in every language."""
from __future__ import annotations

import json
import os
import re
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from tests.servers import ROOT
from tests.test_browser import PASSWORD, create

SCREENSHOTS = ROOT / "docs" / "screenshots"


def browser_page(chromium: Any, width: int, locale: str = "en-US", bypass_csp: bool = True) -> Any:
    """A page in a fresh context: that viewport, that browser language (Accept-Language);
    the CSP bypassed so that axe-core can be injected."""
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale=locale,
                                   bypass_csp=bypass_csp)
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in(page: Any, server: Any, name: str, path: str = "/customers/browse") -> None:
    """Sign in through the form, in whatever language the page speaks."""
    page.goto(f"{server.url}/login?next={path}")
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(re.escape(path) + "$"))


def put(server: Any, customer_id: str, fields: dict[str, Any]) -> None:
    """Change a record through the API (someone else's edit)."""
    request = urllib.request.Request(
        f"{server.url}/customers/{customer_id}", method="PUT", data=json.dumps(fields).encode(),
        headers={"Authorization": f"Bearer {server.write_token}",
                 "Content-Type": "application/json"})
    urllib.request.urlopen(request).close()


def signed_in_states(page: Any, server: Any, admin: str) -> Iterator[str]:
    """Walk an admin's page through every state; yields each state's name once it shows."""
    customer = create(server, referenceId="REF-0042", addressCity="São José dos Campos",
                      addressStreet="Avenida Presidente Juscelino Kubitschek de Oliveira, 1234",
                      gender="female", maritalStatus="stable_union", dateOfBirth="1980-05-06",
                      addressState="SP", addressCountry="Brasil")
    create(server, referenceId="REF-0043", addressCity="Recife", gender="male")
    record = f"{server.url}/customers/{customer['id']}"
    sign_in(page, server, admin)
    yield "list"
    page.goto(f"{server.url}/customers/browse?_q=nothing-matches-this")
    yield "list, nothing found"
    page.goto(f"{server.url}/customers/browse?_q=ref&addressCity_contains=e&_limit=1")
    yield "list, searched and filtered (chips, total, page numbers)"
    page.goto(f"{record}/view")
    yield "view"
    page.goto(f"{record}/timeline")
    yield "history"
    page.goto(f"{server.url}/customers/new")
    yield "form, new"
    page.goto(f"{record}/edit")
    yield "form, edit"
    page.locator("[name=dateOfBirth]").fill(future_date(page))
    page.locator("button.primary").click()
    page.locator(".error-summary").wait_for()
    yield "form with errors"
    page.goto(f"{record}/edit")
    page.locator("[name=addressCity]").fill("Olinda")
    put(server, customer["id"], {"addressCity": "Caruaru"})
    page.locator("button.primary").click()
    page.locator("table.compare").wait_for()
    yield "conflict"
    page.goto(f"{record}/timeline/1/restore")
    yield "restore a version"
    page.goto(f"{record}/delete")
    yield "delete"
    page.goto(f"{server.url}/customers/browse/trash")
    yield "deleted customers, none"
    page.goto(f"{server.url}/customers/browse/import")
    yield "import"
    page.goto(f"{server.url}/account/password")
    yield "password"
    page.locator("button.primary").click()
    page.locator(".error-summary").wait_for()
    yield "password with errors"
    page.goto(f"{server.url}/docs")
    yield "docs"
    page.goto(f"{server.url}/customers/999999/view")
    yield "404"
    page.goto(f"{server.url}/logout")
    yield "sign out"


def future_date(page: Any) -> str:
    """A date of birth in the future, typed as the page's date input takes it."""
    if page.locator("[name=dateOfBirth]").get_attribute("type") == "date":
        return "2999-01-01"
    return "01/01/2999"


def signed_out_states(page: Any, server: Any) -> Iterator[str]:
    """The sign-in page, before and after a wrong password."""
    page.goto(f"{server.url}/login")
    yield "sign in"
    page.locator("input[name=name]").fill("nobody")
    page.locator("input[name=password]").fill("not the password at all")
    page.locator("input[name=password]").press("Enter")
    page.locator(".error-summary").wait_for()
    yield "sign in with an error"


def refused_states(page: Any, server: Any, viewer: str) -> Iterator[str]:
    """A viewer on an edit URL: the 403 page."""
    sign_in(page, server, viewer)
    page.goto(f"{server.url}/customers/new")
    yield "403"


def each_state(pages: Callable[[], Any], server: Any, admin: str, viewer: str
               ) -> Iterator[tuple[str, Any]]:
    """(state, page) for every state of every page, each walk in a page of its own."""
    for walk in (lambda p: signed_in_states(p, server, admin), lambda p: signed_out_states(p, server),
                 lambda p: refused_states(p, server, viewer)):
        page = pages()
        for state in walk(page):
            yield state, page


# The screenshots the README's staff section shows.
SHOWN_IN_README = {"list-1280", "view-1280", "form-with-errors-1280", "conflict-1280",
                   "history-1280", "pt-BR-list-1280", "view-320", "pt-BR-form-with-errors-320"}


def screenshot(page: Any, name: str) -> None:
    """Into test-artifacts/ always; the README's into docs/screenshots/ when
    UPDATE_SCREENSHOTS=1."""
    folders = [ROOT / "test-artifacts"]
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" and name in SHOWN_IN_README:
        folders.append(SCREENSHOTS)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
