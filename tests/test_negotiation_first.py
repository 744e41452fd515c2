"""406 is decided before any work: a write the client is told failed was never made."""
from __future__ import annotations

import pytest

from tests.hostile import assert_refused

UNACCEPTABLE = ["text/plain", "image/png", "text/html", "text/html, text/plain;q=0.5"]
WRITES = [
    ("POST", "/customers", {"uuid": "new", "referenceId": "R-new"}),
    ("PUT", "/customers/{id}", {"addressCity": "Changed"}),
    ("PATCH", "/customers/{id}", {"addressCity": "Changed"}),
    ("DELETE", "/customers/{id}", None),
]


@pytest.mark.parametrize("accept", UNACCEPTABLE)
@pytest.mark.parametrize(("method", "path", "fields"), WRITES, ids=[w[0] for w in WRITES])
def test_a_write_the_client_cannot_read_the_answer_of_is_406_and_not_made(
        api, snapshot, method, path, fields, accept):
    record = api.create(uuid="kept", addressCity="Recife")
    before = snapshot()
    response = api.send(method, path.format(id=record["id"]), fields, accept=accept)
    assert_refused(response, 406, "application/json")
    assert snapshot() == before
    assert api.get(record["id"]) == record


@pytest.mark.parametrize("accept", ["text/plain", "image/png"])
def test_406_comes_before_the_body_is_read_and_after_the_token(api, client, accept):
    """A bad body is not looked at (406, not 400); a request without a token is still 403."""
    record = api.create(uuid="kept")
    response = api.client.put(f"/customers/{record['id']}", data=b"{not json",
                              headers=api.headers(accept, **{"Content-Type": "application/json"}))
    assert_refused(response, 406)
    anonymous = client.put(f"/customers/{record['id']}", json={"uuid": "x"},
                           headers={"Accept": accept})
    assert_refused(anonymous, 403)


@pytest.mark.parametrize("accept", ["application/xml", "text/plain;q=0.9, application/xml;q=0.1",
                                    "*/*", "application/*"])
def test_an_acceptable_format_still_writes(api, accept):
    """The other side: a client that takes JSON or XML is answered, and the write is made."""
    record = api.create(uuid="before")
    response = api.send("PUT", f"/customers/{record['id']}", {"uuid": "after"}, accept=accept)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert api.get(record["id"])["uuid"] == "after"
