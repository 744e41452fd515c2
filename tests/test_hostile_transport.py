"""Oversized and broken requests against a live gunicorn: a 4xx (its or ours), never a 500."""
from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from socket import create_connection
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from customers.extensions import db
from tests.conftest import make_app, new_token
from tests.hostile import assert_no_leak
from tests.servers import gunicorn, server_environment

pytestmark = pytest.mark.server


class Server(NamedTuple):
    url: str
    write_token: str
    read_token: str
    log: Path
    rows: object  # () -> list of customer rows


@pytest.fixture(scope="module")
def server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One gunicorn for the module: framing is the server's business, whatever the database."""
    folder = tmp_path_factory.mktemp("transport")
    shutil.copy(sqlite_template, folder / "customers.sqlite3")
    url = f"sqlite:///{folder / 'customers.sqlite3'}"
    app = make_app(url)
    write, read = new_token(app, "writer", "write"), new_token(app, "reader", "read")

    def rows() -> list[tuple]:
        with app.app_context():
            rows = db.session.execute(text("SELECT * FROM customers ORDER BY id"))
            return [tuple(row) for row in rows]

    log = folder / "gunicorn.log"
    # Unbuffered, so that the log can be read while the server runs.
    with gunicorn(server_environment(url, PYTHONUNBUFFERED="1"), log=log) as base:
        yield Server(base, write, read, log, rows)
    with app.app_context():
        db.engine.dispose()


def exchange(url: str, request: bytes) -> tuple[int, bytes]:
    """Send raw bytes, read the whole answer (the server may answer before all is sent)."""
    parts = urlsplit(url)
    with create_connection((parts.hostname, parts.port), timeout=20) as connection:
        try:
            connection.sendall(request)
        except OSError:  # refused early: the answer is already waiting
            pass
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 "), answer[:200]
    return int(head.split()[1]), body


def http(method: str, target: str, token: str, *headers: str, body: bytes = b"") -> bytes:
    """A raw HTTP/1.1 request that closes its connection."""
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost", f"Authorization: Bearer {token}",
             "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(body: bytes, size: int = 65536) -> bytes:
    """`body` in chunked transfer coding."""
    chunks = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


def test_oversized_request_parts_get_a_4xx(server):
    before, token = server.rows(), server.write_token
    query = "&".join(f"id_in={n}" for n in range(1000))
    cases = {
        "request line over 4094 bytes": (http("GET", "/customers?_q=" + "a" * 10_000, token), 414),
        "1000 parameters": (http("GET", f"/customers?{query}", token), 414),
        "400 parameters": (http("GET", "/customers?" + query[:3900].rpartition("&")[0], token),
                           200),
        "200 header fields": (http("GET", "/customers", token, *(f"X-{n}: y" for n in range(200))),
                              431),
        "a 20 kB header": (http("GET", "/customers", token, "X-Big: " + "y" * 20_000), 431),
        "a huge Accept header": (http("GET", "/customers", token, "Accept: " + "a/b," * 2000), 406),
        "Content-Length beyond the limit": (http("PUT", "/customers/1", token,
                                                 "Content-Length: 99999999999",
                                                 "Content-Type: application/json"), 413),
        "Content-Length and chunked": (http("POST", "/customers", token, "Content-Length: 5",
                                            "Transfer-Encoding: chunked", body=b"0\r\n\r\n"), 400),
        "a negative Content-Length": (http("POST", "/customers", token, "Content-Length: -1"), 400),
    }
    for name, (request, expected) in cases.items():
        status, body = exchange(server.url, request)
        assert status == expected, (name, status, body[:300])
        assert_no_leak(body.decode("utf-8", "replace"))
    assert server.rows() == before


def test_a_chunked_body_over_the_limit_is_413(server):
    before = server.rows()
    body = json.dumps({"uuid": "x" * (3 * 1024 * 1024)}).encode()
    status, answer = exchange(server.url, http(
        "POST", "/customers", server.write_token, "Content-Type: application/json",
        "Transfer-Encoding: chunked", body=chunked(body)))
    assert (status, json.loads(answer)["code"]) == (413, 413), answer[:300]
    assert server.rows() == before


def test_a_broken_chunked_body_is_400(server):
    before = server.rows()
    status, answer = exchange(server.url, http(
        "POST", "/customers", server.write_token, "Content-Type: application/json",
        "Transfer-Encoding: chunked", body=b"zz\r\n{}\r\n0\r\n\r\n"))
    assert (status, json.loads(answer)["code"]) == (400, 400), answer[:300]
    assert server.rows() == before


def test_a_small_chunked_body_is_read_whole(server):
    """The other side of the limit: chunked bodies are accepted, not cut."""
    body = json.dumps({"uuid": "chunked", "addressCity": "y" * 200}).encode()
    status, answer = exchange(server.url, http(
        "POST", "/customers", server.write_token, "Content-Type: application/json",
        "Transfer-Encoding: chunked", body=chunked(body, 7)))
    assert status == 201 and json.loads(answer)["addressCity"] == "y" * 200, answer[:300]


def test_gunicorn_logs_no_token(server):
    """Access and error logs, after good, bad and failing requests."""
    for n, token in enumerate((server.write_token, server.read_token, server.write_token + "x")):
        for request in (http("GET", "/customers?_sort=nope", token),
                        http("POST", "/customers", token, "Content-Type: application/json",
                             "Content-Length: 2", body=b"{}"),
                        http("PUT", "/customers/1", token, "Transfer-Encoding: chunked",
                             "Content-Type: application/json", body=b"zz\r\n")):
            exchange(server.url, request)
        exchange(server.url, http("GET", f"/customers?marker={n}", token))
    deadline = time.monotonic() + 10
    while "marker=2" not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)  # the access log line follows the answer
    text = server.log.read_text()
    assert "marker=2" in text  # the access log was written
    for secret in (server.write_token, server.read_token):
        assert secret not in text and secret[4:20] not in text
