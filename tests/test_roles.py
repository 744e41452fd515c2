"""Roles: viewers read, editors also create and edit, admins also delete. A refusal is a 403
page (never a silent redirect), for a link followed and for a forged POST alike."""
from __future__ import annotations

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient

from customers.accounts import create_user, existing_user, set_role
from tests.test_pages import PASSWORD, csrf_of, sign_in, submit


def person_with(app: Flask, role: str) -> FlaskClient:
    """A browser signed in as a new person of that role."""
    with app.app_context():
        create_user(role, PASSWORD, role)
    client = app.test_client()
    assert sign_in(client, role).status_code == 302
    return client


def controls(client: FlaskClient, path: str) -> set[str]:
    """The texts of the page's links and buttons inside <main> and the navigation."""
    tree = lxml.html.fromstring(client.get(path).get_data(as_text=True))
    return {" ".join(e.text_content().split()) for e in tree.xpath("//main//a | //main//button | //nav//a")}


def assert_refused_page(answer, role: str) -> None:
    """A 403 page naming the role, not a redirect."""
    assert answer.status_code == 403 and answer.mimetype == "text/html"
    html = answer.get_data(as_text=True)
    assert "Error 403" in html and f"Signed in as {role}" in html


def test_a_viewer_sees_no_edit_controls(app, api):
    record = api.create(addressCity="Recife")
    viewer = person_with(app, "viewer")
    for path in ("/customers/browse", f"/customers/{record['id']}/view"):
        shown = controls(viewer, path)
        assert not shown & {"New customer", "Edit", "Delete"}, (path, shown)
    assert "Recife" in viewer.get("/customers/browse").get_data(as_text=True)


@pytest.mark.parametrize("role, hidden", [("editor", {"Delete"}), ("admin", set())])
def test_editors_see_edit_controls_and_only_admins_delete(app, api, role, hidden):
    record = api.create(addressCity="Recife")
    client = person_with(app, role)
    shown = controls(client, f"/customers/{record['id']}/view")
    assert {"New customer", "Edit", "Delete"} - hidden <= shown and not shown & hidden


@pytest.mark.parametrize("path, needs", [("/customers/new", "editor"), ("/customers/{id}/edit", "editor"),
                                         ("/customers/{id}/delete", "admin")])
def test_a_viewer_gets_a_403_page_on_edit_urls_and_forged_posts(app, api, snapshot, path, needs):
    record = api.create(addressCity="Recife")
    viewer = person_with(app, "viewer")
    path = path.format(id=record["id"])
    before = snapshot()
    assert_refused_page(viewer.get(path), "viewer")
    token = csrf_of(viewer.get("/account/password").get_data(as_text=True))
    forged = viewer.post(path, data={"csrf_token": token, "addressCity": "Olinda", "version": "1"})
    assert_refused_page(forged, "viewer")
    assert f"needs the role {needs}" in forged.get_data(as_text=True)
    assert snapshot() == before


def test_an_editor_creates_and_edits_but_may_not_delete(app, api, snapshot):
    editor = person_with(app, "editor")
    created = submit(editor, "/customers/new", {"addressCity": "Recife"})
    assert created.status_code == 302
    record_id = created.location.split("/")[-2]
    assert submit(editor, f"/customers/{record_id}/edit", {"addressCity": "Olinda"}).status_code == 302
    record = api.get(record_id)
    assert (record["created_by"], record["updated_by"], record["addressCity"]) == (
        "editor", "editor", "Olinda")
    before = snapshot()
    token = csrf_of(editor.get(f"/customers/{record_id}/edit").get_data(as_text=True))
    refused = editor.post(f"/customers/{record_id}/delete", data={"csrf_token": token, "version": "2"})
    assert_refused_page(refused, "editor")
    assert snapshot() == before


def test_an_admin_deletes(app, api):
    record = api.create(addressCity="Recife")
    admin = person_with(app, "admin")
    assert submit(admin, f"/customers/{record['id']}/delete", {}).status_code == 302
    assert api.send("GET", f"/customers/{record['id']}").status_code == 404


def test_a_new_role_holds_from_the_next_request(app, api):
    record = api.create()
    client = person_with(app, "editor")
    assert client.get(f"/customers/{record['id']}/edit").status_code == 200
    with app.app_context():
        set_role(existing_user("editor"), "viewer")
    assert_refused_page(client.get(f"/customers/{record['id']}/edit"), "viewer")
    assert client.get(f"/customers/{record['id']}/view").status_code == 200


def test_a_stranger_on_an_edit_url_is_still_sent_to_sign_in(client, api):
    record = api.create()
    answer = client.get(f"/customers/{record['id']}/edit")
    assert answer.status_code == 302 and answer.location.startswith("/login?next=")
