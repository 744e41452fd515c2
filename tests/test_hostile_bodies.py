"""Malformed and malicious bodies: a clear 4xx in the error shape, and the data untouched."""
from __future__ import annotations

import io
import json

import pytest
from flask import request

from customers.bodies import media_type
from tests.hostile import assert_refused

JSON, XML, FORM = "application/json", "application/xml", "application/x-www-form-urlencoded"
LAUGHS = b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
BOMB = (b'<?xml version="1.0"?><!DOCTYPE item [<!ENTITY l0 "lol">' + LAUGHS
        + b"]><item><uuid>&l9;</uuid></item>")
BLOWUP = (b'<!DOCTYPE item [<!ENTITY a "' + b"x" * 50_000 + b'">]><item><uuid>'
          + b"&a;" * 10_000 + b"</uuid></item>")
DEEP_XML = b"<item><uuid>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</uuid></item>"

# (name, content type, body, status, words the answer must say)
BODIES = [
    # XML: no DTD, no entity of any kind, nothing fetched, depth bounded.
    ("xml-external-entity-file", XML, b'<!DOCTYPE item [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
     b"<item><uuid>&e;</uuid></item>", 400, "DOCTYPE"),
    ("xml-external-entity-network", XML,
     b'<!DOCTYPE item [<!ENTITY e SYSTEM "http://127.0.0.1:9/">]><item><uuid>&e;</uuid></item>',
     400, "DOCTYPE"),
    ("xml-parameter-entity", XML, b'<!DOCTYPE item [<!ENTITY % p SYSTEM "file:///dev/zero"> %p;]>'
     b"<item/>", 400, "DOCTYPE"),
    ("xml-external-dtd", XML, b'<!DOCTYPE item SYSTEM "file:///dev/stdin"><item/>', 400, "DOCTYPE"),
    ("xml-billion-laughs", XML, BOMB, 400, "entity"),
    ("xml-quadratic-blowup", XML, BLOWUP, 400, "entity"),
    ("xml-deep-nesting", XML, DEEP_XML, 400, "depth"),
    ("xml-xinclude", XML, b'<item xmlns:xi="http://www.w3.org/2001/XInclude"><uuid>'
     b'<xi:include href="/etc/passwd" parse="text"/></uuid></item>', 400, "text only"),
    ("xml-nul-reference", XML, b"<item><uuid>&#0;</uuid></item>", 400, "line 1"),
    ("xml-not-well-formed", XML, b"<item><uuid>x</item>", 400, "line 1"),
    ("xml-wrong-root", XML, b"<customer><uuid>x</uuid></customer>", 400, "<item>"),
    ("xml-text-outside-fields", XML, b"<item>x<uuid>y</uuid></item>", 400, "inside <item>"),
    ("xml-field-twice", XML, b"<item><uuid>a</uuid><uuid>b</uuid></item>", 400, "more than once"),
    ("xml-unknown-encoding", XML, b'<?xml version="1.0" encoding="rot13"?><item/>', 400,
     "encoding"),
    ("xml-empty", XML, b"", 400, "XML"),
    # JSON: one object, unambiguous, of sane size.
    ("json-deep-nesting", JSON, b'{"uuid":' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400,
     "deeply"),
    ("json-huge-integer", JSON, b'{"uuid":' + b"9" * 5000 + b"}", 400, "digits"),
    ("json-huge-number", JSON, b'{"uuid":1e999999}', 422, "uuid"),
    ("json-nan", JSON, b'{"uuid":NaN}', 400, "NaN"),
    ("json-duplicate-keys", JSON, b'{"uuid":"a","uuid":"b"}', 400, "duplicate key 'uuid'"),
    ("json-invalid-utf8", JSON, b'{"uuid":"\xff"}', 400, "utf-8"),
    ("json-byte-order-mark", JSON, b'\xef\xbb\xbf{"uuid":"a"}', 400, "byte order mark"),
    ("json-top-level-array", JSON, b'[{"uuid":"a"}]', 400, "array"),
    ("json-top-level-string", JSON, b'"uuid"', 400, "string"),
    ("json-top-level-number", JSON, b"1", 400, "number"),
    ("json-top-level-null", JSON, b"null", 400, "null"),
    ("json-truncated", JSON, b'{"uuid":"a"', 400, "line 1"),
    ("json-empty", JSON, b"", 400, "JSON"),
    ("json-object-as-value", JSON, b'{"uuid":{"$ne":null}}', 422, "uuid"),
    ("json-unknown-field", JSON, b'{"uuid":"a","isAdmin":true}', 422, "isAdmin"),
    # Forms.
    ("form-field-twice", FORM, b"uuid=a&uuid=b", 400, "more than once"),
    ("form-invalid-utf8", FORM, b"uuid=%ff", 400, "utf-8"),
    ("form-too-many-fields", FORM, b"&".join(b"f%d=1" % i for i in range(2000)), 400, "fields"),
    ("form-json-array", FORM, b'[{"uuid":"a"}]', 400, "form"),
    # Content types and charsets.
    ("unknown-content-type", "text/plain", b"uuid=a", 415, "application/json"),
    ("multipart", "multipart/form-data; boundary=x", b"--x--", 415, "Content-Type"),
    ("unknown-charset", f"{JSON}; charset=klingon", b"{}", 415, "charset"),
    ("byte-codec-charset", f"{JSON}; charset=rot13", b"{}", 415, "charset"),
    ("base64-charset", f"{XML}; charset=base64", b"<item/>", 415, "charset"),
    ("quadratic-charset", f"{FORM}; charset=punycode", b"a-b", 415, "charset"),
    ("python-only-charset", f"{JSON}; charset=undefined", b"{}", 415, "charset"),
    ("xml-charset-mismatch", f"{XML}; charset=utf-16", b"<item/>", 400, "utf-16"),
    # Text that no database stores: a validation error, on SQLite and PostgreSQL alike.
    ("json-nul", JSON, b'{"uuid":"a\\u0000b"}', 422, "uuid"),
    ("json-lone-surrogate", JSON, b'{"uuid":"a\\ud800b"}', 422, "uuid"),
    ("json-control-character", JSON, b'{"addressCity":"a\\u001bb"}', 422, "addressCity"),
    ("json-non-character", JSON, b'{"addressCity":"a\\uffffb"}', 422, "addressCity"),
    ("form-nul", FORM, b"uuid=a%00b", 422, "uuid"),
    ("form-lone-surrogate", FORM, b"uuid=a%ed%a0%80b", 400, "utf-8"),
    ("utf7-lone-surrogate", f"{JSON}; charset=utf-7", b'{"uuid":"+2AA-"}', 422, "uuid"),
    ("xml-lone-surrogate", f"{XML}; charset=utf-7", b"<item><uuid>+2AA-</uuid></item>", 400, "XML"),
]


