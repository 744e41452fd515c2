"""Behind a real nginx: the public scheme and host in Location, the real client in the log."""
from __future__ import annotations

import http.client
import json
import re
import shutil
import ssl
import time
import uuid
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.loadgen import issue_write_token
from tests.nginx import Proxy, nginx
from tests.servers import gunicorn, server_environment

pytestmark = [pytest.mark.proxy, pytest.mark.server]

PUBLIC_HOST = "customers.test"
# The test's client speaks from a loopback address of its own, nginx from 127.0.0.1.
CLIENT = "127.0.0.2"
FORGED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
          "X-Forwarded-Host": "evil.example", "X-Forwarded-Port": "1",
          "X-Forwarded-Prefix": "/evil"}


def send(port: int, method: str, path: str, body: dict | None = None, tls: Path | None = None,
         source: str = CLIENT, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """One request to a loopback port (over TLS trusting the `tls` certificate); the answer."""
    if tls is not None:
        context = ssl.create_default_context(cafile=str(tls))
        context.check_hostname = False  # the certificate names PUBLIC_HOST, we dial 127.0.0.1
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30,
                                           source_address=(source, 0), context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data,
                     headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def log_line(log: Path, request_id: str, seconds: float = 10) -> str:
    """The access log line of the request with this id (gunicorn writes it after answering)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if f" {request_id} " in line and '"' in line:
                return line
        time.sleep(0.05)
    raise AssertionError(f"no access log line for {request_id} in {log}")


class Site:
    """gunicorn (PROXY_HOPS=1) behind nginx, its log and a write token."""

    def __init__(self, proxy: Proxy, log: Path, token: str):
        self.proxy, self.log, self.token = proxy, log, token

    def send(self, scheme: str, method: str, path: str, body: dict | None = None,
             **headers: str) -> tuple[int, dict[str, str], bytes]:
        """A request to nginx as a client on the internet would send it."""
        port = self.port(scheme)
        headers = {"Host": f"{PUBLIC_HOST}:{port}", "Authorization": f"Bearer {self.token}",
                   **headers}
        tls = self.proxy.folder / "cert.pem" if scheme == "https" else None
        return send(port, method, path, body, tls, **headers)

    def port(self, scheme: str) -> int:
        return self.proxy.https_port if scheme == "https" else self.proxy.http_port


@pytest.fixture(scope="module")
def database(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("proxy") / "customers.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def token(database: str) -> str:
    return issue_write_token(database, "proxy-writer")


@pytest.fixture(scope="module")
def site(database: str, token: str, tmp_path_factory: pytest.TempPathFactory):
    log = tmp_path_factory.mktemp("proxy-logs") / "gunicorn.log"
    env = server_environment(database, PROXY_HOPS="1", TRUSTED_HOSTS=PUBLIC_HOST)
    with gunicorn(env, log=log) as url:
        with nginx(url.removeprefix("http://")) as proxy:
            yield Site(proxy, log, token)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_location_names_the_public_scheme_and_host(site, scheme):
    status, headers, body = site.send(scheme, "POST", "/customers", {})
    assert status == 201, body
    expected = f"{scheme}://{PUBLIC_HOST}:{site.port(scheme)}/customers/{json.loads(body)['id']}"
    assert headers["Location"] == expected
    assert headers["Content-Location"] == expected
    status, headers, body = site.send(scheme, "PUT", f"/customers/{json.loads(body)['id']}", {})
    assert status == 200, body
    assert headers["Content-Location"] == expected


def test_forwarded_headers_a_client_forges_do_not_get_past_nginx(site):
    request_id = uuid.uuid4().hex
    status, headers, body = site.send("https", "POST", "/customers", {}, X_Request_ID=request_id,
                                      **{**FORGED, "X-Forwarded-Proto": "http"})
    assert status == 201, body
    port = site.port("https")
    assert headers["Location"] == f"https://{PUBLIC_HOST}:{port}/customers/{json.loads(body)['id']}"
    # nginx appends the real peer to the forged X-Forwarded-For; ProxyFix trusts one hop only.
    assert log_line(site.log, request_id).startswith(f"{CLIENT} {request_id} ")


@pytest.mark.parametrize("host", ["evil.example", "xn--a.example"])
def test_a_host_the_service_does_not_answer_to_is_400_through_nginx(site, host):
    """nginx passes any Host on to its one server block: TRUSTED_HOSTS refuses the others
    before anything is written, whatever X-Forwarded-Host the client adds."""
    before = site.send("https", "GET", "/customers/count")
    status, headers, body = site.send("https", "POST", "/customers", {}, Host=host,
                                      **{"X-Forwarded-Host": PUBLIC_HOST})
    assert (status, json.loads(body)["code"]) == (400, 400), body
    assert "Location" not in headers
    assert site.send("https", "GET", "/customers/count")[2] == before[2]


def test_access_log_names_the_real_client_the_request_id_and_the_latency(site):
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    status, headers, _ = site.send("https", "GET", "/healthz", X_Request_ID=request_id)
    assert (status, headers["X-Request-ID"]) == (200, request_id)
    line = log_line(site.log, request_id)
    print(f"\n[proxy] access log line: {line}")
    assert re.fullmatch(rf'{re.escape(CLIENT)} {request_id} \[[^]]+\] "GET /healthz HTTP/1.1" '
                        r'200 \d+ \d+\.\d{6}s "-" "[^"]*"', line)


def test_nginx_makes_a_request_id_when_the_client_sends_none(site):
    status, headers, body = site.send("http", "GET", "/customers/999999")
    assert status == 404, body
    request_id = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert '" 404 ' in log_line(site.log, request_id)


def test_redirects_stay_on_the_public_origin(site):
    status, headers, _ = site.send("https", "GET", "/", Accept="text/html")
    if status == 404:
        pytest.skip("no page redirects here yet: `/` is not served")
    assert 300 <= status < 400
    origin = f"https://{PUBLIC_HOST}:{site.port('https')}/"
    assert urljoin(origin, headers["Location"]).startswith(origin)


def test_forged_forwarded_headers_change_nothing_without_proxy_hops(database, token, tmp_path):
    log = tmp_path / "gunicorn.log"
    request_id = uuid.uuid4().hex
    # 127.0.0.1 is the peer gunicorn itself would trust by default: gunicorn.conf.py must not.
    with gunicorn(server_environment(database, PROXY_HOPS="0"), log=log) as url:
        port = int(url.rsplit(":", 1)[1])
        status, headers, body = send(port, "POST", "/customers", {}, source="127.0.0.1",
                                     Authorization=f"Bearer {token}", X_Request_ID=request_id,
                                     **FORGED)
        assert status == 201, body
        assert headers["Location"] == f"{url}/customers/{json.loads(body)['id']}"
        assert log_line(log, request_id).startswith(f"127.0.0.1 {request_id} ")
