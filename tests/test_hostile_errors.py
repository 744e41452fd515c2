"""No error, in any format, shows a traceback, SQL, a file path or a setting."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import ProgrammingError

from customers import service
from tests.hostile import assert_no_leak, assert_refused

SECRETS = ("SELECT secret_hash FROM tokens WHERE 1=1 -- in /work/main/customers/service.py, "
           "SECRET_KEY")
FAILURES = {
    "exception": RuntimeError(SECRETS),
    "database error": ProgrammingError(SECRETS, {"secret": "test-secret"}, Exception(SECRETS)),
}


# (A client accepting neither JSON nor XML is answered 406 before the view runs:
# tests/test_negotiation_first.py.)
@pytest.mark.parametrize("accept", ["application/json", "application/xml"])
@pytest.mark.parametrize("failure", list(FAILURES))
def test_an_unexpected_error_is_a_bare_500(api, monkeypatch, caplog, accept, failure):
    def fail(*_args: object, **_kwargs: object) -> None:
        raise FAILURES[failure]

    record = api.create(uuid="u-1")
    monkeypatch.setattr(service, "get", fail)
    response = api.send("GET", f"/customers/{record['id']}", accept=accept)
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "secret" not in body.lower(), body
    assert response.mimetype == accept
    assert_no_leak(body)
    assert SECRETS in caplog.text  # the operator still finds it in the log


@pytest.mark.parametrize("accept", ["application/json", "application/xml"])
def test_method_not_allowed_keeps_allow(api, accept):
    response = api.send("POST", "/customers/count", {}, accept=accept)
    assert_refused(response, 405)
    assert {"GET"} <= set(response.headers["Allow"].replace(" ", "").split(","))


@pytest.mark.parametrize("path", ["/nowhere", "/customers/1/secret", "/../../etc/passwd",
                                  "/static/../app.py", "/%00"])
@pytest.mark.parametrize("accept", ["application/json", "application/xml", "text/html"])
def test_unknown_paths_are_404_in_the_format_asked(client, path, accept):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 404, response.get_data(as_text=True)[:200]
    assert_no_leak(response.get_data(as_text=True))
    if accept != "text/html":
        assert_refused(response, 404)


def test_an_unacceptable_accept_is_406_in_json(api):
    response = api.send("GET", "/customers", accept="text/plain")
    assert_refused(response, 406, "application/json")


def test_errors_are_logged_without_the_request_body(api, caplog):
    """A refused body (it may hold personal data) stays out of the log."""
    caplog.set_level(logging.DEBUG)
    record = api.create(uuid="u-1")
    body = b'{"uuid": "CONFIDENTIAL-\\u0000", "addressCity": "CONFIDENTIAL"}'
    response = api.client.put(f"/customers/{record['id']}", data=body,
                              headers=api.headers(**{"Content-Type": "application/json"}))
    assert_refused(response, 422, "uuid")
    assert "CONFIDENTIAL" not in caplog.text


@pytest.mark.parametrize("version", ["9" * 40, str(2**63)])
def test_an_if_match_naming_an_impossible_version_is_412(api, snapshot, version):
    record = api.create(uuid="u-1")
    before = snapshot()
    for method in ("PUT", "PATCH", "DELETE"):
        response = api.send(method, f"/customers/{record['id']}", {"uuid": "x"},
                            **{"If-Match": f'"c{record["id"]}v{version}"'})
        assert_refused(response, 412)
    assert snapshot() == before
