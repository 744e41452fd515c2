"""A record's history page through Flask's test client: who, when, through which door, each
change as old -> new with the form's labels, a page at a time."""
from __future__ import annotations

import lxml.html
import pytest

from customers.accounts import create_user
from tests.test_pages import PASSWORD, make_person, make_signed_in, sign_in, submit

person = pytest.fixture(make_person, name="person")
signed_in = pytest.fixture(make_signed_in, name="signed_in")


@pytest.fixture
def viewer(app, client):
    """The test client signed in as a viewer, `vic`."""
    with app.app_context():
        create_user("vic", PASSWORD, "viewer")
    assert sign_in(client, "vic").status_code == 302
    return client


def entries(html: str) -> list[dict]:
    """The timeline's entries: heading, who/when/door line, changes, as their text."""
    tree = lxml.html.fromstring(html)
    for hidden in tree.xpath("//span[@class='visually-hidden']"):
        hidden.drop_tree()
    return [{"heading": " ".join(li.xpath("string(h2)").split()),
             "meta": " ".join(li.xpath("string(p[@class='meta'])").split()),
             "changes": [" ".join(c.text_content().split()) for c in li.xpath(".//ul/li")]}
            for li in tree.xpath("//ol[@class='timeline']/li")]


def test_a_viewer_reads_who_changed_what_through_which_door(signed_in, api, app):
    customer = api.create(addressCity="Recife", maritalStatus="single")
    path = f"/customers/{customer['id']}"
    assert submit(signed_in, f"{path}/edit", {"maritalStatus": "widowed",
                                              "addressCity": ""}).status_code == 302
    view = signed_in.get(f"{path}/view").get_data(as_text=True)
    assert lxml.html.fromstring(view).xpath("//a[text()='History']/@href") == [f"{path}/timeline"]
    with app.app_context():
        create_user("vic", PASSWORD, "viewer")
    other = app.test_client()
    assert sign_in(other, "vic").status_code == 302
    page = other.get(f"{path}/timeline")
    assert page.status_code == 200
    shown = entries(page.get_data(as_text=True))
    assert [entry["heading"] for entry in shown] == ["Version 2 · Changed", "Version 1 · Created"]
    assert shown[0]["meta"].startswith("by ana on ") and shown[0]["meta"].endswith(
        "(UTC-03:00) through the pages")  # TIMEZONE: America/Sao_Paulo unless set
    assert shown[1]["meta"].startswith("by writer on ") and shown[1]["meta"].endswith("through API")
    assert sorted(shown[0]["changes"]) == ["City: Recife → not given",
                                           "Marital status: Single → Widowed"]
    assert sorted(shown[1]["changes"]) == ["City: not given → Recife",
                                           "Marital status: not given → Single"]


def test_the_timeline_pages_newest_first(viewer, api):
    customer = api.create(referenceId="R-0")
    for number in range(1, 31):
        api.send("PUT", f"/customers/{customer['id']}", {"referenceId": f"R-{number}"})
    first = viewer.get(f"/customers/{customer['id']}/timeline").get_data(as_text=True)
    shown = entries(first)
    assert len(shown) == 25 and shown[0]["heading"] == "Version 31 · Changed"
    assert shown[0]["changes"] == ["Reference ID: R-29 → R-30"]
    tree = lxml.html.fromstring(first)
    assert tree.xpath("//a[@rel='prev']") == []
    older = tree.xpath("//a[@rel='next']/@href")[0]
    assert older == f"/customers/{customer['id']}/timeline?_start=25"
    second = viewer.get(older).get_data(as_text=True)
    assert [entry["heading"] for entry in entries(second)][-1] == "Version 1 · Created"
    assert len(entries(second)) == 6
    assert lxml.html.fromstring(second).xpath("//a[@rel='next']") == []
    assert lxml.html.fromstring(second).xpath("//a[@rel='prev']/@href") == [
        f"/customers/{customer['id']}/timeline"]


@pytest.mark.parametrize("path, status", [("/customers/999/timeline", 404),
                                          ("/customers/abc/timeline", 404),
                                          ("/customers/1/timeline?_start=-1", 400),
                                          ("/customers/1/timeline?_start=x", 400)])
def test_bad_addresses_get_an_error_page(viewer, api, path, status):
    api.create(addressCity="Recife")
    page = viewer.get(path)
    assert page.status_code == status and page.mimetype == "text/html"


def test_a_stranger_is_sent_to_sign_in(client, api):
    customer = api.create(addressCity="Recife")
    page = client.get(f"/customers/{customer['id']}/timeline")
    assert page.status_code == 302 and "/login" in page.location



def test_a_trashed_record_keeps_its_timeline_without_restore_links(signed_in, api):
    customer = api.create(addressCity="Recife")
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    assert api.send("DELETE", f"/customers/{customer['id']}").status_code == 200
    html = signed_in.get(f"/customers/{customer['id']}/timeline").get_data(as_text=True)
    assert [entry["heading"] for entry in entries(html)] == [
        "Version 3 · Moved to the trash", "Version 2 · Changed", "Version 1 · Created"]
    tree = lxml.html.fromstring(html)
    assert "this customer is in the trash" in tree.findtext(".//p[@class='meta']")
    assert tree.xpath("//p[@class='back']/a/@href") == [f"/customers/{customer['id']}/view"]
    assert "Restore version" not in html


def test_erased_values_are_shown_as_erased(signed_in, api, app):
    from customers import service
    from customers.changes import Origin

    customer = api.create(addressCity="Recife", gender="female")
    with app.test_request_context():
        service.erase(customer["id"], Origin("dpo", "cli"))
    html = signed_in.get(f"/customers/{customer['id']}/timeline").get_data(as_text=True)
    shown = entries(html)
    assert [entry["heading"] for entry in shown] == ["Version 2 · Erased", "Version 1 · Created"]
    assert shown[0]["meta"].startswith("by dpo ") and shown[0]["meta"].endswith("command line")
    assert sorted(shown[1]["changes"]) == ["City: value erased", "Gender: value erased"]
    assert "Recife" not in html and "only its history" in html
