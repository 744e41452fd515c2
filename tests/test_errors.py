"""Every row of the contract's error table, answered in JSON and in XML."""
from __future__ import annotations

import pytest

from tests.client import ACCEPTS, decode_answer
from tests.conftest import make_app, new_token
from tests.servers import free_port

pytestmark = pytest.mark.parametrize("accept", ACCEPTS)


def check(response, status: int, accept: str, words: str = "") -> dict:
    """The answer has the status, the negotiated format and the error shape."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == accept
    answer = decode_answer(response)
    assert answer["code"] == status
    assert words.lower() in answer["message"].lower()
    return answer


@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer "])
def test_missing_or_unknown_token_is_403(client, accept, authorization):
    headers = {"Accept": accept, **({"Authorization": authorization} if authorization else {})}
    check(client.get("/customers", headers=headers), 403, accept, "authentication required")


def test_revoked_token_is_403_at_once(api, app, accept):
    from customers.tokens import revoke_token
    from customers.models import Token
    from customers.extensions import db

    assert api.send("GET", "/customers", accept=accept).status_code == 200
    with app.app_context():
        revoke_token(db.session.execute(db.select(Token.id)).scalars().first())
    check(api.send("GET", "/customers", accept=accept), 403, accept, "authentication required")


def test_read_token_cannot_write(api, read_token, snapshot, accept):
    created = api.create(addressCity="Recife")
    before = snapshot()
    api.token = read_token
    assert api.send("GET", f"/customers/{created['id']}", accept=accept).status_code == 200
    for method in ("PUT", "PATCH"):
        check(api.send(method, f"/customers/{created['id']}", {"uuid": "x"}, accept=accept), 403, accept, "write")
    check(api.send("DELETE", f"/customers/{created['id']}", accept=accept), 403, accept, "write")
    check(api.send("POST", "/customers", {"uuid": "x"}, accept=accept), 403, accept, "write")
    assert snapshot() == before


@pytest.mark.parametrize("customer_id", ["999", "{id}", "%7Bid%7D", "abc", "-1", "01", "1.0", "9" * 30])
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_unknown_customer_is_404(api, accept, customer_id, method):
    api.create()
    body = {"uuid": "x"} if method in ("PUT", "PATCH") else None
    check(api.send(method, f"/customers/{customer_id}", body, accept=accept), 404, accept, "no customer")


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_writes_to_the_count_resource_are_405(api, accept, method):
    """/customers/count is the count, not a record: it allows GET alone."""
    response = api.send(method, "/customers/count", {"uuid": "x"}, accept=accept)
    check(response, 405, accept)
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("content_type,body,where", [
    ("application/json", b'{"uuid": "x",}', "line 1 column"),
    ("application/json", b"", "invalid json"),
    ("application/json", b'{"addressCity": "\xff"}', "byte"),
    ("application/xml", b"<item><uuid>x</item>", "line 1"),
    ("application/xml", b"<item><uuid>\xff</uuid></item>", "invalid xml"),
    ("application/x-www-form-urlencoded", b"addressCity=%FF", "percent-encoded"),
])
def test_unparseable_body_is_400_saying_where(api, snapshot, accept, content_type, body, where):
    created = api.create(addressCity="Recife")
    before = snapshot()
    response = api.client.put(f"/customers/{created['id']}", data=body,
                              headers=api.headers(accept, **{"Content-Type": content_type}))
    check(response, 400, accept, where)
    assert snapshot() == before


def test_invalid_and_unknown_fields_are_422_by_field(api, snapshot, accept):
    created = api.create(addressCity="Recife")
    before = snapshot()
    response = api.send("PUT", f"/customers/{created['id']}",
                        {"dateOfBirth": "2019-02-30", "gender": "robot", "adressCity": "typo"}, accept=accept)
    answer = check(response, 422, accept, "validation failed")
    assert answer["errors"] == {"dateOfBirth": ["Not a valid date."],
                                "gender": ["Must be one of: male, female, other."],
                                "adressCity": ["Unknown field."]}
    assert snapshot() == before


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/yaml", "multipart/form-data; boundary=x",
                                          "application/json; charset=klingon"])
def test_unsupported_content_type_is_415_naming_the_accepted(api, snapshot, accept, content_type):
    created = api.create()
    before = snapshot()
    headers = api.headers(accept, **({"Content-Type": content_type} if content_type else {}))
    answer = check(api.client.put(f"/customers/{created['id']}", data=b'{"uuid":"x"}', headers=headers),
                   415, accept)
    if "charset" not in (content_type or ""):
        assert "application/json, " in answer["message"] and "application/xml" in answer["message"]
    assert snapshot() == before


def test_stale_if_match_is_412(api, snapshot, accept):
    created = api.create()
    old_tag = api.send("GET", f"/customers/{created['id']}").headers["ETag"]
    assert api.send("PUT", f"/customers/{created['id']}", {"uuid": "new"}).status_code == 200
    before = snapshot()
    check(api.send("PUT", f"/customers/{created['id']}", {"uuid": "lost"}, accept=accept,
                   **{"If-Match": old_tag}), 412, accept, "changed")
    check(api.send("DELETE", f"/customers/{created['id']}", accept=accept, **{"If-Match": old_tag}),
          412, accept)
    assert snapshot() == before


def test_body_too_large_is_413(api, app, snapshot, accept):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    created = api.create()
    before = snapshot()
    big = {"addressCity": "x" * 2000}
    check(api.send("PUT", f"/customers/{created['id']}", big, accept=accept), 413, accept)
    assert snapshot() == before


@pytest.mark.parametrize("method,path,allowed", [
    ("DELETE", "/customers", {"GET", "POST"}),
    ("POST", "/customers/1", {"GET", "PUT", "PATCH", "DELETE"}),
])
def test_method_not_allowed_is_405_with_allow(api, accept, method, path, allowed):
    response = api.send(method, path, accept=accept)
    check(response, 405, accept)
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_no_acceptable_format_is_406_in_json(api, accept):
    response = api.send("GET", "/customers", accept="text/html")
    assert response.status_code == 406
    assert response.get_json()["code"] == 406


def test_database_unreachable_is_503_and_says_so(accept):
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone", DB_TIMEOUT_SECONDS=1)
    response = app.test_client().get("/customers", headers={"Accept": accept, "Authorization": "Bearer x"})
    answer = check(response, 503, accept, "unavailable")
    assert "127.0.0.1" not in answer["message"]
    assert app.test_client().get("/readyz", headers={"Accept": accept}).status_code == 503


def test_unexpected_error_is_500_without_detail(app, accept):
    def explode():
        raise RuntimeError("SELECT secret FROM /etc/passwd")

    app.add_url_rule("/explode", view_func=explode)
    response = app.test_client().get("/explode", headers={"Accept": accept})
    answer = check(response, 500, accept)
    body = response.get_data(as_text=True)
    assert answer["message"] == "Internal server error"
    assert "SELECT" not in body and "/etc" not in body and "Traceback" not in body


def test_unknown_path_is_404_in_the_error_shape(client, accept):
    check(client.get("/nowhere", headers={"Accept": accept}), 404, accept)
