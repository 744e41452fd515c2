"""Slow clients against the default gunicorn settings: they cannot take every worker."""
from __future__ import annotations

import json
import shutil
import socket
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import make_app, new_token
from tests.servers import gunicorn, server_environment

pytestmark = pytest.mark.server

WORKERS = 2
SLOW_CLIENTS = 3 * WORKERS  # one per sync worker stopped the service; three per worker here


def slow_put(url: str, token: str) -> socket.socket:
    """A PUT whose headers arrive at once and whose body will come a byte at a time."""
    parts = urlsplit(url)
    connection = socket.create_connection((parts.hostname, parts.port), timeout=10)
    connection.sendall((f"PUT /customers/1 HTTP/1.1\r\nHost: localhost\r\n"
                        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                        "Content-Length: 1000\r\n\r\n{").encode())
    return connection


def answers_within(url: str, seconds: float, **request: object) -> float:
    """How long `url` took to answer 2xx; fails past `seconds`."""
    started = time.monotonic()
    with urllib.request.urlopen(urllib.request.Request(url, **request), timeout=seconds) as answer:
        assert 200 <= answer.status < 300
    return time.monotonic() - started


def test_slow_bodies_leave_the_service_answering(sqlite_template: Path, tmp_path: Path):
    path = tmp_path / "customers.sqlite3"
    shutil.copy(sqlite_template, path)
    database = f"sqlite:///{path}"
    token = new_token(make_app(database), "slow-writer", "write")
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with gunicorn(server_environment(database), workers=WORKERS, log=tmp_path / "gunicorn.log") as url:
        answers_within(f"{url}/customers", 10, data=b"{}", headers=auth)
        slow = [slow_put(url, token) for _ in range(SLOW_CLIENTS)]
        try:
            waits = []
            for _ in range(10):  # five seconds of dripping, checked all along
                for connection in slow:
                    connection.sendall(b" ")
                waits.append(answers_within(f"{url}/healthz", 3))
                waits.append(answers_within(f"{url}/customers/1", 3, method="PUT", headers=auth,
                                            data=json.dumps({"addressCity": "Recife"}).encode()))
                time.sleep(0.5)
        finally:
            for connection in slow:
                connection.close()
    print(f"\n[slow clients] {SLOW_CLIENTS} dripping bodies; the slowest of {len(waits)} answers "
          f"took {max(waits):.3f}s")
