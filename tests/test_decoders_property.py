"""Property tests of the body decoders: any bytes give a dict or a 4xx, never a crash."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.decoders import DECODERS, decode
from customers.errors import ApiError
from customers.schemas import WRITABLE
from tests.client import decode_answer, encode_body
from tests.hostile import assert_no_leak

CHARSETS = [None, "utf-8", "UTF-8", "utf-16", "utf-32", "latin-1", "cp1252", "shift_jis", "utf-7",
            "utf-8-sig", "rot13", "base64", "punycode", "undefined", "idna", "klingon", ""]
FORMATS = {"json": "application/json", "xml": "application/xml",
           "form": "application/x-www-form-urlencoded"}
# What XML can carry: no control character but tab, newline and carriage return, no
# surrogate, no U+FFFE or U+FFFF.
XML_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters=[
    *map(chr, range(0x20)), "\ufffe", "\uffff"]) | st.sampled_from("\t\n\r"), max_size=40)
NAMES = st.sampled_from(WRITABLE) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,15}", fullmatch=True)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8)


def format_of(content_type: str) -> str:
    """json, xml or form: the format a content type's body is written in."""
    return "xml" if "xml" in content_type else "form" if "form" in content_type else "json"


def documents(data: st.DataObject, fmt: str) -> bytes:
    """Noise, a valid document (any JSON value for JSON), or one with a few bytes changed."""
    kind = data.draw(st.sampled_from(["noise", "valid", "broken"]))
    if kind == "noise":
        return data.draw(st.binary(max_size=300))
    if fmt == "json" and data.draw(st.booleans()):
        body = bytearray(json.dumps(data.draw(JSON_VALUES)).encode())
    else:
        body = bytearray(encode_body(data.draw(st.dictionaries(NAMES, XML_TEXT, max_size=4)), fmt))
    for _ in range(data.draw(st.integers(0, 3)) if kind == "broken" else 0):
        at = data.draw(st.integers(0, max(len(body) - 1, 0)))
        body[at:at + 1] = data.draw(st.binary(max_size=3))
    return bytes(body)


@settings(max_examples=300, deadline=timedelta(seconds=1))
@given(data=st.data(), content_type=st.sampled_from(list(DECODERS)),
       charset=st.sampled_from(CHARSETS))
def test_any_bytes_give_a_dict_or_a_4xx(data, content_type, charset):
    body = documents(data, format_of(content_type))
    try:
        result = decode(content_type, charset, body)
    except ApiError as error:
        assert 400 <= error.code < 500 and error.description
        assert_no_leak(error.description)
    else:
        assert isinstance(result, dict)


@settings(max_examples=200, deadline=timedelta(seconds=1))
@given(fields=st.dictionaries(NAMES, XML_TEXT, max_size=6))
def test_the_same_document_decodes_alike_in_json_xml_and_form(fields):
    for fmt, content_type in FORMATS.items():
        assert decode(content_type, None, encode_body(fields, fmt)) == fields, fmt


@pytest.fixture
def record(api) -> str:
    return api.create(uuid="u-1", addressCity="Recife")["id"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), content_type=st.sampled_from([*DECODERS, "text/plain", "application/yaml"]),
       charset=st.sampled_from(CHARSETS), method=st.sampled_from(["POST", "PUT", "PATCH"]),
       accept=st.sampled_from(["application/json", "application/xml"]))
def test_any_body_over_http_is_answered_in_the_error_shape(api, record, data, content_type,
                                                           charset, method, accept):
    body = documents(data, format_of(content_type))
    full_type = content_type + (f"; charset={charset}" if charset is not None else "")
    path = "/customers" if method == "POST" else f"/customers/{record}"
    response = api.client.open(path, method=method, data=body,
                               headers=api.headers(accept, **{"Content-Type": full_type}))
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.mimetype == accept
    if response.status_code >= 400:
        answer = decode_answer(response)
        assert answer["code"] == response.status_code and answer["message"]
        assert_no_leak(response.get_data(as_text=True))
