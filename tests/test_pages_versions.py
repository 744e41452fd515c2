"""Restoring an earlier version from the timeline, through Flask's test client: the
confirmation shows what changes, the POST reverts (editors may), stale and forged posts
change nothing."""
from __future__ import annotations

import lxml.html
import pytest

from tests.test_pages import form_of, make_person, make_signed_in
from tests.test_pages_trash import client_as

person = pytest.fixture(make_person, name="person")
signed_in = pytest.fixture(make_signed_in, name="signed_in")


def compared(html: str) -> list[list[str]]:
    """The confirmation's table: field, now, at that version."""
    tree = lxml.html.fromstring(html)
    return [[" ".join(cell.text_content().split()) for cell in tr.xpath("th|td")]
            for tr in tree.xpath("//table[@class='compare']/tbody/tr")]


@pytest.fixture
def changed_twice(api) -> dict:
    """A record at version 3: Recife and single, then Olinda, then married."""
    customer = api.create(addressCity="Recife", maritalStatus="single")
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    api.send("PUT", f"/customers/{customer['id']}", {"maritalStatus": "married"})
    return customer


def test_an_editor_restores_a_version_after_seeing_what_changes(app, api, changed_twice, snapshot):
    editor = client_as(app, "eva", "editor")
    customer_id = changed_twice["id"]
    timeline = editor.get(f"/customers/{customer_id}/timeline").get_data(as_text=True)
    links = lxml.html.fromstring(timeline).xpath("//a[starts-with(text(), 'Restore version')]/@href")
    # Every version but the newest, which is the record as it is.
    assert links == [f"/customers/{customer_id}/timeline/{n}/restore" for n in (2, 1)]
    before = snapshot()
    page = editor.get(links[1])
    assert page.status_code == 200
    assert compared(page.get_data(as_text=True)) == [["City", "Olinda", "Recife"],
                                                     ["Marital status", "Married", "Single"]]
    assert snapshot() == before  # showing the confirmation restores nothing
    restored = editor.post(links[1], data=form_of(editor, links[1]))
    assert restored.status_code == 302 and restored.location == f"/customers/{customer_id}/view"
    assert "as it was at version 1 again (now version 4)" in editor.get(
        restored.location).get_data(as_text=True)
    record = api.get(customer_id)
    assert (record["addressCity"], record["maritalStatus"], record["updated_by"]) == (
        "Recife", "single", "eva")
    newest = api.send("GET", f"/customers/{customer_id}/history").get_json()[0]
    assert (newest["version"], newest["action"], newest["via"]) == (4, "revert", "page")


def test_a_viewer_sees_no_restore_and_is_refused_it(app, api, changed_twice, signed_in, snapshot):
    customer_id = changed_twice["id"]
    path = f"/customers/{customer_id}/timeline/1/restore"
    form = form_of(signed_in, path)  # the admin's form, posted by the viewer with their token
    viewer = client_as(app, "vic", "viewer")
    timeline = viewer.get(f"/customers/{customer_id}/timeline").get_data(as_text=True)
    assert "Restore version" not in timeline
    assert viewer.get(path).status_code == 403
    token = lxml.html.fromstring(viewer.get("/account/password").get_data(as_text=True)).xpath(
        "//input[@name='csrf_token']/@value")[0]
    before = snapshot()
    assert viewer.post(path, data={**form, "csrf_token": token}).status_code == 403
    assert snapshot() == before


def test_a_forged_post_without_csrf_is_refused(signed_in, changed_twice, snapshot):
    path = f"/customers/{changed_twice['id']}/timeline/1/restore"
    form = form_of(signed_in, path)
    before = snapshot()
    assert signed_in.post(path, data={"version": form["version"]}).status_code == 400
    assert snapshot() == before


def test_a_record_changed_since_the_confirmation_asks_again(signed_in, api, changed_twice,
                                                            snapshot):
    customer_id = changed_twice["id"]
    path = f"/customers/{customer_id}/timeline/1/restore"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer_id}", {"addressState": "PE"})
    before = snapshot()
    again = signed_in.post(path, data=form)
    html = again.get_data(as_text=True)
    assert again.status_code == 409 and "Nothing was restored" in html
    assert ["State", "PE", "not given"] in compared(html)
    assert snapshot() == before
    assert signed_in.post(path, data=form_of(signed_in, path)).status_code == 302
    assert api.get(customer_id)["addressState"] is None


@pytest.mark.parametrize("version", ["9", "x", "0", "1234567890"])
def test_a_version_that_never_was_is_404(signed_in, changed_twice, version, snapshot):
    before = snapshot()
    assert signed_in.get(f"/customers/{changed_twice['id']}/timeline/{version}/restore"
                         ).status_code == 404
    assert snapshot() == before
