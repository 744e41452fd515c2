"""Concurrent HTTP clients for load and fault tests: each owns records, remembers its acks."""
from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import cycle
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select

from customers.extensions import db
from customers.models import Customer


@dataclass
class Outcome:
    """One request: when it ran, what came back (status None: no answer at all)."""

    started: float
    finished: float
    status: int | None
    body: bytes


@dataclass
class Tally:
    """What a client saw, and the last value acknowledged (or perhaps written) per record."""

    outcomes: list[Outcome] = field(default_factory=list)
    acked: dict[str, str] = field(default_factory=dict)
    # Values sent since the last ack whose fate is unknown (no answer, 5xx): any may be stored.
    unknown: dict[str, set[str]] = field(default_factory=dict)

    def merge(self, other: Tally) -> None:
        """Add another client's tally (clients own disjoint records)."""
        self.outcomes += other.outcomes
        self.acked.update(other.acked)
        self.unknown.update(other.unknown)

    def statuses(self) -> Counter:
        """How many answers of each status; None counts requests that got no answer."""
        return Counter(outcome.status for outcome in self.outcomes)


class Connection:
    """A keep-alive http.client connection that reconnects after a failure."""

    def __init__(self, base_url: str, token: str, timeout: float):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def send(self, method: str, path: str, body: dict | None = None,
             headers: dict[str, str] | None = None) -> tuple[int | None, bytes, dict[str, str]]:
        """(status, body, headers), or (None, error name, {}) when the connection broke."""
        data = None if body is None else json.dumps(body).encode()
        all_headers = {**self.headers, **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=all_headers)
            response = self.conn.getresponse()
            return response.status, response.read(), dict(response.getheaders())
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            return None, type(error).__name__.encode(), {}

    def close(self) -> None:
        self.conn.close()


def put_loop(connection: Connection, ids: list[str], name: str, stop: threading.Event) -> Tally:
    """PUT a fresh addressCity into our own records, round robin, until told to stop."""
    tally = Tally()
    for serial, customer_id in enumerate(cycle(ids)):
        if stop.is_set():
            break
        value = f"{name}-{serial}"
        started = time.monotonic()
        status, body, _ = connection.send("PUT", f"/customers/{customer_id}",
                                          {"addressCity": value})
        tally.outcomes.append(Outcome(started, time.monotonic(), status, body[:300]))
        if status is not None and 200 <= status < 300:
            tally.acked[customer_id] = value
            tally.unknown.pop(customer_id, None)
        elif status is None or status >= 500:
            # No answer, or a failure during commit: the write may or may not have landed.
            tally.unknown.setdefault(customer_id, set()).add(value)
    connection.close()
    return tally


def run_clients(base_url: str, token: str, id_groups: Iterable[list[str]], seconds: float,
                during: Callable[[], None] | None = None, timeout: float = 30) -> Tally:
    """One thread per id group PUTting for `seconds`; `during()` runs meanwhile in this thread."""
    stop, results = threading.Event(), []

    def client(number: int, ids: list[str]) -> None:
        results.append(put_loop(Connection(base_url, token, timeout), ids, f"c{number}", stop))

    threads = [threading.Thread(target=client, args=(n, ids), daemon=True)
               for n, ids in enumerate(id_groups)]
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.start()
    try:
        if during is not None:
            during()
        time.sleep(max(0.0, deadline - time.monotonic()))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout + 5)
    total = Tally()
    for tally in results:
        total.merge(tally)
    return total


def create_customers(base_url: str, token: str, count: int) -> list[str]:
    """Create `count` empty records through the API; their ids."""
    connection, ids = Connection(base_url, token, timeout=30), []
    for _ in range(count):
        status, body, _ = connection.send("POST", "/customers", {})
        assert status == 201, body
        ids.append(json.loads(body)["id"])
    connection.close()
    return ids


def issue_write_token(database_url: str, owner: str) -> str:
    """A write token stored in the database a live server will use."""
    from tests.conftest import make_app, new_token

    app = make_app(database_url)
    secret = new_token(app, owner, "write")
    with app.app_context():
        db.engine.dispose()
    return secret


def stored_cities(app: Flask) -> dict[str, str | None]:
    """addressCity of every record, read from the database itself."""
    with app.app_context():
        rows = db.session.execute(select(Customer.id, Customer.addressCity)).all()
        db.session.remove()
        db.engine.dispose()
    return {str(customer_id): city for customer_id, city in rows}


def lost_writes(stored: dict[str, str | None], tally: Tally) -> dict[str, tuple[str | None, str]]:
    """Records holding neither their last acknowledged value nor one whose answer was lost."""
    return {
        customer_id: (stored.get(customer_id), value)
        for customer_id, value in tally.acked.items()
        if stored.get(customer_id) != value
        and stored.get(customer_id) not in tally.unknown.get(customer_id, ())
    }
