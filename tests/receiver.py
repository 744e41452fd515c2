"""A webhook receiver for tests: an HTTP server on loopback that records what it is sent,
and fails or stalls on command."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple


class Delivery(NamedTuple):
    """One request as the receiver got it, and what it answered."""

    headers: dict[str, str]
    body: bytes
    status: int
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """What the server was sent; `fail_next` and `stall` change how it answers."""

    def __init__(self) -> None:
        self.url = ""  # set once the server has its port
        self.deliveries: list[Delivery] = []
        self.failures_left = 0
        self.failure_status = 500
        self.stall_seconds = 0.0
        self.arrivals = 0  # requests received, answered or not (a stalled one counts)
        self.lock = threading.Condition()

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next `count` requests with `status`."""
        with self.lock:
            self.failures_left, self.failure_status = count, status

    def stall(self, seconds: float) -> None:
        """Hold every request for `seconds` before answering (0: answer at once)."""
        self.stall_seconds = seconds

    def accepted(self) -> list[Delivery]:
        """The requests answered 2xx, in the order they came."""
        with self.lock:
            return [d for d in self.deliveries if d.status < 300]

    def wait_for(self, count: int, seconds: float = 30) -> list[Delivery]:
        """Wait until `count` requests were accepted; them (fails the test on timeout)."""
        deadline = time.monotonic() + seconds
        with self.lock:
            while len([d for d in self.deliveries if d.status < 300]) < count:
                left = deadline - time.monotonic()
                got = len([d for d in self.deliveries if d.status < 300])
                assert left > 0, f"{got} of {count} deliveries came within {seconds} s"
                self.lock.wait(left)
            return [d for d in self.deliveries if d.status < 300]

    def record(self, headers: dict[str, str], body: bytes) -> int:
        """Note a request; the status to answer."""
        with self.lock:
            status = 200
            if self.failures_left:
                self.failures_left -= 1
                status = self.failure_status
            self.deliveries.append(Delivery(headers, body, status, time.monotonic()))
            self.lock.notify_all()
            return status


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.arrivals += 1
            if receiver.stall_seconds:
                time.sleep(receiver.stall_seconds)
            status = receiver.record({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    return Handler


@contextmanager
def receiver() -> Iterator[Receiver]:
    """A receiver listening on a free loopback port, stopped afterwards."""
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    server.daemon_threads = True
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield found
    finally:
        found.stall(0)
        server.shutdown()
        server.server_close()
