"""The field rules of the contract, identical in JSON, XML and form bodies."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.client import FORMATS

TOO_LONG = "x" * 256
INVALID = {
    "dateOfBirth": ("2019-02-30", ["Not a valid date."]),
    "gender": ("Male", ["Must be one of: male, female, other."]),
    "maritalStatus": ("engaged", ["Must be one of: single, married, divorced, widowed, separated, stable_union."]),
    "addressCity": (TOO_LONG, ["Longer than maximum length 255."]),
    "uuid": ("u" * 300, ["Longer than maximum length 255."]),
}


def put_errors(api, customer_id: str, fields: dict, fmt: str) -> dict:
    """The 422 errors of a PUT (and that it was a 422)."""
    response = api.send("PUT", f"/customers/{customer_id}", fields, fmt=fmt)
    assert response.status_code == 422, response.get_data(as_text=True)
    return response.get_json()["errors"]


def test_same_invalid_document_gives_identical_errors_in_each_format(api, snapshot):
    created = api.create(addressCity="Recife")
    before = snapshot()
    document = {name: value for name, (value, _) in INVALID.items()} | {"colour": "blue"}
    expected = {name: messages for name, (_, messages) in INVALID.items()} | {"colour": ["Unknown field."]}
    answers = {fmt: put_errors(api, created["id"], document, fmt) for fmt in FORMATS}
    assert answers == {fmt: expected for fmt in FORMATS}
    assert snapshot() == before


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("value,message", [
    ("1899-12-31", "Must be on or after 1900-01-01."),
    ((date.today() + timedelta(days=2)).isoformat(), "Must not be in the future."),
    ("2019-8-24", "Not a valid date."),
    ("24/08/2019", "Not a valid date."),
    ("2019-08-24T10:00:00", "Not a valid date."),
])
def test_date_of_birth_rules(api, fmt, value, message):
    created = api.create()
    assert put_errors(api, created["id"], {"dateOfBirth": value}, fmt) == {"dateOfBirth": [message]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_boundary_values_are_accepted(api, fmt):
    created = api.create()
    fields = {"dateOfBirth": "1900-01-01", "addressStreet": "y" * 255, "maritalStatus": "stable_union"}
    response = api.send("PUT", f"/customers/{created['id']}", fields, fmt=fmt)
    assert response.status_code == 200
    assert {k: response.get_json()[k] for k in fields} == fields


def test_today_is_a_valid_birth_date(api):
    created = api.create()
    response = api.send("PUT", f"/customers/{created['id']}", {"dateOfBirth": date.today().isoformat()})
    assert response.status_code == 200


UNSTORABLE_MESSAGE = ["Contains characters that cannot be stored (control characters or lone surrogates)."]


# A form body cannot carry a lone surrogate (its UTF-8 is invalid, a 400), so JSON alone tries it.
@pytest.mark.parametrize("fmt,value", [
    *((fmt, value) for fmt in ("json", "form") for value in ("a\x00b", "a\x01b", "\uffff", "esc\x1b")),
    ("json", "\ud800"),
])
def test_text_no_database_stores_is_422(api, snapshot, fmt, value):
    created = api.create()
    before = snapshot()
    errors = put_errors(api, created["id"], {"addressCity": value, "referenceId": value}, fmt)
    assert errors == {"addressCity": UNSTORABLE_MESSAGE, "referenceId": UNSTORABLE_MESSAGE}
    assert snapshot() == before


@pytest.mark.parametrize("value", [5, 1.5, True, ["a"], {"a": 1}])
def test_json_values_of_the_wrong_type_are_422(api, value):
    created = api.create()
    errors = put_errors(api, created["id"], {"addressCity": value, "dateOfBirth": value}, "json")
    assert errors == {"addressCity": ["Not a valid string."], "dateOfBirth": ["Not a valid date."]}


def test_create_runs_the_same_rules(api, snapshot):
    before = snapshot()
    response = api.send("POST", "/customers", {"gender": "robot", "id": "77"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"gender": ["Must be one of: male, female, other."]}
    assert snapshot() == before


def test_whitespace_only_text_clears_the_field(api):
    created = api.create(addressCity="Recife")
    response = api.send("PUT", f"/customers/{created['id']}", {"addressCity": "   "})
    assert response.get_json()["addressCity"] is None
