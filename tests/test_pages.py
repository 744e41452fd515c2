"""The HTML forms through Flask's test client: the schema's messages, saving, conflicts, delete."""
from __future__ import annotations

import re
from urllib.parse import quote

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from customers.accounts import create_user
from customers.pages.forms import ConfirmForm, CustomerForm, LoginForm
from customers.schemas import GENDERS, MARITAL_STATUSES, WRITABLE, max_length
from tests.client import FORMATS, decode_answer

PASSWORD = "correct horse battery staple"
BAD = {"dateOfBirth": "2023-02-30", "gender": "robot", "maritalStatus": "complicated",
       "addressCity": "x" * 256, "referenceId": "  kept  "}
# XML cannot even carry a NUL, so that case is sent as JSON and form only.
UNSTORABLE = {"addressStreet": "a\x00b"}


def make_person(app: Flask) -> str:
    """An admin who can sign in (the `person` fixture of the page tests)."""
    with app.app_context():
        create_user("ana", PASSWORD, "admin")
    return "ana"


def make_signed_in(client: FlaskClient, person: str) -> FlaskClient:
    """The test client with that person signed in (the `signed_in` fixture)."""
    assert sign_in(client, person).status_code == 302
    return client


person = pytest.fixture(make_person, name="person")
signed_in = pytest.fixture(make_signed_in, name="signed_in")


def csrf_of(html: str) -> str:
    """The CSRF token a page's form carries."""
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def sign_in(client: FlaskClient, name: str = "ana", password: str = PASSWORD,
            next_: str | None = None, address: str = "127.0.0.1") -> TestResponse:
    """Post the sign-in form as a browser would."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    path = "/login" + (f"?next={quote(next_, safe='')}" if next_ is not None else "")
    return client.post(path, data={"csrf_token": token, "name": name, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def form_of(client: FlaskClient, path: str) -> dict[str, str]:
    """What the page's main form would send untouched."""
    tree = lxml.html.fromstring(client.get(path).get_data(as_text=True))
    return dict(tree.xpath("//main//form[@method='post']")[0].form_values())


def submit(client: FlaskClient, path: str, fields: dict[str, str]) -> TestResponse:
    """Post a page's form with every field it shows, `fields` typed over them."""
    return client.post(path, data={**form_of(client, path), **fields})


def field_errors(html: str) -> dict[str, list[str]]:
    """The messages shown beside each field."""
    tree = lxml.html.fromstring(html)
    return {p.get("id").removesuffix("-error"): [p.text_content()]
            for p in tree.xpath("//p[@class='field-error']")}


def input_value(html: str, name: str) -> str | None:
    """What an input or select of the page holds."""
    return lxml.html.fromstring(html).xpath(f"//*[@name='{name}']")[0].value


def test_form_classes_have_no_validators(app):
    """The schema is the one rule book: forms only render and carry CSRF."""
    with app.test_request_context():
        for form_class in (CustomerForm, LoginForm, ConfirmForm):
            for field in form_class():
                if field.name != "csrf_token":
                    assert not field.validators, (form_class.__name__, field.name)
                    assert not getattr(field, "validate_choice", False), field.name


def test_edit_form_offers_every_field_by_its_api_name(signed_in, api):
    customer = api.create(addressCity="Recife", gender="female", dateOfBirth="1980-05-06")
    html = signed_in.get(f"/customers/{customer['id']}/edit").get_data(as_text=True)
    tree = lxml.html.fromstring(html)
    for name in WRITABLE:
        control = tree.xpath(f"//*[@name='{name}']")[0]
        assert tree.xpath(f"//label[@for='{control.get('id')}']"), name
    assert tree.xpath("//input[@name='dateOfBirth']")[0].get("type") == "date"
    city = tree.xpath("//input[@name='addressCity']")[0]
    assert city.get("maxlength") == str(max_length("addressCity"))
    assert tree.xpath("//select[@name='gender']/option/@value") == ["", *GENDERS]
    assert tree.xpath("//select[@name='maritalStatus']/option/@value") == ["", *MARITAL_STATUSES]
    assert [input_value(html, n) for n in ("addressCity", "gender", "dateOfBirth")] == [
        "Recife", "female", "1980-05-06"]
    assert input_value(html, "version") == "1"