@pytest.fixture
def record(api) -> str:
    """The id of a customer the hostile requests aim at."""
    return api.create(uuid="u-1", addressCity="Recife", dateOfBirth="1980-01-02")["id"]


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize(("content_type", "body", "status", "words"),
                         [case[1:] for case in BODIES], ids=[case[0] for case in BODIES])
def test_hostile_body_is_refused_and_changes_nothing(api, record, snapshot, method, content_type,
                                                      body, status, words):
    before = snapshot()
    path = "/customers" if method == "POST" else f"/customers/{record}"
    response = api.client.open(path, method=method, data=body,
                               headers=api.headers(**{"Content-Type": content_type}))
    assert_refused(response, status, words)
    assert snapshot() == before


@pytest.mark.parametrize("accept", ["application/json", "application/xml"])
@pytest.mark.parametrize("name", ["\x00", "\ud800", "\x1b[31m", "\ufffe", "<x>&amp;",
                                  "k" * 100_000])
def test_unknown_field_with_any_name_gets_an_encodable_answer(api, record, snapshot, accept, name):
    """The 422 names the field; NUL and lone surrogates fit neither UTF-8 nor XML."""
    before = snapshot()
    body = json.dumps({name: 1}).encode()
    response = api.client.put(f"/customers/{record}", data=body,
                              headers=api.headers(accept, **{"Content-Type": JSON}))
    answer = assert_refused(response, 422)
    assert list(answer["errors"].values()) == [["Unknown field."]]
    response.get_data().decode("utf-8")  # strict: valid UTF-8
    assert snapshot() == before


