"""The Host against a live gunicorn: refused before any work (400, nothing written), never a
500; generated URLs name only hosts the service trusts."""
from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest
from flask import Flask

from customers.config import from_environment
from tests.conftest import make_app, new_token
from tests.hostile import assert_no_leak
from tests.servers import gunicorn, server_environment

pytestmark = pytest.mark.server

TRUSTED = "api.example.com,.example.org"
# Not host names, or names no IDNA decoder takes: refused whatever TRUSTED_HOSTS says.
MALFORMED = ["xn--a.example", "xn--a.example.org", "a..example.org", "x_y.example.org",
             "api.example.com:99999", "api.example.com/x", "api.example.com@evil.example",
             "a" * 64 + ".example.org", ""]
UNTRUSTED = ["evil.example", "example.org.evil.example", "127.0.0.1:8000"]


class Answer(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Site(NamedTuple):
    url: str
    token: str

    def send(self, method: str, path: str, host: str, fields: dict[str, Any] | None = None,
             **headers: str) -> Answer:
        """A request naming `host` in its Host header, sent to this server."""
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
        body = None if fields is None else json.dumps(fields).encode()
        sent = {"Host": host, "Authorization": f"Bearer {self.token}", "Accept": "application/json",
                **({"Content-Type": "application/json"} if body is not None else {}), **headers}
        try:
            connection.request(method, path, body, sent)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def rows(self, host: str) -> list[dict[str, Any]]:
        """Every record, read through a Host that is let through."""
        answer = self.send("GET", "/customers?_limit=-1", host)
        assert answer.status == 200, answer.body[:300]
        return answer.json()


@pytest.fixture
def site(app: Flask, database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Site]:
    """gunicorn on the test's database, with TRUSTED_HOSTS set to the parameter, if any."""
    trusted = getattr(request, "param", None)
    extra = {"TRUSTED_HOSTS": trusted} if trusted else {}
    token = new_token(app, "host-writer", "write")
    with gunicorn(server_environment(database_url, **extra), log=tmp_path / "gunicorn.log") as url:
        yield Site(url, token)


def assert_bad_host(answer: Answer, mimetype: str = "application/json") -> None:
    """400 in the error shape of `mimetype`, revealing nothing."""
    assert answer.status == 400, answer.body[:300]
    assert answer.headers.get_content_type() == mimetype
    assert_no_leak(answer.body.decode("utf-8", "replace"))
    if mimetype == "application/json":
        assert answer.json()["code"] == 400 and "Host" in answer.json()["message"]


def writes(record_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [("POST", "/customers", {"uuid": "new"}),
            ("PUT", f"/customers/{record_id}", {"uuid": "changed"}),
            ("PATCH", f"/customers/{record_id}", {"uuid": "changed"}),
            ("DELETE", f"/customers/{record_id}", None)]


def test_an_undecodable_host_is_400_before_any_write_by_default(site):
    """TRUSTED_HOSTS unset: any host name is served, but one werkzeug cannot decode is
    refused first (it answered 500 after saving)."""
    created = site.send("POST", "/customers", "anything.example", {"uuid": "kept"})
    assert created.status == 201, created.body[:300]
    assert created.headers["Location"] == "http://anything.example/customers/1"
    before = site.rows("localhost")
    for host in MALFORMED:
        for method, path, fields in writes("1"):
            assert_bad_host(site.send(method, path, host, fields))
    assert site.rows("localhost") == before
    for path in ("/login", "/customers/browse", "/customers/1/edit", "/"):
        assert_bad_host(site.send("GET", path, "xn--a.example", Accept="text/html"), "text/html")


@pytest.mark.parametrize("site", [TRUSTED], indirect=True)
def test_only_trusted_hosts_are_served_and_named_in_urls(site):
    created = site.send("POST", "/customers", "api.example.com", {"uuid": "kept"})
    assert created.status == 201, created.body[:300]
    location = "http://api.example.com/customers/1"
    assert created.headers["Location"] == created.headers["Content-Location"] == location
    updated = site.send("PUT", "/customers/1", "Shop.Example.ORG:8080", {"referenceId": "R-1"})
    assert updated.status == 200, updated.body[:300]
    assert updated.headers["Content-Location"] == "http://shop.example.org:8080/customers/1"
    before = site.rows("api.example.com")
    for host in UNTRUSTED + MALFORMED:
        for method, path, fields in writes("1"):
            assert_bad_host(site.send(method, path, host, fields))
        assert_bad_host(site.send("GET", "/customers/1", host))
    assert site.rows("api.example.com") == before
    for path in ("/login", "/customers/browse", "/"):
        assert_bad_host(site.send("GET", path, "evil.example", Accept="text/html"), "text/html")
    login = site.send("POST", "/login", "evil.example", Accept="text/html",
                      **{"Content-Type": "application/x-www-form-urlencoded"})
    assert_bad_host(login, "text/html")


@pytest.mark.parametrize("site", [TRUSTED], indirect=True)
def test_probes_answer_on_any_host_name(site):
    """A load balancer probes by address; a Host that is no host name is still refused."""
    for path in ("/healthz", "/readyz"):
        assert site.send("GET", path, "10.0.0.7:8000").status == 200
        assert site.send("GET", path, "").status == 200  # no Host at all (HTTP/1.0)
        assert_bad_host(site.send("GET", path, "xn--a.example"))


def test_trusted_hosts_come_from_the_environment_and_a_bad_name_stops_the_start(database_url):
    assert from_environment({"TRUSTED_HOSTS": " API.example.com, .example.org,"}) == {
        "TRUSTED_HOSTS": ["API.example.com", ".example.org"]}
    assert make_app(database_url, TRUSTED_HOSTS=["API.example.com"]).config["TRUSTED_HOSTS"] == [
        "api.example.com"]
    for name in ("customers_api", "xn--a.example", "a..b"):
        with pytest.raises(RuntimeError, match="TRUSTED_HOSTS"):
            make_app(database_url, TRUSTED_HOSTS=[name])