@pytest.mark.parametrize("fmt", FORMATS)
def test_form_and_api_give_the_same_messages(signed_in, api, snapshot, fmt):
    customer = api.create(addressCity="Recife")
    before = snapshot()
    bad = BAD if fmt == "xml" else {**BAD, **UNSTORABLE}
    page = submit(signed_in, f"/customers/{customer['id']}/edit", bad)
    answer = api.send("PUT", f"/customers/{customer['id']}", bad, fmt=fmt)
    assert page.status_code == answer.status_code == 422
    assert field_errors(page.get_data(as_text=True)) == decode_answer(answer)["errors"]
    assert snapshot() == before


def test_invalid_edit_keeps_the_input_and_saves_nothing(signed_in, api, snapshot):
    customer = api.create(addressCity="Recife")
    before = snapshot()
    page = submit(signed_in, f"/customers/{customer['id']}/edit",
                  {"dateOfBirth": "2999-01-01", "addressCity": "Olinda", "gender": "male"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert field_errors(html) == {"dateOfBirth": ["Must not be in the future."]}
    assert [input_value(html, n) for n in ("dateOfBirth", "addressCity", "gender")] == [
        "2999-01-01", "Olinda", "male"]
    assert 'aria-describedby="dateOfBirth-error"' in html and "Nothing was saved" in html
    assert snapshot() == before


def test_invalid_create_saves_nothing(signed_in, snapshot):
    page = submit(signed_in, "/customers/new", {"gender": "robot", "addressCity": "Olinda"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert field_errors(html) == {"gender": ["Must be one of: male, female, other."]}
    assert input_value(html, "addressCity") == "Olinda"
    assert snapshot() == []


def test_edit_saves_as_the_person_signed_in(signed_in, api):
    customer = api.create(addressCity="Recife", maritalStatus="single")
    path = f"/customers/{customer['id']}/edit"
    saved = submit(signed_in, path, {"addressCity": " Olinda ", "maritalStatus": "married"})
    assert saved.status_code == 302 and saved.location == f"/customers/{customer['id']}/view"
    page = signed_in.get(saved.location).get_data(as_text=True)
    assert f"Customer {customer['id']} saved." in page
    assert "Last changed by <strong>ana</strong>" in page
    record = api.get(customer["id"])
    assert record == {**customer, "addressCity": "Olinda", "maritalStatus": "married",
                      "updated_by": "ana"}


def test_stale_save_shows_the_conflict_and_can_be_resolved(signed_in, api):
    customer = api.create(addressCity="Recife", gender="male")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Caruaru"})
    conflict = signed_in.post(path, data={**form, "addressCity": "Olinda"})
    html = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    tree = lxml.html.fromstring(html)
    radios = tree.xpath("//tr[@class='differs']//input[@type='radio']/@value")
    assert radios == ["Caruaru", "Olinda"]
    assert input_value(html, "version") == "2"
    assert api.get(customer["id"])["addressCity"] == "Caruaru"
    resolved = signed_in.post(path, data={**form, "addressCity": "Olinda", "version": "2"})
    assert resolved.status_code == 302
    assert api.get(customer["id"])["addressCity"] == "Olinda"


def test_create_then_delete_after_confirmation(signed_in, api):
    created = submit(signed_in, "/customers/new", {"addressCity": "Natal", "gender": "other"})
    assert created.status_code == 302
    customer_id = created.location.split("/")[2]
    record = api.get(customer_id)
    assert (record["addressCity"], record["created_by"], record["updated_by"]) == (
        "Natal", "ana", "ana")
    confirm = signed_in.get(f"/customers/{customer_id}/delete")
    assert confirm.status_code == 200 and "Natal" in confirm.get_data(as_text=True)
    assert api.get(customer_id)  # showing the confirmation deletes nothing
    deleted = submit(signed_in, f"/customers/{customer_id}/delete", {})
    assert deleted.status_code == 302 and deleted.location == "/customers/browse"
    listed = signed_in.get("/customers/browse").get_data(as_text=True)
    assert f"Customer {customer_id} deleted." in listed
    assert api.send("GET", f"/customers/{customer_id}").status_code == 404


def test_delete_of_a_changed_record_asks_again(signed_in, api):
    customer = api.create(addressCity="Recife")
    path = f"/customers/{customer['id']}/delete"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Caruaru"})
    again = signed_in.post(path, data=form)
    assert again.status_code == 409 and "Nothing was deleted" in again.get_data(as_text=True)
    assert input_value(again.get_data(as_text=True), "version") == "2"
    assert api.get(customer["id"])["addressCity"] == "Caruaru"