class Unreadable:
    """A request body that fails the test if the service reads any of it."""

    def read(self, *_args: object) -> bytes:
        raise AssertionError("the body was read")

    readinto = readline = read


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_body_over_the_limit_is_413_without_being_read(app, api, record, snapshot, method):
    before = snapshot()
    path = "/customers" if method == "POST" else f"/customers/{record}"
    limit = app.config["MAX_CONTENT_LENGTH"]
    environ = {"wsgi.input": Unreadable(), "CONTENT_LENGTH": str(limit + 1)}
    response = api.client.open(path, method=method, environ_overrides=environ,
                               headers=api.headers(**{"Content-Type": JSON}))
    assert_refused(response, 413)
    assert snapshot() == before


def test_streamed_body_over_the_limit_is_413(app, api, record, snapshot):
    """A chunked body has no Content-Length; the server marks its stream as terminated."""
    before = snapshot()
    body = b'{"uuid":"' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    headers = api.headers(**{"Content-Type": JSON, "Transfer-Encoding": "chunked"})
    response = api.client.put(f"/customers/{record}", data=body, headers=headers,
                              environ_overrides={"wsgi.input_terminated": True})
    assert_refused(response, 413)
    assert snapshot() == before


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_body_shorter_than_its_content_length_is_400(api, record, snapshot, method):
    """The client promised more than it sent (and hung up): nothing is decoded or stored."""
    before = snapshot()
    body = b'{"addressCity": "Olinda"}'
    path = "/customers" if method == "POST" else f"/customers/{record}"
    environ = {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body) + 10)}
    response = api.client.open(path, method=method, environ_overrides=environ,
                               headers=api.headers(**{"Content-Type": JSON}))
    answer = assert_refused(response, 400)
    assert f"ended after {len(body)} of its {len(body) + 10} bytes" in answer["message"]
    assert snapshot() == before


class Trickle(io.BytesIO):
    """A server input that hands over a few bytes per read, as WSGI allows."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(min(size, 5) if size is not None and size >= 0 else 5)


def test_a_body_read_in_small_pieces_is_read_whole(api, record):
    body = json.dumps({"addressCity": "Olinda", "addressStreet": "Rua da Aurora"}).encode()
    environ = {"wsgi.input": Trickle(body), "CONTENT_LENGTH": str(len(body))}
    response = api.client.put(f"/customers/{record}", environ_overrides=environ,
                              headers=api.headers(**{"Content-Type": JSON}))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["addressStreet"] == "Rua da Aurora"


@pytest.mark.parametrize("content_length", ["0", "00"])
def test_an_empty_body_with_content_length_is_400_for_json(api, record, snapshot, content_length):
    before = snapshot()
    response = api.client.put(f"/customers/{record}", headers=api.headers(**{"Content-Type": JSON}),
                              environ_overrides={"CONTENT_LENGTH": content_length})
    assert_refused(response, 400)
    assert snapshot() == before


@pytest.mark.parametrize("content_type", [
    "", "application/json", "APPLICATION/JSON", " application/json", "application/json ",
    "application/json; charset=utf-8", "application/json;charset=UTF-8",
    'text/xml; charset="latin-1"', "application/x-www-form-urlencoded", "text/plain", "a,b",
    '"application/json"', "application/json,text/xml",
])
def test_media_type_agrees_with_werkzeugs_parser(app, content_type):
    """media_type() reads plain values itself; it must say what werkzeug's parser says."""
    with app.test_request_context("/customers/1", method="PUT", content_type=content_type):
        assert media_type() == (request.mimetype, request.mimetype_params.get("charset"))
