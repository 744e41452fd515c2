"""Deleted customers through Flask's test client: the trash page, a trashed record's page,
restore (admins only, CSRF-checked)."""
from __future__ import annotations

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient

from customers.accounts import create_user
from tests.conftest import app_on
from tests.test_migrations import empty_database, postgres_database  # noqa: F401  (fixtures)
from tests.test_migrations import upgrade_with
from tests.test_pages import (PASSWORD, csrf_of, form_of, make_person, make_signed_in, sign_in,
                              submit)

person = pytest.fixture(make_person, name="person")
signed_in = pytest.fixture(make_signed_in, name="signed_in")


def client_as(app: Flask, name: str, role: str) -> FlaskClient:
    """Another browser, signed in as a new person with `role`."""
    with app.app_context():
        create_user(name, PASSWORD, role)
    client = app.test_client()
    assert sign_in(client, name).status_code == 302
    return client


def trash_rows(html: str) -> list[list[str]]:
    """The trash page's rows, as the text of their cells (the button's hidden words aside)."""
    tree = lxml.html.fromstring(html)
    for hidden in tree.xpath("//span[@class='visually-hidden']"):
        hidden.drop_tree()
    return [[" ".join(td.text_content().split()) for td in tr.xpath("td")]
            for tr in tree.xpath("//table/tbody/tr")]


def deleted(signed_in: FlaskClient, api, **fields: str) -> dict:
    """A record made by the API and deleted through the pages (by `ana`)."""
    customer = api.create(**fields)
    assert submit(signed_in, f"/customers/{customer['id']}/delete", {}).status_code == 302
    return customer


def test_the_trash_lists_deleted_customers_and_restores_one(signed_in, api):
    kept = api.create(referenceId="R-1", addressCity="Recife")
    gone = deleted(signed_in, api, referenceId="R-2", addressCity="Olinda")
    listed = signed_in.get("/customers/browse").get_data(as_text=True)
    assert lxml.html.fromstring(listed).xpath("//a[text()='Deleted customers']/@href") == [
        "/customers/browse/trash"]
    page = signed_in.get("/customers/browse/trash")
    rows = trash_rows(page.get_data(as_text=True))
    assert [row[:3] + row[4:] for row in rows] == [[f"#{gone['id']}", "R-2", "Olinda", "ana",
                                                    "Restore"]]
    assert rows[0][3].endswith(" (UTC-03:00)")  # TIMEZONE: America/Sao_Paulo unless set
    form = dict(lxml.html.fromstring(page.get_data(as_text=True)).xpath("//tbody//form")[0]
                .form_values())
    restored = signed_in.post(f"/customers/browse/trash/{gone['id']}/restore", data=form)
    assert restored.status_code == 302 and restored.location == f"/customers/{gone['id']}/view"
    assert "restored from the trash" in signed_in.get(restored.location).get_data(as_text=True)
    record = api.get(gone["id"])
    assert (record["addressCity"], record["updated_by"]) == ("Olinda", "ana")
    newest = api.send("GET", f"/customers/{gone['id']}/history").get_json()[0]
    assert (newest["action"], newest["by"], newest["via"]) == ("restore", "ana", "page")
    assert trash_rows(signed_in.get("/customers/browse/trash").get_data(as_text=True)) == []
    assert api.get(kept["id"])["addressCity"] == "Recife"


def test_a_trashed_record_page_says_so_and_offers_restore_to_admins(signed_in, api, app):
    gone = deleted(signed_in, api, addressCity="Olinda")
    path = f"/customers/{gone['id']}/view"
    page = signed_in.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "This customer is in the trash" in html
    tree = lxml.html.fromstring(html)
    assert tree.xpath("//form/button/text()")[-1] == "Restore this customer"
    assert tree.xpath("//a[text()='History']")
    assert not tree.xpath("//a[text()='Edit']") and not tree.xpath("//a[text()='Delete']")
    editor = client_as(app, "eva", "editor")
    html = editor.get(path).get_data(as_text=True)
    assert "This customer is in the trash" in html and "Restore this customer" not in html
    assert signed_in.get("/customers/999/view").status_code == 404


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_admins_see_the_trash_and_restore(signed_in, api, app, snapshot, role):
    gone = deleted(signed_in, api, addressCity="Olinda")
    other = client_as(app, "vic", role)
    assert other.get("/customers/browse/trash").status_code == 403
    listed = other.get("/customers/browse").get_data(as_text=True)
    assert "Deleted customers" not in listed
    before = snapshot()
    token = csrf_of(other.get("/account/password").get_data(as_text=True))
    refused = other.post(f"/customers/browse/trash/{gone['id']}/restore",
                         data={"csrf_token": token})
    assert refused.status_code == 403 and "needs the role admin" in refused.get_data(as_text=True)
    assert snapshot() == before


def test_a_forged_restore_without_csrf_is_refused(signed_in, api, snapshot):
    gone = deleted(signed_in, api, addressCity="Olinda")
    before = snapshot()
    forged = signed_in.post(f"/customers/browse/trash/{gone['id']}/restore", data={})
    assert forged.status_code == 400
    assert snapshot() == before


