"""PUT /customers/{id} as the reference page documents it, in every body format."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.client import ACCEPTS, FORMATS, decode_answer

# The reference page's request example.
EXAMPLE = {
    "uuid": "string", "referenceId": "string", "dateOfBirth": "2019-08-24",
    "addressStreet": "string", "addressNeighborhood": "string", "addressCity": "string",
    "addressState": "string", "addressCountry": "string", "gender": "male", "maritalStatus": "single",
}
RECORD_FIELDS = ["id", *EXAMPLE, "published_at", "created_by", "updated_by"]


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_put_example_in_each_format(api, fmt, accept):
    created = api.create(addressCity="Recife")
    response = api.send("PUT", f"/customers/{created['id']}", EXAMPLE, fmt=fmt, accept=accept)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == accept
    record = decode_answer(response)
    assert list(record) == RECORD_FIELDS
    assert {k: record[k] for k in EXAMPLE} == EXAMPLE
    assert record["id"] == created["id"] and isinstance(record["id"], str)
    assert record["published_at"] == created["published_at"]
    assert record["published_at"].endswith("Z")
    assert record["updated_by"] == "writer"
    assert api.get(created["id"]) == {**created, **EXAMPLE}


def test_json_text_under_form_content_type_works_like_json(api):
    """The reference page's snippets label a JSON text as form data."""
    created = api.create()
    body = '{"addressCity":"Olinda","gender":"female"}'
    response = api.client.put(f"/customers/{created['id']}", data=body, headers=api.headers(
        **{"Content-Type": "application/x-www-form-urlencoded"}))
    assert response.status_code == 200
    assert response.get_json()["addressCity"] == "Olinda"


@pytest.mark.parametrize("fmt", FORMATS)
def test_fields_not_sent_stay(api, fmt):
    created = api.create(addressCity="Recife", gender="male")
    response = api.send("PUT", f"/customers/{created['id']}", {"addressState": "PE"}, fmt=fmt)
    assert response.status_code == 200
    assert response.get_json() == {**created, "addressState": "PE"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_null_empty_element_and_empty_value_clear(api, fmt):
    created = api.create(addressCity="Recife", dateOfBirth="1980-01-02", gender="male")
    cleared = {"addressCity": None, "dateOfBirth": None, "gender": None}
    response = api.send("PUT", f"/customers/{created['id']}", cleared, fmt=fmt)
    assert response.status_code == 200
    assert {k: response.get_json()[k] for k in cleared} == cleared


def test_get_edit_put_round_trip_ignores_read_only_fields(api):
    created = api.create(addressCity="Recife")
    record = api.get(created["id"])
    record["addressCity"] = "Natal"
    record["published_at"] = "1999-01-01T00:00:00Z"
    response = api.send("PUT", f"/customers/{created['id']}", record)
    assert response.status_code == 200
    assert response.get_json()["addressCity"] == "Natal"
    assert response.get_json()["published_at"] == created["published_at"]


@pytest.mark.parametrize("fmt", ["xml", "form"])
def test_round_trip_in_xml_and_form(api, fmt):
    created = api.create(addressCity="Recife", gender="other")
    record = decode_answer(api.send("GET", f"/customers/{created['id']}", accept="application/xml"))
    record["addressStreet"] = "Rua Nova"
    response = api.send("PUT", f"/customers/{created['id']}", record, fmt=fmt)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {**created, "addressStreet": "Rua Nova"}


def test_text_is_trimmed_and_unicode_kept(api):
    created = api.create()
    response = api.send("PUT", f"/customers/{created['id']}", {"addressCity": "  São Paulo ✓ 𝄞 "}, fmt="xml")
    assert response.get_json()["addressCity"] == "São Paulo ✓ 𝄞"


@pytest.mark.parametrize("charset,encoding", [("iso-8859-1", "latin-1"), ("utf-16", "utf-16")])
def test_declared_charset_is_honoured(api, charset, encoding):
    created = api.create()
    body = '{"addressCity": "Florianópolis"}'.encode(encoding)
    response = api.client.put(f"/customers/{created['id']}", data=body, headers=api.headers(
        **{"Content-Type": f"application/json; charset={charset}"}))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["addressCity"] == "Florianópolis"


def test_form_values_in_latin1(api):
    created = api.create()
    response = api.client.put(f"/customers/{created['id']}", data=b"addressCity=Bel%E9m", headers=api.headers(
        **{"Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"}))
    assert response.get_json()["addressCity"] == "Belém"


def test_patch_merges_like_put_and_takes_merge_patch(api):
    created = api.create(addressCity="Recife", gender="male")
    response = api.send("PATCH", f"/customers/{created['id']}", {"gender": None},
                        **{"Content-Type": "application/merge-patch+json"})
    assert response.status_code == 200
    assert response.get_json() == {**created, "gender": None}


def test_updated_by_names_the_token_owner(api, app):
    from tests.conftest import new_token

    created = api.create()
    api.token = new_token(app, "carol", "write")
    assert api.send("PUT", f"/customers/{created['id']}", {"uuid": "x"}).get_json()["updated_by"] == "carol"
    assert api.get(created["id"])["created_by"] == "writer"


def test_put_response_names_its_content_location(api):
    created = api.create()
    response = api.send("PUT", f"/customers/{created['id']}", {"uuid": "x"})
    assert response.headers["Content-Location"].endswith(f"/customers/{created['id']}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_answer_to_a_put_is_the_record_as_stored(api, fmt):
    created = api.create(addressCity="Recife", gender="male", dateOfBirth="1984-03-17")
    sent = {"addressCity": "  São José  ", "gender": None, "dateOfBirth": "1990-12-31",
            "referenceId": "R-ü"}
    response = api.send("PUT", f"/customers/{created['id']}", sent, fmt=fmt)
    assert response.status_code == 200 and response.headers["ETag"] == f'"c{created["id"]}v2"'
    stored = api.send("GET", f"/customers/{created['id']}")
    assert decode_answer(response) == stored.get_json() and stored.get_json()["addressCity"] == "São José"
    assert stored.headers["ETag"] == response.headers["ETag"]


def test_the_record_the_service_returns_is_the_row_it_left(app, api, monkeypatch):
    from customers import service
    from customers.changes import Origin

    created = api.create(addressCity="Recife", gender="male", dateOfBirth="1984-03-17")
    later = datetime(2030, 1, 2, 3, 4, 5)  # not the second the record was created in
    monkeypatch.setattr(service, "utcnow", lambda: later)
    with app.app_context():
        returned = service.update(created["id"], {"addressCity": "Olinda", "gender": None,
                                                  "dateOfBirth": date(1990, 12, 31)},
                                  Origin("ana", "api"))
        assert returned == service.get(created["id"]) and returned.version == 2
        assert returned.updated_by == "ana" and returned.updated_at == later
