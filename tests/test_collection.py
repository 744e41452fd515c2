"""Create, read and delete: the rest of the collection, with the reference system's conventions."""
from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from customers.negotiation import JSON_ACCEPTS, OFFERED
from customers.responses import respond
from tests.client import FORMATS, decode_answer


@pytest.mark.parametrize("fmt", FORMATS)
def test_create_is_201_with_location_and_the_record(api, fmt):
    response = api.send("POST", "/customers", {"referenceId": "R1", "gender": "female"}, fmt=fmt)
    assert response.status_code == 201
    record = response.get_json()
    assert response.headers["Location"] == f"http://localhost/customers/{record['id']}"
    assert response.headers["Content-Location"] == response.headers["Location"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["published_at"])
    assert record["created_by"] == record["updated_by"] == "writer"
    assert api.get(record["id"]) == record


def test_create_with_empty_object_makes_an_empty_record(api):
    record = api.create()
    assert {k for k, v in record.items() if v is not None} == {"id", "published_at", "created_by", "updated_by"}


def test_ids_are_strings_and_never_reused(api):
    first = api.create()
    assert api.send("DELETE", f"/customers/{first['id']}").status_code == 200
    second = api.create()
    assert isinstance(second["id"], str) and int(second["id"]) > int(first["id"])


def test_delete_returns_the_deleted_record_then_404(api):
    kept = api.create(referenceId="keep")
    gone = api.create(referenceId="gone")
    response = api.send("DELETE", f"/customers/{gone['id']}")
    assert response.status_code == 200 and response.get_json() == gone
    assert response.headers["ETag"] == f'"c{gone["id"]}v2"'  # the delete is a version
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        answer = api.send(method, f"/customers/{gone['id']}", {} if method in ("PUT", "PATCH") else None)
        assert answer.status_code == 404, method
        assert "in the trash" in answer.get_json()["message"]
        assert f"POST /customers/{gone['id']}/restore" in answer.get_json()["message"]
    assert [r["id"] for r in api.send("GET", "/customers").get_json()] == [kept["id"]]
    assert api.send("GET", "/customers/count").get_json() == 1


def test_get_in_xml(api):
    record = api.create(addressCity="Recife", dateOfBirth="1970-01-01")
    response = api.send("GET", f"/customers/{record['id']}", accept="application/xml")
    assert response.mimetype == "application/xml"
    assert decode_answer(response) == record


def test_text_xml_accept_gets_text_xml(api):
    record = api.create()
    response = api.send("GET", f"/customers/{record['id']}", accept="text/xml")
    assert response.mimetype == "text/xml" and b"<item>" in response.data


def test_browser_accept_header_gets_xml_it_prefers(api):
    record = api.create()
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert api.send("GET", f"/customers/{record['id']}", accept=accept).mimetype == "application/xml"
    assert api.send("GET", f"/customers/{record['id']}", accept="*/*").mimetype == "application/json"


def test_responses_vary_on_accept(api):
    record = api.create()
    assert "Accept" in api.send("GET", f"/customers/{record['id']}").headers["Vary"]


@pytest.mark.parametrize("accept", sorted(JSON_ACCEPTS - {""}) + ["APPLICATION/JSON", " */* "])
def test_accept_values_read_without_parsing_agree_with_the_parser(api, accept):
    """negotiate() answers these without parsing Accept; the parser must agree."""
    assert MIMEAccept(parse_accept_header(accept)).best_match(OFFERED) == "application/json"
    assert api.send("GET", "/customers/count", accept=accept).mimetype == "application/json"


def test_an_answer_that_already_varies_also_varies_by_accept(app):
    with app.test_request_context("/customers/count", headers={"Accept": "application/xml"}):
        assert respond(3, headers={"Vary": "Origin"}).headers["Vary"] == "Origin, Accept"


def test_api_answers_neither_set_nor_vary_by_the_cookie_session(api, client):
    """An API answer does not depend on cookies, even when the client sends one."""
    record = api.create()
    client.set_cookie("session", "eyJfZnJlc2giOmZhbHNlfQ.not-a-valid-signature")
    for method in ("GET", "PUT"):
        fields = None if method == "GET" else {"addressCity": "Olinda"}
        response = api.send(method, f"/customers/{record['id']}", fields)
        assert response.status_code == 200
        assert "Cookie" not in response.headers.get("Vary", "")
        assert "Set-Cookie" not in response.headers


def test_head_is_answered_like_get_without_a_body(api):
    record = api.create()
    response = api.send("HEAD", f"/customers/{record['id']}")
    assert response.status_code == 200 and response.data == b"" and response.headers["ETag"]


def test_published_at_is_written_in_utc_whatever_zone_the_value_carries():
    from datetime import datetime, timedelta, timezone

    from customers.schemas import customer_schema

    naive = datetime(2024, 5, 6, 7, 8, 9, 123456)
    recife = datetime(2024, 5, 6, 4, 8, 9, tzinfo=timezone(timedelta(hours=-3)))
    assert customer_schema.dump({"published_at": naive})["published_at"] == "2024-05-06T07:08:09Z"
    assert customer_schema.dump({"published_at": recife})["published_at"] == "2024-05-06T07:08:09Z"