def test_restoring_a_live_record_is_refused(signed_in, api, snapshot):
    customer = api.create(addressCity="Recife")
    token = csrf_of(signed_in.get("/account/password").get_data(as_text=True))
    before = snapshot()
    refused = signed_in.post(f"/customers/browse/trash/{customer['id']}/restore",
                             data={"csrf_token": token})
    assert refused.status_code == 409 and "not in the trash" in refused.get_data(as_text=True)
    assert snapshot() == before


def test_the_trash_pages(signed_in, api, app):
    app.config["CUSTOMERS_PAGE_SIZE"] = 2
    for number in range(3):
        deleted(signed_in, api, referenceId=f"R-{number}")
    first = signed_in.get("/customers/browse/trash").get_data(as_text=True)
    assert len(trash_rows(first)) == 2
    older = lxml.html.fromstring(first).xpath("//a[@rel='next']/@href")
    assert older == ["/customers/browse/trash?_start=2"]
    second = signed_in.get(older[0]).get_data(as_text=True)
    assert len(trash_rows(second)) == 1
    assert signed_in.get("/customers/browse/trash?_start=x").status_code == 400


def flashes(html: str) -> list[str]:
    """The page's flash messages."""
    return [" ".join(p.text_content().split())
            for p in lxml.html.fromstring(html).xpath("//p[contains(@class, 'flash')]")]


@pytest.mark.parametrize("page", ["edit", "delete"])
def test_a_trashed_record_s_edit_and_delete_pages_lead_to_its_page(signed_in, api, page):
    gone = deleted(signed_in, api, referenceId="R-9")
    signed_in.get("/customers/browse")  # which shows the deletion's own flash
    answer = signed_in.get(f"/customers/{gone['id']}/{page}")
    assert answer.status_code == 303 and answer.location == f"/customers/{gone['id']}/view"
    html = signed_in.get(answer.location).get_data(as_text=True)
    assert flashes(html) == [f"Customer {gone['id']} is in the trash; it can be changed again "
                             "once an admin restores it."]
    assert "This customer is in the trash" in html and "Restore" in html


@pytest.mark.parametrize("page, fields", [("edit", {"addressCity": "Caruaru"}),
                                          ("edit", {"dateOfBirth": "not a date"}),
                                          ("delete", {})])
def test_a_record_trashed_while_its_page_was_open_changes_nothing(signed_in, api, snapshot,
                                                                  page, fields):
    customer = api.create(referenceId="R-7", addressCity="Recife")
    opened = form_of(signed_in, f"/customers/{customer['id']}/{page}")
    assert api.send("DELETE", f"/customers/{customer['id']}").status_code == 200
    before = snapshot()
    answer = signed_in.post(f"/customers/{customer['id']}/{page}", data={**opened, **fields},
                            headers={"Accept-Language": "pt-BR"})
    assert answer.status_code == 303 and answer.location == f"/customers/{customer['id']}/view"
    assert snapshot() == before
    html = signed_in.get(answer.location).get_data(as_text=True)
    assert flashes(html) == [f"O cliente {customer['id']} foi movido para a lixeira nesse meio-tempo; "
                             "suas alterações não foram salvas. Um admin pode restaurá-lo em Clientes "
                             "excluídos."]


@pytest.mark.parametrize("page", ["edit", "delete"])
def test_a_record_that_never_was_is_still_a_404_page(signed_in, page):
    assert signed_in.get(f"/customers/999999/{page}").status_code == 404


def test_restoring_a_version_of_a_trashed_record_leads_to_its_page(signed_in, api, snapshot):
    customer = api.create(addressCity="Recife")
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    path = f"/customers/{customer['id']}/timeline/1/restore"
    opened = form_of(signed_in, path)
    assert api.send("DELETE", f"/customers/{customer['id']}").status_code == 200
    assert signed_in.get(path).location == f"/customers/{customer['id']}/view"
    before = snapshot()
    answer = signed_in.post(path, data=opened)
    assert answer.status_code == 303 and answer.location == f"/customers/{customer['id']}/view"
    assert snapshot() == before
    assert signed_in.get(f"/customers/{customer['id']}/timeline/9/restore").status_code == 303
    api.send("POST", f"/customers/{customer['id']}/restore")
    assert signed_in.get(f"/customers/{customer['id']}/timeline/9/restore").status_code == 404


def test_upgrading_from_0009_lists_the_trash_there_newest_first(empty_database):
    with app_on(empty_database) as app:
        with app.app_context():
            upgrade_with(
                "0009",
                "INSERT INTO customers (reference_id, published_at, updated_at, version, deleted_at,"
                " deleted_by) VALUES ('R-1', '2026-01-02', '2026-01-02', 2, '2026-03-01', 'ana'),"
                " ('R-2', '2026-01-02', '2026-01-02', 2, '2026-03-05', 'rui'),"
                " ('R-3', '2026-01-02', '2026-01-02', 1, NULL, NULL),"
                " ('R-4', '2026-01-02', '2026-01-02', 2, '2026-03-05', 'ana')")
            create_user("ana", PASSWORD, "admin")
        client = app.test_client()
        assert sign_in(client, "ana").status_code == 302
        rows = trash_rows(client.get("/customers/browse/trash").get_data(as_text=True))
        assert [row[:2] for row in rows] == [["#4", "R-4"], ["#2", "R-2"], ["#1", "R-1"]]
